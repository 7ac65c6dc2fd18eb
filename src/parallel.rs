//! Work spread over the machine's cores with `std::thread::scope`, results in input order.
//!
//! Sites and files are independent once read, so they are checked in parallel; the results
//! come back in index order, whatever the scheduling, so output stays deterministic.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    /// Set while this thread works for [`map`]: a nested call runs on the calling thread
    /// instead of spawning threads of its own.
    static WORKING: Cell<bool> = const { Cell::new(false) };
}

/// More threads than this never pay for a linter's work.
const MAX_THREADS: usize = 16;

/// Helper threads get a large stack, like the main linting thread (see `main.rs`): nesting
/// is bounded by the parsers, but the margin costs only address space.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// How many threads to use for `items` pieces of work.
fn threads_for(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(MAX_THREADS).min(items).max(1)
}

/// `(0..n).map(f).collect()`, computed on up to one thread per core. Each thread takes the
/// next index when it is done with one, so uneven pieces of work balance out.
pub fn map<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let threads = threads_for(n);
    if threads <= 1 || WORKING.get() {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let was_working = WORKING.replace(true);
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                WORKING.set(was_working);
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut results: Vec<(usize, T)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        // This thread works too (alone, if no helper could be started).
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                // A panic in a helper is a bug: let it reach the caller as one.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_order() {
        let v = super::map(1000, |i| i * 2);
        assert_eq!(v, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(0, |i| i).is_empty());
        assert_eq!(super::map(1, |i| i + 7), vec![7]);
    }
}

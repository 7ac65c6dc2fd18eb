//! Work spread over the machine's cores, results in input order.
//!
//! Sites and files are independent once read, so they are checked in parallel; the results
//! come back in index order, whatever the scheduling, so output stays deterministic.
//!
//! One rayon pool, started once, runs the whole lint ([`run`]) and its parallel phases
//! (reading, parsing, lowering, checking, rendering): the thread that runs the sequential
//! parts is one of the pool's, so there is one allocating thread per core and no thread
//! started per phase.

use rayon::prelude::*;
use std::sync::OnceLock;

/// More threads than this never pay for a linter's work.
const MAX_THREADS: usize = 16;

/// Pool threads get a large stack: nesting is bounded by the parsers, but the margin costs
/// only address space.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// The pool; None when its threads cannot be started (then everything runs on the caller).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores.min(MAX_THREADS))
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("corslint-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `work` on a thread of the pool (with its large stack), waiting for it; a panic in
/// it reaches the caller. Without a pool (no thread could be started), on this thread.
pub fn run<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Runs `background` on another thread of the pool while `here` runs on this one (which
/// may hold what cannot move between threads, such as a locked standard output), and
/// returns both results. Without a pool, one after the other.
pub fn alongside<A: Send, B>(
    background: impl FnOnce() -> A + Send,
    here: impl FnOnce() -> B,
) -> (A, B) {
    match pool() {
        Some(pool) => {
            let mut done = None;
            let here_done = pool.in_place_scope(|scope| {
                scope.spawn(|_| done = Some(background()));
                here()
            });
            let done = done.expect("a scope ends after the work it spawned");
            (done, here_done)
        }
        None => (background(), here()),
    }
}

/// `(0..n).map(f).collect()`, computed on the pool's threads. Uneven pieces of work balance
/// out (work stealing); a call made from inside another runs nested in the same pool.
pub fn map<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync + Send,
{
    match pool() {
        Some(pool) if n > 1 => {
            pool.install(|| (0..n).into_par_iter().with_max_len(1).map(f).collect())
        }
        _ => (0..n).map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_order() {
        let v = super::map(1000, |i| i * 2);
        assert_eq!(v, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(0, |i| i).is_empty());
        assert_eq!(super::map(1, |i| i + 7), vec![7]);
        assert_eq!(super::run(|| super::map(3, |i| i)), vec![0, 1, 2]);
        let not_send = std::rc::Rc::new(5);
        assert_eq!(super::alongside(|| 2 + 2, || *not_send + 1), (4, 6));
    }
}

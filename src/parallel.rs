//! Work spread over the machine's cores, results in input order.
//!
//! Sites and files are independent once read, so they are checked in parallel; the results
//! come back in index order, whatever the scheduling, so output stays deterministic.
//!
//! rayon's pool is started once and kept: a run has several parallel phases (reading,
//! parsing, lowering, checking, rendering), and starting threads for each one cost more
//! than the work on small inputs (benches/bench.py, 50-server tree).

use rayon::prelude::*;
use std::sync::Once;

/// More threads than this never pay for a linter's work.
const MAX_THREADS: usize = 16;

/// Pool threads get a large stack, like the main linting thread (see `main.rs`): nesting is
/// bounded by the parsers, but the margin costs only address space.
const STACK_SIZE: usize = 64 * 1024 * 1024;

static POOL: Once = Once::new();

fn start_pool() {
    POOL.call_once(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // If a pool already exists (a host program built one), it is used as it is.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(cores.min(MAX_THREADS))
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("corslint-{i}"))
            .build_global();
    });
}

/// `(0..n).map(f).collect()`, computed on the pool's threads. Uneven pieces of work balance
/// out (work stealing); a call made from inside another runs nested in the same pool.
pub fn map<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync + Send,
{
    if n <= 1 {
        return (0..n).map(f).collect();
    }
    start_pool();
    (0..n).into_par_iter().with_max_len(1).map(f).collect()
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

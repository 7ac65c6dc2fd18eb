//! Results of pure pattern functions, kept by their input for the rest of the process.
//!
//! Configurations repeat their patterns: the same location regex in every server, the same
//! origin allowlist in every site, the same `/api/*` in thousands of `_headers` files.
//! Compiling a regex (and deriving its samples) costs far more than matching with it, so each
//! distinct pattern is compiled once. A `regex::Regex` clone shares the compiled program.
//! The functions memoised are pure, so sharing their results changes nothing but time and
//! memory. The table is bounded: when it is full it starts over (hostile input with millions
//! of distinct patterns costs what it cost before, no more memory).

use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock};

/// Distinct inputs kept per function before the table is cleared.
const MAX_ENTRIES: usize = 2048;

pub(crate) struct Memo<K, V> {
    /// Each input's result, computed once: threads that ask for a result being computed
    /// wait for it (the servers of a tree, lowered in parallel, start with the same
    /// patterns; before, each thread compiled them again).
    table: LazyLock<Mutex<FxHashMap<K, Arc<OnceLock<V>>>>>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) const fn new() -> Memo<K, V> {
        Memo {
            table: LazyLock::new(|| Mutex::new(FxHashMap::default())),
        }
    }

    /// The value for `key`, computed by `f` the first time. `f` runs without the table
    /// locked: a thread waits only for a computation of the same key, never of another. (`f`
    /// must not ask this table for the same key, nor wait for work of the thread pool: a
    /// pool thread waiting here runs nothing else meanwhile.)
    pub(crate) fn get_or(&self, key: K, f: impl FnOnce() -> V) -> V {
        let cell = {
            let mut table = self.lock();
            if let Some(cell) = table.get(&key) {
                if let Some(value) = cell.get() {
                    return value.clone();
                }
                Arc::clone(cell)
            } else {
                if table.len() >= MAX_ENTRIES {
                    table.clear();
                }
                let cell = Arc::new(OnceLock::new());
                table.insert(key, Arc::clone(&cell));
                cell
            }
        };
        cell.get_or_init(f).clone()
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<K, Arc<OnceLock<V>>>> {
        // A panic while holding the lock cannot leave the map half-updated (insert and
        // clear are the only writes), so a poisoned lock is still good.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_key_and_stays_bounded() {
        static M: Memo<u32, u32> = Memo::new();
        let mut calls = 0;
        assert_eq!(
            M.get_or(1, || {
                calls += 1;
                10
            }),
            10
        );
        assert_eq!(
            M.get_or(1, || {
                calls += 1;
                99
            }),
            10
        );
        assert_eq!(calls, 1);
        for k in 0..(MAX_ENTRIES as u32 * 2) {
            assert_eq!(M.get_or(k + 2, || k), k);
        }
        assert!(M.lock().len() <= MAX_ENTRIES);
    }

    #[test]
    fn threads_asking_together_wait_for_one_computation() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static M: Memo<u32, u32> = Memo::new();
        let calls = AtomicUsize::new(0);
        let results: Vec<u32> = std::thread::scope(|scope| {
            let asks: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        M.get_or(7, || {
                            calls.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            70
                        })
                    })
                })
                .collect();
            asks.into_iter().map(|a| a.join().unwrap()).collect()
        });
        assert_eq!(results, vec![70; 8]);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

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
use std::sync::{LazyLock, Mutex, MutexGuard};

/// Distinct inputs kept per function before the table is cleared.
const MAX_ENTRIES: usize = 2048;

pub(crate) struct Memo<K, V> {
    table: LazyLock<Mutex<FxHashMap<K, V>>>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) const fn new() -> Memo<K, V> {
        Memo {
            table: LazyLock::new(|| Mutex::new(FxHashMap::default())),
        }
    }

    /// The value for `key`, computed by `f` the first time. `f` runs without the lock held,
    /// so threads never wait on each other's compilation (two may compute the same value).
    pub(crate) fn get_or(&self, key: K, f: impl FnOnce() -> V) -> V {
        if let Some(v) = self.lock().get(&key) {
            return v.clone();
        }
        let value = f();
        let mut table = self.lock();
        if table.len() >= MAX_ENTRIES {
            table.clear();
        }
        table.insert(key, value.clone());
        value
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<K, V>> {
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
}

//! Path and origin patterns. (Being replaced by the full implementation.)

/// Concrete strings a regex matches.
pub fn regex_samples(_pattern: &str) -> Vec<String> {
    Vec::new()
}

//! `# corslint: ignore[rule, ...] reason` and `# corslint: ignore-file[rule, ...] reason`
//! comments, shared by every format that has comments.

/// A suppression written in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub rules: Vec<String>,
    pub file_wide: bool,
}

/// Reads a comment's text (without the leading `#`). None when it is not a corslint
/// suppression.
pub fn parse_comment(comment: &str) -> Option<Directive> {
    let rest = comment.trim_start().strip_prefix("corslint:")?.trim_start();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (false, r)
    } else {
        return None;
    };
    let inner = rest.trim_start().strip_prefix('[')?;
    let (list, _reason) = inner.split_once(']')?;
    let rules: Vec<String> = list
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    (!rules.is_empty()).then_some(Directive { rules, file_wide })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_and_scope() {
        assert_eq!(
            parse_comment(" corslint: ignore[missing-always, CORS202] legacy upstream"),
            Some(Directive {
                rules: vec!["missing-always".into(), "CORS202".into()],
                file_wide: false
            })
        );
        assert!(
            parse_comment("corslint: ignore-file[ALL]")
                .unwrap()
                .file_wide
        );
        assert_eq!(parse_comment(" just a comment"), None);
        assert_eq!(parse_comment("corslint: ignore[]"), None);
    }
}

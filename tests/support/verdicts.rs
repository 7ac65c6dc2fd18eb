//! What the browser oracles compare and print: a verdict, the cause a "blocked by CORS
//! policy" message names, and the agreement table's rows. Shared by the nginx and Firebase
//! browser oracles.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allowed,
    Blocked,
    Undetermined,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::Undetermined => "undetermined",
        }
    }
}

/// How Chromium (and corslint, quoting it) starts a message about a preflight.
pub const PREFLIGHT: &str = "Response to preflight request doesn't pass access control check: ";

/// The cause a "blocked by CORS policy" message names: which check failed, on which
/// response, and about which header, method or value. Chromium's wording and corslint's are
/// compared through this, so a reworded sentence does not hide or fake a disagreement.
pub fn cause(message: &str) -> String {
    let (stage, core) = match message.strip_prefix(PREFLIGHT) {
        Some(rest) => ("preflight: ", rest),
        None => ("", message),
    };
    let quoted = |text: &str, after: &str| {
        text.split_once(after)
            .and_then(|(_, rest)| rest.split('\'').nth(1))
            .unwrap_or("")
            .to_string()
    };
    let word_after = |text: &str, after: &str| {
        text.split_once(after)
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or("")
            .to_string()
    };
    let what = if core.starts_with("No 'Access-Control-Allow-Origin' header") {
        "no Access-Control-Allow-Origin".to_string()
    } else if core.contains("contains multiple values") {
        format!(
            "multiple Access-Control-Allow-Origin values '{}'",
            quoted(core, "multiple values")
        )
    } else if core.contains("must not be the wildcard") {
        "wildcard '*' with credentials".to_string()
    } else if core.contains("Redirect is not allowed for a preflight request") {
        "redirect".to_string()
    } else if core.contains("does not have HTTP ok status") {
        "not an ok status".to_string()
    } else if core.starts_with("Method ") && core.contains("is not allowed") {
        format!("method {} not allowed", word_after(core, "Method"))
    } else if core.starts_with("Request header field ") {
        format!(
            "header {} not allowed",
            word_after(core, "Request header field").to_ascii_lowercase()
        )
    } else if core.contains("that is not equal to the supplied origin") {
        format!(
            "Access-Control-Allow-Origin '{}' is not the origin",
            quoted(core, "has a value")
        )
    } else if core.contains("'Access-Control-Allow-Credentials' header in the response is") {
        format!(
            "Access-Control-Allow-Credentials '{}' is not 'true'",
            quoted(core, "in the response is")
        )
    } else if core.starts_with("Cannot parse ") {
        format!(
            "cannot parse {}",
            word_after(core, "Cannot parse").to_ascii_lowercase()
        )
    } else {
        core.to_string()
    };
    format!("{stage}{what}")
}

/// The message as the table shows it: the preflight prefix shortened.
pub fn short(message: &str) -> String {
    match message.strip_prefix(PREFLIGHT) {
        Some(rest) => format!("preflight: {rest}"),
        None => message.to_string(),
    }
}

/// The agreement table's heading.
pub const TABLE_HEAD: &str = "| scenario | Chromium | console: blocked by CORS policy: … | corslint simulate | simulate's reason | corslint check | result |\n\
                              |---|---|---|---|---|---|---|\n";

/// One row of the agreement table: the browser's verdict and reason, corslint simulate's,
/// the rules `corslint check` reported as `(rule, severity)`, and whether the scenario failed
/// or waits for a rule.
pub fn table_row(
    name: &str,
    browser: (&str, &str),
    simulated: (&str, &str),
    findings: &[(&str, &str)],
    failed: bool,
    pending: bool,
) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut rules: Vec<String> = Vec::new();
    for (rule, severity) in findings {
        let mark = match *severity {
            "error" => "(E)",
            "warning" => "(W)",
            _ => "(I)",
        };
        let entry = format!("{rule} {mark}");
        if !rules.contains(&entry) {
            rules.push(entry);
        }
    }
    let rules = if rules.is_empty() {
        "—".to_string()
    } else {
        rules.join(", ")
    };
    let result = if failed {
        "**FAIL**"
    } else if pending {
        "agrees; rule pending"
    } else {
        "agrees"
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        cell(name),
        cell(browser.0),
        cell(browser.1),
        cell(simulated.0),
        cell(simulated.1),
        cell(&rules),
        result
    )
}

//! What nginx itself refuses at start-up although the text parses: malformed `if` conditions,
//! unterminated `${` variables, wrong argument counts for common directives, and misspelt
//! directive names. Each becomes an `invalid-config` problem with nginx's own words.

use super::directives;
use super::includes::Item;
use super::problem;
use crate::model::{Problem, ProblemKind};
use rustc_hash::FxHashMap;

/// Blocks whose entries are keys, not directives.
const TABLE_BLOCKS: &[&str] = &[
    "map",
    "geo",
    "types",
    "split_clients",
    "charset_map",
    "match",
];

/// (directive, minimum, maximum) arguments, from the nginx reference's syntax lines.
const ARITY: &[(&str, usize, usize)] = &[
    ("add_header", 2, 3),
    ("add_header_inherit", 1, 1),
    ("alias", 1, 1),
    ("auth_basic", 1, 1),
    ("auth_request", 1, 1),
    ("expires", 1, 2),
    ("include", 1, 1),
    ("listen", 1, usize::MAX),
    ("location", 1, 2),
    ("proxy_hide_header", 1, 1),
    ("proxy_pass", 1, 1),
    ("proxy_set_header", 2, 2),
    ("return", 1, 2),
    ("rewrite", 2, 3),
    ("root", 1, 1),
    ("server_name", 1, usize::MAX),
    ("set", 2, 2),
    ("try_files", 2, usize::MAX),
    ("user", 1, 2),
    ("worker_processes", 1, 1),
];

/// Appends the problems of `items` to `problems`, in file order, and returns where the
/// problems of each block still [`Item::deferred`] belong (for [`insert_deferred`]): those
/// blocks are checked by [`validate_body`] when their servers are lowered.
pub fn validate(items: &[Item], problems: &mut Vec<Problem>) -> Vec<usize> {
    // The blocks of `http` (one per server in a large tree) are checked in parallel; their
    // problems are kept in file order.
    let mut names = Names::default();
    let mut deferred = Vec::new();
    for item in items {
        if item.name() == "http" && item.block.is_some() {
            check(item, names.facts(item.name()), problems);
            let children = item.children();
            let found = crate::parallel::map(children.len(), |i| {
                let mut own = Vec::new();
                validate_tree(&children[i], &mut Names::default(), &mut own);
                own
            });
            for (child, own) in children.iter().zip(found) {
                problems.extend(own);
                if child.deferred.is_some() {
                    deferred.push(problems.len());
                }
            }
        } else {
            validate_tree(item, &mut names, problems);
            if item.deferred.is_some() {
                deferred.push(problems.len());
            }
        }
    }
    deferred
}

/// The problems of a deferred block's items, once decoded: what [`validate`] finds there
/// when the block is held as items.
pub fn validate_body(body: &[Item]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut names = Names::default();
    for item in body {
        validate_tree(item, &mut names, &mut problems);
    }
    problems
}

/// Puts each deferred block's problems (`found`, in file order) where [`validate`] said
/// they belong (`at`: positions in `problems` as it was then, ascending).
pub fn insert_deferred(problems: &mut Vec<Problem>, at: &[usize], found: Vec<Vec<Problem>>) {
    debug_assert_eq!(at.len(), found.len(), "a position for each deferred block");
    if found.iter().all(Vec::is_empty) {
        return;
    }
    let mut all = Vec::with_capacity(problems.len() + found.iter().map(Vec::len).sum::<usize>());
    let mut rest = std::mem::take(problems).into_iter();
    let mut found = found.into_iter();
    let mut taken = 0;
    for &position in at {
        let Some(own) = found.next() else { break };
        all.extend(rest.by_ref().take(position - taken));
        taken = position;
        all.extend(own);
    }
    all.extend(rest);
    // A block without a position (never: `validate` gives one to each) still reports.
    all.extend(found.flatten());
    *problems = all;
}

/// What validation needs to know of a directive name.
#[derive(Clone, Copy)]
struct NameFacts {
    /// The (minimum, maximum) arguments, for the directives of [`ARITY`].
    arity: Option<(usize, usize)>,
    /// Its block holds table entries, not directives ([`TABLE_BLOCKS`]).
    table: bool,
    /// The directive it is a misspelling of.
    closest: Option<&'static str>,
}

/// Names repeat thousands of times in a large tree (`add_header`, `location`, ...): each
/// is looked up in the lists once.
#[derive(Default)]
struct Names<'i>(FxHashMap<&'i str, NameFacts>);

impl<'i> Names<'i> {
    fn facts(&mut self, name: &'i str) -> NameFacts {
        *self.0.entry(name).or_insert_with(|| NameFacts {
            arity: ARITY
                .iter()
                .find(|(n, _, _)| *n == name)
                .map(|&(_, min, max)| (min, max)),
            table: TABLE_BLOCKS.contains(&name),
            closest: directives::closest(name),
        })
    }
}

/// Checks an item and everything inside it, without recursion.
fn validate_tree<'i>(item: &'i Item, names: &mut Names<'i>, problems: &mut Vec<Problem>) {
    let mut stack: Vec<&Item> = vec![item];
    while let Some(item) = stack.pop() {
        let facts = names.facts(item.name());
        check(item, facts, problems);
        if !facts.table {
            stack.extend(item.children().iter().rev());
        }
    }
}

fn check(item: &Item, facts: NameFacts, problems: &mut Vec<Problem>) {
    let name = item.name();
    if let Some((min, max)) = facts.arity {
        let n = item.args.len();
        if n < min || n > max {
            problems.push(problem(
                ProblemKind::Config,
                item.name.span,
                format!("invalid number of arguments in \"{name}\" directive"),
                Some("nginx refuses to start with this directive (`nginx -t` reports it)"),
            ));
        }
    }
    if name == "if" && item.block.is_some() {
        check_if(item, problems);
    }
    for arg in &item.args {
        if let Some(at) = unterminated_variable(&arg.value) {
            let var: String = arg.value[at + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            problems.push(problem(
                ProblemKind::Config,
                arg.span,
                format!("the closing bracket in \"{var}\" variable is missing"),
                Some("write `${name}` with both braces, or `$name`"),
            ));
        }
    }
    if let Some(known) = facts.closest {
        problems.push(problem(
            ProblemKind::Config,
            item.name.span,
            format!("unknown directive \"{name}\": did you mean `{known}`?"),
            Some("nginx refuses to start with an unknown directive"),
        ));
    }
}

/// `if (...)`: the condition must be in parentheses and not empty.
fn check_if(item: &Item, problems: &mut Vec<Problem>) {
    let text: Vec<&str> = item.args.iter().map(|a| a.value.as_str()).collect();
    let joined = text.join(" ");
    let opens = text.first().is_some_and(|f| f.starts_with('('));
    let closes = text.last().is_some_and(|l| l.ends_with(')'));
    let inner = joined
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim()
        .to_string();
    let message = if !opens {
        Some(format!(
            "invalid condition \"{joined}\": the condition must start with \"(\""
        ))
    } else if !closes {
        Some(format!("missing \")\" in condition \"{joined}\""))
    } else if inner.is_empty() {
        Some("invalid condition \"()\": the condition is empty".to_string())
    } else {
        None
    };
    if let Some(message) = message {
        let span = match (item.args.first(), item.args.last()) {
            (Some(f), Some(l)) => f.span.to(l.span),
            _ => item.name.span,
        };
        problems.push(problem(
            ProblemKind::Config,
            span,
            message,
            Some("nginx refuses to start with this `if`; write `if ($variable) { ... }`"),
        ));
    }
}

/// Byte offset of a `${` without its closing `}`.
fn unterminated_variable(text: &str) -> Option<usize> {
    // Every byte of every argument passes through here (a long `Content-Security-Policy`
    // value among them): the `$`s are found with memchr's vector search.
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'$', bytes)
        .filter(|&at| bytes.get(at + 1) == Some(&b'{'))
        .find(|&at| memchr::memchr(b'}', &bytes[at + 2..]).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unterminated_variables() {
        assert_eq!(unterminated_variable("${url"), Some(0));
        assert_eq!(unterminated_variable("/a/${uri}"), None);
        assert_eq!(unterminated_variable("${a}${b"), Some(4));
    }
}

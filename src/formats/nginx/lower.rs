//! Lowering nginx to the model: one [`Site`] per `server`.
//!
//! What is modelled (nginx.org docs: ngx_http_core_module, ngx_http_rewrite_module,
//! ngx_http_headers_module, ngx_http_map_module):
//! * `add_header` inheritance: a level with any `add_header` inherits none from above
//!   (`add_header_inherit merge|off` from nginx 1.29.3 change that); `if` in a location is a
//!   level of its own; without `always` a header reaches only the success statuses.
//! * Rewrite phase before access phase: server-level `return`/`rewrite`/`if`, then location
//!   selection, then the location's `if`/`return`/`rewrite` in order, then `auth_basic`,
//!   `auth_request`, `deny`, `limit_except`, then the content handler.
//! * Origin provenance through `map $http_origin`, `set` and `if ($http_origin ~ ...)`.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::deferred::Deferred;
use super::includes::{Arg, Item};
use super::{problem, validate};
use crate::model::*;
use crate::source::{FileId, Span};

/// Statuses that mean a redirect with a `Location`.
const REDIRECT_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// Lowers the expanded directives of one file into sites, each handed to `take` on the
/// thread that built it (results in site order). The body of each server is taken out of
/// `items` and freed once lowered: a large tree's directives and its model are not both in
/// memory whole.
///
/// `deferred` says where the problems of each server block still held as text belong among
/// `problems` ([`validate::validate`]): those blocks are parsed and checked here.
pub fn lower<T: Send>(
    items: &mut [Item],
    file: FileId,
    problems: &mut Vec<Problem>,
    deferred: &[usize],
    take: &(dyn Fn(Site) -> T + Sync),
) -> Vec<T> {
    let mut vars = Vars::default();
    let mut http = Level::default();
    let mut servers: Vec<Server> = Vec::new();

    collect_maps(items, &mut vars);
    for item in items.iter_mut() {
        match item.name() {
            "http" => {
                collect_maps(item.children(), &mut vars);
                http = level_config(item.children(), &Level::default(), &vars, problems);
                for child in item.block.iter_mut().flatten() {
                    if is_server(child) {
                        servers.push(Server::take(child, http.clone()));
                    }
                }
            }
            _ if is_server(item) => servers.push(Server::take(item, Level::default())),
            _ => {}
        }
    }

    // Servers are independent: they are lowered in parallel, and their problems kept in
    // server order.
    let lowered = crate::parallel::map(servers.len(), |i| {
        let server = &servers[i];
        let taken = server.body.lock().unwrap_or_else(|e| e.into_inner()).take();
        // A deferred block is decoded here, on the thread that lowers it, and checked
        // as `validate` checks the blocks held as items.
        let (body, validated) = match taken {
            Some(Body::Items(body)) => (body, None),
            Some(Body::Deferred(deferred)) => {
                let body = deferred.decode();
                let validated = validate::validate_body(&body);
                (body, Some(validated))
            }
            None => (Box::default(), None),
        };
        let mut own = Vec::new();
        let site = lower_server(
            &body,
            server.span,
            server.head,
            server_label(&body),
            &server.parent,
            &vars,
            &mut own,
        );
        drop(body);
        (take(site), own, validated)
    });
    let mut sites: Vec<T> = Vec::with_capacity(lowered.len());
    let mut lowering = Vec::new();
    let mut validated = Vec::new();
    for (site, own, found) in lowered {
        sites.push(site);
        lowering.extend(own);
        validated.extend(found);
    }
    validate::insert_deferred(problems, deferred, validated);
    problems.extend(lowering);

    // A snippet with locations or headers but no server (included from elsewhere, or linted
    // on its own): read it as the body of a server.
    if sites.is_empty() && is_server_body(items) {
        let whole = items
            .first()
            .map(|f| f.span.to(items.last().map(|l| l.span).unwrap_or(f.span)))
            .unwrap_or(Span::new(file, 0..0));
        sites.push(take(lower_server(
            items,
            whole,
            whole,
            "configuration snippet".to_string(),
            &http,
            &vars,
            problems,
        )));
    }
    sites
}

/// A `server { ... }` block: what becomes a site.
fn is_server(item: &Item) -> bool {
    item.name() == "server" && item.has_block()
}

/// How many `server` blocks the expanded directives hold (at the top or in `http`), as
/// [`lower`] finds them.
pub fn server_count(items: &[Item]) -> usize {
    items
        .iter()
        .map(|item| match item.name() {
            "http" => item.children().iter().filter(|c| is_server(c)).count(),
            _ => usize::from(is_server(item)),
        })
        .sum()
}

/// A `server` block on its way to a site: its body, taken out of the directives.
struct Server {
    span: Span,
    head: Span,
    parent: Level,
    body: std::sync::Mutex<Option<Body>>,
}

/// A server's block, as items or still as text.
enum Body {
    Items(Box<[Item]>),
    Deferred(Box<Deferred>),
}

impl Server {
    fn take(item: &mut Item, parent: Level) -> Server {
        let body = match item.deferred.take() {
            Some(deferred) => Some(Body::Deferred(deferred)),
            None => item.block.take().map(Body::Items),
        };
        Server {
            span: item.span,
            head: item.name.span,
            parent,
            body: std::sync::Mutex::new(body),
        }
    }
}

fn is_server_body(items: &[Item]) -> bool {
    items.iter().any(|i| {
        matches!(
            i.name(),
            "location" | "add_header" | "more_set_headers" | "return" | "rewrite" | "proxy_pass"
        ) || (i.name() == "if" && i.block.is_some())
    })
}

fn server_label(body: &[Item]) -> String {
    let names: Vec<&str> = body
        .iter()
        .filter(|d| d.name() == "server_name")
        .flat_map(|d| d.args.iter().map(|a| a.value.as_str()))
        .filter(|n| !n.is_empty())
        .collect();
    match names.first() {
        Some(name) => format!("server {name}"),
        None => "server".to_string(),
    }
}

/// Variables whose provenance matters: request headers and what flows from them.
#[derive(Debug, Clone, Default)]
struct Vars {
    /// Shared by a level and the levels inside it until one of them sets a variable (copy
    /// on write): every location starts from its parent's variables.
    values: std::sync::Arc<FxHashMap<String, HeaderValue>>,
}

impl Vars {
    fn get(&self, name: &str) -> Option<HeaderValue> {
        let name = name.to_ascii_lowercase();
        if name == "http_origin" {
            return Some(HeaderValue::RequestOrigin { via: Vec::new() });
        }
        self.values.get(&name).cloned()
    }

    fn set(&mut self, name: &str, value: HeaderValue) {
        std::sync::Arc::make_mut(&mut self.values).insert(name.to_ascii_lowercase(), value);
    }

    /// The provenance of a directive argument: literal text, a single variable, or a mix.
    fn value_of(&self, arg: &Arg) -> HeaderValue {
        let text = &arg.value;
        if !text.contains('$') {
            return HeaderValue::Literal(text.as_str().to_string());
        }
        if let Some(name) = single_variable(text) {
            return match self.get(name) {
                Some(HeaderValue::RequestOrigin { mut via }) => {
                    via.push(arg.span);
                    HeaderValue::RequestOrigin { via }
                }
                Some(v) => v,
                None => HeaderValue::Dynamic(text.as_str().to_string()),
            };
        }
        // Text with variables: literal only when every variable is.
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let (name, len) = variable_at(&rest[i..]);
            match self.get(name) {
                Some(HeaderValue::Literal(v)) if !name.is_empty() => out.push_str(&v),
                _ => return HeaderValue::Dynamic(text.as_str().to_string()),
            }
            rest = &rest[i + len..];
        }
        out.push_str(rest);
        HeaderValue::Literal(out)
    }
}

/// `$name` or `${name}` spanning the whole text.
fn single_variable(text: &str) -> Option<&str> {
    let (name, len) = variable_at(text);
    (len == text.len() && !name.is_empty()).then_some(name)
}

/// The variable at the start of `text`: its name and length (an empty name when `text` does
/// not start with `$`).
fn variable_at(text: &str) -> (&str, usize) {
    let Some(body) = text.strip_prefix('$') else {
        return ("", 0);
    };
    if let Some(inner) = body.strip_prefix('{') {
        if let Some(end) = inner.find('}') {
            return (&inner[..end], end + 3);
        }
        return ("", text.len());
    }
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    (&body[..end], end + 1)
}

/// Request headers read through `$http_x_*` variables in a text.
fn header_variables(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('$').filter_map(|(i, _)| {
        let (name, _) = variable_at(&text[i..]);
        let lower = name.get(..7)?;
        (lower.eq_ignore_ascii_case("http_x_")).then_some(name)
    })
}

/// `map $http_origin $var { ... }` (and other maps, whose results are only "dynamic").
fn collect_maps(items: &[Item], vars: &mut Vars) {
    for item in items
        .iter()
        .filter(|i| i.name() == "map" && i.block.is_some())
    {
        let (Some(source), Some(target)) = (item.arg(0), item.arg(1)) else {
            continue;
        };
        let Some(target) = target.strip_prefix('$') else {
            continue;
        };
        let value = if source.eq_ignore_ascii_case("$http_origin") {
            origin_map(item, vars)
        } else {
            HeaderValue::Dynamic(format!("${target}"))
        };
        vars.set(target, value);
    }
}

/// nginx map lookup order: exact keys first, then regex keys in order, then `default`.
fn origin_map(item: &Item, vars: &Vars) -> HeaderValue {
    let mut exact = Vec::new();
    let mut regexes = Vec::new();
    let mut otherwise = HeaderValue::Literal(String::new());
    for entry in item.children() {
        let key = entry.name();
        let Some(value_arg) = entry.args.first() else {
            continue; // `hostnames;`, `volatile;`
        };
        let value = vars.value_of(value_arg);
        if key == "default" && !entry.name.quoted {
            otherwise = value;
        } else if let Some(pattern) = key.strip_prefix('~') {
            let (pattern, ci) = match pattern.strip_prefix('*') {
                Some(p) => (p, true),
                None => (pattern, false),
            };
            regexes.push(OriginArm {
                test: OriginTest::Regex {
                    pattern: pattern.to_string(),
                    case_insensitive: ci,
                    regex: compile(pattern, ci),
                },
                value,
                span: entry.span,
            });
        } else {
            let key = key.strip_prefix('\\').unwrap_or(key);
            exact.push(OriginArm {
                test: OriginTest::Exact(key.to_string()),
                value,
                span: entry.span,
            });
        }
    }
    exact.extend(regexes);
    HeaderValue::ByOrigin {
        arms: exact.into(),
        otherwise: Arc::new(otherwise),
    }
}

/// Compiles an nginx (PCRE) regex; None when it uses syntax corslint does not analyse
/// (lookaround, backreferences): such a pattern is never assumed to match.
pub fn compile(pattern: &str, case_insensitive: bool) -> Option<Regex> {
    // Once per distinct pattern: servers repeat the same `if`, `map` and `rewrite` regexes.
    static COMPILED: crate::patterns::memo::Memo<(String, bool), Option<Regex>> =
        crate::patterns::memo::Memo::new();
    COMPILED.get_or((pattern.to_string(), case_insensitive), || {
        compile_uncached(pattern, case_insensitive)
    })
}

fn compile_uncached(pattern: &str, case_insensitive: bool) -> Option<Regex> {
    let body = crate::patterns::to_rust_regex(pattern, crate::patterns::Dialect::Pcre).ok()?;
    crate::patterns::compile_pcre(&body, case_insensitive).ok()
}

/// Inherited configuration of one level (http, server, location, if).
#[derive(Debug, Clone)]
struct Level {
    headers: Arc<[HeaderOp]>,
    /// `add_header_inherit` (on, off, merge); itself inherited.
    inherit: Inherit,
    /// Directives that answer or refuse: auth_basic / auth_request and access rules.
    auth: Option<Gate>,
    access: Option<Gate>,
    /// Whether the level defined access rules (then the parent's are not inherited).
    hides: Vec<String>,
    /// `$http_x_*` read by `proxy_set_header` (inherited while a level defines none).
    proxied_headers: Vec<Evidence>,
    vars: Vars,
    /// The level's own header operations replaced these (for header-inheritance-drop).
    dropped: Option<Dropped>,
    /// `merge_slashes` (`http` and `server` levels; on by default).
    merge_slashes: bool,
}

impl Default for Level {
    fn default() -> Level {
        Level {
            headers: Arc::from([]),
            inherit: Inherit::On,
            auth: None,
            access: None,
            hides: Vec::new(),
            proxied_headers: Vec::new(),
            vars: Vars::default(),
            dropped: None,
            merge_slashes: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inherit {
    On,
    Off,
    Merge,
}

/// The effective configuration of a level, from its own directives and its parent's.
fn level_config(items: &[Item], parent: &Level, vars: &Vars, problems: &mut Vec<Problem>) -> Level {
    let mut level = Level {
        vars: vars.clone(),
        inherit: parent.inherit,
        merge_slashes: parent.merge_slashes,
        ..Level::default()
    };
    for item in items {
        match item.name() {
            "add_header_inherit" => {
                level.inherit = match item.arg(0) {
                    Some("off") => Inherit::Off,
                    Some("merge") => Inherit::Merge,
                    _ => Inherit::On,
                };
            }
            // A flag: nginx takes `on` and `off` in any case.
            "merge_slashes" => {
                level.merge_slashes = !item.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("off"));
            }
            _ => {}
        }
    }
    let own: Vec<HeaderOp> = items
        .iter()
        .filter_map(|item| header_op(item, &level.vars, problems))
        .collect();
    level.headers = if own.is_empty() {
        match level.inherit {
            Inherit::Off => Arc::from([]),
            _ => parent.headers.clone(),
        }
    } else {
        if level.inherit == Inherit::On && !parent.headers.is_empty() {
            level.dropped = Some(Dropped {
                inherited: parent.headers.clone(),
                because: own[0].span,
            });
        }
        match level.inherit {
            Inherit::Merge => parent.headers.iter().cloned().chain(own).collect(),
            _ => own.into(),
        }
    };

    level.auth = parent.auth.clone();
    level.access = parent.access.clone();
    let mut defines_access = false;
    let mut allowed_someone = false;
    let mut hides_defined = false;
    let mut proxied: Option<Vec<Evidence>> = None;
    for item in items {
        match item.name() {
            "auth_basic" => {
                level.auth = match item.arg(0) {
                    Some("off") | None => None,
                    Some(_) => Some(Gate {
                        kind: GateKind::Auth {
                            what: "auth_basic".into(),
                        },
                        span: item.span,
                    }),
                };
            }
            "auth_jwt" => {
                level.auth = match item.arg(0) {
                    Some("off") | None => None,
                    Some(_) => Some(Gate {
                        kind: GateKind::Auth {
                            what: "auth_jwt".into(),
                        },
                        span: item.span,
                    }),
                };
            }
            "auth_request" => {
                level.auth = match item.arg(0) {
                    Some("off") | None => None,
                    Some(_) => Some(Gate {
                        kind: GateKind::AuthSubrequest,
                        span: item.span,
                    }),
                };
            }
            "allow" => {
                defines_access = true;
                allowed_someone = true;
            }
            "deny" => {
                if !defines_access {
                    level.access = None;
                }
                defines_access = true;
                if item.arg(0) == Some("all") && !allowed_someone {
                    level.access = Some(Gate {
                        kind: GateKind::DenyAll,
                        span: item.span,
                    });
                }
            }
            "proxy_hide_header" => {
                if !hides_defined {
                    level.hides.clear();
                    hides_defined = true;
                }
                if let Some(name) = item.arg(0) {
                    level.hides.push(name.to_string());
                }
            }
            "proxy_set_header" => {
                let list = proxied.get_or_insert_with(Vec::new);
                for a in &item.args[1.min(item.args.len())..] {
                    for name in header_variables(&a.value) {
                        list.push(evidence(name, a.span));
                    }
                }
            }
            _ => {}
        }
    }
    if defines_access && allowed_someone {
        // `allow` rules: who is let in depends on the client's address.
        level.access = None;
    }
    if !hides_defined {
        level.hides = parent.hides.clone();
    }
    level.proxied_headers = proxied.unwrap_or_else(|| parent.proxied_headers.clone());
    level
}

fn evidence(variable: &str, span: Span) -> Evidence {
    let header = variable[5..].replace('_', "-");
    Evidence {
        name: crate::cors::canonical_name(&header),
        span,
    }
}

/// `add_header NAME VALUE [always]` and `more_set_headers [-s ...] 'Name: value'`.
fn header_op(item: &Item, vars: &Vars, problems: &mut Vec<Problem>) -> Option<HeaderOp> {
    match item.name() {
        "add_header" => {
            let name = item.args.first()?;
            let Some(value) = item.args.get(1) else {
                problems.push(problem(
                    ProblemKind::Config,
                    item.span,
                    "`add_header` needs a name and a value".into(),
                    None,
                ));
                return None;
            };
            let always = item.arg(2) == Some("always");
            Some(HeaderOp {
                name: name.value.as_str().to_string(),
                value: vars.value_of(value),
                action: HeaderAction::Append,
                reach: if always {
                    Reach::Always
                } else {
                    Reach::Only(NGINX_SUCCESS_STATUSES)
                },
                span: item.span,
                name_span: name.span,
                value_span: value.span,
            })
        }
        "more_set_headers" => {
            // headers-more: all statuses unless `-s` lists some; replaces same-named headers.
            let spec = item
                .args
                .iter()
                .find(|a| a.value.contains(':') && !a.value.starts_with('-'))?;
            let (name, value) = spec.value.split_once(':')?;
            let arg = Arg {
                value: value.trim().into(),
                span: spec.span,
                quoted: spec.quoted,
            };
            Some(HeaderOp {
                name: name.trim().to_string(),
                value: vars.value_of(&arg),
                action: HeaderAction::Set,
                reach: Reach::Always,
                span: item.span,
                name_span: spec.span,
                value_span: spec.span,
            })
        }
        _ => None,
    }
}

struct Builder<'p> {
    scopes: Vec<Scope>,
    problems: &'p mut Vec<Problem>,
}

/// The `location` and `if` blocks in `items`, at any depth: the scopes they become.
fn nested_scopes(items: &[Item]) -> usize {
    items
        .iter()
        .filter(|item| item.block.is_some())
        .map(|item| {
            let own = usize::from(matches!(item.name(), "location" | "if"));
            own + nested_scopes(item.children())
        })
        .sum()
}

fn lower_server(
    body: &[Item],
    span: Span,
    head: Span,
    label: String,
    parent: &Level,
    vars: &Vars,
    problems: &mut Vec<Problem>,
) -> Site {
    // The scopes of a site are kept for the whole run: room for exactly as many as it has
    // (a doubling vector would leave a third of a large tree's scopes unused).
    let mut b = Builder {
        scopes: Vec::with_capacity(1 + nested_scopes(body)),
        problems,
    };
    let mut vars = vars.clone();
    apply_sets(body, &mut vars);
    let level = level_config(body, parent, &vars, b.problems);
    let mut server = Scope::new(ScopeKind::Server, span);
    server.head = head;
    b.scopes.push(server);
    fill_scope(&mut b, 0, body, &level, None);
    let top = b.scopes[0].children.clone();
    Site {
        platform: Platform::Nginx,
        label,
        span,
        scopes: b.scopes,
        top,
        defaults: SiteDefaults::default(),
        hosts: body
            .iter()
            .filter(|d| d.name() == "server_name")
            .flat_map(|d| d.args.iter().map(|a| server_name(&a.value)))
            .filter(|n| !n.is_empty() && n != "_")
            .collect(),
        listens: listens(body),
        merge_slashes: level.merge_slashes,
    }
}

/// A `server_name` as requests' hosts are compared with it: lowercase (nginx lowercases the
/// `Host` header and the names), except a regex (`~...`), which is kept as written (lowercasing
/// `\D` would make it `\d`).
fn server_name(name: &str) -> String {
    if name.starts_with('~') {
        name.to_string()
    } else {
        name.to_ascii_lowercase()
    }
}

/// A server's `listen`s. Without one, nginx listens on `*:80` (on `*:8000` when it runs
/// without root rights, which servers in production do not); a `listen` whose address does
/// not parse stops nginx, and is left out here.
fn listens(body: &[Item]) -> Vec<Listen> {
    let mut listens: Vec<Listen> = body
        .iter()
        .filter(|d| d.name() == "listen")
        .filter_map(|d| {
            let (address, parameters) = d.args.split_first()?;
            Some(Listen {
                port: listen_port(&address.value)?,
                default_server: parameters
                    .iter()
                    .any(|a| a.value == "default_server" || a.value == "default"),
            })
        })
        .collect();
    if !body.iter().any(|d| d.name() == "listen") {
        listens.push(Listen {
            port: Some(80),
            default_server: false,
        });
    }
    listens
}

/// The port of a `listen` address, as nginx's `ngx_parse_url` reads it: `unix:PATH` (no
/// port: Some(None)), `[IPV6]:PORT`, `HOST:PORT`, a bare `PORT`, or a bare address (port
/// 80). None when it does not parse.
fn listen_port(address: &str) -> Option<Option<u16>> {
    if address.starts_with("unix:") {
        return Some(None);
    }
    let port = match address.strip_prefix('[') {
        Some(ipv6) => match ipv6.split_once(']')? {
            (_, "") => "80",
            (_, rest) => rest.strip_prefix(':')?,
        },
        None => match address.split_once(':') {
            Some((_, port)) => port,
            None if address.bytes().all(|b| b.is_ascii_digit()) => address,
            None => "80",
        },
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => None,
        Ok(port) => Some(Some(port)),
    }
}

/// `set $v value` in order, including inside `if` blocks (origin checks become allowlists).
fn apply_sets(items: &[Item], vars: &mut Vars) {
    for item in items {
        match item.name() {
            "set" => {
                if let (Some(name), Some(value)) = (item.args.first(), item.args.get(1)) {
                    let v = vars.value_of(value);
                    vars.set(name.value.trim_start_matches('$'), v);
                }
            }
            "if" if item.block.is_some() => {
                let test = origin_test(item);
                for inner in item.children().iter().filter(|i| i.name() == "set") {
                    let (Some(name), Some(value)) = (inner.args.first(), inner.args.get(1)) else {
                        continue;
                    };
                    let var = name.value.trim_start_matches('$');
                    let assigned = vars.value_of(value);
                    let before = vars.get(var).unwrap_or(HeaderValue::Literal(String::new()));
                    let merged = match &test {
                        Some(test) => HeaderValue::ByOrigin {
                            arms: Arc::new([OriginArm {
                                test: test.clone(),
                                value: assigned,
                                span: item.span,
                            }]),
                            otherwise: Arc::new(before),
                        },
                        None => HeaderValue::Dynamic(format!("${var}")),
                    };
                    vars.set(var, merged);
                }
            }
            _ => {}
        }
    }
}

/// `if ($http_origin ~* re)` / `= value`: the origin test it makes.
fn origin_test(item: &Item) -> Option<OriginTest> {
    let words = condition_words(item);
    match words.as_slice() {
        [var, op, value] if var.value.eq_ignore_ascii_case("$http_origin") => {
            match op.value.as_str() {
                "=" => Some(OriginTest::Exact(value.value.as_str().to_string())),
                "~" | "~*" => Some(OriginTest::Regex {
                    pattern: value.value.as_str().to_string(),
                    case_insensitive: op.value == "~*",
                    regex: compile(&value.value, op.value == "~*"),
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The words of an `if (...)` condition, parentheses removed.
fn condition_words(item: &Item) -> Vec<Arg> {
    let mut words: Vec<Arg> = item.args.to_vec();
    if let Some(first) = words.first_mut() {
        if first.value == "(" {
            words.remove(0);
        } else if let Some(rest) = first.value.strip_prefix('(') {
            first.value = rest.into();
        }
    }
    if let Some(last) = words.last_mut() {
        if last.value == ")" {
            words.pop();
        } else if let Some(rest) = last.value.strip_suffix(')') {
            last.value = rest.into();
        }
    }
    words
}

/// Translates an `if` condition into model conditions.
fn conditions(item: &Item, vars: &Vars) -> Vec<Condition> {
    let words = condition_words(item);
    let span = item
        .args
        .first()
        .map(|f| {
            f.span
                .to(item.args.last().map(|l| l.span).unwrap_or(f.span))
        })
        .unwrap_or(item.span);
    let text = words
        .iter()
        .map(|w| w.value.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let unknown = || {
        vec![Condition::Unknown {
            text: text.clone(),
            span,
        }]
    };
    match words.as_slice() {
        [var] => {
            let Some(name) = single_variable(&var.value) else {
                return unknown();
            };
            match header_name(name) {
                Some(header) => vec![Condition::Header {
                    name: header,
                    test: ValueTest::Present,
                    negate: false,
                    span,
                }],
                None => unknown(),
            }
        }
        [var, op, value] => {
            let Some(name) = single_variable(&var.value) else {
                return unknown();
            };
            let negate = op.value.starts_with('!');
            let op_kind = op.value.trim_start_matches('!');
            let ci = op_kind == "~*";
            if name.eq_ignore_ascii_case("request_method") {
                return match op_kind {
                    "=" => vec![Condition::Method {
                        methods: vec![value.value.as_str().to_string()],
                        negate,
                        span,
                    }],
                    "~" | "~*" => vec![Condition::MethodRegex {
                        regex: compile(&value.value, ci),
                        negate,
                        span,
                    }],
                    _ => unknown(),
                };
            }
            if let Some(header) = header_name(name) {
                let test = match op_kind {
                    "=" => ValueTest::Equals(value.value.as_str().to_string()),
                    "~" | "~*" => ValueTest::Regex(compile(&value.value, ci)),
                    _ => return unknown(),
                };
                return vec![Condition::Header {
                    name: header,
                    test,
                    negate,
                    span,
                }];
            }
            // `if ($cors = "true")` where $cors was set from an origin check.
            if op_kind == "="
                && let Some(HeaderValue::ByOrigin { arms, otherwise }) = vars.get(name)
            {
                let hits: Vec<&OriginArm> = arms
                    .iter()
                    .filter(|a| a.value.literal() == Some(value.value.as_str()))
                    .collect();
                if hits.len() == 1 && otherwise.literal() != Some(value.value.as_str()) {
                    let test = match &hits[0].test {
                        OriginTest::Exact(o) => ValueTest::Equals(o.clone()),
                        OriginTest::Regex { regex, .. } => ValueTest::Regex(regex.clone()),
                    };
                    return vec![Condition::Header {
                        name: "origin".into(),
                        test,
                        negate,
                        span,
                    }];
                }
            }
            unknown()
        }
        _ => unknown(),
    }
}

/// `http_x_api_key` → `x-api-key`.
fn header_name(variable: &str) -> Option<String> {
    let lower = variable.to_ascii_lowercase();
    lower.strip_prefix("http_").map(|h| h.replace('_', "-"))
}

/// Fills scope `id` from its block: steps, gates, handler, nested locations and `if`s.
fn fill_scope(
    b: &mut Builder,
    id: ScopeId,
    items: &[Item],
    level: &Level,
    parent_handler: Option<&Handler>,
) {
    let mut steps = Vec::new();
    let mut children = Vec::new();
    // The content handler is configuration, not a step: an `if` before `proxy_pass` still
    // ends in the proxy.
    let handler: Option<Handler> = items
        .iter()
        .rev()
        .find_map(|item| content_handler(item, level))
        .or_else(|| parent_handler.cloned());
    let mut gates: Vec<Gate> = level.auth.iter().chain(&level.access).cloned().collect();
    let mut expects = level.proxied_headers.clone();

    for item in items {
        for a in &item.args {
            for name in header_variables(&a.value) {
                if !expects.iter().any(|e| e.span == a.span) {
                    expects.push(evidence(name, a.span));
                }
            }
        }
        match item.name() {
            "return" => {
                if let Some(step) = return_step(item) {
                    steps.push(step);
                }
            }
            "rewrite" => {
                if let Some(step) = rewrite_step(item) {
                    steps.push(step);
                }
            }
            "if" if item.block.is_some() => {
                let branch = lower_if(b, id, item, level, handler.as_ref());
                steps.push(Step::Branch(branch));
            }
            "limit_except" if item.block.is_some() => {
                let inner_auth = item
                    .children()
                    .iter()
                    .any(|i| i.name() == "auth_basic" && i.arg(0) != Some("off"));
                let denies = item
                    .children()
                    .iter()
                    .any(|i| i.name() == "deny" || i.name() == "auth_basic");
                if denies {
                    gates.push(Gate {
                        kind: GateKind::MethodLimit {
                            allowed: item
                                .args
                                .iter()
                                .map(|a| a.value.as_str().to_ascii_uppercase())
                                .collect(),
                            status: if inner_auth { 401 } else { 403 },
                        },
                        span: item.span,
                    });
                }
            }
            "location" if item.block.is_some() => {
                if let Some(child) = lower_location(b, id, item, level) {
                    children.push(child);
                }
            }
            _ => {}
        }
    }
    // Scopes live for the whole run: their lists are kept without spare room.
    steps.shrink_to_fit();
    gates.shrink_to_fit();
    children.shrink_to_fit();
    expects.shrink_to_fit();
    let scope = &mut b.scopes[id];
    scope.steps = steps;
    scope.gates = gates;
    scope.headers = level.headers.clone();
    scope.dropped = level.dropped.clone();
    scope.handler = handler.or(Some(Handler::Static {
        other_methods_status: 405,
        span: None,
    }));
    scope.children = children;
    scope.expects_request_headers = expects;
}

/// `proxy_pass` and the other directives that hand the request to something else.
fn content_handler(item: &Item, level: &Level) -> Option<Handler> {
    match item.name() {
        "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "grpc_pass"
        | "memcached_pass" => Some(Handler::Upstream {
            target: item.arg(0).unwrap_or("upstream").to_string(),
            hides: level.hides.clone(),
            headers_applied: true,
            span: item.span,
        }),
        "content_by_lua_block" | "content_by_lua" | "content_by_lua_file" | "js_content" => {
            Some(Handler::Upstream {
                target: format!("the {} handler", item.name()),
                hides: Vec::new(),
                headers_applied: true,
                span: item.span,
            })
        }
        _ => None,
    }
}

fn lower_location(
    b: &mut Builder,
    parent: ScopeId,
    item: &Item,
    parent_level: &Level,
) -> Option<ScopeId> {
    let matcher = location_matcher(item, b.problems)?;
    let mut vars = parent_level.vars.clone();
    apply_sets(item.children(), &mut vars);
    let level = level_config(item.children(), parent_level, &vars, b.problems);
    let id = b.scopes.len();
    let mut scope = Scope::new(ScopeKind::Location, item.span);
    scope.head = item
        .name
        .span
        .to(item.args.last().map(|a| a.span).unwrap_or(item.name.span));
    scope.parent = Some(parent);
    scope.matcher = Some(matcher);
    b.scopes.push(scope);
    fill_scope(b, id, item.children(), &level, None);
    Some(id)
}

fn lower_if(
    b: &mut Builder,
    parent: ScopeId,
    item: &Item,
    parent_level: &Level,
    handler: Option<&Handler>,
) -> ScopeId {
    let level = level_config(
        item.children(),
        parent_level,
        &parent_level.vars,
        b.problems,
    );
    let id = b.scopes.len();
    let mut scope = Scope::new(ScopeKind::If, item.span);
    scope.head = item.name.span;
    scope.parent = Some(parent);
    scope.conditions = conditions(item, &parent_level.vars);
    b.scopes.push(scope);
    fill_scope(b, id, item.children(), &level, handler);
    id
}

fn location_matcher(item: &Item, problems: &mut Vec<Problem>) -> Option<PathMatcher> {
    let (modifier, pattern, span) = match &*item.args {
        [m, p] => (m.value.as_str(), p.value.as_str().to_string(), p.span),
        [single] => {
            let v = single.value.as_str();
            let split = ["=", "^~", "~*", "~"]
                .iter()
                .find(|m| v.starts_with(**m) && v.len() > m.len());
            match split {
                Some(m) => (*m, v[m.len()..].to_string(), single.span),
                None => ("", v.to_string(), single.span),
            }
        }
        _ => {
            problems.push(problem(
                ProblemKind::Config,
                item.span,
                "`location` needs a path (and at most one modifier)".into(),
                None,
            ));
            return None;
        }
    };
    let (syntax, regex, samples) = match modifier {
        "=" => (PathSyntax::Exact, None, vec![pattern.clone()]),
        "^~" => (PathSyntax::PrefixNoRegex, None, prefix_samples(&pattern)),
        "~" | "~*" => {
            let ci = modifier == "~*";
            match crate::patterns::nginx_location_regex(&pattern, ci) {
                Ok(compiled) => (
                    PathSyntax::regex(&pattern, ci),
                    Some(compiled.regex),
                    compiled.samples,
                ),
                // PCRE-only syntax: kept, never assumed to match.
                Err(_) => (PathSyntax::regex(&pattern, ci), None, Vec::new()),
            }
        }
        "" if pattern.starts_with('@') => (PathSyntax::Named, None, Vec::new()),
        "" => (PathSyntax::Prefix, None, prefix_samples(&pattern)),
        other => {
            problems.push(problem(
                ProblemKind::Config,
                item.args[0].span,
                format!("unknown location modifier `{other}`"),
                Some("nginx accepts `=`, `^~`, `~` and `~*`"),
            ));
            return None;
        }
    };
    Some(PathMatcher {
        syntax,
        pattern,
        span,
        regex,
        samples,
    })
}

fn prefix_samples(prefix: &str) -> Vec<String> {
    if prefix.ends_with('/') {
        vec![prefix.to_string(), [prefix, "x"].concat()]
    } else {
        vec![prefix.to_string(), [prefix, "/x"].concat()]
    }
}

/// `return code [text|URL]` or `return URL`.
fn return_step(item: &Item) -> Option<Step> {
    let first = item.args.first()?;
    match first.value.parse::<u16>() {
        Ok(status) => {
            let location = REDIRECT_STATUSES
                .contains(&status)
                .then(|| item.arg(1).map(str::to_string))
                .flatten();
            Some(Step::Return {
                status,
                location,
                span: item.span,
            })
        }
        Err(_) => Some(Step::Return {
            status: 302,
            location: Some(first.value.as_str().to_string()),
            span: item.span,
        }),
    }
}

/// `rewrite regex replacement [last|break|redirect|permanent]`.
fn rewrite_step(item: &Item) -> Option<Step> {
    let pattern = item.arg(0)?.to_string();
    let replacement = item.arg(1)?.to_string();
    let flag = item.arg(2).unwrap_or("");
    let regex = compile(&pattern, false);
    let external = ["http://", "https://", "$scheme"]
        .iter()
        .any(|p| replacement.starts_with(p));
    let status = match flag {
        "permanent" => Some(301),
        "redirect" => Some(302),
        _ if external => Some(302),
        _ => None,
    };
    Some(match status {
        Some(status) => Step::Redirect {
            regex,
            pattern,
            replacement,
            status,
            span: item.span,
        },
        None => Step::Rewrite {
            regex,
            pattern,
            replacement,
            reselect: flag != "break",
            span: item.span,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::listen_port;

    #[test]
    fn listen_addresses_give_their_ports_as_nginx_reads_them() {
        assert_eq!(listen_port("8080"), Some(Some(8080)));
        assert_eq!(listen_port("127.0.0.1:8443"), Some(Some(8443)));
        assert_eq!(listen_port("*:81"), Some(Some(81)));
        assert_eq!(listen_port("localhost"), Some(Some(80)));
        assert_eq!(listen_port("[::]:443"), Some(Some(443)));
        assert_eq!(listen_port("[::1]"), Some(Some(80)));
        assert_eq!(listen_port("unix:/run/api.sock"), Some(None));
        for invalid in [
            "0",
            "65536",
            "host:",
            "host:http",
            "[::1",
            "[::1]x",
            "1.2.3.4:-1",
        ] {
            assert_eq!(listen_port(invalid), None, "{invalid}");
        }
    }
}

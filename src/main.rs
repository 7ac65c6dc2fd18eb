//! The `corslint` binary: parse arguments, call the library, map the result to an exit code.

mod cli;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::Parser;
use cli::{CheckArgs, Cli, ColorArg, Command, FailOn, FormatArg, SimulateArgs, SimulateFormat};
use corslint::finding::Severity;
use corslint::report::{self, OutputFormat, Style};
use corslint::settings::Overrides;
use corslint::{Input, rules};

/// mimalloc instead of the system allocator: linting allocates many small strings and
/// vectors, and with glibc's malloc a third of the time went to allocating and freeing them
/// (benches/bench.py).
#[global_allocator]
static ALLOCATOR: Mimalloc = Mimalloc;

/// mimalloc through its plain entry points. The `mimalloc` crate's allocator calls the
/// aligned ones (`mi_malloc_aligned`) for every allocation, whose alignment checks cost a
/// third more per call; nearly all of corslint's allocations ask for 8 bytes or less, which
/// every mimalloc block has (block sizes are multiples of the word), so those take the
/// plain path and the rare larger alignments the aligned one.
struct Mimalloc;

/// The alignment of every block `mi_malloc` returns (mimalloc's size classes are whole
/// words).
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each function forwards to the mimalloc function with the same contract, asking
// for the layout's alignment whenever it exceeds what every mimalloc block has.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        unsafe {
            if layout.align() <= WORD {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        unsafe {
            if layout.align() <= WORD {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        unsafe {
            if layout.align() <= WORD {
                mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`: the option after
/// `mi_option_deprecated_eager_commit_delay`, 14 in `libmimalloc_sys`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc's `mi_option_arena_reserve` (eight options after `mi_option_purge_delay`), in
/// KiB.
const MI_OPTION_ARENA_RESERVE: libmimalloc_sys::mi_option_t = 23;

/// Sets mimalloc's options before Rust's runtime first allocates, ahead of `main`: mimalloc
/// reserves its first arena then.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static ALLOCATOR_OPTIONS: extern "C" fn() = {
    extern "C" fn set() {
        allocator_options();
    }
    set
};

fn allocator_options() {
    // Memory freed by one phase (syntax trees, a site's model once checked) goes back to
    // the system after 1 ms instead of mimalloc's default second (`MIMALLOC_VERBOSE=1`
    // shows it): a lint lasts tens of milliseconds, and with the default the next phase
    // takes fresh pages while the freed ones wait (peak memory on the 500-server benchmark
    // tree: 55 MB with the default, 44 MB with this).
    // (`MIMALLOC_PURGE_DELAY` in the environment still decides, for experiments.)
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option of the allocator; any value is valid for this option.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1) };
    }
    // Address space is reserved 16 MiB at a time instead of 1 GiB: mimalloc writes a
    // bitmap for every reservation as it starts, and the one of a gigabyte is 40 pages of
    // memory a lint of a small tree never uses. (`MIMALLOC_ARENA_RESERVE` still decides.)
    if std::env::var_os("MIMALLOC_ARENA_RESERVE").is_none() {
        // SAFETY: as above; the value is a size in KiB.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_RESERVE, 16 * 1024) };
    }
}

fn main() -> ExitCode {
    corslint::trace("main");
    // Without a constructor (other systems), as soon as possible.
    #[cfg(not(target_os = "linux"))]
    allocator_options();
    // Everything, the parsing of the arguments included, runs on a thread of corslint's
    // pool, with its large stack (see `parallel`): the allocator keeps the memory clap
    // leaves for the thread that freed it, and there the lint uses it again.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        corslint::parallel::run(|| {
            let cli = Cli::parse();
            corslint::trace("parsed args");
            run(cli)
        })
    }));
    match outcome {
        Ok(code) => {
            corslint::trace("joined");
            ExitCode::from(code)
        }
        Err(_) => {
            eprintln!("corslint: internal error (this is a bug; please report it with the input)");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check(*args),
        Command::Simulate(args) => simulate(*args),
        Command::Server => match corslint::server::run() {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("corslint server: {e}");
                2
            }
        },
        Command::Rule { name } => rule(name.as_deref()),
    }
}

fn check(args: CheckArgs) -> u8 {
    for selector in args.select.iter().flatten().chain(&args.ignore) {
        if !corslint::settings::is_known_selector(selector) {
            eprintln!("corslint: unknown rule `{selector}` (see `corslint rule` for the list)");
            return 2;
        }
    }
    let mut inputs = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            let Some(name) = args.stdin_filename.clone() else {
                eprintln!("corslint: reading standard input (`-`) needs --stdin-filename NAME");
                return 2;
            };
            let mut bytes = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
                eprintln!("corslint: cannot read standard input: {e}");
                return 2;
            }
            let (text, _) = corslint::source::decode(bytes);
            inputs.push(Input::Stdin { name, text });
        } else {
            inputs.push(Input::Path(path.clone()));
        }
    }
    let overrides = Overrides {
        config: args.config.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        client_headers: args.client_headers.clone(),
        client_origins: args.client_origins.clone(),
        client_credentials: args.client_credentials,
        exclude: args.exclude.clone(),
        platform: args.platform.clone(),
    };
    corslint::trace("lint");
    let report = corslint::lint_findings(&inputs, &overrides);

    let format = match args.format {
        FormatArg::Full => OutputFormat::Full,
        FormatArg::Concise => OutputFormat::Concise,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Sarif => OutputFormat::Sarif,
        FormatArg::Github => OutputFormat::Github,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let style = Style {
        color,
        width: terminal_width(),
    };
    // Streamed to its destination, so that a large report is not held in memory whole.
    let emit = |out: &mut dyn Write| -> std::io::Result<()> {
        corslint::trace("linted");
        report::write(format, &report.findings, &report.sources, style, out)?;
        corslint::trace("written");
        if args.statistics {
            write_statistics(&report.findings, out);
        }
        out.flush()
    };
    let written = match &args.output {
        Some(path) => {
            std::fs::File::create(path).and_then(|f| emit(&mut std::io::BufWriter::new(f)))
        }
        None => emit(&mut std::io::BufWriter::new(report_stdout())),
    };
    if let Err(e) = written {
        eprintln!("corslint: cannot write the report: {e}");
        return 2;
    }

    if args.verbose {
        for note in &report.notes {
            eprintln!("corslint: {note}");
        }
    }
    for error in &report.errors {
        eprintln!("corslint: error: {error}");
    }
    if !args.quiet {
        eprintln!(
            "{}",
            report::summary(&report.findings, report.files_checked)
        );
    }
    if !report.errors.is_empty() {
        return 2;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let failing = report.findings.iter().any(|f| f.severity >= threshold);
    // The process ends right after: freeing every node of every file one by one would cost
    // more than linting a small tree.
    std::mem::forget(report);
    u8::from(failing && !args.exit_zero)
}

/// The standard output, for a report. On Unix, its file descriptor itself (a duplicate),
/// not Rust's `Stdout`: that one buffers by line, so it cuts every write at its last line
/// break (two system calls where one would do) and takes several buffers one at a time.
fn report_stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout().lock())
}

fn write_statistics(findings: &[corslint::finding::Finding], out: &mut dyn Write) {
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(code, _, _)| *code == f.rule.code) {
            Some(entry) => entry.2 += 1,
            None => counts.push((f.rule.code, f.rule.name, 1)),
        }
    }
    counts.sort();
    for (code, name, n) in counts {
        let _ = writeln!(out, "{n:5}  {code}  {name}");
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

fn rule(name: Option<&str>) -> u8 {
    match name {
        None => {
            for r in rules::all() {
                println!(
                    "{}  {:32} {:8} {}",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.summary
                );
            }
            0
        }
        Some(name) => match rules::find(name) {
            Some(r) => {
                print!("{}", r.doc);
                0
            }
            None => {
                eprintln!("corslint: no rule named `{name}` (see `corslint rule` for the list)");
                2
            }
        },
    }
}

/// Exit status: 0 allowed, 1 blocked, 2 error, 3 undetermined.
fn simulate(args: SimulateArgs) -> u8 {
    use corslint::simulate::{self, Scenario, Verdict};
    let mut headers = Vec::new();
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            eprintln!("corslint: --header takes `Name: value`, not `{h}`");
            return 2;
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    if let Err(e) = corslint::request_target::parse(&args.url) {
        eprintln!("corslint: --url: {e}");
        return 2;
    }
    let inputs: Vec<Input> = args.paths.iter().cloned().map(Input::Path).collect();
    let report = corslint::lint(&inputs, &Overrides::default());
    for error in &report.errors {
        eprintln!("corslint: error: {error}");
    }
    if !report.errors.is_empty() {
        return 2;
    }
    let sites: Vec<&corslint::model::Site> = report
        .documents
        .iter()
        .flat_map(|d| d.sites.iter())
        .collect();
    let scenario = Scenario {
        origin: args.origin.clone(),
        method: args.method.clone(),
        headers,
        credentials: args.credentials,
        url: args.url.clone(),
        status: args.status,
    };
    let outcome = match simulate::simulate(&sites, &scenario, &report.sources) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("corslint: {e}");
            return 2;
        }
    };
    match args.format {
        SimulateFormat::Text => print!("{}", simulate::render_text(&outcome)),
        SimulateFormat::Json => match serde_json::to_string_pretty(&outcome) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("corslint: {e}");
                return 2;
            }
        },
    }
    match outcome.verdict {
        Verdict::Allowed => 0,
        Verdict::Blocked => 1,
        Verdict::Undetermined => 3,
    }
}

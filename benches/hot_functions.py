#!/usr/bin/env python3
"""Writes .cargo/hot-functions.txt: the functions a lint runs, hottest first.

The linker (.cargo/static-gcc, with lld) places these functions side by side at the start of
the executable's code. The kernel maps an executable's code into a process in large pieces
(fault-around, large page-cache folios), so code that runs scattered over the 4 MB of
`.text` makes nearly all of it resident: 4.4 MB of corslint's 9 MB peak on the 50-server
benchmark tree, for 1.6 MB of functions run. Side by side, they map as 2.8 MB.

The list is a layout hint, never a correctness matter: a function renamed since it was made
is simply placed with the rest; but then the lint's code is scattered again and peak memory
rises. Run this again after changes to what a lint runs (needs valgrind; about 12 minutes);
`--check` (run by .ci/run) says whether the lists still fit the code:

    python3 benches/hot_functions.py
    python3 benches/hot_functions.py --check

It builds corslint, lints the inputs a user and the benchmark give it (an nginx tree and a
mixed repository from benches/bench.py, the bundled samples in every output format) under
callgrind, and ranks each function by the instructions it ran.

callgrind runs the program on an emulated processor, one thread at a time, so some code that
runs on the real machine never runs there: glibc picks its string functions for the
processor (`__memmove_avx512_unaligned_erms` here, an AVX2 one under valgrind), and the
paths threads take when they wait for one another do not occur. Each such function left
out makes a piece of code far from the others resident (on the 50-server tree those made
peak memory 7.5 MB instead of 6.4). So, when perf is installed and allowed to record, the
tree is also linted natively: the functions `perf record`'s samples land in join the tree's
own, then up to ten rounds of relinking and recording every page fault add the functions
whose code still faults outside them (each round's faults name only the first function to
reach each piece of code; three rounds left two of them, 128 KB of code mapped in).

Read-only data is mapped in the same large pieces: the tree's lint reads 190 KB of constants
(string literals, tables, glibc's and mimalloc's) scattered over 770 KB of `.rodata`, and all
770 KB were resident. So the script also writes .cargo/hot-data.ld, a linker script that
gathers the input sections the lint reads into one output section, `.rodata.hot`, ahead of
the others: it links with a map (CORSLINT_LINK_MAP, see static-gcc), records every load of
the tree's lint and of the samples' under valgrind's lackey, and names the sections those
loads fall in; then rounds of native page faults add what only the real machine reads.

The script leaves corslint built with the lists it writes.
"""

from __future__ import annotations

import bisect
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

REPO = bench.REPO
OUT = REPO / ".cargo" / "hot-functions.txt"
DATA = REPO / ".cargo" / "hot-data.ld"
# The output section the hot data goes into, and those it is gathered from.
HOT = ".rodata.hot"
READ_ONLY = {".rodata", HOT}
# An input section in lld's link map: address, size and name, under its output section
# (whose line has one space before its name; an input section's has nine).
MAP_LINE = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+( +)(\S.*)$")

# callgrind names each function once per file (`fn=(id) name`, later just `fn=(id)`) and
# marks recursion depths (`name'2`).
FN = re.compile(r"^(c?fn)=\((\d+)\)(?: (.*))?$")


def profile(binary: Path, args: list[str], cwd: Path, work: Path) -> Counter[str]:
    """The instructions each function ran (its own, not its callees'), under callgrind."""
    out = work / "callgrind.out"
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out}",
         str(binary), *args],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    names: dict[str, str] = {}
    cost: Counter[str] = Counter()
    current = None
    in_call = False
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        m = FN.match(line)
        if m:
            kind, ident, name = m.groups()
            if name:
                names[ident] = re.sub(r"'\d+$", "", name)
            if kind == "fn":
                current = names.get(ident)
                cost.setdefault(current, 0)
            else:
                cost.setdefault(names.get(ident), 0)
            continue
        if line.startswith("calls="):
            in_call = True  # the next cost line is the callee's, not this function's own
            continue
        if current and line[:1] and (line[0].isdigit() or line[0] in "+-*"):
            parts = line.split()
            if len(parts) >= 2 and not in_call:
                try:
                    cost[current] += int(parts[1])
                except ValueError:
                    pass
            in_call = False
    out.unlink()
    cost.pop(None, None)
    return cost


def perf(
    binary: Path, args: list[str], cwd: Path, work: Path, runs: int, record: list[str],
    fields: list[str],
) -> str | None:
    """`perf record` (with the `record` options) over `runs` native runs of `binary`, and
    the `fields` of `perf script`; None when perf is missing or not allowed to record."""
    if shutil.which("perf") is None:
        print("perf is not installed: natively run code is not placed", file=sys.stderr)
        return None
    data = work / "perf.data"
    command = " ".join(shlex.quote(a) for a in [str(binary), *args])
    loop = f"for i in $(seq {runs}); do {command} >/dev/null 2>&1; done"
    recorded = subprocess.run(
        ["perf", "record", "-q", *record, "-o", str(data), "--", "sh", "-c", loop],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    if recorded.returncode != 0 or not data.exists():
        print("perf record failed: natively run code is not placed", file=sys.stderr)
        return None
    script = subprocess.run(
        ["perf", "script", "-i", str(data), "-F", ",".join(fields), "--no-demangle"],
        capture_output=True, text=True, errors="replace", check=False,
    ).stdout
    data.unlink()
    return script


def native(binary: Path, args: list[str], cwd: Path, work: Path, runs: int = 100) -> list[str]:
    """The functions of `binary` that perf's samples land in over `runs` native runs, most
    sampled first."""
    script = perf(binary, args, cwd, work, runs, ["-F", "20000"], ["ip", "sym", "dso"])
    if script is None:
        return []
    ours = binary.resolve()
    dsos: dict[str, bool] = {}
    seen: Counter[str] = Counter()
    for line in script.splitlines():
        # `address symbol (dso)`; a sample without a symbol reads `[unknown]`.
        name, _, dso = line.strip().partition(" ")[2].rpartition(" (")
        dso = dso.rstrip(")")
        if dso not in dsos:
            dsos[dso] = Path(dso).resolve() == ours
        if dsos[dso] and name and not name.startswith("["):
            seen[name] += 1
    return [name for name, _ in seen.most_common()]


def page_faults(
    binary: Path, args: list[str], cwd: Path, work: Path, runs: int = 20,
) -> list[tuple[int, int]]:
    """Every page fault of `binary` (the address, and the instruction's) as it runs `args`
    natively; none when perf cannot record. Each names the first thing reached in a piece
    of code or data not mapped yet."""
    script = perf(
        binary, args, cwd, work, runs, ["-e", "page-faults", "-c", "1", "-d"],
        ["comm", "addr", "ip"],
    )
    faults = []
    for line in (script or "").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0].startswith("corslint"):
            faults.append((int(fields[1], 16), int(fields[2], 16)))
    return faults


def text_faults(binary: Path, args: list[str], cwd: Path, work: Path) -> set[str]:
    """The functions whose code page faults as `binary` runs `args` natively: each fault
    on an instruction fetch names the function that reached a piece of code not mapped
    yet."""
    # corslint is linked statically at a fixed address: its symbols' addresses are the
    # addresses it runs at.
    symbols = sorted(
        (int(fields[0], 16), fields[3])
        for fields in (
            line.split()
            for line in subprocess.run(
                ["nm", "--defined-only", "-S", str(binary)],
                capture_output=True, text=True, check=True,
            ).stdout.splitlines()
        )
        if len(fields) == 4 and fields[2] in "tTwWi"
    )
    starts = [address for address, _ in symbols]
    found: set[str] = set()
    for address, ip in page_faults(binary, args, cwd, work):
        index = bisect.bisect_right(starts, address) - 1
        if address == ip and index >= 0:
            found.add(symbols[index][1])
    return found


def write(ranked: list[str]) -> None:
    OUT.write_text(
        "# The functions a lint runs, hottest first: the linker places them side by side\n"
        "# (.cargo/static-gcc). Written by benches/hot_functions.py; do not edit.\n"
        + "".join(f"{name}\n" for name in ranked),
        encoding="utf-8",
    )


def layout(blocks: list[list[str]]) -> list[str]:
    """The tree's functions, then each other run's not placed yet."""
    placed = set(blocks[0])
    out = list(blocks[0])
    for block in blocks[1:]:
        out.extend(n for n in block if n not in placed)
        placed.update(block)
    return out


def relink(link_map: Path | None = None) -> Path:
    """Builds corslint again with the lists just written (cargo does not watch them: the
    binary's own sources are marked changed), writing the link map to `link_map`."""
    os.utime(REPO / "src" / "main.rs")
    if link_map is not None:
        os.environ["CORSLINT_LINK_MAP"] = str(link_map)
    try:
        return bench.build_corslint()
    finally:
        os.environ.pop("CORSLINT_LINK_MAP", None)


@dataclass(frozen=True)
class Section:
    """An input section where the link put it."""

    start: int
    size: int
    output: str
    name: str  # `file:(section)`, `archive(member):(section)` or `<internal>:(section)`

    def pattern(self) -> str:
        """The linker-script pattern that selects this input section."""
        origin, _, section = self.name.partition(":(")
        section = section[:-1]
        if origin == "<internal>":
            # Merged constants or strings (`.rodata.cst16`, `.rodata.str1.1`): the sections
            # of one kind, `.rodata.str1.1` and `.rodata.<function>.str1.1` alike, are
            # merged into one, named after the first: a pattern takes them all.
            kind = re.fullmatch(r"\.rodata(?:\..+)?\.(str\d+\.\d+|cst\d+)", section)
            if kind:
                return f"*(.rodata.{kind[1]} .rodata.*.{kind[1]})"
        if origin.endswith(")") and "(" in origin:
            archive, _, member = origin.rpartition("/")[2].partition("(")
            return f"*{archive}:{member[:-1]}({section})"
        # Rust's sections are named after their symbols: one section per name.
        return f"*({section})"


def read_only_sections(link_map: Path) -> list[Section]:
    """The input sections of the read-only data, in address order."""
    sections: list[Section] = []
    output = ""
    for line in link_map.read_text(encoding="utf-8", errors="replace").splitlines():
        m = MAP_LINE.match(line)
        if not m:
            continue
        start, size, indent, name = m.groups()
        if len(indent) == 1:
            output = name
        elif len(indent) == 9 and output in READ_ONLY and int(size, 16):
            sections.append(Section(int(start, 16), int(size, 16), output, name))
    sections.sort(key=lambda s: s.start)
    return sections


def containing(sections: list[Section], starts: list[int], address: int) -> Section | None:
    index = bisect.bisect_right(starts, address) - 1
    if index >= 0 and address < sections[index].start + sections[index].size:
        return sections[index]
    return None


def data_reads(binary: Path, args: list[str], cwd: Path, sections: list[Section]) -> set[str]:
    """The patterns of the read-only input sections `binary` reads as it runs `args`, under
    lackey."""
    starts = [s.start for s in sections]
    low, high = sections[0].start, sections[-1].start + sections[-1].size
    # lackey's trace goes to descriptor 9, the pipe; the program's output is dropped.
    lackey = subprocess.Popen(
        ["sh", "-c", 'exec valgrind --tool=lackey --trace-mem=yes --log-fd=9 "$@" '
         "9>&1 >/dev/null 2>&1", "sh", str(binary), *args],
        cwd=cwd, stdout=subprocess.PIPE, text=True, errors="replace",
    )
    assert lackey.stdout is not None
    read: set[str] = set()
    for line in lackey.stdout:
        # ` L 0400d7d4,8` (a load) or ` M 0400d7d4,4` (a load and a store).
        if line[:2] not in (" L", " M"):
            continue
        address = int(line[3 : line.index(",")], 16)
        if low <= address < high:
            section = containing(sections, starts, address)
            if section is not None:
                read.add(section.pattern())
    lackey.wait()
    return read


def data_faults(
    binary: Path, args: list[str], cwd: Path, work: Path, sections: list[Section],
) -> set[str]:
    """The patterns of the input sections outside `.rodata.hot` whose data page faults as
    `binary` runs `args` natively (each fault names the first section read in a piece not
    mapped yet)."""
    cold = [s for s in sections if s.output != HOT]
    starts = [s.start for s in cold]
    found: set[str] = set()
    for address, _ in page_faults(binary, args, cwd, work):
        section = containing(cold, starts, address)
        if section is not None:
            found.add(section.pattern())
    return found


def write_data(sections: list[Section], hot: set[str]) -> None:
    patterns: list[str] = []
    for section in sections:
        if section.pattern() in hot and section.pattern() not in patterns:
            patterns.append(section.pattern())
    sizes = pattern_sizes(sections)
    DATA.write_text(
        "/* The read-only data a lint reads, gathered ahead of the rest of .rodata\n"
        " * (.cargo/static-gcc). Written by benches/hot_functions.py; do not edit.\n"
        " * Each named section's size follows it, for `hot_functions.py --check`. */\n"
        f"SECTIONS {{\n  {HOT} : {{\n"
        + "".join(
            f"    {p}\n" if is_kind(p) else f"    {p} /* {sizes[p]} */\n" for p in patterns
        )
        + "  }\n} INSERT BEFORE .gcc_except_table;\n",
        encoding="utf-8",
    )


def is_kind(pattern: str) -> bool:
    """Whether a pattern takes every merged section of one kind (see `Section.pattern`):
    its size changes with any string anywhere, and it never goes stale."""
    return " " in pattern


def pattern_sizes(sections: list[Section]) -> Counter[str]:
    """The bytes each pattern selects."""
    sizes: Counter[str] = Counter()
    for section in sections:
        sizes[section.pattern()] += section.size
    return sizes


# Named sections of hot-data.ld whose size may differ from the one written (see `check`).
CHANGED_SIZES = 2
# A pattern of hot-data.ld and the size it selected when written.
DATA_LINE = re.compile(r"^\s+(\*\S*\(\S+\)) /\* (\d+) \*/$")


def check() -> None:
    """Exits 1 when the lists no longer fit the code.

    Any change to the code can rename what the lists name: generic functions get new
    hashes, and the anonymous constants of a changed unit are numbered again
    (`.Lanon.<unit>.<n>` then names another constant). The layout still links, but the
    lint's code and data are scattered again, and peak memory rises (on the 50-server tree,
    over the issue's limit). So the lists are checked: every function they name must exist,
    every named read-only section must still select something, and nearly all of them as
    many bytes as when the list was written. A constant whose text was edited keeps its
    name and its place (`CHANGED_SIZES` of them pass); constants numbered again mostly
    differ in size, many at once. (Code a change adds to a lint is not in the lists at all;
    this check cannot see that.)
    """
    with tempfile.TemporaryDirectory() as tmp:
        link_map = Path(tmp) / "link.map"
        binary = relink(link_map)
        if not link_map.exists():
            raise SystemExit(
                "hot_functions.py --check: corslint was not linked with lld (see "
                ".cargo/static-gcc), so its layout cannot be checked"
            )
        sections = read_only_sections(link_map)
    # Every defined name, those without a size (`__do_global_dtors_aux`) too: not
    # `text_faults`' symbols, which need a size to attribute an address.
    defined = set(
        subprocess.run(
            ["nm", "--defined-only", "--format=just-symbols", str(binary)],
            check=True, capture_output=True, text=True,
        ).stdout.split()
    )
    # valgrind's pseudo-functions (`(below main)`) are not symbols of the program.
    listed = [
        line for line in OUT.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and " " not in line
    ]
    missing = [name for name in listed if name not in defined]
    sizes = pattern_sizes(sections)
    written = [m.groups() for m in map(DATA_LINE.match, DATA.read_text().splitlines()) if m]
    if not written:
        raise SystemExit(f"{DATA.relative_to(REPO)} records no sizes: run "
                         "`python3 benches/hot_functions.py`")
    changed = [(p, int(size), sizes[p]) for p, size in written if sizes[p] != int(size)]
    gone = [p for p, _, now in changed if now == 0]
    print(f"{OUT.relative_to(REPO)}: {len(listed) - len(missing)} of {len(listed)} "
          f"functions exist")
    print(f"{DATA.relative_to(REPO)}: {len(written) - len(changed)} of {len(written)} "
          f"named sections are as written")
    for name in missing[:10]:
        print(f"  no function {name}")
    for pattern, was, now in changed[:10]:
        print(f"  {pattern}: {was} bytes when written, {now} now")
    if missing or gone or len(changed) > CHANGED_SIZES:
        raise SystemExit(
            "the layout lists no longer fit the code: run `python3 benches/hot_functions.py` "
            "(about 12 minutes; needs valgrind and perf) and commit what it writes"
        )


def hot_data(runs: list[tuple[list[str], Path]], work: Path) -> int:
    """Writes DATA from the runs' reads (lackey), then adds, in up to three rounds, what
    the first run's native page faults still reach outside it. Returns the number of
    patterns written."""
    link_map = work / "link.map"
    binary = relink(link_map)
    sections = read_only_sections(link_map)
    hot: set[str] = set()
    for args, cwd in runs:
        print("lackey:", " ".join(args), file=sys.stderr, flush=True)
        hot |= data_reads(binary, args, cwd, sections)
    tree_args, tree_cwd = runs[0]
    for attempt in range(1, 4):
        write_data(sections, hot)
        binary = relink(link_map)
        sections = read_only_sections(link_map)
        faulting = data_faults(binary, tree_args, tree_cwd, work, sections) - hot
        print(f"data round {attempt}: {len(faulting)} sections fault outside {HOT}",
              file=sys.stderr, flush=True)
        if not faulting:
            break
        hot |= faulting
    else:
        write_data(sections, hot)
        relink()
    return len(hot)


def main() -> None:
    if sys.argv[1:] == ["--check"]:
        check()
        return
    if sys.argv[1:]:
        raise SystemExit("usage: python3 benches/hot_functions.py [--check]")
    binary = bench.build_corslint()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree = bench.nginx_tree(work / "nginx", 50)
        repo = bench.mixed_repo(work / "repo", 500)
        runs = [
            (["check", "--format", "json", "--exit-zero", str(tree.target)], work),
            (["check", "--format", "json", "--exit-zero", str(repo.target)], work),
        ] + [
            (["check", "--format", fmt, "--color", "always", "--exit-zero", "samples"], REPO)
            for fmt in ["full", "concise", "json", "sarif", "github"]
        ]
        # Each run's functions after those of the runs before it, hottest first: a lint of
        # an nginx tree, the commonest and heaviest run, finds all of its code together.
        blocks: list[list[str]] = []
        placed: set[str] = set()
        for args, cwd in runs:
            print("callgrind:", " ".join(args), file=sys.stderr, flush=True)
            cost = profile(binary, args, cwd, work)
            # Addresses without a symbol (`0x...`) cannot be placed by name.
            new = [n for n, _ in cost.most_common() if n not in placed and not n.startswith("0x")]
            blocks.append(new)
            placed.update(new)
        tree_args, tree_cwd = runs[0]
        print("perf: the tree's lint, natively", file=sys.stderr, flush=True)
        # The tree's block takes the natively run functions, wherever callgrind had put them.
        tree_functions = blocks[0]
        known = set(tree_functions)
        tree_functions.extend(
            n for n in native(binary, tree_args, tree_cwd, work) if n not in known
        )
        for attempt in range(1, 11):
            write(layout(blocks))
            binary = relink()
            faulting = text_faults(binary, tree_args, tree_cwd, work) - set(tree_functions)
            print(f"round {attempt}: {len(faulting)} functions fault outside the tree's code",
                  file=sys.stderr, flush=True)
            if not faulting:
                break
            tree_functions.extend(sorted(faulting))
        else:
            write(layout(blocks))
            relink()
        ranked = layout(blocks)
        # The samples run little code, but other data than the tree's (other formats).
        data_runs = [runs[0], runs[2], runs[4]]
        data = hot_data(data_runs, work)
    print(f"{OUT.relative_to(REPO)}: {len(ranked)} functions", file=sys.stderr)
    print(f"{DATA.relative_to(REPO)}: {data} section patterns", file=sys.stderr)


if __name__ == "__main__":
    main()

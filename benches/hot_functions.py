#!/usr/bin/env python3
"""Writes .cargo/hot-functions.txt: the functions a lint runs, hottest first.

The linker (.cargo/static-gcc, with lld) places these functions side by side at the start of
the executable's code. The kernel maps an executable's code into a process in large pieces
(fault-around, large page-cache folios), so code that runs scattered over the 4 MB of
`.text` makes nearly all of it resident: 4.4 MB of corslint's 9 MB peak on the 50-server
benchmark tree, for 1.6 MB of functions run. Side by side, they map as 2.8 MB.

The list is a layout hint, never a correctness matter: a function renamed since it was made
is simply placed with the rest. Run this again after large changes to what a lint runs
(needs valgrind):

    python3 benches/hot_functions.py

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
own, then up to six rounds of relinking and recording every page fault add the functions
whose code still faults outside them (each round's faults name only the first function to
reach each piece of code; three rounds left two of them, 128 KB of code mapped in). The
script leaves corslint built with the list it writes.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402

REPO = bench.REPO
OUT = REPO / ".cargo" / "hot-functions.txt"

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


def text_faults(binary: Path, args: list[str], cwd: Path, work: Path, runs: int = 20) -> set[str]:
    """The functions whose code page faults as `binary` runs `args` natively: each fault
    on an instruction fetch names the function that reached a piece of code not mapped
    yet."""
    script = perf(
        binary, args, cwd, work, runs, ["-e", "page-faults", "-c", "1", "-d"],
        ["comm", "addr", "ip"],
    )
    if script is None:
        return set()
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
    for line in script.splitlines():
        fields = line.split()
        if len(fields) != 3 or not fields[0].startswith("corslint"):
            continue
        address, ip = int(fields[1], 16), int(fields[2], 16)
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


def relink() -> Path:
    """Builds corslint again with the list just written (cargo does not watch the list:
    the binary's own sources are marked changed)."""
    os.utime(REPO / "src" / "main.rs")
    return bench.build_corslint()


def main() -> None:
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
        for attempt in range(1, 7):
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
    print(f"{OUT.relative_to(REPO)}: {len(ranked)} functions", file=sys.stderr)


if __name__ == "__main__":
    main()

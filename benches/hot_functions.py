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
"""

from __future__ import annotations

import re
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
        ranked: list[str] = []
        placed: set[str] = set()
        for args, cwd in runs:
            print("callgrind:", " ".join(args), file=sys.stderr, flush=True)
            cost = profile(binary, args, cwd, work)
            # Addresses without a symbol (`0x...`) cannot be placed by name.
            new = [n for n, _ in cost.most_common() if n not in placed and not n.startswith("0x")]
            ranked.extend(new)
            placed.update(new)
    OUT.write_text(
        "# The functions a lint runs, hottest first: the linker places them side by side\n"
        "# (.cargo/static-gcc). Written by benches/hot_functions.py; do not edit.\n"
        + "".join(f"{name}\n" for name in ranked),
        encoding="utf-8",
    )
    print(f"{OUT.relative_to(REPO)}: {len(ranked)} functions", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Instructions per call through ``Lumenfall`` next to a plain ``openai`` client, counted, not timed.

``bench_client.py`` times calls in CPU seconds, which a shared machine makes noisy (its A/A row
shows how much). This counts the machine instructions a call executes, under valgrind's
callgrind: the same count for the same code and inputs whatever else the machine is doing. Each
client runs in its own interpreter, on the same mock transport as ``bench_client.py``; after a
warm-up, only the measured calls are counted (collection is switched on inside the C function
that drives the loop, ``deque_extend``), with the cyclic garbage collector paused: a full
collection (tens of millions of instructions) falling inside one client's calls and not the
other's would swing a ratio by percents; what the calls keep is ``bench_client.py``'s memory
table. With ``--cache`` it also simulates the caches
(cachegrind; slower): first-level data misses and last-level misses per call, what instruction
counts leave out.

A second table counts a whole fresh interpreter's ``import lumenfall_openai`` against ``import
openai`` (everything from start to exit), in ``bench_import.py``'s two settings: the package
compiled, and from source with no bytecode (openai compiled in both).

A ratio here is work done; a time ratio can differ from it by how that work runs (caches, branch
prediction). Sync calls only. Needs ``valgrind`` on PATH (skipped with a message otherwise).

Run: ``python benchmarks/bench_instructions.py`` (``--quick``: one call, a few repetitions).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import openai
from bench_client import _sync_calls
from bench_import import _setting

HERE = Path(__file__).resolve().parent
CALLS = tuple(_sync_calls(None))  # the calls bench_client.py times

# The child: warm up, then make `n` calls inside deque_extend (the only place collection is on).
CHILD = """
import collections, gc, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {here!r})
import bench_client
who, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fn = bench_client._sync_calls(bench_client._clients()[who])[name]
for _ in range(30):
    fn()
gc.collect()
gc.disable()
collections.deque(map(lambda _: fn(), range(n)), maxlen=0)
"""


def _count(who: str, name: str, n: int, *, cache: bool) -> dict[str, float]:
    child = CHILD.format(here=str(HERE))
    if cache:
        # cachegrind cannot switch collection on and off by function: count n calls and 0 calls.
        totals = [_cachegrind(child, who, name, k) for k in (n, 0)]
        return {k: (totals[0][k] - totals[1][k]) / n for k in totals[0]}
    out = _valgrind(
        ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no", "--toggle-collect=deque_extend"],
        child, who, name, n,
    )  # fmt: skip
    return {"instructions": _collected(out) / n}


def _cachegrind(child: str, who: str, name: str, n: int) -> dict[str, float]:
    out = _valgrind(["--tool=cachegrind", "--cache-sim=yes", "--cachegrind-out-file=/dev/null"], child, who, name, n)
    figures: dict[str, float] = {}
    for label, key in (("I *refs", "instructions"), ("D1  misses", "D1 misses"), ("LL misses", "LL misses")):
        match = re.search(rf"{label}:\s+([\d,]+)", out)
        if match is None:
            raise SystemExit(f"cachegrind printed no {label}:\n{out[-2000:]}")
        figures[key] = int(match.group(1).replace(",", ""))
    return figures


def _valgrind(
    tool: list[str], child: str, *args: object, env: dict[str, str] | None = None, cwd: Path | None = None
) -> str:
    env = {**(os.environ if env is None else env), "PYTHONHASHSEED": "0"}  # the same dict layouts in every child
    done = subprocess.run(
        ["valgrind", *tool, sys.executable, "-c", child, *map(str, args)],
        env=env, cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stderr


def _collected(out: str) -> int:
    match = re.search(r"Collected : (\d+)", out)
    if match is None:
        raise SystemExit(f"callgrind printed no count:\n{out[-2000:]}")
    return int(match.group(1))


def import_table() -> None:
    """Instructions of a fresh interpreter that imports openai, and one that imports the package."""
    print()
    print("| import (whole interpreter)      |    import openai | lumenfall_openai / openai |  target |")
    print(f"|{'-' * 33}|{'-' * 18}|{'-' * 27}|{'-' * 9}|")
    tool = ["--tool=callgrind", "--callgrind-out-file=/dev/null"]
    with tempfile.TemporaryDirectory() as tmp:
        for label, compiled in (("compiled", True), ("source, no bytecode", False)):
            root = Path(tmp) / label.replace(" ", "_").replace(",", "")
            env = _setting(root, compiled)
            counts = [
                _collected(_valgrind(tool, f"import {m}", env=env, cwd=root)) for m in ("openai", "lumenfall_openai")
            ]
            ratio = counts[1] / counts[0]
            print(f"| {label:<31} | {counts[0]:>16,} | {ratio:>25.4f} | <= 1.05 |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one call, a few repetitions: a smoke run")
    parser.add_argument("--calls", type=int, default=200, help="calls counted per client and call")
    parser.add_argument("--cache", action="store_true", help="also simulate the caches (cachegrind)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not on PATH: nothing counted (Debian: apt-get install valgrind)")
        return 0
    names, n = (("images.generate",), 3) if args.quick else (CALLS, args.calls)
    print(f"openai {openai.__version__}, python {sys.version.split()[0]}; {n} calls counted per client and call (sync)")
    print()
    keys = ["instructions", "D1 misses", "LL misses"] if args.cache else ["instructions"]
    header = "".join(f" {'plain: ' + k + '/call':>26} | {'lumenfall / plain':>17} |" for k in keys)
    print(f"| {'call':<24} |{header}")
    print(f"|{'-' * 26}|" + f"{'-' * 28}|{'-' * 19}|" * len(keys))
    for name in names:
        plain, ours = (_count(who, name, n, cache=args.cache) for who in ("plain", "ours"))
        cells = "".join(
            f" {plain[k]:>26,.1f} | {ours[k] / plain[k] if plain[k] else float('nan'):>17.4f} |" for k in keys
        )
        print(f"| {name:<24} |{cells}")
    if not args.quick:
        import_table()
    print()
    print("figures: counts, n=1 child per client and call (the same count on every run of the same code)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

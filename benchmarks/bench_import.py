"""``import lumenfall_openai`` next to ``import openai``: fresh interpreters, interleaved, in one run.

Each round starts one interpreter that imports openai and one that imports lumenfall_openai (which
imports openai), in alternating order, and takes the ratio of their CPU times (user + system of the
child, from ``os.wait4``: less sensitive to a busy machine than wall time). Two settings:

- ``compiled``: the package as installed (bytecode compiled once, as pip does);
- ``source, no bytecode``: ``PYTHONDONTWRITEBYTECODE=1`` and no bytecode for the package,
  as in a source checkout on a machine that does not write bytecode (openai keeps its own).

openai's bytecode (and the package's, when compiled) lives in a private ``PYTHONPYCACHEPREFIX``
written before timing, so both interpreters load compiled openai whatever the venv holds.

The package is copied to a temporary directory for each setting so the two cannot share a cache.
Target (issue 12): <= 1.05x on each openai line. An A/A row (``import openai`` against itself,
in the compiled setting) shows the ratio the bench reads when there is no difference: its noise
floor. Also printed: what the package's own modules cost in-process on top of an already
imported openai (``-X importtime`` shows the same per module).

Run: ``python benchmarks/bench_import.py`` (``--quick`` for a smoke run in CI).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import openai
from _stats import spread

PACKAGE = Path(__import__("lumenfall_openai").__file__).resolve().parent
ON_TOP = (
    "import time; t = time.perf_counter(); import openai; t1 = time.perf_counter(); import lumenfall_openai; "
    "t2 = time.perf_counter(); print((t2 - t1) * 1e3, (t1 - t) * 1e3)"
)


def _cpu(statement: str, env: dict[str, str]) -> float:
    # cwd: the copy's directory. `python -c` puts the cwd first on sys.path, so run from a checkout
    # it would import the checkout's package instead of the copy being measured.
    process = subprocess.Popen(
        [sys.executable, "-c", statement], env=env, stdout=subprocess.DEVNULL, cwd=env["PYTHONPATH"]
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, statement
    return usage.ru_utime + usage.ru_stime


def _setting(root: Path, compiled: bool) -> dict[str, str]:
    shutil.copytree(PACKAGE, root / "lumenfall_openai", ignore=shutil.ignore_patterns("__pycache__", "media"))
    # Bytecode goes to a private cache (PYTHONPYCACHEPREFIX), written once here, never into the
    # venv: openai (and what it imports) is compiled in both settings, as pip installs it, even
    # when the venv has no __pycache__ (a venv installed without bytecode would otherwise make
    # every `import openai` compile it, diluting the ratio).
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONPYCACHEPREFIX": str(root.parent / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _cpu("import openai", env)
    if compiled:
        # In a child: only it writes to the prefix (every module, the lazily imported ones too).
        _cpu(f"import compileall; compileall.compile_dir({str(root / 'lumenfall_openai')!r}, quiet=1)", env)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def measure(rounds: int) -> list[tuple[str, list[float], list[float], list[float]]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, compiled in (("compiled", True), ("source, no bytecode", False)):
            root = Path(tmp) / name.replace(" ", "_").replace(",", "")
            env = _setting(root, compiled)
            _cpu("import lumenfall_openai", env)  # warm the OS file cache
            ratios, base, on_top = [], [], []
            for i in range(rounds):
                order = [("openai", "import openai"), ("ours", "import lumenfall_openai")]
                if i % 2:
                    order.reverse()
                times = {who: _cpu(stmt, env) for who, stmt in order}
                ratios.append(times["ours"] / times["openai"])
                base.append(times["openai"] * 1e3)
                out = subprocess.run(
                    [sys.executable, "-c", ON_TOP], env=env, capture_output=True, text=True, check=True, cwd=root
                )
                on_top.append(float(out.stdout.split()[0]))
            rows.append((name, base, ratios, on_top))
            if compiled:
                rows.append(("A/A: openai / openai", *_a_a(env, rounds)))
    return rows


def _a_a(env: dict[str, str], rounds: int) -> tuple[list[float], list[float], list[float]]:
    """``import openai`` against itself, the same way: the ratio this bench reads for no difference."""
    ratios, base = [], []
    for _ in range(rounds):
        first, second = _cpu("import openai", env), _cpu("import openai", env)
        ratios.append(first / second)
        base.append(second * 1e3)
    return base, ratios, []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, not a measurement")
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else args.rounds
    rows = measure(rounds)
    print(f"openai {openai.__version__}, python {sys.version.split()[0]}; {rounds} rounds of fresh interpreters, "
          "alternating order; CPU time (user + system) of each")  # fmt: skip
    print()
    print(f"| {'package as':<20} | {'import openai, ms CPU':>26} | {'lumenfall_openai / openai':>26} "
          f"| {'own modules on top, ms':>24} | {'target':>7} |")  # fmt: skip
    print(f"|{'-' * 22}|{'-' * 28}|{'-' * 28}|{'-' * 26}|{'-' * 9}|")
    ok = True
    for name, base, ratios, on_top in rows:
        aa = name.startswith("A/A")
        ok &= aa or statistics.median(ratios) <= 1.05
        print(f"| {name:<20} | {spread(base, '.0f'):>26} | {spread(ratios):>26} | "
              f"{spread(on_top, '.1f') if on_top else '':>24} | {'(noise)' if aa else '<= 1.05':>7} |")  # fmt: skip
    print()
    print("figures: median [min-max] n=rounds; the ratio is taken per round (both interpreters run in it)")
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())

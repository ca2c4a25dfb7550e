"""A durable batch at scale: 2,000 jobs of 5 s at concurrency 500, against the ideal time.

The batch engine (``AsyncLumenfall.videos.batch``, the same engine as ``lumenfall-openai batch``)
runs 2,000 rows of 5-second jobs with 500 in flight against the emulator in its own process
(queue time 0). Ideal: ceil(2000 / 500) waves x 5 s = 20 s. Target: within 1.5x (30 s).

Also reported: journal overhead per job (wall time spent inside the SQLite journal's calls,
divided by the rows; target < 1 ms) and the process's peak RSS (``VmHWM``) and its growth
during the run.

Run: ``python benchmarks/bench_batch.py`` (``--quick``: 200 jobs of 1 s at 50, a smoke run whose
timings are not checked: 1-second jobs measure the 1 s minimum poll interval more than the batch).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai

from lumenfall_openai import AsyncLumenfall
from lumenfall_openai._compat import http
from lumenfall_openai.batch import _journal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_proc import emulator_process

JOURNAL_SECONDS = [0.0]
JOURNAL_CALLS = [0]


def _timed(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            JOURNAL_SECONDS[0] += time.perf_counter() - started
            JOURNAL_CALLS[0] += 1

    return wrapper


for _name in ("begin", "update", "get", "latest", "attempts"):
    setattr(_journal.Journal, _name, _timed(getattr(_journal.Journal, _name)))


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run(base_url: str, jobs: int, seconds: int, concurrency: int) -> dict[str, float]:
    limits = http.Limits(max_connections=64, max_keepalive_connections=64)  # see bench_concurrency.py
    http_client = openai.DefaultAsyncHttpxClient(limits=limits)
    rows = [{"id": f"r{i:05d}", "prompt": f"bench {i} [lumenfall:duration={seconds}]", "model": "mock-video"}
            for i in range(jobs)]  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        async with AsyncLumenfall(api_key="lmnfl_bench.secret", base_url=base_url, http_client=http_client) as client:
            await client.videos.create(model="mock-video", prompt="warm-up")  # connect once, outside the timing
            rss_before = peak_rss_mib()
            batch = client.videos.batch(rows, out=out, concurrency=concurrency)
            started = time.monotonic()
            summary = await batch.summary()
            elapsed = time.monotonic() - started
    if summary.counts["downloaded"] != jobs:
        raise AssertionError(f"only {summary.counts} of {jobs} rows were downloaded")
    ideal = math.ceil(jobs / concurrency) * seconds
    return {
        "elapsed": elapsed,
        "ideal": ideal,
        "ratio": elapsed / ideal,
        "journal_ms_per_job": JOURNAL_SECONDS[0] * 1000 / jobs,
        "journal_calls_per_job": JOURNAL_CALLS[0] / jobs,
        "peak_rss": peak_rss_mib(),
        "rss_growth": peak_rss_mib() - rss_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    jobs, seconds, concurrency = (200, 1, 50) if args.quick else (2000, 5, 500)
    with emulator_process("--queue-seconds", "0", "--postpaid") as base_url:
        result = asyncio.run(run(base_url, jobs, seconds, concurrency))
    ok = result["ratio"] <= 1.5 and result["journal_ms_per_job"] < 1.0
    print(f"### Batch: `python benchmarks/bench_batch.py{' --quick' if args.quick else ''}`\n")
    print("| jobs x seconds @ concurrency | elapsed (s) | ideal (s) | x ideal | target | journal ms/job | target "
          "| peak RSS (MiB) | RSS growth (MiB) | ok |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {jobs} x {seconds} @ {concurrency} | {result['elapsed']:.1f} | {result['ideal']:.0f} | "
        f"{result['ratio']:.2f} | <= 1.5 | {result['journal_ms_per_job']:.3f} "
        f"({result['journal_calls_per_job']:.1f} calls) | < 1 | {result['peak_rss']:.0f} | {result['rss_growth']:.0f} "
        f"| {'yes' if ok else 'NO'} |"
    )
    if not ok and not args.quick:  # --quick is a smoke run (CI): only a row not downloaded fails it
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Hundreds of concurrent ``create_and_poll`` calls on one ``AsyncLumenfall``: do they all finish on time?

500 jobs of 2 s each are started at once with ``asyncio.gather`` against the emulator (in its
own process, as Lumenfall would be) and waited for with the default polling policy. Target: the
last one is back within 3x the job duration (6 s).

Two connection pools, side by side in one run: openai's default (up to 1000 connections) and
one capped at 64. The cap matters: the HTTP library's pool scans every connection for each
request it places, so 500 open connections make every request cost several times more CPU than
64 do, and a client that keeps hundreds of jobs in flight is CPU-bound on that scan. 64
connections carry far more than 500 polling jobs need (a check takes about a millisecond).

Run: ``python benchmarks/bench_concurrency.py`` (``--quick`` for a smoke run in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import openai

from lumenfall_openai import AsyncLumenfall, PollProgress
from lumenfall_openai._compat import http

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_proc import emulator_process


async def run_jobs(base_url: str, jobs: int, pool: int | None) -> dict[str, float]:
    http_client = None
    if pool is not None:
        limits = http.Limits(max_connections=pool, max_keepalive_connections=pool)
        http_client = openai.DefaultAsyncHttpxClient(limits=limits)
    async with AsyncLumenfall(api_key="lmnfl_bench.secret", base_url=base_url, http_client=http_client) as client:
        await client.videos.create(model="mock-video", prompt="warm-up")  # connect once, outside the timing
        started = time.monotonic()
        finished: list[float] = []
        checks = [0]

        async def one() -> str:
            def count(progress: PollProgress) -> None:
                checks[0] += 1

            video = await client.videos.create_and_poll(model="mock-video", prompt="bench", on_progress=count)
            finished.append(time.monotonic() - started)
            return video.status

        statuses = await asyncio.gather(*(one() for _ in range(jobs)))
    if statuses.count("completed") != jobs:
        raise AssertionError(f"only {statuses.count('completed')} of {jobs} jobs completed")
    finished.sort()
    return {
        "last": finished[-1],
        "median": statistics.median(finished),
        "p99": finished[max(0, int(len(finished) * 0.99) - 1)],
        # on_progress sees the create answer once per job, then every check: creates + GETs.
        "requests": checks[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="50 jobs of 1 s: a smoke run")
    parser.add_argument("--jobs", type=int, help="concurrent jobs (default 500; quick 50)")
    parser.add_argument("--seconds", type=float, help="each job's duration (default 2; quick 1)")
    args = parser.parse_args(argv)
    jobs = args.jobs or (50 if args.quick else 500)
    duration = args.seconds or (1.0 if args.quick else 2.0)

    results: dict[str, dict[str, float]] = {}
    with emulator_process("--queue-seconds", "0", "--run-seconds", str(duration)) as base_url:
        for name, pool in (("default pool (1000)", None), ("pool capped at 64", 64)):
            results[name] = asyncio.run(run_jobs(base_url, jobs, pool))

    print(
        f"openai {openai.__version__} ({http.__name__}), python {sys.version.split()[0]}; {jobs} jobs of "
        f"{duration:g} s started at once on one AsyncLumenfall; emulator in its own process, loopback"
    )
    print()
    print(f"| {'connection pool':<20} | {'last done (s)':>13} | {'x job':>6} | {'median (s)':>10} | "
          f"{'p99 (s)':>7} | {'requests':>8} | {'target':>6} | ok  |")  # fmt: skip
    print(f"|{'-' * 22}|{'-' * 15}|{'-' * 8}|{'-' * 12}|{'-' * 9}|{'-' * 10}|{'-' * 8}|-----|")
    ok_recommended = True
    for name, r in results.items():
        ratio = r["last"] / duration
        ok = ratio <= 3.0
        if "capped" in name:
            ok_recommended = ok
        print(f"| {name:<20} | {r['last']:>13.2f} | {ratio:>6.2f} | {r['median']:>10.2f} | {r['p99']:>7.2f} | "
              f"{r['requests']:>8.0f} | {'<= 3':>6} | {'yes' if ok else 'NO':<3} |")  # fmt: skip
    print()
    print("x job: the last job's completion time over one job's duration; requests: creates + polls.")
    if not ok_recommended and not args.quick:
        print("target missed with the recommended (capped) pool")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

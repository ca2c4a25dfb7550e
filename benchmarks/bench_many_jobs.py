"""Many concurrent jobs on one ``AsyncLumenfall``: client CPU, requests and detection delay per job.

For each N (``--jobs 10,100,1000``), N jobs of D seconds are created (64 creates in flight at a
time, as a careful caller submits a batch) and waited for with ``videos.poll`` on one client,
against one emulator in its own process; then the same N jobs with plain openai
(``AsyncOpenAI``, ``videos.create`` + ``videos.poll``: fixed 1 s polling) on the same emulator as
the anchor. Per N and client it prints:

- client CPU per job (this process's CPU time over the run / N) and requests per job;
- detection delay per job, in multiples of D: when ``poll`` returned minus when the job became
  done (its create's answer + D; the emulator's clock started slightly before, so the delay is
  over-estimated by the create's latency), p50 / p90 / p99 / max over the N jobs, and the worst
  job's time from its create's answer to poll's return, in D (1 + the max delay);
- the last job's return, from the first create, in multiples of D;
- the emulator's CPU per request (its process's CPU time over the requests it served): flat in N
  if a request's cost does not depend on how many jobs exist;
- ``uptime``'s load before the run (the machine is shared: high load distorts every figure).

Target (issue 12): ours <= plain in CPU per job at every N; every job within 1.5x D at
10,000 jobs of 30 s (``--jobs 10000 --seconds 30``): the worst job's column <= 1.50. The last
return after the first create ("last") also holds the time it took to create N jobs.

Run: ``python benchmarks/bench_many_jobs.py --jobs 10,100,1000`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import openai

from lumenfall_openai import AsyncLumenfall, PollProgress
from lumenfall_openai._compat import http

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_proc import cpu_seconds, emulator_child
from _stats import spread

KEY = "lmnfl_bench.secret"
CREATES_IN_FLIGHT = 64


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(kind: str, base_url: str, jobs: int, duration: float, pool: int | None) -> dict[str, Any]:
    requests = [0]

    async def count(request: Any) -> None:
        requests[0] += 1

    limits = {} if pool is None else {"limits": http.Limits(max_connections=pool, max_keepalive_connections=pool)}
    if kind == "ours":
        # Ours counts through on_progress (create answer + every successful check), so the
        # client keeps its own default HTTP client (a user-supplied one would change the pool).
        http_client = openai.DefaultAsyncHttpxClient(**limits) if limits else None  # type: ignore[arg-type]
        client: Any = AsyncLumenfall(api_key=KEY, base_url=base_url, http_client=http_client)
    else:
        http_client = openai.DefaultAsyncHttpxClient(event_hooks={"request": [count]}, **limits)  # type: ignore[arg-type]
        client = openai.AsyncOpenAI(api_key=KEY, base_url=base_url, http_client=http_client)
    gate = asyncio.Semaphore(CREATES_IN_FLIGHT)
    done_at: list[float] = []
    delays: list[float] = []
    async with client:
        await client.videos.retrieve((await client.videos.create(model="mock-video", prompt="warm-up")).id)
        requests[0] = 0

        async def one() -> None:
            async with gate:
                video = await client.videos.create(model="mock-video", prompt="bench")
            created = time.monotonic()
            if kind == "ours":
                requests[0] += 1

                def seen(progress: PollProgress) -> None:
                    requests[0] += 1

                final = await client.videos.poll(video.id, on_progress=seen)
            else:
                final = await client.videos.poll(video.id)
            now = time.monotonic()
            assert final.status == "completed", final
            done_at.append(now)
            delays.append((now - created - duration) / duration)

        cpu0, started = time.process_time(), time.monotonic()
        await asyncio.gather(*(one() for _ in range(jobs)))
        cpu = time.process_time() - cpu0
    return {
        "cpu_ms_per_job": cpu * 1000 / jobs,
        "requests_per_job": requests[0] / jobs,
        "requests": requests[0],
        "delays": delays,
        "last": (max(done_at) - started) / duration,
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 and 50 jobs of 2 s: a smoke run")
    parser.add_argument("--jobs", default="10,100,1000", help="comma-separated N (default 10,100,1000)")
    parser.add_argument("--seconds", type=float, help="job duration D (default 10; 30 from 10,000 jobs)")
    parser.add_argument("--reps", type=int, default=1, help="alternating repetitions per N (default 1)")
    parser.add_argument("--pool", type=int, help="max connections for both clients (default: each its own default)")
    parser.add_argument("--no-anchor", action="store_true", help="skip plain openai (e.g. for 10,000 jobs)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", DeprecationWarning)  # plain openai's Sora notice, once per call
    counts = [10, 50] if args.quick else [int(n) for n in args.jobs.split(",")]
    kinds = ("ours",) if args.no_anchor else ("ours", "plain")

    print(f"openai {openai.__version__} ({http.__name__}), python {sys.version.split()[0]}, pool="
          f"{args.pool or 'default'}, {CREATES_IN_FLIGHT} creates in flight; emulator in its own process")  # fmt: skip
    print()
    print("| jobs x D | client | load before | CPU/job ms | req/job | delay p50/p90/p99/max (xD) | worst job (xD) | "
          "last (xD) | emulator ms/req |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for jobs in counts:
        duration = args.seconds or (2.0 if args.quick else 30.0 if jobs >= 10_000 else 10.0)
        with emulator_child("--queue-seconds", "0", "--run-seconds", str(duration), "--postpaid") as (url, pid):
            results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
            loads: dict[str, list[str]] = {k: [] for k in kinds}
            server: dict[str, list[float]] = {k: [] for k in kinds}
            for rep in range(args.reps):
                for kind in kinds if rep % 2 == 0 else tuple(reversed(kinds)):
                    loads[kind].append(_load())
                    before = cpu_seconds(pid)
                    result = asyncio.run(_run(kind, url, jobs, duration, args.pool))
                    server[kind].append((cpu_seconds(pid) - before) * 1000 / max(1, result["requests"]))
                    results[kind].append(result)
        for kind in kinds:
            rs = results[kind]
            delays = [d for r in rs for d in r["delays"]]
            cpu = spread([r["cpu_ms_per_job"] for r in rs], ".2f")
            req = spread([r["requests_per_job"] for r in rs], ".1f")
            last = spread([r["last"] for r in rs], ".2f")
            qs = "/".join(f"{_quantile(delays, q):.2f}" for q in (0.5, 0.9, 0.99))
            delay = f"{qs}/{max(delays):.2f} n={len(delays)}"
            print(f"| {jobs} x {duration:g} s | {kind} | {'; '.join(loads[kind])} | {cpu} | {req} | {delay} | "
                  f"{1 + max(delays):.2f} | {last} | {spread(server[kind], '.2f')} |")  # fmt: skip
        if "plain" in results:
            ours = statistics.median(r["cpu_ms_per_job"] for r in results["ours"])
            plain = statistics.median(r["cpu_ms_per_job"] for r in results["plain"])
            failed = failed or ours > plain
        if jobs >= 10_000:  # every job within 1.5x its duration
            failed = failed or max(d for r in results["ours"] for d in r["delays"]) > 0.5
    print()
    print("CPU/job: this process's CPU over the run / N (creates included); req/job: creates + checks / N;")
    print("delay: poll's return minus (create's answer + D), in D; worst job: 1 + max delay (its create's answer")
    print("to poll's return, in D); last: the last return after the first create, in D.")
    return 1 if failed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())

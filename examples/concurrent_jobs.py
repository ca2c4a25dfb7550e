"""Create and wait for many video jobs at once with ``AsyncLumenfall``, on one connection pool.

    python examples/concurrent_jobs.py [--jobs 200] [--concurrency 100] [--out DIR]

The pattern: one ``AsyncLumenfall`` (one connection pool) shared by every job, one coroutine
per job doing ``create_and_poll`` (+ ``download``), an ``asyncio.Semaphore`` capping how many
jobs are in flight, and ``asyncio.gather`` to run them. Each job handles its own expected
outcomes (failed, unfinished), so one bad job never cancels the others, and no job id is lost.

Why it scales: a waiting job is a sleeping coroutine, not a thread or an open connection.
``poll`` backs off (10% of the time waited, 30 s at most) with jitter that spreads the checks
of jobs started together, so 500 waits make a few requests per second in all. openai's default
pool (max 1000 connections, 100 kept alive) is plenty for that; size it yourself only if many
jobs *download* at once: ``http_client=openai.DefaultAsyncHttpxClient(limits=...Limits(...))``
(``httpx2.Limits`` on openai 3.x, ``httpx.Limits`` on 2.x).

With ``LUMENFALL_API_KEY`` set this talks to Lumenfall and spends money unless the model is the
free ``mock-video``. Without it, it starts the built-in local emulator and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

from lumenfall_openai import AsyncLumenfall, DownloadError, WaitInterruptedError


@dataclass
class JobResult:
    index: int
    video_id: str | None
    outcome: str  # "completed" | "failed" | "unfinished" | "error"
    detail: str = ""
    path: Path | None = None


async def one_job(client: AsyncLumenfall, limit: asyncio.Semaphore, index: int, args: argparse.Namespace) -> JobResult:
    """Create, wait for and (optionally) save one video. Never raises for an expected outcome."""
    async with limit:  # at most --concurrency jobs between create and the end of their download
        try:
            video = await client.videos.create_and_poll(
                model=args.model, prompt=f"{args.prompt} (take {index})", poll_timeout=args.timeout
            )
        except WaitInterruptedError as error:  # deadline, or Lumenfall unreachable for minutes
            # The job keeps running (and is paid for): keep its id to resume with poll().
            return JobResult(index, error.video_id, "unfinished", str(error))
        if video.status != "completed":
            reason = f"{video.error.code}: {video.error.message}" if video.error else video.status
            return JobResult(index, video.id, "failed", reason)  # ~4 in 10 in production: normal
        if args.out is None:
            return JobResult(index, video.id, "completed", video.output.url if video.output else "")
        try:
            # A trailing separator makes it a directory (created if missing): one file per video.
            path = await client.videos.download(video, os.path.join(args.out, ""))
        except DownloadError as error:  # nothing half-written is left behind
            return JobResult(index, video.id, "error", str(error))
        return JobResult(index, video.id, "completed", "", path)


async def run(client: AsyncLumenfall, args: argparse.Namespace) -> list[JobResult]:
    limit = asyncio.Semaphore(args.concurrency)
    # gather(return_exceptions=True): an unexpected error in one job (a 400 for a bad prompt, a
    # network failure at create) is reported with the others instead of cancelling them.
    # On Python 3.11+ an asyncio.TaskGroup works too, but it cancels every job at the first error.
    outcomes = await asyncio.gather(
        *(one_job(client, limit, i, args) for i in range(args.jobs)), return_exceptions=True
    )
    results: list[JobResult] = []
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):  # KeyboardInterrupt, CancelledError: stop
                raise outcome
            results.append(JobResult(index, None, "error", f"{type(outcome).__name__}: {outcome}"))
        else:
            results.append(outcome)
    return results


@contextlib.asynccontextmanager
async def lumenfall_client() -> AsyncGenerator[AsyncLumenfall, None]:
    if os.environ.get("LUMENFALL_API_KEY"):
        async with AsyncLumenfall() as client:
            yield client
        return
    from lumenfall_openai.testing import LumenfallEmulator

    emulator = LumenfallEmulator(queue_seconds=0.5, run_seconds=2.0)
    with emulator.serve() as base_url:
        print(f"No LUMENFALL_API_KEY set: running against the built-in local emulator at {base_url}", file=sys.stderr)
        async with AsyncLumenfall(api_key="lmnfl_emulator.local", base_url=base_url) as client:
            yield client


async def amain(args: argparse.Namespace) -> int:
    started = time.monotonic()
    async with lumenfall_client() as client:
        results = await run(client, args)
    elapsed = time.monotonic() - started
    counts = Counter(result.outcome for result in results)
    print(f"{len(results)} jobs in {elapsed:.1f}s: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for result in results:
        if result.outcome != "completed":
            print(f"  job {result.index} ({result.video_id or 'not created'}): {result.outcome}: {result.detail}")
    return 0 if counts["completed"] == len(results) else 1


def _at_least_one(text: str) -> int:
    """argparse type: a whole number >= 1 (0 jobs in flight would wait for ever)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give 1 or more") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small; give 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create and wait for many videos concurrently.")
    parser.add_argument("--jobs", type=_at_least_one, default=50, help="how many videos")
    parser.add_argument("--concurrency", type=_at_least_one, default=100, help="most jobs in flight at once")
    parser.add_argument("--model", default="mock-video", help="model slug (mock-video is free)")
    parser.add_argument("--prompt", default="A paper boat drifting down a rain gutter")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait for each job")
    parser.add_argument("--out", help="directory to save the videos in (created if missing)")
    args = parser.parse_args(argv)
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())

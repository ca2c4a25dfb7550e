"""``lumenfall-openai batch run|status|resume``: many videos from one JSONL/CSV file.

Thin over :mod:`lumenfall_openai.batch` (the same engine as ``client.videos.batch``). What this
module adds is the command line's contract: a live view on stderr (or plain lines without a
terminal), a summary or one JSON object on stdout, the exit codes of the CLI's table, and a
Ctrl-C that stops creating, offers to cancel the running jobs and says how to resume.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._video_cmd import EMULATOR_KEY, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, _seconds, json_payload

if TYPE_CHECKING:
    from .. import AsyncLumenfall
    from ..batch import BatchProgress, BatchSummary, ResumeReport
    from ..batch._engine import BatchEngine
    from ._render import Output

__all__ = ["register"]

EPILOG = (
    "exit codes:\n"
    "  0    every row downloaded\n"
    "  1    API or network error before the batch could run\n"
    "  2    bad usage or a bad JOBS file (every bad line is listed; nothing was created)\n"
    "  3    some jobs failed (see the manifest; --retry-failed K retries them as new jobs)\n"
    "  4    some rows unfinished (still running, timed out, refused by --budget or a too-low balance):\n"
    "       run `batch resume DEST` (after a top-up for the balance)\n"
    "  130  interrupted with Ctrl-C (how to resume is printed)\n"
    "\n"
    'JOBS is JSONL (one object of videos.create arguments per line, optional "id" naming the file)\n'
    "or CSV (a prompt column and any other create argument as columns). A SQLite journal in DEST\n"
    "(or --journal) is written before every paid step: kill the command at any moment and run it\n"
    "again (or `batch resume DEST`): no row is paid for twice.\n"
    "\n"
    "examples:\n"
    "  lumenfall-openai batch run prompts.jsonl --out clips/ --model kling-v3 --concurrency 20 --budget 50\n"
    "  lumenfall-openai batch run prompts.csv --out clips/ --dry-run\n"
    "  lumenfall-openai batch status clips/\n"
    "  lumenfall-openai batch resume clips/\n"
)


class _Usage(Exception):
    pass


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _row_range(text: str) -> tuple[int | None, int | None]:
    start, sep, end = text.partition(":")
    try:
        if not sep:
            raise ValueError
        bounds = (int(start) if start else None, int(end) if end else None)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected START:END (0-based, END excluded, like Python slices: 0:500, 500:1000, 1000:), got {text!r}"
        ) from None
    if any(bound is not None and bound < 0 for bound in bounds):
        raise argparse.ArgumentTypeError(f"row numbers are 0-based (>= 0), got {text!r}")
    return bounds


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    batch = subparsers.add_parser(
        "batch",
        help="many videos from a JSONL/CSV file, crash-safe and on a budget",
        description="Run a batch of video jobs from a file, resumable after any crash.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    batch.set_defaults(handler=functools.partial(_missing, batch))
    commands = batch.add_subparsers(dest="batch_command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout, no live view")
    common.add_argument("--no-progress", action="store_true", help="no live view (summary only)")
    common.add_argument(
        "--journal", metavar="PATH", help="the journal (default: DEST/.lumenfall-batch.sqlite; a URL DEST needs one)"
    )

    tuning = argparse.ArgumentParser(add_help=False)
    tuning.add_argument("--concurrency", type=_positive, metavar="N", help="jobs in flight at once (default 8)")
    tuning.add_argument(
        "--budget",
        metavar="AMOUNT",
        help="most the whole batch may cost, all runs together (rows that do not fit wait)",
    )
    tuning.add_argument(
        "--retry-failed", type=_count, metavar="K", help="retry a failed job up to K times, each a new paid job"
    )
    tuning.add_argument(
        "--retry-expired",
        action="store_true",
        help="with --retry-failed: also pay again for rows whose paid video expired before it was saved",
    )
    tuning.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="stop following a job after this long")
    tuning.add_argument("--manifest-csv", action="store_true", help="also write manifest.csv")

    run = commands.add_parser(
        "run", parents=[common, tuning], help="run (or continue) a batch", description="Run a batch.",
        epilog=EPILOG, formatter_class=formatter,
    )  # fmt: skip
    run.add_argument("jobs", metavar="JOBS", help="a .jsonl or .csv file of create arguments")
    run.add_argument("--out", required=True, metavar="DEST", help="a directory, or an fsspec URL (s3://bucket/prefix/)")
    run.add_argument("--model", help="model for rows that name none")
    run.add_argument(
        "--dry-run", action="store_true", help="price every row (free) and print the total; create nothing"
    )
    run.add_argument("--batch-id", help="share one id between machines that split a batch (see --rows)")
    run.add_argument("--rows", type=_row_range, metavar="START:END", help="only these rows (to split across machines)")
    run.set_defaults(handler=functools.partial(_handle, command=_run))

    status = commands.add_parser(
        "status", parents=[common], help="what the journal says (no network)", description="Show a batch's state.",
        epilog=EPILOG, formatter_class=formatter,
    )  # fmt: skip
    status.add_argument("dest", metavar="DEST")
    status.set_defaults(handler=functools.partial(_handle, command=_status))

    resume = commands.add_parser(
        "resume", parents=[common, tuning], help="continue a batch with the options it was started with",
        description="Continue a batch: the JOBS file and options come from its journal.", epilog=EPILOG,
        formatter_class=formatter,
    )  # fmt: skip
    resume.add_argument("dest", metavar="DEST")
    resume.set_defaults(handler=functools.partial(_handle, command=_resume))


def _missing(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _handle(args: argparse.Namespace, command: Callable[[argparse.Namespace, Output], int]) -> int:
    try:
        from ._render import Output
    except ModuleNotFoundError as exc:
        print(f"lumenfall-openai batch needs {exc.name!r}: pip install 'lumenfall-openai[cli]'", file=sys.stderr)
        return EXIT_USAGE
    from ..batch import JournalError, RowsError

    out = Output(json_mode=args.json, show_progress=not args.no_progress)
    try:
        return command(args, out)
    except (RowsError, JournalError, _Usage, ValueError) as error:
        out.note(f"error: {error}", style="red")
        if out.json_mode:
            out.emit_json(json_payload(EXIT_USAGE, error={"type": "usage", "message": str(error)}))
        return EXIT_USAGE
    except Exception as error:
        from ._video_cmd import _report_exception

        return _report_exception(out, error)


# -- the client ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _base_url(out: Output) -> Any:
    """Lumenfall's settings from the environment, or an in-process emulator (said on stderr)."""
    if os.environ.get("LUMENFALL_API_KEY"):
        yield None, False
        return
    from ..testing import LumenfallEmulator

    out.note(
        "No LUMENFALL_API_KEY set: running against a LOCAL EMULATOR started in-process (nothing is billed, "
        "videos are synthetic, jobs last only as long as this command, so a resumed batch cannot find them). "
        "Set LUMENFALL_API_KEY to use Lumenfall.",
        style="yellow",
    )
    emulator = LumenfallEmulator()
    try:
        with emulator.serve() as url:
            yield url, True
    finally:
        emulator.close()


@contextlib.asynccontextmanager
async def _client(base_url: str | None) -> AsyncGenerator[AsyncLumenfall, None]:
    import openai

    from .. import AsyncLumenfall
    from .._compat import http

    # 64 connections carry hundreds of polling jobs; more make each request cost more client CPU
    # (the pool is scanned per request: see benchmarks/bench_concurrency.py).
    library: Any = http  # httpx2 or httpx at run time (the typing shim lists only what signatures use)
    pool = openai.DefaultAsyncHttpxClient(limits=library.Limits(max_connections=64, max_keepalive_connections=64))
    if base_url is None:
        client = AsyncLumenfall(http_client=pool)
    else:
        client = AsyncLumenfall(api_key=EMULATOR_KEY, base_url=base_url, http_client=pool)
    async with client:
        yield client


# -- run / resume ----------------------------------------------------------------------------------


def _run(args: argparse.Namespace, out: Output) -> int:
    if args.dry_run:
        return _dry_run(args, out)
    return _execute(
        out, jobs=args.jobs, dest=args.out, journal=args.journal, model=args.model,
        options=_tuning(args, {}), batch_id=args.batch_id, row_range=args.rows, command=_resume_command(args.out, args),
    )  # fmt: skip


def _tuning(args: argparse.Namespace, stored: dict[str, Any]) -> dict[str, Any]:
    """Options from the command line, else from the journal (resume), else the defaults."""
    from .._money import micros_to_decimal

    budget = args.budget
    if budget is None and stored.get("budget_micros") is not None:
        budget = micros_to_decimal(int(stored["budget_micros"]))
    return {
        "concurrency": args.concurrency or stored.get("concurrency") or 8,
        "budget": budget,
        "retry_failed": args.retry_failed if args.retry_failed is not None else stored.get("retry_failed") or 0,
        "timeout": args.timeout if args.timeout is not None else stored.get("job_timeout"),
        "manifest_csv": bool(args.manifest_csv or stored.get("manifest_csv")),
        "retry_expired": bool(getattr(args, "retry_expired", False)),
    }


def _resume_command(dest: str, args: argparse.Namespace) -> str:
    journal = f" --journal {args.journal}" if args.journal else ""
    return f"lumenfall-openai batch resume {dest}{journal}"


def _resume(args: argparse.Namespace, out: Output) -> int:
    from ..batch import Journal
    from ..batch._engine import default_journal_path
    from ..batch._journal import journal_rows

    path = Path(args.journal) if args.journal else default_journal_path(args.dest)
    journal = Journal(path, create=False)
    try:
        jobs, model, stored_text = journal.meta("jobs"), journal.meta("model"), journal.meta("options")
        stored_rows: list[int | None] | None = json.loads(journal.meta("rows") or "null")
        journaled = journal_rows(journal.attempts())
    finally:
        journal.close()
    stored: dict[str, Any] = json.loads(stored_text or "{}")
    from_journal = None
    if not jobs or not os.path.isfile(jobs):
        # The journal holds every started row's arguments: finish what exists (or may) without the file.
        from_journal = [row for row, _ in journaled]
        if not from_journal:
            raise _Usage(f"{_missing_jobs_reason(jobs)} and {path} holds no started row: there is nothing to resume.")
        _say_missing_jobs(out, jobs, [attempt for _, attempt in journaled], _resume_command(args.dest, args))
    return _execute(
        out, jobs=jobs or "", dest=stored.get("out") or args.dest, journal=str(path), model=model or None,
        options=_tuning(args, stored), batch_id=None, command=_resume_command(args.dest, args),
        row_range=None if stored_rows is None else (stored_rows[0], stored_rows[1]), from_journal=from_journal,
    )  # fmt: skip


def _missing_jobs_reason(jobs: str | None) -> str:
    if not jobs:
        return "the batch was started from Python rows (no JOBS file)"
    return f"the JOBS file {jobs} is missing"


def _say_missing_jobs(out: Output, jobs: str | None, attempts: list[Any], command: str) -> None:
    open_jobs = sum(attempt.state in ("sending", "running", "completed") for attempt in attempts)
    waiting = sorted(attempt.row_id for attempt in attempts if attempt.state == "refused")
    reason = _missing_jobs_reason(jobs)
    text = (
        f"{reason[0].upper()}{reason[1:]}: finishing the {open_jobs} journaled job(s) from the journal's "
        "own copy of their arguments; no new job is created."
    )
    if waiting:
        shown = ", ".join(waiting[:5]) + (", ..." if len(waiting) > 5 else "")
        text += f" {len(waiting)} row(s) refused earlier ({shown}) cannot be started without it"
    else:
        text += " Rows never started cannot be started without it"
    if jobs:
        text += f": put the file back at {jobs} and run `{command}` again."
    else:
        text += ": start them from Python with the same rows."
    out.note(text, style="yellow")


def _execute(
    out: Output,
    *,
    jobs: str,
    dest: str,
    journal: str | None,
    model: str | None,
    options: dict[str, Any],
    batch_id: str | None,
    row_range: tuple[int | None, int | None] | None,
    command: str,
    from_journal: list[dict[str, Any]] | None = None,
) -> int:
    from ..batch import BatchProgress, read_rows
    from ..batch._api import make_engine
    from ..batch._rows import select_rows

    if from_journal is None:  # a bad file or --rows fails here, before any emulator or network
        select_rows(read_rows(jobs, default_model=model), row_range)
    progress = BatchProgress()
    holder: dict[str, Any] = {}

    async def main(base_url: str | None) -> BatchSummary:
        async with _client(base_url) as client:
            if from_journal is None:
                engine = make_engine(
                    client, jobs, out=dest, journal=journal, model=model, progress=progress, batch_id=batch_id,
                    row_range=row_range, **options,
                )  # fmt: skip
            else:
                engine = make_engine(client, from_journal, out=dest, journal=journal, progress=progress, **options)
                # the batch is still the file's: a later resume with the file back runs it as before
                engine.journal.set_meta(jobs=jobs, model=model or "", rows=json.dumps(row_range))
                engine.stop_creating(f"{_missing_jobs_reason(jobs)}: this run only finishes journaled jobs")
            holder["engine"] = engine
            engine.on_resume = functools.partial(_told_resume, out)
            try:
                with _live_view(out, progress):
                    return await _with_plain_lines(out, progress, engine.run())
            finally:
                engine.journal.close()

    with _base_url(out) as (base_url, emulated):
        try:
            summary = asyncio.run(main(base_url))
        except KeyboardInterrupt:
            engine: BatchEngine | None = holder.get("engine")
            return _interrupted(out, engine, base_url, command, emulated)
    missing = None
    if from_journal is not None:  # the batch's other rows cannot be known, so it cannot be complete
        missing = f"{_missing_jobs_reason(jobs)}: {_journaled_of(journal)}; the rest cannot be started without it"
    return _report(out, summary, command, emulated, jobs_missing=missing)


def _journaled_of(journal: str | None) -> str:
    """ "3 of 12 rows journaled" (the JOBS file's row count is journaled at the first run)."""
    from ..batch import Journal
    from ..batch._journal import journal_rows

    if journal is None:
        return "some rows journaled"
    reader = Journal(journal, create=False)
    try:
        started, total = len(journal_rows(reader.attempts())), reader.meta("jobs_rows")
    finally:
        reader.close()
    return f"{started} of {total} rows journaled" if total else f"{started} row(s) journaled"


def _told_resume(out: Output, report: ResumeReport) -> None:
    if report.changed:  # before anything is paid, in --json mode too (stderr)
        out.note(report.describe_changed(), style="yellow")
    if report.resumed and not out.json_mode:
        out.note(report.describe())


async def _with_plain_lines(out: Output, progress: BatchProgress, run: Awaitable[BatchSummary]) -> BatchSummary:
    """Without a terminal: a progress line every few seconds (no escape codes)."""
    if out.json_mode or not out.show_progress or out.err.is_terminal:
        return await run

    async def lines() -> None:
        last = ""
        while True:
            await asyncio.sleep(5)
            line = _progress_line(progress)
            if line != last:
                out.note(line)
                last = line

    ticker = asyncio.ensure_future(lines())
    try:
        return await run
    finally:
        ticker.cancel()


def _money(micros: int, currency: str = "USD") -> str:
    from .._money import format_money

    return format_money(micros, currency)


def _progress_line(progress: BatchProgress) -> str:
    counts = progress.counts
    parts = [f"{name} {counts[name]}" for name in ("queued", "running", "completed", "downloaded", "failed")]
    if counts["refused"] or counts["unfinished"]:
        parts += [f"refused {counts['refused']}", f"unfinished {counts['unfinished']}"]
    money = f"spent {_money(progress.spent_micros)}, reserved {_money(progress.reserved_micros)}"
    if progress.budget_micros is not None:
        money += f" of {_money(progress.budget_micros)}"
    eta = progress.eta_seconds()
    rate = f"{progress.throughput():.1f}/min" + (f", ETA {eta:.0f}s" if eta is not None else "")
    return f"[batch] {progress.settled}/{progress.to_settle} settled | " + ", ".join(parts) + f" | {money} | {rate}"


@contextlib.contextmanager
def _live_view(out: Output, progress: BatchProgress) -> Any:
    if out.json_mode or not out.show_progress or not out.err.is_terminal:
        yield
        return
    from rich.console import Group
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    def render() -> Group:
        table = Table.grid(padding=(0, 2))
        names = ("queued", "creating", "running", "completed", "downloaded", "failed", "refused", "unfinished")
        for _ in names:
            table.add_column(justify="right")
        table.add_row(*[Text(name, style="dim") for name in names])
        table.add_row(*[str(progress.counts[name]) for name in names])
        money = f"spent {_money(progress.spent_micros)}   reserved {_money(progress.reserved_micros)}"
        if progress.budget_micros is not None:
            money += f"   budget {_money(progress.budget_micros)}"
        eta = progress.eta_seconds()
        rate = f"{progress.settled}/{progress.to_settle} settled   {progress.throughput():.1f} rows/min"
        if eta is not None:
            rate += f"   ETA {time.strftime('%H:%M:%S', time.gmtime(eta))}"
        events = [Text(f"  {event}", style="dim") for event in list(progress.events)]
        return Group(Text("batch", style="bold"), table, Text(money), Text(rate), *events)

    with Live(get_renderable=render, console=out.err, refresh_per_second=4, transient=False):
        yield


def _summary_dict(summary: BatchSummary) -> dict[str, Any]:
    return {
        "batch_id": summary.batch_id,
        "rows": summary.rows,
        "counts": summary.counts,
        "spent_micros": summary.spent_micros,
        "unknown_costs": summary.unknown_costs,
        "balance_refused": summary.balance_refused,
        "manifest_error": summary.manifest_error,
        "reserved_micros": summary.reserved_micros,
        "budget_micros": summary.budget_micros,
        "currency": summary.currency,
        "manifest": summary.manifest,
        "journal": summary.journal,
        "elapsed_seconds": round(summary.elapsed_seconds, 3),
        "resumed": {
            "polled": summary.resume.polled, "resent": summary.resume.resent, "downloads": summary.resume.downloads,
            "done": summary.resume.done, "changed": summary.resume.changed, "new": summary.resume.new,
        },
    }  # fmt: skip


def _report(
    out: Output, summary: BatchSummary, command: str, emulated: bool, *, jobs_missing: str | None = None
) -> int:
    code = summary.exit_code
    if jobs_missing is not None and code == EXIT_OK:
        code = 4  # what was journaled is done, but the batch is not known to be complete
    if jobs_missing is not None:
        out.note(f"The batch is not complete: {jobs_missing}.", style="yellow")
    top_up = ""
    if summary.balance_refused:  # on stderr in --json mode too, and in the JSON error's message
        top_up = (
            f"{summary.balance_refused} row(s) were refused because the account's balance is too low (nothing was "
            f"created or paid for them): top up your balance, then `{command}`."
        )
        out.note(top_up, style="yellow")
    if out.json_mode:
        error = None
        if code != EXIT_OK:
            message = _headline(summary) + (f". {top_up}" if top_up else "")
            message += f". {jobs_missing}" if jobs_missing else ""
            error = {"type": "batch_incomplete" if code == 4 else "jobs_failed", "message": message}
        batch = {**_summary_dict(summary), "jobs_file_missing": jobs_missing is not None}
        out.emit_json(json_payload(code, emulator=emulated, elapsed=summary.elapsed_seconds, error=error,
                                   extra={"batch": batch}))  # fmt: skip
        return code
    out.out.print(_headline(summary))
    out.out.print(f"  manifest: {summary.manifest}")
    out.out.print(f"  journal:  {summary.journal}")
    if code == 4 and not top_up and jobs_missing is None:
        out.note(
            f"Some rows are not finished. Continue with: {command}"
            + (" (not with the local emulator)" if emulated else "")
        )
    return code


def _headline(summary: BatchSummary) -> str:
    counts = summary.counts
    money = f"spent {_money(summary.spent_micros, summary.currency)}"
    if summary.reserved_micros:
        money += f", {_money(summary.reserved_micros, summary.currency)} reserved for unfinished jobs"
    if summary.budget_micros is not None:
        money += f", budget {_money(summary.budget_micros, summary.currency)}"
    if summary.unknown_costs:
        money += f" ({summary.unknown_costs} paid job(s) of unknown cost: no new job was created under the budget)"
    return (
        f"Batch {summary.batch_id}: {summary.rows} rows: {counts['downloaded']} downloaded, {counts['failed']} failed, "
        f"{counts['refused']} refused by the {'balance' if summary.balance_refused else 'budget'}, "
        f"{counts['unfinished']} unfinished; {money}; "
        f"{summary.elapsed_seconds:.1f}s"
    ) + (f"; {summary.manifest_error} (run again to write it)" if summary.manifest_error else "")


def _interrupted(out: Output, engine: BatchEngine | None, base_url: str | None, command: str, emulated: bool) -> int:
    """Ctrl-C: nothing new is created; the running jobs are paid for: cancel them only if asked."""
    running: list[str] = []
    if engine is not None:
        from ..batch import Journal

        journal = Journal(engine.options.journal, create=False)
        try:
            running = [a.video_id for a in journal.latest().values() if a.state == "running" and a.video_id]
        finally:
            journal.close()
    out.note(f"Interrupted: no new jobs were created. {len(running)} job(s) are still running on Lumenfall.")
    if running and out.interactive and out.ask(f"Cancel the {len(running)} running job(s)? [y/N] "):

        async def cancel_all() -> None:
            async with _client(base_url) as client:
                for video_id in running:
                    with contextlib.suppress(Exception):  # best effort; resume sees each one's real end
                        await client.videos.cancel(video_id)

        asyncio.run(cancel_all())
        out.note(f"Cancel requested for {len(running)} job(s) (best effort; no refund is promised).")
    hint = f"Resume with: {command}" + (" (not with the local emulator: its jobs ended with it)" if emulated else "")
    out.note(hint + " (nothing is paid twice).")
    if out.json_mode:
        out.emit_json(json_payload(EXIT_INTERRUPTED, emulator=emulated, error={"type": "interrupted", "message": hint},
                                   extra={"running_video_ids": running}))  # fmt: skip
    return EXIT_INTERRUPTED


# -- dry run / status ------------------------------------------------------------------------------


def _dry_run(args: argparse.Namespace, out: Output) -> int:
    from .._money import format_money, to_micros
    from ..batch import read_rows
    from ..batch._dest import check_local_dest
    from ..batch._rows import select_rows

    check_local_dest(args.out)
    budget = None if args.budget is None else to_micros(args.budget)
    if (budget is not None and budget < 0) or (args.budget is not None and budget is None):
        raise _Usage(f"--budget must be a non-negative amount like 5, 12.5 or 12.50, got {args.budget!r}.")
    rows = select_rows(read_rows(args.jobs, default_model=args.model), args.rows)
    committed, known = _journaled_money(args)
    journaled = [row for row in rows if (row.id, row.args_hash) in known]
    rows = [row for row in rows if (row.id, row.args_hash) not in known]  # what a run would still create

    async def main(base_url: str | None) -> list[tuple[str, str, int, str]]:
        gate = asyncio.Semaphore(args.concurrency or 8)
        async with _client(base_url) as client:

            async def one(row: Any) -> tuple[str, str, int, str]:
                async with gate:
                    estimate = await client.videos.estimate(**row.args)
                return row.id, str(row.args["model"]), estimate.total_cost_micros, estimate.currency

            return list(await asyncio.gather(*(one(row) for row in rows)))

    with _base_url(out) as (base_url, emulated):
        priced = asyncio.run(main(base_url))
    currency = priced[0][3] if priced else "USD"
    total = sum(micros for _, _, micros, _ in priced)
    by_model: dict[str, int] = {}
    for _, model, micros, _ in priced:
        by_model[model] = by_model.get(model, 0) + micros
    fit = None
    if budget is not None:
        left, fit = budget - committed, 0
        for _, _, micros, _ in priced:  # in the file's order, as a run creates them
            if micros > left:
                break
            left -= micros
            fit += 1
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, emulator=emulated, extra={"estimate": {
            "rows": len(priced), "total_micros": total, "currency": currency, "by_model": by_model,
            "per_row": {row_id: micros for row_id, _, micros, _ in priced}, "already_journaled": len(journaled),
            "budget_micros": budget, "journal_committed_micros": committed, "rows_within_budget": fit,
        }}))  # fmt: skip
        return EXIT_OK
    out.out.print(
        f"{len(priced)} rows would cost about {format_money(total, currency)} (nothing ran, nothing was billed)"
    )
    for model, micros in sorted(by_model.items()):
        out.out.print(f"  {model}: {format_money(micros, currency)}")
    if journaled:
        out.out.print(f"  {len(journaled)} row(s) already in the journal are not priced again (no new job for them)")
    if budget is not None and fit is not None:
        spent = (
            f" minus {format_money(committed, currency)} already spent or reserved by this batch" if committed else ""
        )
        verdict = "every row fits" if fit == len(priced) else f"{len(priced) - fit} would be refused (exit 4)"
        out.out.print(
            f"  budget {format_money(budget, currency)}{spent}: about {fit} of {len(priced)} rows fit; {verdict}"
        )
    return EXIT_OK


def _journaled_money(args: argparse.Namespace) -> tuple[int, set[tuple[str, str]]]:
    """What an existing journal of this DEST already spent and reserved, and which (row id, arguments
    hash) it started (a refused one is not started). Nothing when there is no journal yet."""
    from ..batch import Journal
    from ..batch._dest import is_url
    from ..batch._engine import default_journal_path

    if args.journal is None and is_url(args.out):
        return 0, set()
    path = Path(args.journal) if args.journal else default_journal_path(args.out)
    if not path.is_file():
        return 0, set()
    journal = Journal(path, create=False)
    try:
        started = {key for key, attempt in journal.latest().items() if attempt.state != "refused"}
        return journal.spent_micros + journal.reserved_micros, started
    finally:
        journal.close()


def _status(args: argparse.Namespace, out: Output) -> int:
    from ..batch import Journal
    from ..batch._engine import default_journal_path
    from ..batch._journal import counted_cost, current_hashes, latest_attempts, superseded

    path = Path(args.journal) if args.journal else default_journal_path(args.dest)
    journal = Journal(path, create=False)
    try:
        attempts = journal.attempts()
        earlier = superseded(attempts, {})  # videos an edit replaced: counted apart, with their money
        current = current_hashes(attempts)
        latest = {
            row: attempt for (row, args_hash), attempt in latest_attempts(attempts).items() if current[row] == args_hash
        }
        batch_id = journal.meta("batch_id")
        jobs = journal.meta("jobs")
        jobs_rows = journal.meta("jobs_rows")
        spent, reserved = journal.spent_micros, journal.reserved_micros  # the budget's own rule
    finally:
        journal.close()
    counts: dict[str, int] = {}
    for attempt in latest.values():
        counts[attempt.state] = counts.get(attempt.state, 0) + 1
    replaced_micros = sum(counted_cost(attempt) or 0 for attempt in earlier)
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, extra={"batch": {
            "batch_id": batch_id, "journal": str(path), "jobs": jobs, "rows": len(latest), "by_state": counts,
            "spent_micros": spent, "reserved_micros": reserved, "attempts": len(attempts),
            "superseded": len(earlier), "superseded_micros": replaced_micros,
            "jobs_rows": int(jobs_rows) if jobs_rows else None,
            "jobs_file_missing": bool(jobs) and not os.path.isfile(jobs or ""),
        }}))  # fmt: skip
        return EXIT_OK
    out.out.print(f"Batch {batch_id} ({path}), from {jobs or 'Python rows'}")
    out.out.print("  " + ", ".join(f"{state} {count}" for state, count in sorted(counts.items())) or "  no rows yet")
    out.out.print(f"  spent {_money(spent)}, reserved {_money(reserved)} for jobs that may still cost")
    unpriced = sum(a.state == "sending" and a.estimate_micros is None for a in latest.values())
    if unpriced:
        out.out.print(
            f"  {unpriced} create(s) of unknown outcome with no estimate journaled (not priced: no --budget, or a "
            "journal of an earlier version): each may cost one job more; a resume replays them with their keys"
        )
    if earlier:
        out.out.print(
            f"  {len(earlier)} earlier video(s) replaced by edited rows ({_money(replaced_micros)} of the spent "
            "money; their files are kept as <row id>~<video id>.mp4, listed in the manifest as superseded)"
        )
    if jobs is not None and jobs and not os.path.isfile(jobs):
        total = f" ({len(latest)} of {jobs_rows} rows journaled)" if jobs_rows else ""
        out.out.print(f"  {_missing_jobs_reason(jobs)}{total}: the batch cannot be finished without it")
    elif jobs_rows and int(jobs_rows) > len(latest):
        out.out.print(f"  {len(latest)} of {jobs_rows} rows journaled")
    open_rows = counts.get("sending", 0) + counts.get("running", 0) + counts.get("completed", 0)
    if open_rows:
        hint = f"  {open_rows} row(s) to finish: {_resume_command(args.dest, args)}"
        if not jobs or not os.path.isfile(jobs):
            hint += f" (it finishes them from the journal: {_missing_jobs_reason(jobs)}, which rows not started need)"
        out.out.print(hint)
    return EXIT_OK

"""The batch engine (async): create, poll, download every row, journaled before each paid step.

One worker per unit of concurrency takes rows in order (journaled in-flight jobs first, so a
resumed run picks up what is already paid for before it starts anything new). The journal is
written from the event loop only; SQLite commits are short and local.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._money import micros_to_decimal, to_micros
from ..costs import CostLedger, Reservation, usable_estimate
from ..errors import BudgetError, DownloadError, InsufficientBalanceError, WaitTimeoutError
from ._dest import Destination, LocalDestination, RemoteDestination, open_destination, staging_dir
from ._journal import (
    OPEN_STATES,
    Attempt,
    Journal,
    JournalError,
    derive_key,
    file_name,
    journal_rows,
    kept_name,
    superseded,
)
from ._manifest import build_manifest, build_manifest_csv
from ._results import BatchProgress, BatchResult, BatchSummary, ResumeReport, RowOutcome
from ._rows import BatchRow, canonical_json

if TYPE_CHECKING:
    from .._client import AsyncLumenfall
    from ..types.video import Video

__all__ = ["BatchOptions", "BatchEngine", "default_journal_path"]

Money = float | int | str | Decimal
JOURNAL_NAME = ".lumenfall-batch.sqlite"
MANIFEST_NAME = "manifest.jsonl"
BALANCE_REFUSED = "insufficient_balance"
MEDIA_EXPIRED = "media_expired"


def _media_gone(error: Exception) -> bool:
    """The download failed for good: the media URL was refused again after a fresh retrieve
    (expired, removed or revoked)."""
    return isinstance(error, DownloadError) and error.media_gone


def default_journal_path(out: str) -> Path:
    """``DEST/.lumenfall-batch.sqlite`` for a directory. A URL DEST has no default: the journal is
    the only record of what was paid and must be on a local disk (SQLite needs real locks), and a
    path derived from the current directory or a cache dir is found again only by luck (another
    directory, a cleaned cache, a fresh CI checkout: every row paid again)."""
    from ._dest import is_url

    if is_url(out):
        raise ValueError(
            f"{out} is a URL: give the batch's journal a durable local path with --journal PATH (Python: "
            "journal=...), and pass the same path to every run, status and resume of this batch. It records "
            "every paid job; without it a run from elsewhere would pay for every row again."
        )
    return Path(out) / JOURNAL_NAME


@dataclass(frozen=True)
class BatchOptions:
    out: str
    journal: Path
    concurrency: int = 8
    budget_micros: int | None = None
    retry_failed: int = 0
    retry_expired: bool = False
    """``retry_failed`` also pays again for rows whose paid video expired before it was saved."""
    timeout: float | None = None
    manifest_csv: bool = False
    storage_options: Mapping[str, Any] | None = None
    batch_id: str | None = None
    """Share one id between machines that split a batch (see the README's "Many videos")."""

    def __post_init__(self) -> None:
        if self.batch_id is not None and not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", self.batch_id):
            raise ValueError(f"batch_id must be 1-64 letters, digits, '.', '_' or '-', got {self.batch_id!r}.")
        if isinstance(self.concurrency, bool) or not isinstance(self.concurrency, int) or self.concurrency < 1:
            raise ValueError(f"concurrency must be a whole number >= 1, got {self.concurrency!r}.")
        if isinstance(self.retry_failed, bool) or not isinstance(self.retry_failed, int) or self.retry_failed < 0:
            raise ValueError(f"retry_failed must be a whole number >= 0, got {self.retry_failed!r}.")
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(f"timeout must be a number of seconds > 0, got {self.timeout!r}.")


class _Row:
    """The engine's view of one row during a run."""

    __slots__ = ("attempt", "earlier", "hold", "plan", "row", "state", "video")

    def __init__(self, row: BatchRow, attempt: Attempt | None, plan: str, *, earlier: bool = False) -> None:
        self.row = row
        self.earlier = earlier
        """An open job of arguments an edit replaced: followed to the end, its video kept as
        ``<row id>~<video id>.mp4``; not one of the run's rows (no result, no progress count)."""
        self.attempt = attempt
        self.plan = plan
        self.video: Video | None = None
        """The finished job as last seen: its download needs no second retrieve."""
        self.state = "queued"
        self.hold: Reservation | None = None


def _plan(attempt: Attempt | None, saved: Mapping[str, int] | None = None) -> str:
    """What a run does next with a row, from its latest journaled attempt (pure). ``saved``: the
    sizes of the files in DEST, to check a downloaded row's file at the start of a run (None:
    right after a step, nothing to check)."""
    if attempt is None or attempt.state == "refused":
        return "create"
    if attempt.state == "sending":
        return "resend"
    if attempt.state == "running":
        return "poll"
    if attempt.state == "completed":
        return "download"
    if attempt.state == "downloaded":
        if saved is None:
            return "done"
        name = file_name(attempt.file or "")
        if saved.get(name) != attempt.bytes:
            return "download"
        # kept aside by an edit since (args1 -> args2 -> args1): put back under the row's name
        return "done" if name == f"{attempt.row_id}.mp4" else "restore"
    return "failed"


class BatchEngine:
    """Runs one batch against an ``AsyncLumenfall``; see ``AsyncVideos.batch``."""

    def __init__(
        self,
        client: AsyncLumenfall,
        rows: Sequence[BatchRow],
        options: BatchOptions,
        *,
        on_result: Callable[[BatchResult], None] | None = None,
        progress: BatchProgress | None = None,
    ) -> None:
        self.options = options
        self.rows = list(rows)
        self.on_result = on_result
        self.on_resume: Callable[[ResumeReport], None] | None = None
        """Told what the journal held, before anything is sent (the CLI prints it)."""
        self.progress = progress or BatchProgress()
        self.journal = Journal(options.journal, exclusive=True)
        try:
            # the id is journaled only once DEST is known to hold no other batch
            known = self.journal.meta("batch_id")
            if known is not None:  # another --batch-id than the journal's: its own message first
                self.journal.batch_id(options.batch_id)
            proposed = known or options.batch_id or uuid.uuid4().hex
            self.dest: Destination = open_destination(
                options.out, staging=staging_dir(options.journal, proposed),
                storage_options=dict(options.storage_options or {}),
            )  # fmt: skip
            _check_dest_batch(self.dest, proposed, options)
            self.batch_id = self.journal.batch_id(proposed)
        except BaseException:
            self.journal.close()
            raise
        self._stop = False
        self._stop_reason = "the run was stopped"
        self.balance_refused = 0
        """Rows refused this run because the account's balance was too low (402)."""
        self._client = client
        self._ledger: CostLedger | None = None
        self.results: dict[str, BatchResult] = {}
        self.order: list[str] | None = None
        """Every row id of the batch's JOBS file in order (this run may be a slice): the manifest's order."""
        self.resume = ResumeReport()

    def stop_creating(self, reason: str | None = None) -> None:
        """No new jobs from now on; jobs already created are still followed to the end. ``reason``
        is what a row that was not started says (default: the run was stopped)."""
        self._stop = True
        if reason is not None:
            self._stop_reason = reason

    # -- the run ------------------------------------------------------------------------------
    async def run(self) -> BatchSummary:
        started = time.monotonic()
        opts = self.options
        self.journal.set_meta(out=opts.out)
        latest = self.journal.latest()
        known_ids = {row_id for row_id, _ in latest}
        spent_before = self.journal.spent_micros
        states: list[_Row] = []
        plans: collections.Counter[str] = collections.Counter()
        changed: list[str] = []
        saved = self.dest.sizes()  # one listing, not a request per row
        for row in self.rows:
            attempt = latest.get((row.id, row.args_hash))
            if attempt is None and row.id in known_ids:
                changed.append(row.id)
            plan = _plan(attempt, saved)
            if plan == "download" and attempt is not None and _kept_by_a_cut_restore(attempt, saved):
                # a kill came between journaling a restore and making it: the file is still kept aside
                assert attempt.video_id is not None
                self.journal.update(attempt.key, file=self.dest.location(kept_name(row.id, attempt.video_id)))
                attempt = self.journal.get(attempt.key)
                plan = "restore"
            plans[plan] += 1
            states.append(_Row(row, attempt, plan))
        earlier = _earlier_open(self.journal.attempts(), {row.id: row.args_hash for row in self.rows}, self.batch_id)
        self.resume = ResumeReport(
            polled=plans["poll"], resent=plans["resend"], downloads=plans["download"],
            done=plans["done"] + plans["failed"] + plans["restore"], changed=len(changed), new=plans["create"],
            changed_ids=tuple(changed), changed_running=tuple(sorted({s.row.id for s in earlier})),
        )  # fmt: skip
        budget = opts.budget_micros
        client = self._client
        if budget is not None:
            # The budget covers the whole batch, every run: what earlier runs spent comes off it, and
            # so does what every open job this run does not follow (another --rows slice's) may cost
            followed = {s.attempt.key for s in (*states, *earlier) if s.attempt is not None}
            elsewhere = sum(
                a.estimate_micros or 0
                for a in self.journal.attempts()
                if a.state in OPEN_STATES and a.key not in followed
            )
            self._ledger = CostLedger(
                micros_to_decimal(max(budget - spent_before - elsewhere, 0)), currency=client.ledger.currency,
                parent=client.ledger,
            )  # fmt: skip
            client = client.with_options(ledger=self._ledger)
        self._client = client
        progress = self.progress
        progress.rows = len(states)
        progress.budget_micros = budget
        progress.spent_micros = spent_before
        progress.counts["queued"] = len(states)
        progress.to_settle = len(states) - self.resume.done
        if changed:  # said before anything is paid, every time
            self._event(self.resume.describe_changed())
        if self.resume.resumed or changed:
            self._event(self.resume.describe())
            if self.on_resume is not None:
                self.on_resume(self.resume)
        # no download is running yet in this batch's DEST: what is there half-written was left by a kill
        self.dest.remove_partials({f"{state.row.id}.mp4" for state in states})
        order = {"poll": 0, "resend": 1, "download": 2, "restore": 2, "create": 3, "done": 4, "failed": 4}
        queue = collections.deque(sorted((*earlier, *states), key=lambda s: order[s.plan]))
        for state in (*earlier, *states):  # restored reservations: jobs that exist and may still cost money
            if state.attempt is not None and state.attempt.state == "running" and self._ledger is not None:
                state.hold = self._restore_hold(state.attempt)
            elif state.attempt is not None and state.attempt.state == "sending" and self._ledger is not None:
                held = state.attempt.estimate_micros or 0
                state.hold = self._hold(held, self._ledger.currency, state.row.id, resend=True)

        async def worker() -> None:
            while queue:
                await self._run_row(queue.popleft())

        workers = [asyncio.ensure_future(worker()) for _ in range(min(opts.concurrency, max(len(queue), 1)))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            for state in (*earlier, *states):
                if state.hold is not None:
                    state.hold.release()
            manifest_error = None
            try:
                self.write_manifest()
            except OSError as error:  # the files and the journal are fine: the next run writes it
                manifest_error = f"the manifest could not be written to {self.dest.display}: {error}"
                self._event(manifest_error)
            if isinstance(self.dest, RemoteDestination):
                with contextlib.suppress(OSError):  # only once empty: a staged file left is kept
                    self.dest.staging.rmdir()
        counts: dict[RowOutcome, int] = {"downloaded": 0, "failed": 0, "refused": 0, "unfinished": 0}
        for result in self.results.values():
            counts[result.outcome] += 1
        spent, reserved = self._money()
        return BatchSummary(
            rows=len(states), counts=counts, spent_micros=spent, reserved_micros=reserved,
            currency=self._client.ledger.currency, budget_micros=budget,
            manifest=self.dest.display.rstrip("/") + "/" + MANIFEST_NAME, journal=str(opts.journal),
            batch_id=self.batch_id, resume=self.resume, elapsed_seconds=time.monotonic() - started,
            stopped=self._stop, unknown_costs=self.journal.unknown_costs, balance_refused=self.balance_refused,
            manifest_error=manifest_error,
        )  # fmt: skip

    def _restore_hold(self, attempt: Attempt) -> Reservation | None:
        assert self._ledger is not None
        micros = attempt.estimate_micros or 0
        try:
            return self._ledger.reserve(micros, what=f"Row {attempt.row_id}'s running job")
        except BudgetError:
            # Already running: its cost will come whatever we do. Fail closed: start nothing new.
            self._stop = True
            self._event(f"{attempt.row_id}: running jobs already use the budget; no new job will be created")
            return None

    async def _estimate(self, row: BatchRow) -> tuple[int, str]:
        """The row's price (a free dry run) as the budget reads it: UnusableEstimateError if it cannot."""
        return usable_estimate(await self._client.videos.estimate(**row.args))

    def _hold(self, micros: int, currency: str, row_id: str, *, resend: bool) -> Reservation:
        """Reserve a create's estimate; a re-send's is held whatever the budget says (its job may exist)."""
        assert self._ledger is not None
        if resend:
            return self._ledger._force_reserve(micros, currency)  # pyright: ignore[reportPrivateUsage]
        return self._ledger.reserve(micros, currency=currency, what=f"Row {row_id}'s video job")

    def _may_create(self) -> bool:
        """False once the run is stopped, or (fail closed) when a paid job's cost is unknown under a budget."""
        if not self._stop and self.options.budget_micros is not None and self.journal.unknown_costs:
            self._stop = True
            self._event(
                f"{self.journal.unknown_costs} paid job(s) have no known cost or estimate: the budget cannot be "
                "checked, so no new job will be created"
            )
        return not self._stop

    def _money(self) -> tuple[int, int]:
        return self.journal.spent_micros, self.journal.reserved_micros

    def _event(self, text: str) -> None:
        self.progress.events.append(text)

    def _set(self, state: _Row, new: str) -> None:
        if not state.earlier:
            self.progress.move(state.state, new)
        state.state = new
        self.progress.spent_micros, self.progress.reserved_micros = self._money()

    def _settle(self, state: _Row, outcome: RowOutcome, attempt: Attempt | None, *, error: str | None = None) -> None:
        if state.hold is not None:
            state.hold.release()
            state.hold = None
        if state.earlier:  # not one of the run's rows: said, never counted as the row's outcome
            state.state = outcome
            video = (attempt.video_id if attempt is not None else None) or "(create re-sent)"
            self._event(f"{state.row.id}: the earlier job {video}: {outcome}" + (f" ({error})" if error else ""))
            return
        result = _result(state.row.id, outcome, attempt, error)
        self.results[state.row.id] = result
        self._set(state, outcome)
        self.progress.settled += 1
        spent, reserved = self._money()
        self.progress.spent_micros, self.progress.reserved_micros = spent, reserved
        detail = f" ({result.error_code}: {result.error_message})" if result.error_code else ""
        self._event(f"{state.row.id}: {outcome}{detail}")
        if self.on_result is not None:
            self.on_result(result)

    async def _run_row(self, state: _Row) -> None:
        attempt = state.attempt
        plan = state.plan  # the first step was planned with the file's size checked
        while True:
            if plan == "done" and isinstance(self.dest, LocalDestination):
                assert attempt is not None
                still = await self._still_saved(state, attempt)
                if still is None:
                    return
                if not still:
                    attempt = self.journal.get(attempt.key)
                    plan = "download"
                    continue
            if plan == "done":
                self.progress.move(state.state, "downloaded")
                state.state = "downloaded"
                result = _result(state.row.id, "downloaded", attempt, None)
                self.results[state.row.id] = result
                if self.on_result is not None:
                    self.on_result(result)
                return
            if plan == "restore":
                assert attempt is not None
                attempt = await self._restore(state, attempt)
                if attempt is None:
                    return
                plan = "done"
                continue
            if plan == "failed":
                assert attempt is not None
                retry = attempt.error_code != MEDIA_EXPIRED or self.options.retry_expired  # it was paid once
                if (
                    attempt.state == "failed" and retry and attempt.attempt < self.options.retry_failed
                    and self._may_create()
                ):  # fmt: skip
                    self._event(f"{state.row.id}: failed ({attempt.error_code}), retrying as a new job")
                    attempt = await self._create(state, attempt.attempt + 1)
                    if attempt is None:
                        return
                    plan = _plan(attempt)
                    continue
                self._settle(state, "failed", attempt)
                return
            if plan in ("create", "resend"):
                if plan == "create" and not self._may_create():
                    self._settle(state, "unfinished", attempt, error=f"not started: {self._stop_reason}")
                    return
                number = attempt.attempt if attempt is not None else 0
                attempt = await self._create(state, number)
                if attempt is None:
                    return
                plan = _plan(attempt)
                continue
            if plan == "poll":
                assert attempt is not None
                attempt = await self._poll(state, attempt)
                if attempt is None:
                    return
                plan = _plan(attempt)
                continue
            assert attempt is not None and plan == "download"
            attempt = await self._download(state, attempt)
            if attempt is None:
                return
            plan = _plan(attempt)

    async def _create(self, state: _Row, number: int) -> Attempt | None:
        """Journal, then send the create (or re-send it: same key, a replay). None: settled.

        Under a budget the row is priced first (a free dry run) and the estimate journaled with
        the intent, so a kill before the answer leaves it reserved. A re-send (the journal says
        ``sending``: the job may exist) is a replay, never a new spend: its estimate is held
        whatever the budget says, never refused."""
        row = state.row
        key = derive_key(self.batch_id, row.id, row.args, number)
        journal = self.journal
        known = journal.get(key)
        resend = known is not None and known.state == "sending"
        estimate = known.estimate_micros if known is not None else None
        client = self._client
        if self._ledger is not None:
            currency = self._ledger.currency
            if estimate is None or not resend:
                try:
                    estimate, currency = await self._estimate(row)
                except BudgetError as error:  # an unusable estimate: nothing was sent
                    if not resend:
                        journal.begin(key=key, row_id=row.id, args_hash=row.args_hash,
                                      args=canonical_json(row.args), attempt=number)  # fmt: skip
                        journal.update(key, state="refused", error_code="budget_exceeded", error_message=str(error))
                        self._settle(state, "refused", journal.get(key))
                        return None
                    estimate = None
                except Exception as error:  # nothing was sent: the row is as it was
                    self._settle(state, "unfinished", known, error=f"could not price the row (nothing sent): {error}")
                    return None
            if state.hold is not None:
                state.hold.release()
                state.hold = None
            try:
                state.hold = self._hold(estimate or 0, currency, row.id, resend=resend)
            except BudgetError as error:  # nothing was sent
                journal.begin(key=key, row_id=row.id, args_hash=row.args_hash, args=canonical_json(row.args),
                              attempt=number, estimate_micros=estimate)  # fmt: skip
                journal.update(key, state="refused", error_code="budget_exceeded", error_message=str(error))
                self._settle(state, "refused", journal.get(key))
                return None
            # priced and held here: the create itself must not estimate or reserve a second time
            client = client.with_options(ledger=CostLedger(currency=self._ledger.currency))
        journal.begin(
            key=key, row_id=row.id, args_hash=row.args_hash, args=canonical_json(row.args), attempt=number,
            estimate_micros=estimate,
        )  # fmt: skip
        if (known := journal.get(key)) is not None and known.state == "refused":
            journal.update(key, state="sending", error_code=None, error_message=None, estimate_micros=estimate)
        elif known is not None and known.estimate_micros is None and estimate is not None:
            journal.update(key, estimate_micros=estimate)
        state.attempt = journal.get(key)
        self._set(state, "creating")
        try:
            video = await client.videos.create(**row.args, idempotency_key=key)
        except BudgetError as error:  # nothing was sent
            journal.update(key, state="refused", error_code="budget_exceeded", error_message=str(error))
            self._settle(state, "refused", journal.get(key))
            return None
        except InsufficientBalanceError as error:  # a definite 402: nothing was created, nothing paid
            journal.update(key, state="refused", error_code=BALANCE_REFUSED, error_message=str(error))
            self.balance_refused += 1
            if not self._stop:  # every later create would be refused the same way
                self.stop_creating("the account's balance ran out: top up, then resume")
                self._event("the account's balance is too low (402): no new job will be created; top up, then resume")
            self._settle(state, "refused", journal.get(key))
            return None
        except Exception as error:
            from .._create_outcome import may_have_started

            if may_have_started(error):  # the job may exist: the journal keeps "sending" (and its estimate)
                self._settle(state, "unfinished", journal.get(key), error=f"create outcome unknown: {error}")
                return None
            code = str(getattr(error, "code", None) or type(error).__name__)
            journal.update(key, state="refused", status="refused", error_code=code, error_message=str(error))
            self._settle(state, "failed", journal.get(key))
            return None
        if self._ledger is not None and video.status == "completed":
            self._ledger.record_video(video)  # a replay of a finished job: its cost counts in this run
        if video.status == "completed":
            state.video = video  # a replay of a job that finished meanwhile
        estimate = to_micros(video.metadata.cost_estimate)
        journal.update(key, state="running", video_id=video.id, status=video.status, estimate_micros=estimate)
        self._set(state, "running")
        self._event(f"{row.id}: created {video.id}")
        return self._after_video(key, video)

    def _after_video(self, key: str, video: Video) -> Attempt | None:
        """Record a job's state; a finished one becomes ``completed``/``failed`` in the journal."""
        meta = video.metadata
        if video.status == "completed":
            self.journal.update(
                key, state="completed", status=video.status, cost_micros=to_micros(meta.cost),
                currency=meta.cost_currency, provider=meta.provider_name or meta.provider,
                executed_model=meta.executed_model,
            )  # fmt: skip
        elif video.is_finished:
            error = video.error
            self.journal.update(
                key, state="failed", status=video.status, error_code=error.code if error else "failed",
                error_message=error.message if error else None, cost_micros=to_micros(meta.cost),
            )  # fmt: skip
        return self.journal.get(key)

    async def _poll(self, state: _Row, attempt: Attempt) -> Attempt | None:
        assert attempt.video_id is not None
        self._set(state, "running")
        try:
            video = await self._client.videos.poll(attempt.video_id, timeout=self.options.timeout)
        except WaitTimeoutError as error:
            self._settle(state, "unfinished", attempt, error=f"still running after --timeout: {error}")
            return None
        except Exception as error:  # the job exists and keeps running: resume polls it again
            self._settle(state, "unfinished", attempt, error=f"could not follow the job: {error}")
            return None
        if state.hold is not None:
            state.hold.release()  # the client's ledger recorded the real cost while polling
            state.hold = None
        updated = self._after_video(attempt.key, video)
        if updated is not None and updated.state == "completed":
            self._set(state, "completed")
            self._event(f"{state.row.id}: completed {video.id}")
            state.video = video
        return updated

    async def _keep_earlier(self, state: _Row, attempt: Attempt) -> None:
        """Before ``<row id>.mp4`` is replaced: an earlier paid video there (an edited row's) is
        renamed ``<row id>~<its video id>.mp4``, journaled first, never overwritten.

        Whose file it is comes from its sha256 (one read of the file): a file that matches no
        journaled video of the row is this attempt's own download whose step the journal missed (a
        kill between the rename and the journal), replaced by the same video."""
        name = f"{state.row.id}.mp4"
        others = [
            known for known in self.journal.of_row(state.row.id)
            if known.key != attempt.key and known.state == "downloaded"
        ]  # fmt: skip
        digest = await asyncio.to_thread(self.dest.sha256_of, name)
        if digest is None:
            return
        if not others and attempt.state != "downloaded":
            # no earlier video of this row in this journal: a file there is somebody's (a user's own,
            # another batch's, or this job's own download a kill cut before its journal step):
            # never overwritten, kept aside
            kept = await asyncio.to_thread(self.dest.free_name, kept_name(state.row.id, f"existing-{digest[:12]}"))
            await asyncio.to_thread(self.dest.move, name, kept)
            self._event(
                f"{state.row.id}: {name} was already in {self.dest.display}, not from this batch: kept as {kept}"
            )
            return
        owners = [known for known in others if known.sha256 == digest]
        if not owners:
            if attempt.state == "downloaded" and digest != attempt.sha256:  # changed since it was downloaded
                kept = await asyncio.to_thread(self.dest.free_name, kept_name(state.row.id, f"changed-{digest[:12]}"))
                await asyncio.to_thread(self.dest.move, name, kept)
                self._event(
                    f"{state.row.id}: {name} no longer matches the sha256 journaled at its download (kept as "
                    f"{kept}): downloading video {attempt.video_id} again"
                )
            return
        # equal bytes (a video made twice): the one the journal places here; else a kill came between
        # journaling the move and making it
        owner = next((known for known in owners if file_name(known.file or "") == name), owners[-1])
        kept = await asyncio.to_thread(self.dest.free_name, kept_name(state.row.id, owner.video_id or owner.key[-12:]))
        self.journal.update(owner.key, file=self.dest.location(kept))  # first: a kill leaves it findable
        await asyncio.to_thread(self.dest.move, name, kept)
        self._event(f"{state.row.id}: the earlier video {owner.video_id} is kept as {kept}")

    async def _still_saved(self, state: _Row, attempt: Attempt) -> bool | None:
        """A local file marked downloaded still holds the journaled bytes (one read: its sha256).
        If not, it is kept aside (whatever it holds now is somebody's; moved before the journal
        changes, so a kill cannot lose it) and the row is downloaded again. None: settled."""
        name = f"{state.row.id}.mp4"
        where = "gone"
        try:
            digest = await asyncio.to_thread(self.dest.sha256_of, name)
            if digest == attempt.sha256:
                return True
            if digest is not None:
                where = "kept as " + self.dest.free_name(kept_name(state.row.id, f"changed-{digest[:12]}"))
                await asyncio.to_thread(self.dest.move, name, where.removeprefix("kept as "))
        except OSError as error:  # cannot be checked: not reported downloaded
            self._settle(state, "unfinished", attempt, error=f"could not check {name}: {error}")
            return None
        self.journal.update(attempt.key, state="completed", file=None, bytes=None, sha256=None)
        self._event(
            f"{state.row.id}: {name} no longer matches the sha256 journaled at its download ({where}): "
            f"downloading video {attempt.video_id} again"
        )
        return False

    async def _restore(self, state: _Row, attempt: Attempt) -> Attempt | None:
        """The row is back to arguments whose video was kept aside: that file becomes the row's again."""
        name = f"{state.row.id}.mp4"
        try:
            await self._keep_earlier(state, attempt)
            self.journal.update(attempt.key, file=self.dest.location(name))
            await asyncio.to_thread(self.dest.move, file_name(attempt.file or ""), name)
        except Exception as error:
            self._settle(state, "unfinished", attempt, error=f"could not put the kept file back: {error}")
            return None
        self._event(f"{state.row.id}: back to earlier arguments: their video {attempt.video_id} is {name} again")
        return self.journal.get(attempt.key)

    async def _download(self, state: _Row, attempt: Attempt) -> Attempt | None:
        assert attempt.video_id is not None
        video_id = attempt.video_id
        name = f"{state.row.id}.mp4"
        try:
            if state.earlier:  # its kept name, never another video's file
                name = await asyncio.to_thread(self.dest.free_name, kept_name(state.row.id, attempt.video_id))
            if not state.earlier:
                await self._keep_earlier(state, attempt)
            target: Video | str = state.video if state.video is not None else attempt.video_id
            if attempt.cost_micros is None:  # its cost was never journaled: read it (and a fresh URL) now
                target = await self._client.videos.retrieve(attempt.video_id)
                attempt = self._after_video(attempt.key, target) or attempt
            local = await self._client.videos.download(target, self.dest.download_target(name))
            stored = await asyncio.to_thread(self.dest.finish, name, local)
        except Exception as error:  # the video is completed and paid: resume downloads it again
            if _media_gone(error) and await self._expired(video_id):  # no resume can save it
                cost = attempt.cost_micros if attempt.cost_micros is not None else attempt.estimate_micros
                self.journal.update(
                    attempt.key,
                    state="failed",
                    error_code=MEDIA_EXPIRED,
                    error_message=str(error),
                    cost_micros=cost,
                    file=None,
                    bytes=None,
                    sha256=None,
                )  # the money stays counted: the job was paid, its video is gone (no file to name)
                self._settle(state, "failed", self.journal.get(attempt.key))
                return None
            if attempt.state == "downloaded":  # its file is not as journaled (why it is downloaded again)
                self.journal.update(attempt.key, state="completed", file=None, bytes=None, sha256=None)
                attempt = self.journal.get(attempt.key) or attempt
            obstacle = _obstacle(self.dest, name, error)
            if obstacle is not None:
                self._settle(state, "unfinished", attempt, error=obstacle)
                return None
            detail = str(error)
            if _media_gone(error):
                detail += (
                    " The video is paid and its media not past its expiry: a refusal (401/404) may pass, so resume "
                    "tries the download again (free)."
                )
            self._settle(state, "unfinished", attempt, error=f"download failed: {detail}")
            return None
        self.journal.update(
            attempt.key, state="downloaded", file=stored.location, bytes=stored.bytes, sha256=stored.sha256
        )
        done = self.journal.get(attempt.key)
        self._settle(state, "downloaded", done)
        return None

    async def _expired(self, video_id: str) -> bool:
        """The server's own retrieve says the video's media is past its expiry: gone for good. Not
        known (no expiry, the retrieve failed): False, the download is tried again later (free)."""
        try:
            video = await self._client.videos.retrieve(video_id)
        except Exception:
            return False
        expires = video.expires_at
        return isinstance(expires, (int, float)) and expires <= time.time()

    # -- manifest -----------------------------------------------------------------------------
    def write_manifest(self) -> str:
        """``manifest.jsonl`` (and ``manifest.csv`` if asked) for the rows of this run, atomically."""
        latest = self.journal.latest()
        journaled = self.journal.attempts()
        # every row of the batch the journal knows (earlier --rows slices too), not only this run's
        pairs = [(row, latest.get((row.id, row.args_hash))) for row in self.rows]
        ids = {row.id for row in self.rows}
        for mapping, attempt in journal_rows(journaled):
            if attempt.row_id not in ids:
                args = {name: value for name, value in mapping.items() if name != "id"}
                pairs.append((BatchRow(id=attempt.row_id, args=args, line=0), attempt))
        place = {row_id: number for number, row_id in enumerate(self.order or [])}
        pairs.sort(key=lambda pair: place.get(pair[0].id, len(place)))  # stable: the rest keep journal order
        rows = [row for row, _ in pairs]
        attempts = [attempt for _, attempt in pairs]
        earlier = superseded(journaled, {row.id: row.args_hash for row in self.rows})
        lines = build_manifest(
            rows, attempts, self.results, batch_id=self.batch_id, all_spent=self._money()[0], superseded=earlier
        )
        location = self.dest.write_text(MANIFEST_NAME, lines)
        if self.options.manifest_csv:
            self.dest.write_text("manifest.csv", build_manifest_csv(rows, attempts, self.results, earlier))
        return location


def _kept_by_a_cut_restore(attempt: Attempt, saved: Mapping[str, int]) -> bool:
    """The journal places a downloaded video at ``<row id>.mp4``, which is not there, while its
    kept name holds a file of its size: a restore cut between its journal step and its move."""
    return (
        attempt.state == "downloaded" and attempt.video_id is not None
        and file_name(attempt.file or "") == f"{attempt.row_id}.mp4"
        and saved.get(f"{attempt.row_id}.mp4") is None
        and saved.get(kept_name(attempt.row_id, attempt.video_id)) == attempt.bytes
    )  # fmt: skip


def _obstacle(dest: Destination, name: str, error: BaseException) -> str | None:
    """What in DEST stops a row's file from being checked or written, said so the user can act."""
    if not isinstance(dest, LocalDestination):
        return None
    path = dest.root / name
    if path.is_dir() and not path.is_symlink():
        return f"{name} is a directory: move it away, then resume"
    if isinstance(error, PermissionError):
        return f"{name} cannot be read or replaced ({error}): fix its permissions or move it away, then resume"
    return None


def _check_dest_batch(dest: Destination, batch_id: str, options: BatchOptions) -> None:
    """DEST holds one batch: a run of another (another journal, a new id) would pay for every row
    again and replace its files. Refused before anything is sent (JournalError)."""
    recorded = dest.recorded_batch_id(MANIFEST_NAME)
    if recorded is None or recorded == batch_id:
        return
    default = None if isinstance(dest, RemoteDestination) else Path(options.out.removeprefix("file://")) / JOURNAL_NAME
    theirs = f" (is it {default}?)" if default is not None and default.is_file() and default != options.journal else ""
    raise JournalError(
        f"{dest.display} holds batch {recorded!r} (its {MANIFEST_NAME}), but the journal {options.journal} is for "
        f"batch {batch_id!r}: running would pay for its rows again and replace its files. Nothing was sent. To "
        f"continue that batch, pass its journal with --journal PATH{theirs} (Python: journal=), or start a new "
        f"journal for it with --batch-id {recorded} (Python: batch_id=; its keys replay the jobs rather than pay "
        "again); for another batch use another --out."
    )


def _earlier_open(attempts: Sequence[Attempt], current: Mapping[str, str], batch_id: str) -> list[_Row]:
    """The jobs of argument sets an edit replaced that are still open (sending, running, or
    completed and not downloaded): paid or maybe paid, so followed to the end like the rows'.
    Rows this run does not have (another --rows slice) are left to the runs that have them."""
    found: list[_Row] = []
    for attempt in superseded(attempts, current):
        if attempt.row_id not in current or attempt.state not in ("sending", "running", "completed"):
            continue
        row = BatchRow(id=attempt.row_id, args=json.loads(attempt.args), line=0)
        if attempt.state == "sending" and derive_key(batch_id, row.id, row.args, attempt.attempt) != attempt.key:
            continue  # cannot be re-sent with its own key: left reserved in the journal
        found.append(_Row(row, attempt, _plan(attempt), earlier=True))
    return found


def _result(row_id: str, outcome: RowOutcome, attempt: Attempt | None, error: str | None) -> BatchResult:
    if attempt is None:
        return BatchResult(row_id=row_id, outcome=outcome, error_code=None, error_message=error, attempts=0)
    return BatchResult(
        row_id=row_id, outcome=outcome, video_id=attempt.video_id, status=attempt.status,
        error_code=attempt.error_code if error is None else (attempt.error_code or "unfinished"),
        error_message=error or attempt.error_message, cost_micros=attempt.cost_micros, currency=attempt.currency,
        provider=attempt.provider, executed_model=attempt.executed_model, file=attempt.file, bytes=attempt.bytes,
        sha256=attempt.sha256, attempts=attempt.attempt + 1, idempotency_key=attempt.key,
    )  # fmt: skip


def options_meta(options: BatchOptions, jobs: str | None, model: str | None) -> dict[str, str]:
    """What ``batch resume`` needs to run the same command again."""
    return {
        "jobs": "" if jobs is None else os.path.abspath(jobs),
        "model": model or "",
        "options": json.dumps(
            {
                "concurrency": options.concurrency,
                "budget_micros": options.budget_micros,
                "retry_failed": options.retry_failed,
                "job_timeout": options.timeout,
                "manifest_csv": options.manifest_csv,
                "out": options.out,
            }
        ),
    }

"""What a batch reports: one :class:`BatchResult` per row as it settles, a :class:`BatchSummary`
at the end, and the :class:`BatchProgress` a live view reads while it runs."""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["BatchProgress", "BatchResult", "BatchSummary", "ResumeReport", "RowOutcome", "exit_code_for"]

RowOutcome = Literal["downloaded", "failed", "refused", "unfinished"]
"""How a row ended this run: ``downloaded`` (file in place), ``failed`` (the job failed, or its
create was refused with an error, after any retries), ``refused`` (not created: it did not fit
the budget, or the account's balance was too low; a later run with more budget or balance creates
it), ``unfinished`` (still running, timed out, never started because the run stopped, or its
create's outcome is unknown: resume finishes it)."""

EXIT_OK = 0
EXIT_FAILED = 3
EXIT_UNFINISHED = 4


@dataclass(frozen=True)
class BatchResult:
    """One row's outcome in this run."""

    row_id: str
    outcome: RowOutcome
    video_id: str | None = None
    status: str | None = None
    """The job's last known status (``completed``, ``failed``, ``in_progress``, ...)."""
    error_code: str | None = None
    error_message: str | None = None
    cost_micros: int | None = None
    currency: str | None = None
    provider: str | None = None
    executed_model: str | None = None
    file: str | None = None
    """Where the video is: a local path or the fsspec URL."""
    bytes: int | None = None
    sha256: str | None = None
    attempts: int = 1
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ResumeReport:
    """What a run found in the journal before it started."""

    polled: int = 0
    """Rows whose job existed (a video id): polled, never created again."""
    resent: int = 0
    """Rows whose create may have been sent: sent again with the same key (a replay)."""
    downloads: int = 0
    """Rows completed but not saved: downloaded now (with a fresh URL if the old one expired)."""
    done: int = 0
    """Rows already downloaded or finally failed. A downloaded row's file is checked: its size,
    and in a local DEST its sha256 (one read of the file; a URL DEST is checked by size only). A
    file that differs is kept aside (``<row id>~changed-<sha256 prefix>.mp4``) and downloaded again."""
    changed: int = 0
    """Rows whose arguments changed since the journal saw them: new rows with new keys."""
    new: int = 0
    changed_ids: tuple[str, ...] = ()
    """The ids of the changed rows."""
    changed_running: tuple[str, ...] = ()
    """Rows whose earlier arguments' job is still open: followed to the end in this run too."""

    @property
    def resumed(self) -> bool:
        return bool(self.polled or self.resent or self.downloads or self.done)

    def describe(self) -> str:
        parts = [
            f"{self.done} already done (local files re-read to check their sha256)",
            f"{self.polled} running job(s) polled",
            f"{self.resent} create(s) re-sent with their idempotency key (a replay, never a second job)",
            f"{self.downloads} finished video(s) to download",
            f"{self.new} new row(s)",
        ]
        return "Resuming from the journal: " + ", ".join(parts) + "."

    def describe_changed(self) -> str:
        """Said before anything is paid when rows were edited (empty when none was)."""
        if not self.changed:
            return ""
        ids = ", ".join(self.changed_ids[:5]) + (", ..." if len(self.changed_ids) > 5 else "")
        return (
            f"{self.changed} row(s) changed since the last run ({ids}): each is a new paid job (earlier files "
            "kept as <row id>~<video id>.mp4, listed in the manifest as superseded)."
        ) + (
            f" The earlier job(s) of {', '.join(self.changed_running[:5])} are still running or not yet saved: "
            "they are followed to the end (their cost counts against the budget), their videos kept the same way."
            if self.changed_running
            else ""
        )


def exit_code_for(counts: dict[RowOutcome, int]) -> int:
    """0 all done; 4 some rows unfinished or refused by the budget (resume finishes them); else 3
    if some failed."""
    if counts.get("unfinished", 0) or counts.get("refused", 0):
        return EXIT_UNFINISHED
    if counts.get("failed", 0):
        return EXIT_FAILED
    return EXIT_OK


@dataclass(frozen=True)
class BatchSummary:
    """The end of a run: counts, money (integer micros), where the manifest is, the exit code."""

    rows: int
    counts: dict[RowOutcome, int]
    spent_micros: int
    """Every cost recorded in the journal for this batch, all runs together."""
    reserved_micros: int
    """Estimates of jobs that may still cost money (unfinished, or create outcome unknown)."""
    currency: str
    budget_micros: int | None
    manifest: str
    journal: str
    batch_id: str
    resume: ResumeReport
    elapsed_seconds: float
    stopped: bool = False
    """True when the run was stopped before every row was tried."""
    unknown_costs: int = 0
    """Paid jobs whose cost and estimate are both unknown: with a budget, no new job was created."""
    balance_refused: int = 0
    """Rows refused because the account's balance was too low (a 402: nothing created or paid); no
    new job was created after the first. Top up, then resume."""

    manifest_error: str | None = None
    """Why the manifest could not be written at the end (the rows' files and journal are fine):
    the run counts as unfinished (exit 4); the next run writes it."""

    @property
    def exit_code(self) -> int:
        code = exit_code_for(self.counts)
        return EXIT_UNFINISHED if code == EXIT_OK and self.manifest_error else code

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


STATES = ("queued", "creating", "running", "completed", "downloaded", "failed", "refused", "unfinished")


@dataclass
class BatchProgress:
    """Live counts for a view (read from another thread: values only, no invariants across them)."""

    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    spent_micros: int = 0
    reserved_micros: int = 0
    currency: str = "USD"
    budget_micros: int | None = None
    started: float = field(default_factory=time.monotonic)
    settled: int = 0
    """Rows settled this run (any outcome), for throughput and ETA."""
    to_settle: int = 0
    events: collections.deque[str] = field(default_factory=lambda: collections.deque[str](maxlen=6))

    def move(self, old: str | None, new: str) -> None:
        if old is not None:
            self.counts[old] -= 1
        self.counts[new] += 1

    def throughput(self) -> float:
        """Rows settled per minute this run."""
        elapsed = time.monotonic() - self.started
        return 0.0 if elapsed <= 0 else self.settled * 60.0 / elapsed

    def eta_seconds(self) -> float | None:
        left = self.to_settle - self.settled
        elapsed = time.monotonic() - self.started
        if self.settled == 0 or left <= 0:
            return None
        return elapsed / self.settled * left

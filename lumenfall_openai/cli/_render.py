"""What the ``video`` commands show: a live view on stderr, a summary or one JSON object on stdout.

Progress goes to stderr and results to stdout, so ``lumenfall-openai video create ... > out``
keeps a clean result while the terminal still shows the live view. ``--json`` prints exactly one
JSON object on stdout whatever happens (success, failed job, timeout, error, interrupt), so a
script can always parse it, and no live view at all.

Rich is the ``[cli]`` extra; this module is imported only when a ``video`` command runs.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console, Group
from rich.filesize import decimal as human_bytes
from rich.live import Live
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Column, Table
from rich.text import Text

from .._download_plan import DownloadProgress
from .._money import format_money, to_micros
from .._numbers import finite_number
from .._polling import PollProgress
from ..types.video import Video

__all__ = ["JobView", "Output", "format_cost", "format_number", "local_time", "shown"]

STATUS_STYLES = {"queued": "yellow", "in_progress": "cyan", "completed": "green", "failed": "red"}


def format_cost(amount: float | None, currency: str | None) -> str:
    """``0.42, "USD"`` -> ``"$0.42"``; None -> ``"-"``."""
    micros = to_micros(amount)
    return "-" if micros is None else format_money(micros, currency)


def shown(value: object) -> str:
    """A server-sent value as plain text: a string as it is, a number printed, anything else
    (a list where a name belongs, an int too long to print) as ``?``. Never raises."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "?"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**30 else "?"
    if isinstance(value, float):
        return f"{value:g}"
    return "?"


def format_number(value: object) -> str:
    """``value`` with ``:g`` when it is a finite number, else ``?``."""
    number = finite_number(value)
    return "?" if number is None else f"{number:g}"


def local_time(stamp: object) -> str | None:
    """Unix seconds as local time, or None when the server sent no usable time (text, NaN, a
    year past what the platform's time_t holds)."""
    seconds = finite_number(stamp)
    if seconds is None:
        return None
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(seconds))
    except (OverflowError, OSError, ValueError):
        return None


@dataclass
class Output:
    """Where and how a command reports. One per command run."""

    json_mode: bool = False
    show_progress: bool = True
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    json_emitted: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.out = Console(file=self.stdout, highlight=False, soft_wrap=True)
        self.err = Console(file=self.stderr, highlight=False, soft_wrap=True)

    @property
    def interactive(self) -> bool:
        """A person is at the keyboard: both stdin and stderr are terminals, and not --json."""
        return not self.json_mode and sys.stdin.isatty() and self.err.is_terminal

    def note(self, message: str, *, style: str | None = None) -> None:
        """A message for people, on stderr (also in --json mode: stdout stays parseable)."""
        self.err.print(message, style=style, markup=False, highlight=False)

    def ask(self, question: str) -> bool:
        """A yes/no question on the terminal; anything but y/yes (or Ctrl-C, or EOF) is no."""
        try:
            answer = self.err.input(question, markup=False)
        except (KeyboardInterrupt, EOFError):
            self.err.print()
            return False
        return answer.strip().lower() in ("y", "yes")

    def emit_json(self, payload: Mapping[str, Any]) -> None:
        """Print the run's JSON object; only the first call prints (one object per run, always)."""
        if self.json_emitted:
            return
        self.json_emitted = True
        self.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        self.stdout.flush()

    @contextmanager
    def job_view(self, video_id: str, model: str) -> Generator[JobView, None, None]:
        """The live view for waiting and downloading, or a silent stand-in (--json, --no-progress)."""
        view = JobView(self.err, video_id, model, live=self.show_progress and not self.json_mode)
        with view.running():
            yield view

    # -- summaries (human mode) ---------------------------------------------------------------
    def video_summary(
        self,
        video: Video,
        *,
        headline: str,
        elapsed: float | None = None,
        file: Path | None = None,
        extra_rows: Mapping[str, str] | None = None,
        estimate: str | None = None,
    ) -> None:
        ok = video.status == "completed"
        title = Text()
        title.append("✔ " if ok else ("✘ " if video.status == "failed" else "• "), style="green" if ok else "red")
        title.append(f"{video.id} ", style="bold")
        title.append(headline)
        if elapsed is not None:
            title.append(f" in {elapsed:.1f}s")
        self.out.print(title)
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim")
        table.add_column()
        rows = summary_rows(video, file=file)
        rows.update(extra_rows or {})
        if estimate and "effective cost" in rows:
            rows["effective cost"] += f" (estimated {estimate} while running)"
        for name, value in rows.items():
            table.add_row(f"  {name}", Text(value))  # server text, shown as sent (never as markup)
        self.out.print(table)


def summary_rows(video: Video, *, file: Path | None = None) -> dict[str, str]:
    """The facts a person wants after a job: file, size, cost, who ran it."""
    meta = video.metadata
    rows: dict[str, str] = {"status": shown(video.status), "model": shown(video.model)}
    if file is not None:
        rows["file"] = str(file)
        rows["size"] = f"{human_bytes(file.stat().st_size)} ({file.stat().st_size:,} bytes)"
    elif video.output is not None:
        output = video.output
        size: object = output.size_bytes
        size_text = human_bytes(size) if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else "?"
        rows["output"] = f"{shown(output.url)} ({size_text}, {shown(output.content_type)})"
        expires = local_time(video.expires_at) if video.expires_at else None
        if expires is not None:
            rows["expires"] = expires
    if meta.cost is not None:
        rows["effective cost"] = format_cost(meta.cost, meta.cost_currency)
    elif meta.cost_estimate is not None:
        rows["estimated cost"] = format_cost(meta.cost_estimate, meta.cost_currency)
    if meta.provider_name or meta.provider:
        rows["provider"] = shown(meta.provider_name or meta.provider) + (
            f" ({shown(meta.provider)})" if meta.provider and meta.provider_name else ""
        )
    if meta.executed_model:
        rows["executed model"] = shown(meta.executed_model)
    if video.error is not None:
        rows["error"] = f"{shown(video.error.code)}: {shown(video.error.message)}"
    return rows


class JobView:
    """One live view on stderr: a job line (spinner, status, elapsed, cost) and a download bar.

    Lumenfall reports no percentage for a running job, so the job line is indeterminate: what
    moves is the elapsed time (refreshed by rich's own thread between checks) and the status.
    """

    def __init__(self, console: Console, video_id: str, model: str, *, live: bool) -> None:
        self.console = console
        self.live_enabled = live
        self.job = Progress(
            SpinnerColumn(finished_text="[green]✔[/]"),
            # Server text (id, status, currency, model) is shown as sent: no markup, no :emoji: codes.
            TextColumn("{task.description}", style="bold", markup=False),
            _StatusColumn(table_column=Column(no_wrap=True, min_width=len("in_progress"))),
            TimeElapsedColumn(),
            TextColumn("{task.fields[cost]}", markup=False),
            TextColumn("{task.fields[detail]}", style="dim", markup=False),
            console=console,
        )
        self.transfer = Progress(
            TextColumn("  download"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.job_task: TaskID = self.job.add_task(
            shown(video_id), total=None, status="queued", cost="", detail=shown(model)
        )
        self.transfer_task: TaskID | None = None
        self._live: Live | None = None
        self.last_estimate: str | None = None
        """The running estimate last shown, to compare with the effective cost at the end."""

    @contextmanager
    def running(self) -> Generator[None, None, None]:
        if not self.live_enabled:
            yield
            return
        self._live = Live(Group(self.job, self.transfer), console=self.console, refresh_per_second=10)
        with self._live:
            yield
        self._live = None

    def stop(self) -> None:
        """Freeze the view (before a question on the terminal)."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def show(self, video: Video) -> None:
        """Show a Video that did not come from polling (the create answer, a status check)."""
        meta = video.metadata
        cost = meta.cost if meta.cost is not None else meta.cost_estimate
        self._update(video.status, cost, meta.cost is not None, meta.cost_currency, "")

    def on_poll(self, progress: PollProgress) -> None:
        meta = progress.video.metadata
        detail = f"check {progress.polls}"
        if progress.next_check_in is not None:
            detail += f", next in {progress.next_check_in:.1f}s"
        if progress.errors:
            detail += f", {progress.errors} retried"
        self._update(progress.status, progress.cost_estimate, meta.cost is not None, meta.cost_currency, detail)

    def _update(self, status: str, cost: float | None, final: bool, currency: str | None, detail: str) -> None:
        if cost is None:
            cost_text = ""
        elif final:
            cost_text = f"cost {format_cost(cost, currency)}"
        else:
            self.last_estimate = format_cost(cost, currency)
            cost_text = f"est. {self.last_estimate}"
        self.job.update(self.job_task, status=shown(status), cost=cost_text, detail=detail)
        if status in ("completed", "failed"):
            self.job.update(self.job_task, total=1, completed=1)  # stops the spinner and the clock

    def on_download(self, progress: DownloadProgress) -> None:
        if self.transfer_task is None:
            self.transfer_task = self.transfer.add_task("download", total=progress.bytes_total)
        self.transfer.update(self.transfer_task, completed=progress.bytes_done, total=progress.bytes_total)

    def download_callback(self) -> Callable[[DownloadProgress], None]:
        return self.on_download


class _StatusColumn(ProgressColumn):
    """The job's status in its colour; the text itself is never read as markup."""

    def render(self, task: Task) -> Text:
        status = shown(task.fields.get("status"))
        return Text(status, style=STATUS_STYLES.get(status, "magenta"))

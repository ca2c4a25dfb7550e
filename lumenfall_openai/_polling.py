"""When to look at a video job again, and when to stop: pure decisions, no clock, no I/O.

The sync and async ``poll`` loops feed a :class:`PollState` what they saw (a Video and its
response headers, or a transient error) and the current time, and do what it says: sleep this
long, return this Video, raise this error. Tests drive it with numbers alone.

The schedule. openai's own ``poll`` asks every second forever. A video takes seconds to many
minutes, so asking every second wastes requests on long jobs while a fixed long interval adds
delay to short ones. Here the interval is a fraction (10%) of the time already waited, between a
floor (fast start) and a cap: a job that finishes at time T is noticed within
``max(floor, 10% of T)``, with a logarithmic number of requests instead of a linear one. Jitter
only ever shortens an interval, so it never breaks that bound, and it spreads the polls of many
jobs started together. A server hint (``openai-poll-after-ms``, ``Retry-After``) wins over the
schedule, bounded by the cap and the deadline.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from .types.video import FINISHED_STATUSES, Video

__all__ = ["PollPolicy", "PollProgress", "PollState", "parse_server_hint"]


@dataclass(frozen=True)
class PollPolicy:
    """How ``poll`` paces itself. The defaults suit jobs from seconds to tens of minutes."""

    first_interval: float = 0.5
    """Seconds before the first re-check (jobs on fast models finish in a few seconds)."""
    min_interval: float = 1.0
    """Floor once the first few checks are done."""
    max_interval: float = 30.0
    """Cap: the longest a finished job can go unnoticed, for jobs longer than 300 s."""
    growth: float = 0.10
    """Interval as a fraction of the time already waited."""
    jitter: float = 0.15
    """Up to this fraction is taken off each interval at random (never added)."""
    max_consecutive_errors: int = 10
    """Transient errors in a row (5xx, 429, dropped connections) tolerated before giving up."""

    def interval(self, elapsed: float, *, rand: float) -> float:
        """Seconds to wait after a check at ``elapsed`` seconds. ``rand`` is uniform in [0, 1)."""
        if elapsed < self.min_interval:
            base = self.first_interval
        else:
            base = min(self.max_interval, max(self.min_interval, self.growth * elapsed))
        return base * (1.0 - self.jitter * rand)


def parse_server_hint(headers: Mapping[str, str], *, now_epoch: float | None = None) -> float | None:
    """The server's own "ask again in" hint, in seconds, or None.

    ``openai-poll-after-ms`` (what openai's poll reads) first, then ``Retry-After`` as seconds
    or an HTTP date. Unparseable values are ignored rather than trusted.
    """
    raw = headers.get("openai-poll-after-ms")
    if raw is not None:
        try:
            ms = float(raw)
        except ValueError:
            ms = -1.0
        if ms >= 0:
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        if now_epoch is None:
            return None
        try:
            seconds = parsedate_to_datetime(raw).timestamp() - now_epoch
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class PollProgress:
    """What ``on_progress`` receives after each check."""

    video: Video
    elapsed: float
    """Seconds since waiting started."""
    polls: int
    """Checks made so far, this one included."""

    @property
    def status(self) -> str:
        return self.video.status

    @property
    def cost_estimate(self) -> float | None:
        meta = self.video.metadata
        return meta.cost if meta.cost is not None else meta.cost_estimate


@dataclass
class Sleep:
    seconds: float


@dataclass
class Done:
    video: Video


@dataclass
class TimedOut:
    video: Video | None
    waited: float


@dataclass
class GiveUp:
    error: BaseException


Decision = Sleep | Done | TimedOut | GiveUp


@dataclass
class PollState:
    """One wait for one job. Feed it observations; it answers with a :data:`Decision`."""

    policy: PollPolicy
    started_at: float
    deadline: float | None = None
    """Seconds after ``started_at`` to give up (None: wait as long as it takes)."""
    fixed_interval: float | None = None
    """``poll_interval_ms`` given by the caller: openai's fixed pacing, still with the deadline."""
    rand: Callable[[], float] = field(default=random.random)
    polls: int = 0
    consecutive_errors: int = 0
    last_video: Video | None = None

    def elapsed(self, now: float) -> float:
        return now - self.started_at

    def _next(self, now: float, hint: float | None) -> Decision:
        elapsed = self.elapsed(now)
        if self.fixed_interval is not None:
            delay = self.fixed_interval
        elif hint is not None:
            delay = min(hint, self.policy.max_interval)
        else:
            delay = self.policy.interval(elapsed, rand=self.rand())
        if self.deadline is not None:
            remaining = self.deadline - elapsed
            if remaining <= 0:
                return TimedOut(self.last_video, elapsed)
            # One last look exactly at the deadline rather than sleeping past it.
            delay = min(delay, remaining)
        return Sleep(max(0.0, delay))

    def observe(self, video: Video, now: float, hint: float | None = None) -> Decision:
        self.polls += 1
        self.consecutive_errors = 0
        self.last_video = video
        if video.status in FINISHED_STATUSES:
            return Done(video)
        return self._next(now, hint)

    def observe_error(self, error: BaseException, now: float, hint: float | None = None) -> Decision:
        """A transient failure (5xx, 429, connection or read error) while checking."""
        self.consecutive_errors += 1
        if self.consecutive_errors > self.policy.max_consecutive_errors:
            return GiveUp(error)
        return self._next(now, hint)

    def progress(self, now: float) -> PollProgress:
        assert self.last_video is not None
        return PollProgress(video=self.last_video, elapsed=self.elapsed(now), polls=self.polls)

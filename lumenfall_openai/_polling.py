"""When to look at a video job again, and when to stop: pure decisions, no clock, no I/O.

The sync and async ``poll`` loops feed a :class:`PollState` what they saw (a Video and the
server's pacing hint, or a transient error) and the current time, and do what it says: sleep
this long, return this Video, stop with this error. Tests drive it with numbers alone.

The schedule. openai's own ``poll`` asks every second forever. A video takes seconds to many
minutes, so asking every second wastes requests on long jobs while a fixed long interval adds
delay to short ones. Here the interval is a fraction (10%) of the time already waited, between
a floor (1 s, openai's pace, for short jobs) and a cap (30 s). A job that finishes at time ``T``
after waiting began is noticed within ``min(cap, max(floor, 10% of T))``: the check before ``T``
happened at some ``t < T`` and scheduled the next one at most ``10% of t`` later. The number of
requests grows with the logarithm of ``T`` instead of linearly.

No interval is ever shorter than the floor, so the ``k``-th check comes ``k`` seconds after the
start at the earliest: for every job length the wait asks at most as often as 1 s polling (which
would have noticed the same job no sooner). Jitter only ever shortens an interval and never below
the floor, so it breaks neither bound; it spreads the polls of many jobs started together
(hundreds of ``create_and_poll`` calls in one ``gather``) once intervals have grown past the
floor, while below it jobs started together stay in step (one wake-up for all of them).

Within the room jitter leaves (between the shortest and the longest allowed interval) the next
check is moved onto a grid of ``wake_grid`` seconds of the monotonic clock, so the waits of one
process that fall due within the same few tens of milliseconds share one wake-up instead of
waking the event loop once each.

A server hint (``openai-poll-after-ms``, ``Retry-After``) is a lower bound: we never come back
sooner than the server asked (up to ``max_hint``, so a bogus hint cannot stall a wait), and a
tiny hint does not multiply our request count either.

Transient failures (5xx, 429, dropped connections) do not end a wait: the job keeps running on
Lumenfall whatever happens to one GET. They are waited through with a growing back-off, until
the deadline or until they have lasted ``max_error_streak`` seconds in a row; either way the
caller gets an error that carries the job id, so the wait can be resumed.

A 404 right after a job was created is not the end either: Lumenfall's answer to the create
may reach a replica before the job does (replication lag), so a 404 is retried like a transient
failure for ``not_found_grace`` seconds from the start of the wait, as long as no check in this
wait has found the job yet. After that (or once the job was seen), a 404 means what it says.
"""

from __future__ import annotations

import heapq
import math
import random
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import openai

from ._compat import NotGiven, Omit, http
from ._numbers import finite_number
from .errors import ResponseParseError, WaitInterruptedError, WaitTimeoutError
from .types.video import FINISHED_STATUSES, Video

__all__ = [
    "CHECK_ERRORS",
    "TRANSIENT_POLL_ERRORS",
    "AsyncProgressCallback",
    "DEFAULT_CHECK_SLOTS",
    "WAKE_TICK",
    "CheckQueue",
    "Decision",
    "Done",
    "GiveUp",
    "PollPolicy",
    "PollProgress",
    "PollState",
    "Sleep",
    "TimedOut",
    "detection_bound",
    "finite_number",
    "parse_server_hint",
    "check_timeout",
    "turn_place",
    "turn_wait_limit",
    "error_hint",
    "finish_wait",
    "new_poll_state",
    "poll_arguments",
    "ProgressCallback",
    "resolve_poll_policy",
    "retry_after",
    "wait_arguments",
    "wake_delay",
]


@dataclass(frozen=True)
class PollPolicy:
    """How ``poll`` paces itself. The defaults suit jobs from seconds to tens of minutes."""

    first_interval: float = 1.0
    """Seconds between checks during the first ``min_interval`` seconds, and the first step of
    the back-off after errors. Lower it (e.g. 0.25) for a fast start when jobs may finish
    within a second; real video jobs take seconds at least, so by default it equals the floor."""
    min_interval: float = 1.0
    """Floor: never check more often than this (after the first ``min_interval`` seconds)."""
    max_interval: float = 30.0
    """Cap: the longest a finished job can go unnoticed (reached by jobs longer than 300 s)."""
    growth: float = 0.10
    """Interval as a fraction of the time already waited."""
    jitter: float = 0.15
    """Up to this fraction is taken off each interval at random (never added, never below the floor)."""
    max_hint: float = 60.0
    """A server hint is followed up to this many seconds (openai caps ``Retry-After`` at 60 s too)."""
    max_error_streak: float = 300.0
    """Seconds of consecutive transient failures tolerated before giving up (the job keeps
    running on Lumenfall; a short outage or a flaky network must not end the wait)."""

    not_found_grace: float = 10.0
    """Seconds from the start of a wait during which a 404 is retried while no check has found
    the job yet (a job just created may not have reached every replica). 0 turns this off."""
    wake_grid: float = 0.05
    """Checks are moved onto multiples of this many seconds of the monotonic clock when the
    schedule allows (never shorter or longer than the jittered window), so waits due together
    share a wake-up. 0 turns this off."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if finite_number(value) is None:
                raise ValueError(
                    f"PollPolicy.{name} must be a finite number of seconds (or a fraction), got {value!r}."
                )
        if not 0 < self.first_interval <= self.min_interval <= self.max_interval:
            raise ValueError(
                "PollPolicy needs 0 < first_interval <= min_interval <= max_interval, got "
                f"{self.first_interval}, {self.min_interval}, {self.max_interval}."
            )
        if self.growth < 0 or not 0 <= self.jitter < 1:
            raise ValueError(f"PollPolicy needs growth >= 0 and 0 <= jitter < 1, got {self.growth}, {self.jitter}.")
        if self.max_hint < 0 or self.max_error_streak < 0 or self.not_found_grace < 0 or self.wake_grid < 0:
            raise ValueError("PollPolicy.max_hint, max_error_streak, not_found_grace and wake_grid must be >= 0.")

    def base_interval(self, elapsed: float) -> float:
        """The interval before jitter, after a check ``elapsed`` seconds into the wait."""
        if elapsed < self.min_interval:
            return self.first_interval
        return min(self.max_interval, max(self.min_interval, self.growth * elapsed))

    def floor_interval(self, elapsed: float) -> float:
        """The shortest interval allowed after a check at ``elapsed`` seconds: jitter never goes below it."""
        return self.first_interval if elapsed < self.min_interval else self.min_interval

    def interval(self, elapsed: float, *, rand: float) -> float:
        """Seconds to wait after a check at ``elapsed`` seconds. ``rand`` is uniform in [0, 1)."""
        base = self.base_interval(elapsed)
        return max(self.floor_interval(elapsed), base * (1.0 - self.jitter * rand))

    def next_interval(self, now: float, elapsed: float, *, rand: float) -> float:
        """:meth:`interval`, moved to the nearest ``wake_grid`` point of the clock reading ``now``
        that stays within the jittered window (unchanged when no grid point does)."""
        delay = self.interval(elapsed, rand=rand)
        grid = self.wake_grid
        if grid <= 0:
            return delay
        shortest = self.interval(elapsed, rand=1.0)
        longest = self.base_interval(elapsed)
        if longest - shortest < grid:
            return delay  # no room: below the floor growth, jobs started together are in step anyway
        below = math.floor((now + delay) / grid) * grid - now
        above = below + grid
        # The window is checked on the delays themselves, so float rounding cannot leave it.
        for candidate in sorted((below, above), key=lambda d: abs(d - delay)):
            if shortest <= candidate <= longest:
                return candidate
        return delay

    def error_backoff(self, streak: int, *, rand: float) -> float:
        """Seconds to wait after the ``streak``-th transient failure in a row (1, 2, ...).

        Doubles from ``first_interval`` up to the cap, so an outage at the start of a wait is
        not hammered at the fast-start pace.
        """
        exponent = min(max(streak - 1, 0), 32)
        return min(self.max_interval, self.first_interval * 2.0**exponent) * (1.0 - self.jitter * rand)


def poll_arguments(poll_interval_ms: object, timeout: object) -> tuple[float | None, float | None]:
    """``poll``'s ``poll_interval_ms`` and ``timeout`` checked: ``(fixed interval, deadline)`` in seconds.

    ``poll_interval_ms`` is None when not given (the policy paces the wait); ``timeout`` None
    waits as long as it takes. NaN, infinities, bools and non-numbers are refused with what to pass.
    """
    deadline: float | None = None
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds (or None to wait indefinitely), got {timeout!r}.")
        deadline = finite_number(timeout)
        if deadline is None or deadline < 0:
            raise ValueError(
                f"timeout must be a finite number of seconds >= 0 (or None to wait indefinitely), got {timeout!r}."
            )
    fixed: float | None = None
    if poll_interval_ms is not None:
        if isinstance(poll_interval_ms, bool) or not isinstance(poll_interval_ms, (int, float)):
            raise TypeError(f"poll_interval_ms must be a number of milliseconds like 1000, got {poll_interval_ms!r}.")
        interval_ms = finite_number(poll_interval_ms)
        if interval_ms is None or interval_ms <= 0:
            raise ValueError(
                "poll_interval_ms must be a finite, positive number of milliseconds like 1000, "
                f"got {poll_interval_ms!r}."
            )
        fixed = interval_ms / 1000.0
    return fixed, deadline


def detection_bound(policy: PollPolicy, finished_at: float) -> float:
    """The longest a job that finishes ``finished_at`` seconds into a wait can go unnoticed.

    Holds without server hints and without errors, not counting request latency.
    """
    return min(policy.max_interval, max(policy.min_interval, policy.growth * finished_at))


def parse_server_hint(headers: Mapping[str, str], *, now_epoch: float | None = None) -> float | None:
    """The server's own "ask again in" hint, in seconds, or None.

    ``openai-poll-after-ms`` (what openai's poll reads) first, then ``Retry-After`` as seconds
    or an HTTP date (which needs ``now_epoch``). Unparseable or negative values are ignored
    rather than trusted.
    """
    raw = headers.get("openai-poll-after-ms")
    if raw is not None:
        try:
            ms = float(raw)
        except ValueError:
            ms = -1.0
        if ms >= 0 and ms == ms and ms != float("inf"):
            return ms / 1000.0
    return retry_after(headers, now_epoch=now_epoch)


def retry_after(headers: Mapping[str, str], *, now_epoch: float | None = None) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date when ``now_epoch`` is given), or None
    when absent, unparseable, negative or not finite. The one parser of it in the package."""
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
    if seconds != seconds or seconds == float("inf"):  # NaN or inf
        return None
    return seconds if seconds >= 0 else None


@dataclass(frozen=True)
class PollProgress:
    """What ``on_progress`` receives after each successful check."""

    video: Video
    elapsed: float
    """Seconds since waiting started."""
    polls: int
    """Successful checks so far, this one included."""
    next_check_in: float | None = None
    """Seconds until the next check (None when this check ended the wait)."""
    errors: int = 0
    """Transient failures (5xx, dropped connections) waited through so far in this wait."""

    @property
    def status(self) -> str:
        return self.video.status

    @property
    def video_id(self) -> str:
        return self.video.id

    @property
    def cost_estimate(self) -> float | None:
        """The final cost once completed, else the running estimate (None if not sent)."""
        meta = self.video.metadata
        return meta.cost if meta.cost is not None else meta.cost_estimate


@dataclass(frozen=True)
class Sleep:
    """Check again after ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Done:
    """The job finished (``completed`` or ``failed``): return ``video``."""

    video: Video


@dataclass(frozen=True)
class TimedOut:
    """The deadline passed; the job is still running. ``video`` is the last one seen."""

    video: Video | None
    waited: float


@dataclass(frozen=True)
class GiveUp:
    """Transient failures lasted ``max_error_streak`` seconds in a row: stop with ``error``."""

    error: BaseException
    video: Video | None
    waited: float
    errors: int


Decision = Sleep | Done | TimedOut | GiveUp


@dataclass
class PollState:
    """One wait for one job. Feed it observations; it answers with a :data:`Decision`.

    Times are seconds on any monotonic clock; the state never reads a clock itself.
    """

    policy: PollPolicy
    started_at: float
    deadline: float | None = None
    """Seconds after ``started_at`` to give up (None: wait as long as it takes)."""
    fixed_interval: float | None = None
    """``poll_interval_ms`` given by the caller: openai's fixed pacing, still with the deadline."""
    rand: Callable[[], float] = field(default=random.random)
    polls: int = 0
    errors: int = 0
    consecutive_errors: int = 0
    error_streak_started: float | None = None
    last_video: Video | None = None
    next_delay: float | None = None
    found: bool = False
    """A check in this wait has fetched the job (a create's own answer does not count)."""
    started_epoch: float | None = None
    """``started_at`` on the wall clock (epoch seconds), to compare with a job's ``created_at``
    (:func:`turn_place`); None: unknown."""

    def elapsed(self, now: float) -> float:
        return now - self.started_at

    def remaining(self, now: float) -> float | None:
        """Seconds left before the deadline (may be <= 0), or None without a deadline."""
        return None if self.deadline is None else self.deadline - self.elapsed(now)

    def _sleep(self, now: float, delay: float, hint: float | None) -> Decision:
        if hint is not None:
            delay = max(delay, min(hint, self.policy.max_hint))
        remaining = self.remaining(now)
        if remaining is not None:
            if remaining <= 0:
                self.next_delay = None
                return TimedOut(self.last_video, self.elapsed(now))
            # One last look exactly at the deadline rather than sleeping past it.
            delay = min(delay, remaining)
        self.next_delay = max(0.0, delay)
        return Sleep(self.next_delay)

    def observe(self, video: Video, now: float, hint: float | None = None, *, fetched: bool = True) -> Decision:
        """A successful check returned ``video``; ``hint`` is the server's pacing hint in seconds.

        ``fetched=False`` for a Video that did not come from checking (``create``'s answer)."""
        self.polls += 1
        self.found = self.found or fetched
        self.consecutive_errors = 0
        self.error_streak_started = None
        self.last_video = video
        if video.status in FINISHED_STATUSES:
            self.next_delay = None
            return Done(video)
        if self.fixed_interval is not None:
            return self._sleep(now, self.fixed_interval, None)
        return self._sleep(now, self.policy.next_interval(now, self.elapsed(now), rand=self.rand()), hint)

    def observe_error(self, error: BaseException, now: float, hint: float | None = None) -> Decision:
        """A transient failure (5xx, 429, connection or read error) while checking."""
        self.errors += 1
        self.consecutive_errors += 1
        if self.error_streak_started is None:
            self.error_streak_started = now
        streak = now - self.error_streak_started
        remaining = self.remaining(now)
        # Checked at each failure, so the wait ends at the first failed check past the limit
        # (at most one back-off interval later), never on a success.
        if streak >= self.policy.max_error_streak and (remaining is None or remaining > 0):
            self.next_delay = None
            return GiveUp(error, self.last_video, self.elapsed(now), self.consecutive_errors)
        if self.fixed_interval is not None:
            delay = self.fixed_interval
        else:
            delay = max(
                self.policy.interval(self.elapsed(now), rand=self.rand()),
                self.policy.error_backoff(self.consecutive_errors, rand=self.rand()),
            )
        return self._sleep(now, delay, hint)

    def wake_after(self, decision: Sleep, now: float) -> float:
        """How long to actually sleep for ``decision``: ended on the process's wake tick so waits
        due together share a wake-up (:func:`wake_delay`), and never past the deadline."""
        return wake_delay(now, decision.seconds, latest=self.remaining(now))

    def may_be_replication_lag(self, now: float) -> bool:
        """Whether a 404 at ``now`` may only mean the job has not reached the replica yet.

        True while no check has found the job and the wait is younger than ``not_found_grace``;
        the caller then treats the 404 as a transient failure (:meth:`observe_error`).
        """
        return not self.found and self.elapsed(now) < self.policy.not_found_grace

    def progress(self, now: float) -> PollProgress:
        """What to tell ``on_progress`` after the last successful check."""
        if self.last_video is None:
            raise RuntimeError("PollState.progress() needs at least one successful check")
        return PollProgress(
            video=self.last_video,
            elapsed=self.elapsed(now),
            polls=self.polls,
            next_check_in=self.next_delay,
            errors=self.errors,
        )


# What the videos resource's wait needs around a PollState: same for both twins, no I/O.

# Errors worth waiting through while polling: the job is still running on Lumenfall's side.
TRANSIENT_POLL_ERRORS: tuple[type[BaseException], ...] = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,  # 5xx, incl. ALL_PROVIDERS_EXHAUSTED
    openai.RateLimitError,
)
# What one check may raise without ending the wait: the above, and a garbled body (a proxy or a
# cut connection; parse_answer makes any parsing failure a ResponseParseError).
CHECK_ERRORS: tuple[type[BaseException], ...] = (*TRANSIENT_POLL_ERRORS, ResponseParseError)

ProgressCallback = Callable[[PollProgress], object]
AsyncProgressCallback = Callable[[PollProgress], "object | Awaitable[object]"]


def error_hint(error: BaseException) -> float | None:
    """The server's pacing hint carried by a failed check, if any."""
    if isinstance(error, openai.APIStatusError):
        return parse_server_hint(error.response.headers, now_epoch=time.time())
    return None


def wait_arguments(poll_interval_ms: int | Omit, timeout: float | None) -> tuple[float | None, float | None]:
    """:func:`poll_arguments`, with openai's ``omit`` for "not given"."""
    return poll_arguments(None if isinstance(poll_interval_ms, Omit) else poll_interval_ms, timeout)


def new_poll_state(poll_interval_ms: int | Omit, timeout: float | None, policy: PollPolicy | None) -> PollState:
    fixed, deadline = wait_arguments(poll_interval_ms, timeout)
    return PollState(
        policy=policy or PollPolicy(),
        started_at=time.monotonic(),
        deadline=deadline,
        fixed_interval=fixed,
        started_epoch=time.time(),
    )


def finish_wait(decision: Decision, video_id: str) -> Video:
    """Turn a final decision into the Video to return or the error to raise.

    Both errors carry the job id: a wait that ends early never loses track of a paid job.
    """
    if isinstance(decision, Done):
        return decision.video
    if isinstance(decision, GiveUp):
        raise WaitInterruptedError(
            decision.video, video_id=video_id, waited_seconds=decision.waited, last_error=decision.error
        ) from decision.error
    assert not isinstance(decision, Sleep)
    raise WaitTimeoutError(decision.video, video_id=video_id, waited_seconds=decision.waited)


def _min_timeout(value: float | None, cap: float) -> float:
    return cap if value is None else min(value, cap)


def check_timeout(
    state: PollState, now: float, configured: float | http.Timeout | None
) -> float | http.Timeout | NotGiven:
    """The HTTP timeout of one check: the client's, but never much past the wait's deadline.

    Without this, one hung GET (openai's default read timeout is 10 minutes) would hold a
    ``poll(timeout=30)`` far beyond its 30 s. The last look at the deadline still gets a second.
    """
    remaining = state.remaining(now)
    if remaining is None:
        return NotGiven()
    cap = max(remaining, 1.0)
    if configured is None or isinstance(configured, (int, float)):
        return _min_timeout(configured, cap)
    return http.Timeout(
        connect=_min_timeout(configured.connect, cap),
        read=_min_timeout(configured.read, cap),
        write=_min_timeout(configured.write, cap),
        pool=_min_timeout(configured.pool, cap),
    )


def turn_wait_limit(
    timeout: float | http.Timeout | NotGiven | None, client_timeout: float | http.Timeout | None
) -> float | None:
    """How long a create waits for its turn in the client's slots (:class:`CheckQueue`): as long
    as its HTTP timeout lets it wait for a pooled connection (the client's when the call gives
    none; None: no limit). Past that it is sent anyway, as a check past its deadline is."""
    value = client_timeout if isinstance(timeout, NotGiven) else timeout
    if value is None or isinstance(value, (int, float)):
        return value
    return value.pool


def resolve_poll_policy(poll_policy: PollPolicy | None, policy: PollPolicy | None) -> PollPolicy | None:
    """``poll``'s pacing: ``poll_policy=``, the name every waiting method uses; ``policy=`` is its
    old name in ``poll``, still accepted for one release with a DeprecationWarning."""
    if policy is None:
        return poll_policy
    if poll_policy is not None:
        raise TypeError("poll() got both poll_policy= and policy=: pass only poll_policy= (policy= is its old name).")
    warnings.warn(
        "poll(policy=...) is deprecated and will be removed in the next release: pass poll_policy=... "
        "instead (the same PollPolicy; create_and_poll already calls it poll_policy).",
        DeprecationWarning,
        stacklevel=3,
    )
    return policy


# -- many waits on one client ---------------------------------------------------------------------

WAKE_TICK = 0.01
"""Sleeps end on multiples of this many seconds of the monotonic clock (see :func:`wake_delay`)."""

DEFAULT_CHECK_SLOTS = 32
"""Poll checks and video creates one client runs at once; the rest wait their turn
(:class:`CheckQueue`). Half the default pool (64 connections), so the caller's other requests
find free connections too and nothing queues inside the HTTP library, whose pool scans every
connection for every queued request (benchmarks/RESULTS.md, "Many concurrent jobs")."""


def wake_delay(now: float, delay: float, *, tick: float = WAKE_TICK, latest: float | None = None) -> float:
    """``delay`` lengthened to end on the next multiple of ``tick`` of the clock reading ``now``
    (never past ``latest`` seconds from now, e.g. a wait's deadline).

    Waits of one process that fall due within the same ``tick`` then end at the same instant, and
    an event loop runs all timers due at one instant in one wake-up (ten jobs created a few ms
    apart and polled every second wake the process once a second, not ten times). Only ever
    later, by less than ``tick``: no interval gets shorter than the policy's floor.
    """
    if tick <= 0 or delay <= 0:
        return delay
    # A hair of tolerance, so a delay already on the grid is not pushed a whole tick by float error.
    end = math.ceil((now + delay) / tick - 1e-6) * tick
    aligned = max(delay, end - now)
    if latest is not None and aligned > latest:
        return max(delay, min(aligned, latest))
    return aligned


def turn_place(state: PollState) -> float:
    """A waiting check's place among the oldest-first turns of :class:`CheckQueue` (lowest goes
    first): when its job began, so the older job goes first.

    That is when the wait began, moved back by the job's age at that moment once a check has seen
    its ``created_at``: a ``poll()`` resumed on a job started an hour ago (after a restart, say)
    is an old job, not a young one. A ``created_at`` that is not a number, or is later than the
    wait's start (the server's clock ahead of ours), moves nothing; an age is counted up to
    :data:`MAX_JOB_AGE`. Only the order of these turns depends on the server's clock: the
    first-due turns serve every wait whatever it says.
    """
    video = state.last_video
    if video is None or state.started_epoch is None:
        return state.started_at
    created = finite_number(video.created_at)  # a garbled one may be any int, or a bool
    if created is None or created >= state.started_epoch:
        return state.started_at
    return state.started_at - min(state.started_epoch - created, MAX_JOB_AGE)


MAX_JOB_AGE = 7 * 86400.0
"""The largest age :func:`turn_place` counts (a week): older is as old, however far back a
``created_at`` of 0 or of a garbled answer points."""


@dataclass
class CheckQueue:
    """Who sends next when more requests fall due than one client should run at once. No I/O.

    Up to ``limit`` requests run: poll checks and video creates share the slots. Later ones wait
    and start as running ones finish: creates first (a create starts a paid job, and the sooner
    it starts the sooner it ends), in the order they came, but creates never hold more than
    ``create_cap`` slots, so checks always move too. When a schedule asks for more checks than
    the client and the server can carry, each wait schedules its next check from when its last
    one actually ran, so checks are pushed back instead of thousands of requests piling up in
    the HTTP library's pool (where each costs a scan of every connection, and some wait far
    longer than others at random). The I/O shims (``_check_slots``) hold one of these per
    connection pool (and event loop) and wake the waiter it names.

    Which waiting check goes next alternates: every other freed slot goes to the check that fell
    due first, the others to the oldest wait (lowest ``place``, see :func:`turn_place`).

    - Oldest first, because jobs of one kind finish in about the order they started: when every
      job waits in line, the older ones are the likelier to be finished, and young jobs' checks
      would mostly find "in progress". 10,000 jobs of 30 s on one client: worst job 1.56x its
      duration first due first served, 1.18-1.34x with these turns (benchmarks/RESULTS.md).
    - First due, every other turn, because jobs are not all of one kind: short jobs started
      behind a crowd of longer ones would otherwise wait until the crowd is done (oldest first
      alone: 9.5x for 5 s jobs behind 3,000 jobs of 55 s, in a simulation of this queue; first
      due first served 1.9x; alternating 1.7x). Half the turns going by due time also bounds
      every wait: a check is served by the time every check that fell due before it could be
      served at half the rate, about twice its wait under first due first served, never forever.
    """

    limit: int = DEFAULT_CHECK_SLOTS
    running: int = 0
    waiting: dict[object, int] = field(default_factory=lambda: {})
    """Checks waiting for a slot, each with the number of its entries in ``_due`` and ``_oldest``."""
    creates_waiting: OrderedDict[object, None] = field(default_factory=lambda: OrderedDict())
    creates_running: int = 0
    holders: set[object] = field(default_factory=lambda: set())
    """Tokens holding a slot. Only kept right by callers that leave with their token (the I/O
    shims do); a caller that leaves without one only counts."""
    # Both orders hold every waiting check; a check served (or withdrawn) from one leaves its
    # entry in the other, skipped when reached (its number no longer matches) and dropped when
    # they are rebuilt. Leaving in O(1) matters: with thousands waiting, the deque this once
    # was scanned the whole line on every remove() (5% of a 5,000-job run's CPU).
    _due: deque[tuple[int, object]] = field(default_factory=lambda: deque(), repr=False)
    _oldest: list[tuple[float, int, object]] = field(default_factory=lambda: [], repr=False)
    _seq: int = field(default=0, repr=False)
    _turns: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"CheckQueue.limit must be at least 1, got {self.limit!r}.")

    @property
    def create_cap(self) -> int:
        """The most slots creates may hold at once: all but a quarter (at least one slot is left to
        checks, except with a limit of 1, where the one slot is everybody's)."""
        return max(1, self.limit - max(1, self.limit // 4))

    def _create_may_start(self) -> bool:
        return self.running < self.limit and self.creates_running < self.create_cap

    def enter(self, token: object, *, create: bool = False, place: float = 0.0) -> bool:
        """A request is due (``create``: a video create, else a poll check). True: it may run now
        (it holds a slot, to give back with ``leave(create=..., token=token)``). False: ``token``
        waits its turn.

        ``place`` orders waiting checks on the oldest-first turns (lowest first; ties in the order
        they fell due): see :func:`turn_place`. Creates wait in the order they came."""
        if create:
            if not self.creates_waiting and self._create_may_start():
                self.holders.add(token)
                self.running += 1
                self.creates_running += 1
                return True
            self.creates_waiting[token] = None
            return False
        if self.running < self.limit and not self.waiting and not self._next_is_create():
            self.holders.add(token)
            self.running += 1
            return True
        self._seq += 1
        self.waiting[token] = self._seq
        self._due.append((self._seq, token))
        heapq.heappush(self._oldest, (place, self._seq, token))
        return False

    def _next_check(self) -> object:
        """Take the waiting check whose turn it is (there is one) off the line; it holds a slot."""
        self._turns += 1
        waiting = self.waiting
        if self._turns % 2:
            due = self._due
            while True:
                seq, token = due.popleft()
                if waiting.get(token) == seq:
                    break
        else:
            oldest = self._oldest
            while True:
                _, seq, token = heapq.heappop(oldest)
                if waiting.get(token) == seq:
                    break
        del waiting[token]
        self.running += 1
        self.holders.add(token)
        self._tidy()
        return token

    def _tidy(self) -> None:
        """Drop left-behind entries: all of them once nobody waits, else when they outnumber the
        waiting checks (so the orders never grow past a few times the line they hold)."""
        live = len(self.waiting)
        if not live:
            self._due.clear()
            self._oldest.clear()
        elif len(self._oldest) + len(self._due) > 4 * live + 64:
            waiting = self.waiting
            self._due = deque(entry for entry in self._due if waiting.get(entry[1]) == entry[0])
            self._oldest = [entry for entry in self._oldest if waiting.get(entry[2]) == entry[1]]
            heapq.heapify(self._oldest)

    def _next_is_create(self) -> bool:
        return bool(self.creates_waiting) and self._create_may_start()

    def leave(self, *, create: bool = False, token: object = None) -> object | None:
        """A request finished (or gave up its turn): the waiting token that now holds its slot, if any.

        With ``token`` (the one it entered with), leaving is idempotent: a token that holds no
        slot (never admitted, or gone already) frees nothing, so a give-back cut by an interrupt
        can simply be done again."""
        if token is not None:
            if token not in self.holders:
                return None
            self.holders.discard(token)
        self.running -= 1
        if create:
            self.creates_running -= 1
        return self.pump()

    def pump(self) -> object | None:
        """The waiting token a free slot goes to now, if any (``leave`` ends with this; a waiter
        that suspects a lost hand-over may call it again: it never hands out more than is free)."""
        # Counted, then marked as a holder, last: a Ctrl-C in a sync client can cut in after a
        # call (CPython runs signal handlers there), and cut anywhere here the line at worst runs
        # one over its limit while that turn lasts, rather than losing a slot for good.
        if self._next_is_create():
            token = self.creates_waiting.popitem(last=False)[0]
            self.running += 1
            self.creates_running += 1
            self.holders.add(token)
            return token
        if self.waiting and self.running < self.limit:
            return self._next_check()
        return None

    def waits(self, token: object) -> bool:
        """Whether ``token`` is still waiting (not handed a slot, not withdrawn)."""
        return token in self.waiting or token in self.creates_waiting

    def withdraw(self, token: object) -> bool:
        """``token`` stops waiting (cancelled, deadline). False if it already holds a slot."""
        if self.waiting.pop(token, None) is not None:
            self._tidy()
            return True
        return self.creates_waiting.pop(token, False) is None

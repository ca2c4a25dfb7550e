"""The pure polling policy: schedules, deadlines, hints and error tolerance, with no clock at all.

A simulated wait drives :class:`PollState` with numbers: "the check at time t returned this",
then jumps to ``t + sleep``. That is exactly what the sync and async ``poll`` loops do, minus
the HTTP request and the sleep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai._polling import (
    Done,
    GiveUp,
    PollPolicy,
    PollProgress,
    PollState,
    Sleep,
    TimedOut,
    detection_bound,
    parse_server_hint,
    poll_arguments,
)
from lumenfall_openai.types import Video

DEFAULT = PollPolicy()


def video(status: str, **extra: Any) -> Video:
    return Video.construct(
        id="video_1", object="video", created_at=0, status=status, model="m", seconds="4", size="16:9", **extra
    )


QUEUED = video("queued")
RUNNING = video("in_progress")
DONE = video("completed")


@dataclass
class Run:
    """A finished simulation: what was checked when, and how it ended."""

    checks: list[float] = field(default_factory=list[float])
    sleeps: list[float] = field(default_factory=list[float])
    end: object = None

    @property
    def detected_at(self) -> float:
        return self.checks[-1]


def simulate(
    finish_at: float,
    *,
    policy: PollPolicy = DEFAULT,
    deadline: float | None = None,
    rand: Callable[[], float] = lambda: 0.5,
    hint: Callable[[float], float | None] = lambda t: None,
    error_at: Callable[[float], bool] = lambda t: False,
    fixed: float | None = None,
    first_check: float = 0.0,
    max_checks: int = 100_000,
) -> Run:
    """Wait for a job that finishes ``finish_at`` seconds after the wait began."""
    state = PollState(policy=policy, started_at=0.0, deadline=deadline, fixed_interval=fixed, rand=rand)
    run = Run()
    now = first_check
    for _ in range(max_checks):
        run.checks.append(now)
        if error_at(now):
            decision = state.observe_error(RuntimeError("503"), now, hint(now))
        else:
            decision = state.observe(DONE if now >= finish_at else RUNNING, now, hint(now))
        if not isinstance(decision, Sleep):
            run.end = decision
            return run
        assert decision.seconds >= 0
        run.sleeps.append(decision.seconds)
        now += decision.seconds
    raise AssertionError("the wait never ended")


# -- the schedule --------------------------------------------------------------------------------


def test_interval_is_the_floor_then_grows_to_ten_percent_then_caps() -> None:
    p = PollPolicy(jitter=0)
    assert p.interval(0, rand=0) == 1.0
    assert p.interval(1.0, rand=0) == 1.0
    assert p.interval(9.0, rand=0) == 1.0
    assert p.interval(50.0, rand=0) == pytest.approx(5.0)
    assert p.interval(299.0, rand=0) == pytest.approx(29.9)
    assert p.interval(10_000.0, rand=0) == 30.0
    fast_start = PollPolicy(first_interval=0.25, jitter=0)
    assert fast_start.interval(0.0, rand=0) == 0.25
    assert fast_start.interval(0.99, rand=0) == 0.25
    assert fast_start.interval(1.0, rand=0) == 1.0


def test_jitter_takes_off_at_most_its_fraction() -> None:
    p = PollPolicy(jitter=0.15)
    assert p.interval(100.0, rand=0.0) == pytest.approx(10.0)
    assert p.interval(100.0, rand=0.999999) == pytest.approx(8.5, abs=1e-4)


@pytest.mark.parametrize(
    "bad",
    [
        {"first_interval": 0},
        {"first_interval": 2.0, "min_interval": 1.0},
        {"min_interval": 40.0},
        {"jitter": 1.0},
        {"jitter": -0.1},
        {"growth": -1},
        {"max_hint": -1},
        {"not_found_grace": -1},
        {"growth": float("nan")},
        {"max_error_streak": float("inf")},
        {"max_hint": float("nan")},
        {"not_found_grace": float("inf")},
        {"wake_grid": -0.01},
        {"jitter": True},
    ],
)
def test_policy_rejects_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="PollPolicy"):
        PollPolicy(**bad)


def test_a_finished_job_ends_the_wait_at_once() -> None:
    state = PollState(policy=DEFAULT, started_at=100.0)
    assert state.observe(DONE, 100.0) == Done(DONE)
    failed = video("failed", error={"code": "UPSTREAM_ERROR", "message": "boom"})
    assert PollState(policy=DEFAULT, started_at=0).observe(failed, 0) == Done(failed)


def test_unknown_status_means_not_finished() -> None:
    state = PollState(policy=DEFAULT, started_at=0.0, rand=lambda: 0.0)
    assert isinstance(state.observe(video("rendering"), 0.0), Sleep)
    assert isinstance(state.observe(video("cancelled"), 0.5), Sleep)


def test_clock_offset_does_not_matter() -> None:
    """Times are relative to ``started_at``: any monotonic clock works."""
    a = PollState(policy=DEFAULT, started_at=0.0, rand=lambda: 0.3)
    b = PollState(policy=DEFAULT, started_at=1e6, rand=lambda: 0.3)
    assert a.observe(RUNNING, 42.0) == b.observe(RUNNING, 1e6 + 42.0)


@pytest.mark.parametrize(
    ("length", "fewer"),
    [(5, 1.0), (10, 1.0), (30, 1.2), (60, 1.8), (120, 2.9), (300, 5.5), (600, 9.0)],
)
def test_request_counts_against_one_second_polling_per_job_length(length: int, fewer: float) -> None:
    """The README's figures: never more requests than openai's 1 s polling at any job length,
    and this many times fewer, even when jitter always takes off the most it can."""
    fixed = len(simulate(length, fixed=1.0).checks)
    assert fixed == length + 1
    for rand in (0.0, 0.5, 0.999999):
        ours = len(simulate(length, rand=lambda: rand).checks)  # noqa: B023
        assert ours <= fixed
        assert fixed / ours >= fewer, (length, rand, fixed, ours)


def test_below_the_floor_growth_there_is_no_jitter() -> None:
    """Jobs started together stay in step for the first 10 s (one wake-up for all of them)."""
    run = simulate(10.0, rand=lambda: 0.999999)
    assert run.checks == [float(k) for k in range(11)]


def test_waits_due_together_share_wake_ups_on_the_grid() -> None:
    """100 waits started a few ms apart (one ``gather``) wake far fewer times than they check."""

    def wake_times(policy: PollPolicy) -> tuple[int, int]:
        times: list[float] = []
        for i in range(100):
            state = PollState(policy=policy, started_at=i * 0.003, rand=random_sequence(i))
            now = i * 0.003
            while now < 120.0:
                decision = state.observe(RUNNING, now)
                assert isinstance(decision, Sleep)
                now += decision.seconds
                if now >= 20.0:  # past the in-step start, where the jittered window is wider than the grid
                    times.append(round(now, 9))
                    if policy.wake_grid:
                        assert now / policy.wake_grid == pytest.approx(round(now / policy.wake_grid), abs=1e-6)
        return len(times), len(set(times))

    checks, wakes = wake_times(PollPolicy())
    unbatched_checks, unbatched_wakes = wake_times(PollPolicy(wake_grid=0))
    assert unbatched_wakes == unbatched_checks  # without the grid every check is its own wake-up
    assert wakes * 2 <= checks, (checks, wakes)  # 20 s to 2 min: jitter spreads them over 0.3 s to 1.8 s


def random_sequence(seed: int) -> Callable[[], float]:
    import random

    return random.Random(seed).random


# -- deadline ------------------------------------------------------------------------------------


def test_deadline_takes_one_last_look_exactly_at_the_deadline() -> None:
    run = simulate(1000.0, deadline=20.0, rand=lambda: 0.0)
    assert run.checks[-1] == pytest.approx(20.0)
    assert isinstance(run.end, TimedOut)
    assert run.end.video is RUNNING
    assert run.end.waited == pytest.approx(20.0)


def test_zero_deadline_checks_once() -> None:
    run = simulate(1000.0, deadline=0.0)
    assert run.checks == [0.0]
    assert isinstance(run.end, TimedOut)


def test_deadline_with_every_check_failing_has_no_video() -> None:
    run = simulate(1000.0, deadline=5.0, error_at=lambda t: True)
    assert isinstance(run.end, TimedOut)
    assert run.end.video is None


def test_remaining() -> None:
    state = PollState(policy=DEFAULT, started_at=10.0, deadline=5.0)
    assert state.remaining(12.0) == pytest.approx(3.0)
    assert PollState(policy=DEFAULT, started_at=0.0).remaining(1e9) is None


# -- fixed interval (openai's poll_interval_ms) --------------------------------------------------


def test_fixed_interval_is_exact_and_ignores_hints_but_keeps_the_deadline() -> None:
    run = simulate(1000.0, fixed=2.0, deadline=7.0, hint=lambda t: 30.0)
    assert run.sleeps == [2.0, 2.0, 2.0, pytest.approx(1.0)]
    assert isinstance(run.end, TimedOut)


# -- server hints --------------------------------------------------------------------------------


def test_hint_is_a_lower_bound_capped_by_max_hint_and_the_deadline() -> None:
    state = PollState(policy=DEFAULT, started_at=0.0, rand=lambda: 0.0)
    assert state.observe(RUNNING, 0.0, hint=5.0) == Sleep(5.0)  # longer than the schedule: honoured
    assert state.observe(RUNNING, 100.0, hint=0.1) == Sleep(pytest.approx(10.0))  # shorter: schedule wins
    assert state.observe(RUNNING, 200.0, hint=3600.0) == Sleep(60.0)  # bogus: capped
    limited = PollState(policy=DEFAULT, started_at=0.0, deadline=3.0, rand=lambda: 0.0)
    assert limited.observe(RUNNING, 0.0, hint=10.0) == Sleep(3.0)


def test_parse_server_hint() -> None:
    assert parse_server_hint({"openai-poll-after-ms": "2500"}) == 2.5
    assert parse_server_hint({"openai-poll-after-ms": "2500", "retry-after": "9"}) == 2.5
    assert parse_server_hint({"openai-poll-after-ms": "soon", "retry-after": "9"}) == 9.0
    assert parse_server_hint({"retry-after": " 3 "}) == 3.0
    assert parse_server_hint({"retry-after": "-3"}) is None
    assert parse_server_hint({"retry-after": "nan"}) is None
    assert parse_server_hint({"retry-after": "inf"}) is None
    assert parse_server_hint({"openai-poll-after-ms": "nan"}) is None
    assert parse_server_hint({}) is None
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_server_hint({"retry-after": date}) is None  # a date needs "now"
    assert parse_server_hint({"retry-after": date}, now_epoch=1445412470.0) == pytest.approx(10.0)
    assert parse_server_hint({"retry-after": date}, now_epoch=1445412490.0) is None  # in the past
    assert parse_server_hint({"retry-after": "not a date"}, now_epoch=0.0) is None


# -- transient errors ----------------------------------------------------------------------------


def test_errors_back_off_and_do_not_end_the_wait() -> None:
    outage = lambda t: 2.0 <= t < 60.0  # noqa: E731  - a one-minute outage early in the wait
    run = simulate(90.0, error_at=outage, rand=lambda: 0.0)
    assert isinstance(run.end, Done)
    during = [s for t, s in zip(run.checks[:-1], run.sleeps, strict=True) if outage(t)]
    assert during[:5] == [1.0, 2.0, 4.0, 8.0, 16.0]  # doubling (or the schedule, if longer)
    assert max(during) <= DEFAULT.max_interval
    assert len(during) < 15


def test_an_error_streak_too_long_gives_up_with_the_last_video() -> None:
    policy = PollPolicy(max_error_streak=120.0)
    run = simulate(10_000.0, policy=policy, error_at=lambda t: t >= 30.0, rand=lambda: 0.0)
    assert isinstance(run.end, GiveUp)
    assert run.end.video is RUNNING  # the last one seen before the outage
    assert str(run.end.error) == "503"
    first_error = next(t for t in run.checks if t >= 30.0)
    # At the first failed check past the limit: at most one (capped) back-off interval later.
    assert 120.0 <= run.checks[-1] - first_error <= 120.0 + policy.max_interval


def test_a_success_resets_the_error_streak() -> None:
    policy = PollPolicy(max_error_streak=10.0)
    flaky = lambda t: int(t) % 2 == 0  # noqa: E731  - every other check fails, forever
    run = simulate(500.0, policy=policy, error_at=flaky, fixed=1.0)
    assert isinstance(run.end, Done)


def test_deadline_wins_over_the_error_streak() -> None:
    policy = PollPolicy(max_error_streak=10.0)
    run = simulate(1000.0, policy=policy, deadline=5.0, error_at=lambda t: True)
    assert isinstance(run.end, TimedOut)


# -- progress ------------------------------------------------------------------------------------


def test_progress_reports_elapsed_polls_next_check_and_errors() -> None:
    state = PollState(policy=DEFAULT, started_at=10.0, rand=lambda: 0.0)
    with pytest.raises(RuntimeError, match="successful check"):
        state.progress(10.0)
    state.observe_error(RuntimeError("x"), 10.0)
    state.observe(video("in_progress", metadata={"cost_estimate": 0.4}), 11.0)
    progress = state.progress(11.0)
    assert progress == PollProgress(video=progress.video, elapsed=1.0, polls=1, next_check_in=1.0, errors=1)
    assert progress.status == "in_progress" and progress.video_id == "video_1"
    assert progress.cost_estimate == 0.4
    state.observe(video("completed", metadata={"cost_estimate": 0.4, "cost": 0.35}), 12.0)
    final = state.progress(12.0)
    assert final.next_check_in is None and final.cost_estimate == 0.35


# -- properties ----------------------------------------------------------------------------------

durations = st.floats(min_value=0.0, max_value=3600.0, allow_nan=False)
rands = st.lists(st.floats(min_value=0.0, max_value=0.999999), min_size=1, max_size=50)


def cycling(values: list[float]) -> Callable[[], float]:
    index = [0]

    def rand() -> float:
        value = values[index[0] % len(values)]
        index[0] += 1
        return value

    return rand


@settings(max_examples=300, deadline=None)
@given(finish_at=durations, values=rands, first=st.floats(min_value=0.0, max_value=5.0))
def test_property_detection_delay_is_bounded(finish_at: float, values: list[float], first: float) -> None:
    """A job finishing at T is noticed within min(cap, max(floor, 10% of T)), whatever the jitter."""
    run = simulate(finish_at, rand=cycling(values), first_check=first)
    assert isinstance(run.end, Done)
    delay = run.detected_at - finish_at
    assert delay <= detection_bound(DEFAULT, finish_at) + 1e-9 or run.detected_at == first
    assert delay <= max(1.0, 0.1 * finish_at) + 1e-9 or run.detected_at == first


@settings(max_examples=300, deadline=None)
@given(
    finish_at=durations,
    deadline=st.floats(min_value=0.0, max_value=600.0),
    values=rands,
    hint=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1e6)),
    errors=st.booleans(),
)
def test_property_never_sleeps_past_the_deadline(
    finish_at: float, deadline: float, values: list[float], hint: float | None, errors: bool
) -> None:
    run = simulate(
        finish_at,
        deadline=deadline,
        rand=cycling(values),
        hint=lambda t: hint,
        error_at=lambda t: errors and int(t * 7) % 3 == 0,
    )
    assert all(t <= deadline + 1e-9 for t in run.checks)
    if isinstance(run.end, TimedOut):
        assert run.checks[-1] == pytest.approx(deadline)
    else:
        assert isinstance(run.end, Done | GiveUp)


@settings(max_examples=300, deadline=None)
@given(
    elapsed=st.floats(min_value=0.0, max_value=1e5),
    hint=st.floats(min_value=0.0, max_value=1e5),
    rand=st.floats(min_value=0.0, max_value=0.999999),
    error=st.booleans(),
)
def test_property_hint_is_honoured(elapsed: float, hint: float, rand: float, error: bool) -> None:
    """Never back sooner than the server asked (up to max_hint), error or not."""
    state = PollState(policy=DEFAULT, started_at=0.0, rand=lambda: rand)
    if error:
        decision = state.observe_error(RuntimeError("503"), elapsed, hint)
    else:
        decision = state.observe(RUNNING, elapsed, hint)
    assert isinstance(decision, Sleep)
    assert decision.seconds >= min(hint, DEFAULT.max_hint) - 1e-9


@settings(max_examples=500, deadline=None)
@given(
    elapsed=st.floats(min_value=0.0, max_value=1e6),
    rand=st.floats(min_value=0.0, max_value=0.999999),
    jitter=st.floats(min_value=0.0, max_value=0.99),
)
def test_property_jitter_only_shortens(elapsed: float, rand: float, jitter: float) -> None:
    policy = PollPolicy(jitter=jitter)
    base = policy.base_interval(elapsed)
    interval = policy.interval(elapsed, rand=rand)
    assert base * (1 - jitter) - 1e-12 <= interval <= base
    assert interval > 0
    assert base <= policy.max_interval


@settings(max_examples=500, deadline=None)
@given(finish_at=durations, values=rands, first=st.floats(min_value=0.0, max_value=5.0))
def test_property_never_more_requests_than_one_second_polling(
    finish_at: float, values: list[float], first: float
) -> None:
    """At every job length at most as many requests as openai's 1 s polling (every interval is at
    least the 1 s floor, so the k-th check is never earlier than 1 s polling's k-th), and the count
    grows with log(T), not linearly."""
    run = simulate(finish_at, rand=cycling(values), first_check=first)
    fixed = len(simulate(finish_at, fixed=1.0, first_check=first).checks)
    ours = len(run.checks)
    assert min(run.sleeps, default=1.0) >= DEFAULT.min_interval
    assert ours <= fixed
    if finish_at >= 60:
        assert ours * 1.75 <= fixed
    if finish_at >= 120:
        assert ours * 2.8 <= fixed
    if finish_at >= 300:
        assert ours * 5.5 <= fixed


@settings(max_examples=500, deadline=None)
@given(
    now=st.floats(min_value=0.0, max_value=1e7),
    elapsed=st.floats(min_value=0.0, max_value=1e5),
    rand=st.floats(min_value=0.0, max_value=0.999999),
    grid=st.sampled_from([0.0, 0.001, 0.05, 0.5, 7.0]),
)
def test_property_the_grid_stays_in_the_jittered_window(now: float, elapsed: float, rand: float, grid: float) -> None:
    """Moving a check onto the wake grid never breaks the floor nor the detection bound."""
    policy = PollPolicy(wake_grid=grid)
    delay = policy.next_interval(now, elapsed, rand=rand)
    assert policy.interval(elapsed, rand=1.0) <= delay <= policy.base_interval(elapsed)
    assert delay >= policy.floor_interval(elapsed)


# -- arguments and 404s right after a create ---------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    interval=st.one_of(st.none(), st.floats(), st.integers(), st.integers(10**300, 10**400), st.booleans(), st.text()),
    timeout=st.one_of(st.none(), st.floats(), st.integers(), st.integers(10**300, 10**400), st.booleans(), st.text()),
)
def test_property_poll_arguments_are_finite_or_refused(interval: object, timeout: object) -> None:
    try:
        fixed, deadline = poll_arguments(interval, timeout)
    except (ValueError, TypeError) as error:
        assert "must be" in str(error)  # noqa: PT017  # says what to pass
        return
    assert fixed is None or (0 <= fixed < float("inf"))  # a sub-microsecond interval rounds to 0
    assert deadline is None or (0 <= deadline < float("inf"))
    assert (fixed is None) == (interval is None) and (deadline is None) == (timeout is None)


def test_a_404_is_lag_only_within_the_grace_and_before_the_job_was_seen() -> None:
    policy = PollPolicy(not_found_grace=10.0)
    state = PollState(policy=policy, started_at=100.0)
    assert state.may_be_replication_lag(100.0) and state.may_be_replication_lag(109.9)
    assert not state.may_be_replication_lag(110.0)
    state.observe(QUEUED, 101.0, fetched=False)  # create's own answer: not proof the replica has it
    assert state.may_be_replication_lag(102.0)
    state.observe(QUEUED, 103.0)  # a check found it: a 404 now means what it says
    assert not state.may_be_replication_lag(103.5)
    assert not PollState(policy=PollPolicy(not_found_grace=0), started_at=0).may_be_replication_lag(0.0)


def test_404s_within_the_grace_back_off_like_transient_errors() -> None:
    state = PollState(policy=PollPolicy(not_found_grace=10.0), started_at=0.0, rand=lambda: 0.0)
    now, sleeps = 0.0, []
    while state.may_be_replication_lag(now):
        decision = state.observe_error(RuntimeError("404"), now)
        assert isinstance(decision, Sleep)
        sleeps.append(decision.seconds)
        now += decision.seconds
    assert sleeps == [1.0, 2.0, 4.0, 8.0]  # four retries, then the 404 is raised (at 15 s)

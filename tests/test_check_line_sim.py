"""The check line under overload, in simulated time: the real CheckQueue, PollPolicy and turn_place
driven by a discrete-event loop (one client of 32 slots, 50 ms per check: 640 checks/s), no clock,
no I/O. Each case is one the order was chosen for (benchmarks/RESULTS.md, "Round 5")."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from typing import Any

from lumenfall_openai._polling import CheckQueue, PollPolicy, PollState, turn_place

LATENCY = 0.05


class _Job:
    def __init__(self, start: float, length: float, kind: str, policy: PollPolicy, rand: random.Random) -> None:
        self.start, self.length, self.kind = start, length, kind
        self.state = PollState(policy=policy, started_at=start, rand=rand.random)
        self.noticed: float | None = None


def _simulate(jobs_spec: list[tuple[float, float, str]], *, by_age: bool, seed: int = 1) -> dict[str, float]:
    """The worst (noticed - start) / length per kind of job."""
    rand = random.Random(seed)
    policy = PollPolicy()
    queue = CheckQueue()
    events: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
    count = 0

    def at(when: float, fn: Callable[..., None], *args: Any) -> None:
        nonlocal count
        count += 1
        heapq.heappush(events, (when, count, fn, args))

    def due(job: _Job, now: float) -> None:
        if queue.enter(job, place=turn_place(job.state) if by_age else 0.0):
            at(now + LATENCY, answered, job)

    def answered(job: _Job, now: float) -> None:
        turn = queue.leave()
        if turn is not None:
            at(now + LATENCY, answered, turn)
        if now >= job.start + job.length:
            job.noticed = now
            return
        at(now + policy.next_interval(now, job.state.elapsed(now), rand=rand.random()), due, job)

    jobs = [_Job(start, length, kind, policy, rand) for start, length, kind in jobs_spec]
    for job in jobs:
        at(job.start + policy.first_interval, due, job)
    while events:
        now, _, fn, args = heapq.heappop(events)
        fn(*args, now)
    assert queue.running == 0 and not queue.waiting
    worst: dict[str, float] = {}
    for job in jobs:
        assert job.noticed is not None
        worst[job.kind] = max(worst.get(job.kind, 0.0), (job.noticed - job.start) / job.length)
    return worst


def test_jobs_of_one_length_are_noticed_sooner_with_the_oldest_first_turns() -> None:
    """3,000 jobs of 30 s created over 5 s ask ~2,300 checks/s of a client that carries 640: by
    due time alone every job waits the same long line, finished or not."""
    spec = [(5.0 * i / 3000, 30.0, "all") for i in range(3000)]
    first_due = _simulate(spec, by_age=False)["all"]
    turns = _simulate(spec, by_age=True)["all"]
    assert turns < first_due - 0.05, (turns, first_due)
    assert turns <= 1.3


def test_short_jobs_behind_a_crowd_of_longer_ones_are_not_held_back() -> None:
    """100 jobs of 5 s started 10 s after 3,000 jobs of 55 s: oldest first alone made them wait
    for the whole crowd (9.5x their length); with half the turns by due time they do no worse than
    by due time alone, and the crowd no worse either."""
    spec = [(3.0 * i / 3000, 55.0, "long") for i in range(3000)]
    spec += [(10.0 + 0.5 * i / 100, 5.0, "short") for i in range(100)]
    first_due = _simulate(spec, by_age=False)
    turns = _simulate(spec, by_age=True)
    assert turns["short"] <= first_due["short"] * 1.05, (turns, first_due)
    assert turns["long"] <= first_due["long"] * 1.05, (turns, first_due)

"""Many waits on one client: fair turns for checks (CheckQueue and its shims) and shared wake-ups."""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from functools import partial
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai._check_slots import WAKE_CHECK, AsyncCheckSlots, CheckSlots, async_check_slots, check_slots
from lumenfall_openai._polling import (
    MAX_JOB_AGE,
    CheckQueue,
    PollPolicy,
    PollState,
    Sleep,
    turn_place,
    wake_delay,
)
from lumenfall_openai.types import Video

from .conftest import TEST_KEY


@settings(max_examples=200)
@given(limit=st.integers(1, 8), steps=st.lists(st.booleans(), max_size=200))
def test_checks_run_first_come_first_served_never_more_than_the_limit(limit: int, steps: list[bool]) -> None:
    """A model: True = a check falls due, False = the oldest running check finishes. Every due
    check runs, in the order it fell due, and never more than ``limit`` at once."""
    queue = CheckQueue(limit)
    started: list[int] = []
    running: deque[int] = deque()
    due = 0
    for arrives in [*steps, *([False] * (len(steps) + limit))]:
        if arrives:
            if queue.enter(due):
                started.append(due)
                running.append(due)
            due += 1
        elif running:
            running.popleft()
            turn = queue.leave()
            if turn is not None:
                assert isinstance(turn, int)
                started.append(turn)
                running.append(turn)
        assert queue.running == len(running) <= limit
    assert started == list(range(due))  # all of them, in order
    assert queue.running == 0 and not queue.waiting


@settings(max_examples=300)
@given(limit=st.integers(1, 8), steps=st.lists(st.sampled_from(["check", "create", "finish"]), max_size=200))
def test_creates_go_first_but_never_take_every_slot_from_checks(limit: int, steps: list[str]) -> None:
    """A model with creates: every request runs, each kind in the order it fell due, never more
    than ``limit`` at once nor more than ``create_cap`` creates; no slot stays free while a
    request that may use it waits; a waiting create goes before a waiting check whenever the cap
    allows; and with a limit above 1 checks can always run beside the most creates allowed."""
    queue = CheckQueue(limit)
    cap = queue.create_cap
    assert 1 <= cap <= limit and (limit == 1 or cap < limit)
    started: dict[str, list[int]] = {"check": [], "create": []}
    running: deque[tuple[str, int]] = deque()
    due = {"check": 0, "create": 0}

    def start(kind: str, number: int) -> None:
        started[kind].append(number)
        running.append((kind, number))

    for step in [*steps, *(["finish"] * (len(steps) + limit))]:
        if step != "finish":
            if queue.enter((step, due[step]), create=step == "create"):
                start(step, due[step])
            due[step] += 1
        elif running:
            kind, _ = running.popleft()
            creates_before = queue.creates_running
            waiting_create = bool(queue.creates_waiting)
            turn = queue.leave(create=kind == "create")
            if turn is not None:
                assert isinstance(turn, tuple)
                start(*turn)
                if waiting_create and creates_before - (kind == "create") < cap:
                    assert turn[0] == "create"  # creates first, within the cap
        creates = sum(kind == "create" for kind, _ in running)
        assert queue.running == len(running) <= limit
        assert queue.creates_running == creates <= cap
        if queue.running < limit:  # a free slot: nobody who could use it is waiting
            assert not queue.waiting
            assert not queue.creates_waiting or creates == cap
    assert started == {kind: list(range(due[kind])) for kind in due}  # all of them, in order
    assert queue.running == queue.creates_running == 0 and not queue.waiting and not queue.creates_waiting


def test_a_waiting_create_and_check_can_be_withdrawn() -> None:
    queue = CheckQueue(2)
    assert queue.enter("create-1", create=True)  # create_cap is 1 of 2
    assert not queue.enter("create-2", create=True)
    assert queue.enter("check-1")  # the slot creates may not take is a check's
    assert not queue.enter("check-2")
    assert queue.withdraw("create-2") and queue.withdraw("check-2")
    assert not queue.withdraw("create-2")
    assert queue.leave(create=True) is None and queue.leave() is None
    assert (queue.running, queue.creates_running) == (0, 0)


def test_a_withdrawn_waiter_is_skipped_and_the_limit_must_be_positive() -> None:
    queue = CheckQueue(1)
    assert queue.enter("a")
    assert not queue.enter("b") and not queue.enter("c")
    assert queue.withdraw("b")
    assert not queue.withdraw("b")  # gone already
    assert queue.leave() == "c"
    assert not queue.withdraw("c")  # it holds the slot now: it must leave() instead
    assert queue.leave() is None and queue.running == 0
    with pytest.raises(ValueError, match="at least 1"):
        CheckQueue(0)


@settings(max_examples=300)
@given(
    limit=st.integers(1, 4),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("due"), st.integers(-5, 5)),
            st.tuples(st.just("finish"), st.just(0)),
            st.tuples(st.just("withdraw"), st.integers(0, 50)),
        ),
        max_size=150,
    ),
)
def test_waiting_checks_alternate_first_due_and_lowest_place_and_withdrawn_ones_never_run(
    limit: int, steps: list[tuple[str, int]]
) -> None:
    """A model of the line: freed slots go alternately to the waiting check that fell due first
    and to the one with the lowest place (the earliest of equal places); a withdrawn check never
    runs and frees nothing; every other check runs exactly once, never more than ``limit`` at once."""
    queue = CheckQueue(limit)
    line: list[tuple[int, int]] = []  # (place, arrival) of the waiting checks, the model
    running: deque[tuple[int, int]] = deque()
    ran: list[tuple[int, int]] = []
    withdrawn: set[tuple[int, int]] = set()
    arrivals = 0
    turns = 0
    for kind, value in [*steps, *([("finish", 0)] * (len(steps) + limit))]:
        if kind == "due":
            token = (value, arrivals)
            arrivals += 1
            if queue.enter(token, place=float(value)):
                assert not line  # only an empty line lets a check go at once
                running.append(token)
                ran.append(token)
            else:
                line.append(token)
        elif kind == "withdraw" and line:
            token = line.pop(value % len(line))
            assert queue.withdraw(token)
            assert not queue.withdraw(token)
            withdrawn.add(token)
        elif kind == "finish" and running:
            running.popleft()
            turn = queue.leave()
            if line:
                turns += 1
                expected = line[0] if turns % 2 else min(line)
                assert turn == expected
                line.remove(expected)
                running.append(expected)
                ran.append(expected)
            else:
                assert turn is None
        assert queue.running == len(running) <= limit
        assert set(queue.waiting) == set(line)
        # Left-behind entries never outgrow the line they order (no leak under churn).
        assert len(queue._due) + len(queue._oldest) <= 4 * len(line) + 64 + 2  # pyright: ignore[reportPrivateUsage]
    assert not withdrawn & set(ran)
    assert len(ran) == len(set(ran)) == arrivals - len(withdrawn)
    assert queue.running == 0 and not queue.waiting
    assert not queue._due and not queue._oldest  # pyright: ignore[reportPrivateUsage]


def test_a_token_that_comes_back_after_withdrawing_waits_at_its_new_place() -> None:
    queue = CheckQueue(1)
    assert queue.enter("holder")
    assert not queue.enter("again", place=1.0)
    assert queue.withdraw("again")
    assert not queue.enter("other", place=5.0)
    assert not queue.enter("again", place=9.0)  # its old entries (first due, place 1) must not serve it early
    assert queue.leave() == "other"  # the first-due turn
    assert queue.leave() == "again"
    assert queue.leave() is None and queue.running == 0 and not queue.waiting


def test_the_older_wait_has_the_lower_place() -> None:
    policy = PollPolicy()
    young, old = PollState(policy=policy, started_at=998.0), PollState(policy=policy, started_at=970.0)
    assert turn_place(old) < turn_place(young)


def _seen(state: PollState, created_at: object) -> PollState:
    state.observe(Video.construct(id="video_1", status="in_progress", created_at=created_at), state.started_at + 1)
    return state


def test_a_wait_resumed_on_an_old_job_takes_the_place_of_the_old_job() -> None:
    """poll() on a job created an hour ago (a program restarted) is an old job on the oldest-first
    turns, ahead of waits that began before it on younger jobs; until a check has seen the job,
    and for a job as young as its wait, the wait's own start is its place."""
    policy = PollPolicy()
    epoch = 1_800_000_000.0
    earlier = PollState(policy=policy, started_at=400.0, started_epoch=epoch - 600)
    _seen(earlier, int(epoch - 600))  # created when its wait began, ten minutes ago
    resumed = PollState(policy=policy, started_at=1000.0, started_epoch=epoch)
    assert turn_place(resumed) == 1000.0  # nothing seen yet
    _seen(resumed, int(epoch - 3600))
    assert turn_place(resumed) == pytest.approx(1000.0 - 3600)
    assert turn_place(resumed) < turn_place(earlier) == pytest.approx(400.0)


@settings(max_examples=300)
@given(
    created_at=st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3)
    )
)
def test_no_created_at_moves_a_wait_later_than_its_start_or_back_more_than_the_cap(created_at: object) -> None:
    """Whatever the server says (a clock ahead of ours, 0, a huge int, a bool, garbage), the place
    never raises, is never after the wait's start and never more than MAX_JOB_AGE before it."""
    state = _seen(PollState(policy=PollPolicy(), started_at=500.0, started_epoch=1_800_000_000.0), created_at)
    place = turn_place(state)
    assert 500.0 - MAX_JOB_AGE <= place <= 500.0
    if not isinstance(created_at, (int, float)) or isinstance(created_at, bool) or created_at >= 1_800_000_000:
        assert place == 500.0


def test_short_jobs_behind_a_crowd_of_longer_ones_are_not_held_back() -> None:
    """The attack that oldest-first alone failed (short jobs waited behind every check of an older
    crowd): with every other turn by due time, a check never waits for more than the checks that
    fell due before it, served at half the rate, however many older waits keep arriving."""
    queue = CheckQueue(1)
    assert queue.enter("running")
    assert not queue.enter("young", place=100.0)  # a short job's check, due now, its wait the youngest
    served: list[object] = []
    for i in range(50):  # a crowd of older waits whose checks keep falling due
        assert not queue.enter(f"old-{i}", place=float(i))
        served.append(queue.leave())
        if "young" in served:
            break
    assert "young" in served[:2]  # the first turn by due time is the young job's


async def _take_turn(
    slots: AsyncCheckSlots,
    order: list[str],
    name: str,
    *,
    create: bool = False,
    place: float = 0.0,
    hold: anyio.Event | None = None,
) -> None:
    """A request through the async shim: note when it got its slot, then hold it until ``hold``."""
    async with slots.slot(create=create, place=place):
        order.append(name)
        if hold is not None:
            await hold.wait()


@pytest.mark.anyio
async def test_async_slots_alternate_first_due_and_oldest() -> None:
    """Through the shim: one slot held, four checks wait with places; freed, the slots go to the
    first due, then the oldest, then the first due of the rest, then the last."""
    slots = AsyncCheckSlots(CheckQueue(1))
    order: list[str] = []
    release = anyio.Event()

    async with anyio.create_task_group() as tg:
        tg.start_soon(partial(_take_turn, slots, order, "holder", hold=release))
        await anyio.wait_all_tasks_blocked()
        for name, place in (("young", 50.0), ("old", 10.0), ("middle", 30.0), ("newest", 60.0)):
            tg.start_soon(partial(_take_turn, slots, order, name, place=place))
            await anyio.wait_all_tasks_blocked()
        release.set()
    assert order == ["holder", "young", "old", "middle", "newest"]


@settings(max_examples=500)
@given(
    now=st.floats(0, 1e6, allow_nan=False),
    delay=st.floats(0.001, 100, allow_nan=False),
    tick=st.sampled_from([0.005, 0.01, 0.05]),
    latest=st.none() | st.floats(0, 200, allow_nan=False),
)
def test_wake_delay_only_lengthens_by_less_than_a_tick_and_respects_the_deadline(
    now: float, delay: float, tick: float, latest: float | None
) -> None:
    got = wake_delay(now, delay, tick=tick, latest=latest)
    assert got >= delay  # never shorter: the floor and the request-count bound hold
    assert got < delay + tick + 1e-6
    if latest is not None and delay <= latest:
        assert got <= latest
    if latest is None or latest >= delay + tick:
        assert abs((now + got) / tick - round((now + got) / tick)) < 1e-3  # on the grid


def test_waits_due_a_few_ms_apart_end_on_the_same_instant() -> None:
    """Ten jobs created 3 ms apart, each told to sleep 1 s: one wake-up for all (was ten)."""
    policy = PollPolicy()
    ends: set[float] = set()
    for i in range(10):
        created = 100.002 + i * 0.0003
        state = PollState(policy=policy, started_at=created)
        decision = Sleep(1.0)
        ends.add(round(created + state.wake_after(decision, created), 9))
    assert len(ends) == 1


def test_wake_after_never_sleeps_past_the_deadline() -> None:
    state = PollState(policy=PollPolicy(), started_at=0.0, deadline=5.0)
    assert state.wake_after(Sleep(0.999), 4.001) == pytest.approx(0.999)


@pytest.mark.anyio
async def test_async_a_waiting_create_goes_before_a_check_that_fell_due_first() -> None:
    slots = AsyncCheckSlots(CheckQueue(2))
    release = anyio.Event()
    order: list[str] = []

    def request(name: str, create: bool, hold: anyio.Event | None = None) -> Any:
        return _take_turn(slots, order, name, create=create, hold=hold)

    async with anyio.create_task_group() as group:
        group.start_soon(request, "check-1", False, release)
        group.start_soon(request, "check-2", False, release)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(request, "check-3", False)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(request, "create", True)
        await anyio.wait_all_tasks_blocked()
        assert order == ["check-1", "check-2"]
        release.set()
    assert order == ["check-1", "check-2", "create", "check-3"]


def test_sync_creates_share_the_slots_with_checks() -> None:
    queue = CheckQueue(2)
    slots = CheckSlots(queue)
    with slots.slot(create=True):
        assert (queue.running, queue.creates_running) == (1, 1)
        with slots.slot():
            assert queue.running == 2
    assert (queue.running, queue.creates_running) == (0, 0)


@pytest.mark.anyio
async def test_async_slots_limit_concurrency_and_keep_order() -> None:
    slots = AsyncCheckSlots(CheckQueue(3))
    gate = anyio.Event()
    running = 0
    most = 0
    order: list[int] = []

    async def check(i: int) -> None:
        nonlocal running, most
        async with slots.slot():
            order.append(i)
            running += 1
            most = max(most, running)
            await gate.wait()
            running -= 1

    async with anyio.create_task_group() as group:
        for i in range(20):
            group.start_soon(check, i)
            await anyio.lowlevel.checkpoint()  # each falls due after the last
        await anyio.wait_all_tasks_blocked()
        assert order == [0, 1, 2] and running == 3
        gate.set()
    assert most == 3 and order == list(range(20))


@pytest.mark.anyio
async def test_async_slots_a_cancelled_waiter_and_a_deadline_do_not_leak_slots() -> None:
    slots = AsyncCheckSlots(CheckQueue(1))
    release = anyio.Event()

    async def holder() -> None:
        async with slots.slot():
            await release.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(holder)
        await anyio.wait_all_tasks_blocked()
        with anyio.move_on_after(0):  # a waiter cancelled while queued
            async with slots.slot():
                pytest.fail("must not get the slot")
        entered = False
        async with slots.slot(wait_at_most=0):  # a wait at its deadline checks anyway
            entered = True
        assert entered
        release.set()
    queue = slots._queue  # pyright: ignore[reportPrivateUsage]
    assert queue.running == 0 and not queue.waiting


def test_sync_slots_limit_concurrency_across_threads() -> None:
    slots = CheckSlots(CheckQueue(2))
    lock = threading.Lock()
    gate = threading.Event()
    running = 0
    most = 0
    entered = threading.Semaphore(0)

    def check() -> None:
        nonlocal running, most
        with slots.slot():
            with lock:
                running += 1
                most = max(most, running)
            entered.release()
            gate.wait()
            with lock:
                running -= 1

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    entered.acquire()
    entered.acquire()
    with slots.slot(wait_at_most=0):  # the deadline path: in at once, over the limit
        pass
    gate.set()
    for thread in threads:
        thread.join()
    assert most == 2
    queue = slots._queue  # pyright: ignore[reportPrivateUsage]
    assert queue.running == 0 and not queue.waiting


def test_each_client_has_its_own_slots() -> None:
    class Client:
        pass

    a, b = Client(), Client()
    assert check_slots(a) is check_slots(a) is not check_slots(b)
    assert async_check_slots(Client()) is not async_check_slots(Client())


def test_copies_share_their_pools_slots_and_each_event_loop_has_its_own() -> None:
    """``with_options`` copies share the connection pool, so they share its slots (a copy per call
    must not multiply the limit); an async client used from two event loops gets slots per loop
    (an anyio Event cannot wake a task of another loop: a create would wait out its timeout)."""
    import asyncio

    from lumenfall_openai import AsyncLumenfall, Lumenfall

    client = Lumenfall(api_key=TEST_KEY, base_url="http://127.0.0.1:9/openai/v1")
    assert check_slots(client.with_options(timeout=5)) is check_slots(client)
    assert check_slots(Lumenfall(api_key=TEST_KEY, base_url="http://127.0.0.1:9/openai/v1")) is not check_slots(client)
    aclient = AsyncLumenfall(api_key=TEST_KEY, base_url="http://127.0.0.1:9/openai/v1")

    async def slots_here() -> tuple[AsyncCheckSlots, AsyncCheckSlots]:
        return async_check_slots(aclient), async_check_slots(aclient.with_options(max_retries=0))

    first, first_copy = asyncio.run(slots_here())
    second, _ = asyncio.run(slots_here())
    assert first is first_copy and second is not first
    seen: list[AsyncCheckSlots] = []
    thread = threading.Thread(target=lambda: seen.extend(asyncio.run(slots_here())))
    thread.start()
    thread.join()
    assert seen[0] is seen[1] and seen[0] not in (first, second)


def test_a_sync_waiter_interrupted_after_its_turn_came_passes_the_slot_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or any exception) in a waiting thread must not take a slot with it: the slot handed
    over while it was being interrupted goes back, so the client keeps its full number of checks."""
    queue = CheckQueue(limit=1)
    slots = CheckSlots(queue)
    holder = slots.slot()
    holder.__enter__()  # the one slot is taken

    class InterruptedTurn(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            holder.__exit__(None, None, None)  # the holder finishes: its slot is handed to this turn...
            raise KeyboardInterrupt  # ...just as this waiter is interrupted

    monkeypatch.setattr("lumenfall_openai._check_slots.threading.Event", InterruptedTurn)
    with pytest.raises(KeyboardInterrupt):
        with slots.slot():
            pass
    assert (queue.running, list(queue.waiting)) == (0, [])  # nothing leaked


def test_a_create_waits_for_a_slot_held_by_a_check_then_goes(emulator: Any, base_url: str) -> None:
    """Over real HTTP: with every slot of the client taken, ``videos.create`` sends nothing
    until a slot frees; then it is sent and answered as usual."""
    from lumenfall_openai import Lumenfall
    from lumenfall_openai._check_slots import _SYNC, _pool_of  # pyright: ignore[reportPrivateUsage]

    queue = CheckQueue(1)
    with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
        _SYNC[_pool_of(client)] = CheckSlots(queue)
        created: list[str] = []
        worker = threading.Thread(target=lambda: created.append(client.videos.create(prompt="x").id))
        with check_slots(client).slot():  # a check holds the only slot
            worker.start()
            while not queue.creates_waiting:  # the create is waiting for its turn
                worker.join(0.001)
                assert worker.is_alive()
            assert not [r for r in emulator.requests if r.route.startswith("POST")]  # nothing sent yet
        worker.join(30)
        assert not worker.is_alive() and len(created) == 1
        assert len([r for r in emulator.requests if r.route.startswith("POST")]) == 1
        assert (queue.running, queue.creates_running, list(queue.creates_waiting)) == (0, 0, [])


def test_a_create_waits_for_its_turn_no_longer_than_its_timeout_lets_it_wait_for_a_connection() -> None:
    from lumenfall_openai._compat import NotGiven, http
    from lumenfall_openai._polling import turn_wait_limit

    assert turn_wait_limit(2.5, 600.0) == 2.5
    assert turn_wait_limit(NotGiven(), 600.0) == 600.0  # the client's own timeout
    assert turn_wait_limit(None, 600.0) is None and turn_wait_limit(NotGiven(), None) is None
    assert turn_wait_limit(http.Timeout(10.0, pool=3.0), None) == 3.0
    assert turn_wait_limit(NotGiven(), http.Timeout(10.0, pool=None)) is None


def test_a_create_whose_timeout_runs_out_while_waiting_is_sent_anyway(emulator: Any, base_url: str) -> None:
    from lumenfall_openai import Lumenfall
    from lumenfall_openai._check_slots import _SYNC, _pool_of  # pyright: ignore[reportPrivateUsage]
    from lumenfall_openai._compat import http

    queue = CheckQueue(1)
    with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
        _SYNC[_pool_of(client)] = CheckSlots(queue)
        with check_slots(client).slot():  # the only slot stays taken throughout
            # pool=: how long it may wait for a connection, and so for its turn; the request itself gets 30 s
            video = client.videos.create(prompt="x", timeout=http.Timeout(30.0, pool=0.05))
        assert video.id and queue.running == 0
        assert len([r for r in emulator.requests if r.route.startswith("POST")]) == 1


@pytest.mark.anyio
async def test_a_create_cancelled_while_waiting_for_its_turn_releases_its_hold(emulator: Any, base_url: str) -> None:
    """A create still waiting for a slot has sent nothing: cancelled there, it is a create that
    surely made no job, so its budget hold goes back (one that was sent would keep it)."""
    import asyncio

    from lumenfall_openai import AsyncLumenfall
    from lumenfall_openai._check_slots import _ASYNC, _pool_of  # pyright: ignore[reportPrivateUsage]

    async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, budget=100) as client:
        queue = CheckQueue(1)
        _ASYNC.setdefault(_pool_of(client), weakref.WeakKeyDictionary())[asyncio.get_running_loop()] = AsyncCheckSlots(
            queue
        )
        async with async_check_slots(client).slot():  # a check holds the only slot
            task = asyncio.create_task(client.videos.create(prompt="x", model="sora-2"))
            while not queue.creates_waiting:  # estimated (free), now waiting for its turn  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            assert client.ledger.reserved_micros > 0
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert client.ledger.reserved_micros == 0 and client.ledger.unsettled_creates() == {}
        assert emulator.jobs_created == 0
        assert (queue.running, queue.creates_running, list(queue.creates_waiting)) == (0, 0, [])


def _interrupt_at(point: int) -> tuple[Any, list[str]]:
    """A trace function raising KeyboardInterrupt once, at the entry of the ``point``-th call of
    one of the package's functions: where CPython runs a Ctrl-C's signal handler in the main
    thread (function entries, and after calls, i.e. the entry of the next one)."""
    fired: list[str] = []
    seen = [0]

    def trace(frame: Any, event: str, arg: Any) -> Any:
        code = frame.f_code
        # Not __exit__'s own entry: cut there, the with statement never runs it (any context
        # manager's hole, contextlib's included).
        ours = "lumenfall_openai" in code.co_filename and code.co_name not in ("__init__", "__exit__")
        if event == "call" and not fired and ours:
            if seen[0] == point:
                fired.append(f"{code.co_name}:{frame.f_lineno}")
                raise KeyboardInterrupt
            seen[0] += 1
        return None

    return trace, fired


def _run_interrupted(scenario: str, point: int) -> tuple[list[str], CheckQueue, bool]:
    """One sync slot in ``scenario`` with one KeyboardInterrupt at ``point``; the queue after, and
    whether another thread's waiting turn got its slot."""
    import sys

    queue = CheckQueue(1)
    slots = CheckSlots(queue)
    release, holding, woke = threading.Event(), threading.Event(), threading.Event()
    other = None

    def hold() -> None:
        with slots.slot():
            holding.set()
            release.wait(5)

    def wait_in_line() -> None:
        with slots.slot(None):
            woke.set()

    if scenario == "handed":  # another thread holds the one slot and gives it up soon
        other = threading.Thread(target=hold)
        other.start()
        assert holding.wait(5)
        threading.Timer(0.05, release.set).start()
    trace, fired = _interrupt_at(point)
    try:
        if scenario == "handing":  # this thread holds the slot; another waits; this one leaves
            turn = slots.slot()
            turn.__enter__()
            other = threading.Thread(target=wait_in_line)
            other.start()
            while not queue.waiting:
                time.sleep(0.001)
            sys.settrace(trace)
            turn.__exit__(None, None, None)
        else:
            sys.settrace(trace)
            with slots.slot(None):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(None)
    release.set()
    handed = scenario != "handing" or woke.wait(3 * WAKE_CHECK)
    if other is not None:
        other.join(5)
    return fired, queue, handed


@pytest.mark.parametrize("scenario", ["free", "handed", "handing"])
def test_a_ctrl_c_at_any_point_of_taking_or_giving_back_a_sync_slot_loses_nothing(scenario: str) -> None:
    """Red team R2 and S1: a KeyboardInterrupt at the entry of any function of the sync turn
    (taking a free slot, waiting for one and being handed it, giving one back to a waiting
    thread), the queue's own included, leaves no slot held and no waiter asleep (a lost wake-up is
    noticed within WAKE_CHECK). Not covered: inside ``threading`` itself (``Event.set``), and the
    instants a ``with`` statement leaves unprotected (the entry of ``__exit__``, around a lock's)."""
    point = 0
    while True:
        fired, queue, handed = _run_interrupted(scenario, point)
        if not fired:
            break
        assert handed, f"{scenario}: Ctrl-C at {fired[0]} left the waiting thread asleep"
        assert (queue.running, len(queue.waiting), queue.holders) == (0, 0, set()), f"{scenario}: {fired[0]}"
        point += 1
    assert point >= 8  # the interrupt was tried at that many points

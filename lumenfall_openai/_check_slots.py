"""The I/O shim of :class:`~lumenfall_openai._polling.CheckQueue`: one per connection pool, sync and async.

Every poll check and video create of one client runs inside ``slot()`` (``create=True`` for a
create); the queue decides who goes, this module only blocks and wakes. A wait with a deadline
never waits for a slot past it: it then checks anyway (one request over the limit beats a wait
that misses its own deadline).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import AsyncGenerator
from typing import Any

import anyio

from ._compat import HTTP_CLIENT_ATTR
from ._polling import CheckQueue

__all__ = ["AsyncCheckSlots", "CheckSlots", "async_check_slots", "check_slots"]


class CheckSlots:
    """For a sync client (waits in threads)."""

    def __init__(self, queue: CheckQueue | None = None) -> None:
        self._queue = queue or CheckQueue()
        self._lock = threading.Lock()

    def slot(self, wait_at_most: float | None = None, *, create: bool = False, place: float = 0.0) -> _SyncTurn:
        """A context manager holding one slot (or, past ``wait_at_most`` seconds in line, none)."""
        return _SyncTurn(self, wait_at_most, create, place)


WAKE_CHECK = 1.0
"""Seconds a thread waits in line before looking again, under the lock, whether it was handed a
slot whose wake-up was lost (the giver interrupted between the hand-over and the wake-up)."""


class _SyncTurn:
    """One request's turn. A class, not a generator: a Ctrl-C can land between any two
    bytecodes of the main thread (in a notebook the client outlives it), and a generator cut
    right after it took its slot would keep it until garbage-collected. So ``__enter__`` gives
    back whatever it took if it is cut, ``__exit__`` always gives back, and the give-back is
    decided under the lock from the queue's own state and tried once more if it is itself cut. A waiter also
    looks every ``WAKE_CHECK`` seconds whether a slot reached it without its wake-up, or is free
    with nobody woken for it. Which tokens hold slots is the queue's to know
    (``CheckQueue.holders``), so no flag of this object can be cut apart from it. What Python
    cannot close: an interrupt inside the queue's own bookkeeping (a few statements of
    ``CheckQueue.leave``) or inside ``Event.set`` itself can still lose one slot."""

    __slots__ = ("_create", "_event", "_place", "_slots", "_wait")

    def __init__(self, slots: CheckSlots, wait_at_most: float | None, create: bool, place: float) -> None:
        self._slots, self._wait, self._create, self._place = slots, wait_at_most, create, place
        self._event = threading.Event()

    def __enter__(self) -> None:
        try:
            self._take()
        except BaseException:
            try:  # written out, not a helper: cut at a helper's entry, nothing would be given back
                self._give_back()
            except BaseException:
                self._give_back()
            raise

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._give_back()
        except BaseException:  # cut while giving back: once more (it frees a slot at most once)
            self._give_back()
            raise

    def _take(self) -> None:
        queue, lock, turn = self._slots._queue, self._slots._lock, self._event
        with lock:
            if queue.enter(turn, create=self._create, place=self._place):
                return
        deadline = None if self._wait is None else time.monotonic() + self._wait
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            step = WAKE_CHECK if left is None else max(0.0, min(left, WAKE_CHECK))
            if turn.wait(step) or (left is not None and left <= step):
                break
            with lock:
                if not queue.waits(turn):
                    break  # handed a slot whose wake-up was lost
                _pass_on(queue.pump())  # a slot freed with nobody woken for it (maybe this one)
        with lock:
            queue.withdraw(turn)  # still queued: the wait ran out, go without a slot

    def _give_back(self) -> None:
        """Withdraw the turn if it still waits, else pass on the slot it holds, if any. The queue
        knows which tokens hold slots, so this is safe to repeat (it frees a slot at most once)."""
        queue, turn = self._slots._queue, self._event
        with self._slots._lock:
            if not queue.withdraw(turn):
                _pass_on(queue.leave(create=self._create, token=turn))


def _pass_on(turn: object) -> None:
    """Wake the waiter a freed slot went to (under the lock: it never holds a slot unwoken)."""
    if isinstance(turn, threading.Event):
        turn.set()


class AsyncCheckSlots:
    """For an async client (waits in tasks of one event loop)."""

    def __init__(self, queue: CheckQueue | None = None) -> None:
        self._queue = queue or CheckQueue()

    @contextlib.asynccontextmanager
    async def slot(
        self, wait_at_most: float | None = None, *, create: bool = False, place: float = 0.0
    ) -> AsyncGenerator[None]:
        turn = anyio.Event()
        try:
            if not self._queue.enter(turn, create=create, place=place):
                with anyio.move_on_after(wait_at_most):
                    await turn.wait()
                self._queue.withdraw(turn)  # still queued: the wait ran out, go without a slot
            yield
        finally:
            # Cancelled in line, gone without a slot, or done: the queue knows which (as in the
            # sync turn's give-back), and leaving with the token frees a slot only if it holds one.
            if not self._queue.withdraw(turn):
                handed = self._queue.leave(create=create, token=turn)
                if isinstance(handed, anyio.Event):
                    handed.set()


def check_slots(client: Any) -> CheckSlots:
    """The slots of the client's connection pool: a copy made by ``with_options`` shares its
    pool, and so its slots (each copy with slots of its own would multiply the limit)."""
    pool = _pool_of(client)
    with _LOCK:
        slots = _SYNC.get(pool)
        if slots is None:
            slots = _SYNC[pool] = CheckSlots()
        return slots


def async_check_slots(client: Any) -> AsyncCheckSlots:
    """As :func:`check_slots`, per event loop too: an anyio Event wakes tasks of its own loop
    only, so one client used from two loops (two threads, or ``asyncio.run`` after an earlier
    loop stopped with creates still waiting) gives each loop its own slots."""
    pool, loop = _pool_of(client), _running_loop()
    with _LOCK:
        per_loop = _ASYNC.get(pool)
        if per_loop is None:
            per_loop = _ASYNC[pool] = weakref.WeakKeyDictionary()
        slots = per_loop.get(loop)
        if slots is None:
            slots = per_loop[loop] = AsyncCheckSlots()
        return slots


_LOCK = threading.Lock()
# Keyed weakly by the pool (and the loop): slots go with the client that owns them.
_SYNC: weakref.WeakKeyDictionary[Any, CheckSlots] = weakref.WeakKeyDictionary()
_ASYNC: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, AsyncCheckSlots]] = weakref.WeakKeyDictionary()


def _pool_of(client: Any) -> Any:
    """The client's HTTP client (what ``with_options`` copies share); the client itself if it
    has none we can see."""
    pool = getattr(client, HTTP_CLIENT_ATTR, None)
    return client if pool is None else pool


def _running_loop() -> Any:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # another anyio backend (trio): one loop per thread
        return threading.current_thread()
    try:
        weakref.ref(loop)
    except TypeError:  # a loop class without weak references (compiled ones may lack them)
        return threading.current_thread()
    return loop

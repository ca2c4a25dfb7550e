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
import weakref
from collections.abc import AsyncGenerator, Generator
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

    @contextlib.contextmanager
    def slot(self, wait_at_most: float | None = None, *, create: bool = False, place: float = 0.0) -> Generator[None]:
        # A Ctrl-C may land between any two lines here (the main thread runs signal handlers at
        # any bytecode boundary; in a notebook the client outlives it). So one ``finally`` gives
        # back whatever this turn has, decided under the lock from the queue's own state (a slot
        # handed over is marked, ``turn`` set, under the lock before anyone can see it), and
        # tries once more if a second interrupt cuts the giving back itself.
        turn = threading.Event()
        claim = [False]  # holds a slot: set only under the lock
        try:
            with self._lock:
                claim[0] = self._queue.enter(turn, create=create, place=place)
            if not claim[0]:
                turn.wait(wait_at_most)
                with self._lock:
                    # Still queued: the wait ran out, go without a slot; else it was handed over.
                    claim[0] = not self._queue.withdraw(turn)
            yield
        finally:
            try:
                self._give_back(turn, claim, create)
            except BaseException:
                self._give_back(turn, claim, create)
                raise

    def _give_back(self, turn: threading.Event, claim: list[bool], create: bool) -> None:
        """Withdraw ``turn`` if it still waits, else pass its slot on if it holds one. Safe to
        repeat: what was given back is unmarked first (an interrupt right there leaks one slot
        rather than giving one back twice)."""
        with self._lock:
            if self._queue.withdraw(turn):
                return
            if claim[0] or turn.is_set():
                claim[0] = False
                turn.clear()
                _pass_on(self._queue.leave(create=create))


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
        held = self._queue.enter(turn, create=create, place=place)
        if not held:
            try:
                with anyio.move_on_after(wait_at_most):
                    await turn.wait()
            except BaseException:  # cancelled while waiting: pass on a slot handed over meanwhile
                if not self._queue.withdraw(turn):
                    self._leave(create)
                raise
            held = not self._queue.withdraw(turn)
        try:
            yield
        finally:
            if held:
                self._leave(create)

    def _leave(self, create: bool) -> None:
        turn = self._queue.leave(create=create)
        if isinstance(turn, anyio.Event):
            turn.set()


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

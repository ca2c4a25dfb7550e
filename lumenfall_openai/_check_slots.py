"""The I/O shim of :class:`~lumenfall_openai._polling.CheckQueue`: one per client, sync and async.

Every poll check and video create of one client runs inside ``slot()`` (``create=True`` for a
create); the queue decides who goes, this module only blocks and wakes. A wait with a deadline
never waits for a slot past it: it then checks anyway (one request over the limit beats a wait
that misses its own deadline).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, TypeVar

import anyio

from ._polling import CheckQueue

__all__ = ["AsyncCheckSlots", "CheckSlots", "async_check_slots", "check_slots"]

_ATTR = "_lumenfall_check_slots"


class CheckSlots:
    """For a sync client (waits in threads)."""

    def __init__(self, queue: CheckQueue | None = None) -> None:
        self._queue = queue or CheckQueue()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, wait_at_most: float | None = None, *, create: bool = False) -> Generator[None]:
        turn = threading.Event()
        with self._lock:
            held = self._queue.enter(turn, create=create)
        if not held:
            try:
                turn.wait(wait_at_most)
            except BaseException:  # interrupted while waiting: pass on a slot handed over meanwhile
                with self._lock:
                    handed_over = not self._queue.withdraw(turn)
                if handed_over:
                    self._leave(create)
                raise
            with self._lock:
                held = not self._queue.withdraw(turn)  # still queued: the wait ran out, go without
        try:
            yield
        finally:
            if held:
                self._leave(create)

    def _leave(self, create: bool) -> None:
        with self._lock:
            turn = self._queue.leave(create=create)
        if isinstance(turn, threading.Event):
            turn.set()


class AsyncCheckSlots:
    """For an async client (waits in tasks of one event loop)."""

    def __init__(self, queue: CheckQueue | None = None) -> None:
        self._queue = queue or CheckQueue()

    @contextlib.asynccontextmanager
    async def slot(self, wait_at_most: float | None = None, *, create: bool = False) -> AsyncGenerator[None]:
        turn = anyio.Event()
        held = self._queue.enter(turn, create=create)
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
    """The client's slots (made on first use; a copy made by ``with_options`` gets its own)."""
    return _slots_of(client, CheckSlots)


def async_check_slots(client: Any) -> AsyncCheckSlots:
    return _slots_of(client, AsyncCheckSlots)


_S = TypeVar("_S", CheckSlots, AsyncCheckSlots)


def _slots_of(client: Any, make: Callable[[], _S]) -> _S:
    slots: _S | None = client.__dict__.get(_ATTR)
    # setdefault: two threads making the first slots at once end up sharing one of them
    return slots if slots is not None else client.__dict__.setdefault(_ATTR, make())

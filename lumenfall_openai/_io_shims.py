"""The few steps whose sync twin is not the async code minus ``await``, written as pairs.

``scripts/unasync.py`` turns ``await async_report(...)`` into ``report(...)`` (the ``async_``
prefix rule), so the async sources (``_async/``, ``resources/_async/``) call the first of each pair and the generated
sync code calls the second.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

import anyio.to_thread
from typing_extensions import TypeVarTuple, Unpack

_T = TypeVar("_T")
_R = TypeVar("_R")
_Ts = TypeVarTuple("_Ts")

__all__ = ["async_blocking_call", "async_report", "async_resolved", "blocking_call", "report", "resolved"]


async def async_report(callback: Callable[[_T], object | Awaitable[object]], value: _T) -> None:
    """Call a progress callback; an async client's callback may be a coroutine function."""
    result = callback(value)
    if isinstance(result, Awaitable):
        await result


def report(callback: Callable[[_T], object], value: _T) -> None:
    """Call a progress callback."""
    callback(value)


async def async_blocking_call(function: Callable[[Unpack[_Ts]], _R], *args: Unpack[_Ts]) -> _R:
    """Run a step that may block for long (file creation, fsync, rename) in a worker thread."""
    return await anyio.to_thread.run_sync(function, *args)


def blocking_call(function: Callable[[Unpack[_Ts]], _R], *args: Unpack[_Ts]) -> _R:
    """Run a step that may block: the sync client simply blocks."""
    return function(*args)


async def async_resolved(value: _T | Awaitable[_T]) -> _T:
    """``value``, awaited if it is awaitable (an async client accepts plain and async callables)."""
    if isinstance(value, Awaitable):
        return await cast("Awaitable[_T]", value)
    return value


def resolved(value: _T) -> _T:
    """``value`` itself: the sync client's callables return plain values."""
    return value

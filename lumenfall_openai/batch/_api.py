"""``client.videos.batch(...)``: the Python face of the batch engine, async first.

:class:`AsyncBatch` runs the engine on the caller's event loop; :class:`Batch` (for the sync
``Lumenfall``) runs the same engine on a private event loop in a thread, with an
``AsyncLumenfall`` that shares the sync client's settings and ledger (the ledger is thread-safe),
so sync code gets the same behaviour without an event loop of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._money import to_micros
from ._dest import check_local_dest
from ._engine import BatchEngine, BatchOptions, default_journal_path, options_meta
from ._results import BatchProgress, BatchResult, BatchSummary
from ._rows import BatchRow, RowsError, read_rows, rows_from_mappings, select_rows

if TYPE_CHECKING:
    from .._client import AsyncLumenfall, Lumenfall

__all__ = ["AsyncBatch", "Batch", "BatchRows", "make_engine"]

BatchRows = str | os.PathLike[str] | Iterable[Mapping[str, Any]]
"""A JOBS file (``.jsonl`` or ``.csv``) or an iterable of ``videos.create`` argument mappings
(each with an optional ``id``)."""

_DONE = object()


def _rows(rows: BatchRows, model: str | None) -> list[BatchRow]:
    if isinstance(rows, (str, os.PathLike)):
        return read_rows(rows, default_model=model)
    if isinstance(rows, Mapping):  # one row given bare: iterating it would give its keys
        raise RowsError("rows", [(1, "expected a list of mappings of create arguments, got one mapping")], unit="row")
    return rows_from_mappings(enumerate(rows, 1), default_model=model, unit="row")


def _options(
    *,
    out: str | os.PathLike[str],
    journal: str | os.PathLike[str] | None,
    concurrency: int,
    budget: float | int | str | Decimal | None,
    retry_failed: int,
    timeout: float | None,
    manifest_csv: bool,
    storage_options: Mapping[str, Any] | None,
    batch_id: str | None = None,
    retry_expired: bool = False,
) -> BatchOptions:
    budget_micros = None
    if budget is not None:
        budget_micros = to_micros(budget)
        if budget_micros is None or budget_micros < 0:
            raise ValueError(f"budget must be a non-negative amount like 5, 12.5 or '12.50', got {budget!r}.")
    out_text = os.fspath(out)
    check_local_dest(out_text)
    return BatchOptions(
        out=out_text, journal=Path(journal) if journal is not None else default_journal_path(out_text),
        concurrency=concurrency, budget_micros=budget_micros, retry_failed=retry_failed, timeout=timeout,
        manifest_csv=manifest_csv, storage_options=storage_options, batch_id=batch_id, retry_expired=retry_expired,
    )  # fmt: skip


def make_engine(
    client: AsyncLumenfall,
    rows: BatchRows,
    *,
    out: str | os.PathLike[str],
    journal: str | os.PathLike[str] | None = None,
    concurrency: int = 8,
    budget: float | int | str | Decimal | None = None,
    retry_failed: int = 0,
    timeout: float | None = None,
    model: str | None = None,
    manifest_csv: bool = False,
    storage_options: Mapping[str, Any] | None = None,
    progress: BatchProgress | None = None,
    batch_id: str | None = None,
    row_range: tuple[int | None, int | None] | None = None,
    retry_expired: bool = False,
) -> BatchEngine:
    """Check everything (rows, options, journal, destination) before anything is sent."""
    options = _options(
        out=out, journal=journal, concurrency=concurrency, budget=budget, retry_failed=retry_failed,
        timeout=timeout, manifest_csv=manifest_csv, storage_options=storage_options, batch_id=batch_id,
        retry_expired=retry_expired,
    )  # fmt: skip
    every = _rows(rows, model)
    checked = select_rows(every, row_range)  # one machine's share of a split batch
    engine = BatchEngine(client, checked, options, progress=progress)
    engine.order = [row.id for row in every]  # the manifest lists the whole batch in the file's order
    jobs = os.fspath(rows) if isinstance(rows, (str, os.PathLike)) else None
    engine.journal.set_meta(**options_meta(options, jobs, model), rows=json.dumps(row_range))
    if jobs is not None:  # how many rows the batch has: status/resume without the file can say how many started
        engine.journal.set_meta(jobs_rows=str(len(every)))
    return engine


class AsyncBatch:
    """A running (or ready) batch: ``async for result in batch`` yields each row's
    :class:`BatchResult` as it settles; ``await batch.summary()`` waits for the end. The run
    starts at the first of the two.

    To leave the loop early, use the batch as a context manager (inside the client's)::

        async with client.videos.batch(rows, out="clips/") as batch:
            async for result in batch:
                if result.outcome == "failed":
                    break  # on leaving the block: no new job; the ones created are followed and saved

    Leaving the block (or ``await batch.aclose()``) stops creating jobs, follows the jobs already
    created to the end (journaled, downloaded, in the manifest) and releases the journal's lock.
    A bare ``break`` only stops when the abandoned loop is garbage-collected, as a background
    task that may race the client's close: jobs may be cut mid-create.
    """

    def __init__(self, client: AsyncLumenfall, rows: BatchRows, **settings: Any) -> None:
        """Check everything now (``settings`` are ``videos.batch``'s keyword arguments)."""
        self._engine = make_engine(client, rows, **settings)
        self._results: asyncio.Queue[BatchResult | object] | None = None
        self._task: asyncio.Task[BatchSummary] | None = None
        self._iterating = False
        self._closed = False

    @property
    def progress(self) -> BatchProgress:
        return self._engine.progress

    @property
    def batch_id(self) -> str:
        return self._engine.batch_id

    def stop_creating(self) -> None:
        """Create no new jobs; jobs already created are still followed and saved."""
        self._engine.stop_creating()

    async def __aenter__(self) -> AsyncBatch:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Create no new jobs, wait for the jobs already created (saved and journaled), release the journal."""
        if self._task is None:
            self._closed = True
            self._engine.journal.close()  # never started: only the lock to release
            return
        self._engine.stop_creating()
        await asyncio.wait([self._task])  # its error, if any, is summary()'s to raise

    def _start(self) -> asyncio.Task[BatchSummary]:
        if self._task is None and self._closed:
            raise RuntimeError("This batch was closed before it ran; make a new one.")
        if self._task is None:
            results: asyncio.Queue[BatchResult | object] = asyncio.Queue()
            self._results = results
            self._engine.on_result = results.put_nowait

            async def run() -> BatchSummary:
                try:
                    return await self._engine.run()
                finally:
                    results.put_nowait(_DONE)
                    self._engine.journal.close()

            self._task = asyncio.ensure_future(run())
        return self._task

    async def __aiter__(self) -> AsyncIterator[BatchResult]:
        if self._iterating or self._task is not None:
            raise RuntimeError("A batch's results can be iterated once, before or instead of awaiting summary().")
        self._iterating = True
        task = self._start()
        assert self._results is not None
        finished = False
        try:
            while True:
                item = await self._results.get()
                if item is _DONE:
                    break
                assert isinstance(item, BatchResult)
                yield item
            finished = True
        finally:
            if not finished:  # left early (aclose, break then collected, an error): stop, keep what was paid
                await self.aclose()
        await task  # raises what the run raised

    async def summary(self) -> BatchSummary:
        """Wait for the run to end (starting it if needed) and return its summary."""
        return await self._start()


class Batch:
    """The sync twin of :class:`AsyncBatch`: ``for result in batch`` / ``batch.summary()``.

    The engine runs on a private event loop in a daemon thread with an ``AsyncLumenfall`` made
    from the sync client's settings, sharing its ledger. ``with ... as batch:`` / ``close()`` and
    a ``break`` out of ``for``: no new job, the jobs created are followed and saved, the journal
    is released (as ``AsyncBatch.aclose``)."""

    def __init__(self, client: Lumenfall, rows: BatchRows, **settings: Any) -> None:
        """Check everything now (``settings`` are ``videos.batch``'s keyword arguments)."""
        from .._client import AsyncLumenfall
        from .._compat import CUSTOM_HEADERS_ATTR

        # Everything the sync client sends goes with the batch's requests too: its headers and query
        # (a team tag, a proxy's auth) as well as key, host, ledger, timeout and retries. Its
        # http_client cannot be shared (sync), so the engine's client has the package's default pool.
        self._async_client = AsyncLumenfall(
            api_key=client.api_key, base_url=str(client.base_url), ledger=client.ledger, timeout=client.timeout,
            max_retries=client.max_retries, default_headers=getattr(client, CUSTOM_HEADERS_ATTR),
            default_query=client.default_query,
        )  # fmt: skip
        self._engine: BatchEngine = make_engine(self._async_client, rows, **settings)
        self._results: queue.Queue[BatchResult | object] = queue.Queue()
        self._engine.on_result = self._results.put
        self._thread: threading.Thread | None = None
        self._summary: BatchSummary | None = None
        self._error: BaseException | None = None
        self._iterating = False
        self._closed = False

    @property
    def progress(self) -> BatchProgress:
        return self._engine.progress

    @property
    def batch_id(self) -> str:
        return self._engine.batch_id

    def stop_creating(self) -> None:
        self._engine.stop_creating()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Create no new jobs, wait for the jobs already created (saved and journaled), release the journal."""
        if self._thread is None:
            self._closed = True
            self._engine.journal.close()  # never started: only the lock to release
            return
        self._engine.stop_creating()
        while self._thread.is_alive():
            self._thread.join(0.2)  # in slices, so Ctrl-C reaches the caller

    def _start(self) -> threading.Thread:
        if self._thread is None and self._closed:
            raise RuntimeError("This batch was closed before it ran; make a new one.")
        if self._thread is None:

            def run() -> None:
                async def main() -> BatchSummary:
                    try:
                        return await self._engine.run()
                    finally:
                        await self._async_client.close()

                try:
                    self._summary = asyncio.run(main())
                except BaseException as error:  # handed to the caller's thread
                    self._error = error
                finally:
                    self._engine.journal.close()
                    self._results.put(_DONE)

            self._thread = threading.Thread(target=run, name="lumenfall-batch", daemon=True)
            self._thread.start()
        return self._thread

    def __iter__(self) -> Iterator[BatchResult]:
        if self._iterating or self._thread is not None:
            raise RuntimeError("A batch's results can be iterated once, before or instead of calling summary().")
        self._iterating = True
        self._start()
        finished = False
        try:
            while True:
                item = self._results.get()
                if item is _DONE:
                    break
                assert isinstance(item, BatchResult)
                yield item
            finished = True
        finally:
            if not finished:  # left early (break, an error): stop, keep what was paid
                self.close()
        self.summary()

    def summary(self) -> BatchSummary:
        """Wait for the run to end (starting it if needed) and return its summary."""
        thread = self._start()
        while thread.is_alive():
            thread.join(0.2)  # in slices, so Ctrl-C reaches the caller
        if self._error is not None:
            raise self._error
        assert self._summary is not None
        return self._summary

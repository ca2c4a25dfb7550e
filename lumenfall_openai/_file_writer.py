"""A file written by a thread of its own, so a download reads the network while the disk writes.

``download`` used to read a chunk, write it, read the next: one thread, so the transfer ran at
roughly ``1 / (1/read + 1/write)``. With :class:`QueuedFileWriter` the download loop hands each
chunk over (a list append under a lock) and goes back to reading; a writer thread empties the
queue. Both the socket read and the file write release the GIL, so they overlap.

Memory stays flat: at most ``max_pending`` bytes wait in the queue; past that ``write`` waits for
the writer (in the async download this briefly holds the event loop, as the direct write it
replaces did on every chunk). Anything that reads or moves the file position (``flush``,
``seek``, ``truncate``, ``fileno``) first waits until every queued byte is written, so the
download's checks (size on disk after fsync) see exactly what was handed over. A write error
in the thread is raised to the caller by the next call (an ``OSError``, as a direct write's
would be), and nothing more is written after it.

Write-behind: every :data:`WRITE_BEHIND` bytes the writer asks the kernel to start writing what it
has written so far to the disk (``posix_fadvise(DONTNEED)``, which starts the write-back of the
range's dirty pages without waiting for it). Otherwise a video smaller than the kernel's dirty
threshold (10% of memory by default) sits in the page cache until the download's final ``fsync``,
which then writes all of it while the caller waits: measured 0.4 s of a 1 GiB download to disk.
Started early, the disk writes while the network reads, and the final ``fsync`` has little left.
It is advice only: no byte changes, errors are ignored (the ``fsync`` still reports any), and
tmpfs or systems without ``posix_fadvise`` simply do nothing.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from typing import IO

__all__ = ["DEFAULT_MAX_PENDING", "QueuedFileWriter"]

DEFAULT_MAX_PENDING = 4 * 1024 * 1024
"""Bytes that may wait for the writer: about 64 network chunks, enough to ride out a
slow fsync-free write burst without letting a stalled disk grow memory."""


WAKE_AT = 1024 * 1024
"""Bytes queued before the writer is woken (unless someone waits for it to drain)."""

WRITE_BEHIND = 8 * 1024 * 1024
"""Bytes written between two requests to start their write-back to the disk (0: never)."""

_FADVISE = getattr(os, "posix_fadvise", None)
_DONTNEED: int = getattr(os, "POSIX_FADV_DONTNEED", 4)


class QueuedFileWriter:
    """Wraps an open binary file; ``write`` returns once the chunk is queued."""

    def __init__(
        self, file: IO[bytes], *, max_pending: int = DEFAULT_MAX_PENDING, write_behind: int = WRITE_BEHIND
    ) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be a positive number of bytes, got {max_pending!r}.")
        if write_behind < 0:
            raise ValueError(f"write_behind must be >= 0 bytes (0 turns it off), got {write_behind!r}.")
        file.flush()  # from here on every byte goes through the descriptor, in order
        self._file = file
        self._fd = file.fileno()
        self._max_pending = max_pending
        self._write_behind = write_behind if _FADVISE is not None else 0
        self._written_back = 0  # write-back requested up to here (the writer's, once started)
        self._wake_at = max(1, min(WAKE_AT, max_pending // 4))
        self._drain_wanted = False
        self._chunks: deque[bytes] = deque()
        self._pending = 0  # bytes queued or being written
        self._error: BaseException | None = None
        self._stopping = False
        self._writer_idle = False
        self._producer_waiting = False
        self._cond = threading.Condition(threading.Lock())
        self._thread = threading.Thread(target=self._run, name="lumenfall-file-writer", daemon=True)
        self._thread.start()

    @property
    def name(self) -> object:
        return self._file.name

    @property
    def closed(self) -> bool:
        return self._file.closed

    def write(self, data: bytes) -> int:
        size = len(data)
        with self._cond:
            self._raise_error()
            if self._stopping:
                raise ValueError("write to a closed file")
            if not size:
                return 0
            self._chunks.append(bytes(data))
            self._pending += size
            # The writer is woken per batch, not per chunk: each wake-up is a hand-over of the
            # GIL between the threads, which cost more than the write itself at 64 KiB chunks.
            if self._writer_idle and self._pending >= self._wake_at:
                self._cond.notify_all()
            while self._pending > self._max_pending and self._error is None:
                self._producer_waiting = True
                self._cond.wait()
            self._producer_waiting = False
            self._raise_error()
        return size

    def drain(self) -> None:
        """Wait until every queued byte has reached the file (or raise the writer's error)."""
        with self._cond:
            self._drain_wanted = True
            self._cond.notify_all()
            while self._pending and self._error is None and self._thread.is_alive():
                self._producer_waiting = True
                self._cond.wait()
            self._producer_waiting = False
            self._drain_wanted = False
            self._raise_error()

    def flush(self) -> None:
        self.drain()
        self._file.flush()

    def fileno(self) -> int:
        self.drain()
        return self._file.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        self.drain()  # the writer is idle from here until the next write
        position = self._file.seek(offset, whence)
        self._written_back = min(self._written_back, position)  # a cut: start over from it
        return position

    def truncate(self, size: int | None = None) -> int:
        self.drain()
        end = self._file.truncate(size)
        self._written_back = min(self._written_back, end)
        return end

    def close(self) -> None:
        """Stop the writer and close the file. Chunks still queued are dropped: a completed
        download has flushed (and so written) them already; any other close discards the file."""
        with self._cond:
            self._stopping = True
            self._chunks.clear()
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._file.close()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        cond = self._cond
        written = 0
        while True:
            with cond:
                # One lock round per batch: account for the last one, then take all that waits.
                self._pending -= written
                if self._producer_waiting:
                    cond.notify_all()
                while not self._stopping and not (
                    self._chunks and (self._drain_wanted or self._pending >= self._wake_at)
                ):
                    self._writer_idle = True
                    cond.wait()
                self._writer_idle = False
                if self._stopping:
                    return
                batch = self._chunks
                self._chunks = deque()
            written = 0
            try:
                written = _write_all(self._fd, list(batch))
                if self._write_behind:
                    self._written_back = _start_write_back(self._fd, self._written_back, self._write_behind)
            except BaseException as error:  # handed to the caller's next call
                with cond:
                    self._error = error
                    self._chunks.clear()
                    cond.notify_all()
                return


def _start_write_back(fd: int, flushed_to: int, every: int) -> int:
    """Ask the kernel to start writing ``[flushed_to, position)`` to the disk once it is ``every``
    bytes long; returns the new ``flushed_to``. A restart (seek back) lowers it to the position."""
    try:
        position = os.lseek(fd, 0, os.SEEK_CUR)
        if position < flushed_to:
            return position
        if position - flushed_to < every or _FADVISE is None:
            return flushed_to
        _FADVISE(fd, flushed_to, position - flushed_to, _DONTNEED)
    except OSError:  # advice only (a pipe, a device, a file system that refuses it)
        return flushed_to
    return position


_IOV_MAX = 1024


def _write_all(fd: int, chunks: list[bytes]) -> int:
    """Write ``chunks`` in order with as few system calls as the kernel allows (one ``writev``
    per batch: each call is also a hand-over of the GIL); returns the bytes written."""
    total = 0
    while chunks:
        head = chunks[:_IOV_MAX]
        wanted = sum(map(len, head))
        done = os.writev(fd, head) if hasattr(os, "writev") else os.write(fd, head[0])
        total += done
        if done == wanted:
            del chunks[: len(head)]
            continue
        # A short write: drop what went out, keep the rest of the chunk it stopped in.
        while done:
            first = chunks[0]
            if done >= len(first):
                done -= len(first)
                del chunks[0]
            else:
                chunks[0] = first[done:]
                done = 0
    return total

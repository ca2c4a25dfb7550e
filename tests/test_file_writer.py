"""QueuedFileWriter: the download's writer thread. Real files; a gated file only to hold the writer still."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai._file_writer import QueuedFileWriter


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(st.binary(min_size=0, max_size=3000), max_size=40),
    restart_at=st.integers(min_value=0, max_value=40),
    max_pending=st.integers(min_value=1, max_value=5000),
)
def test_the_file_holds_exactly_what_was_written_in_order(
    tmp_path_factory: pytest.TempPathFactory, chunks: list[bytes], restart_at: int, max_pending: int
) -> None:
    """Including a resume in the middle (seek + truncate to an offset, as a 206 resume does)."""
    path = tmp_path_factory.mktemp("w") / "f"
    out = QueuedFileWriter(open(path, "wb"), max_pending=max_pending)  # noqa: SIM115
    expected = bytearray()
    try:
        for index, chunk in enumerate(chunks):
            if index == restart_at:
                offset = len(expected) // 2
                out.seek(offset)
                out.truncate(offset)
                del expected[offset:]
            assert out.write(chunk) == len(chunk)
            expected += chunk
        out.flush()
        os.fsync(out.fileno())
        assert os.fstat(out.fileno()).st_size == len(expected)
    finally:
        out.close()
    assert path.read_bytes() == bytes(expected)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_write_error_in_the_thread_reaches_the_caller() -> None:
    """/dev/full fails every write with ENOSPC: the caller sees that OSError (at a later write
    or at the flush before the size check), never a silent short file."""
    out = QueuedFileWriter(open("/dev/full", "wb", buffering=0))  # noqa: SIM115

    def fill() -> None:
        for _ in range(1000):
            out.write(b"x" * 65536)
        out.flush()

    with pytest.raises(OSError, match="No space left") as caught:
        fill()
    assert caught.value.errno == errno.ENOSPC
    with pytest.raises(OSError, match="No space left"):  # and it stays failed
        out.write(b"more")
    out.close()


class _GatedFile:
    """A real file whose writes wait for a gate: lets the test look at the queue while the writer is stuck."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.gate = threading.Event()
        self.name = file.name
        self.closed = False

    def write(self, data: bytes) -> int:
        self.gate.wait()
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.closed = True
        self.file.close()


def test_memory_is_bounded_and_close_drops_what_is_queued(tmp_path: Path) -> None:
    gated = _GatedFile(open(tmp_path / "f", "wb"))  # noqa: SIM115
    out = QueuedFileWriter(gated, max_pending=4096)  # type: ignore[arg-type]
    done = threading.Event()

    def produce() -> None:
        for _ in range(10):
            out.write(b"y" * 1024)
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    assert not done.wait(0.5)  # held back: 4 KiB queued, the writer stuck on the first chunk
    assert out._pending <= 4096 + 1024  # pyright: ignore[reportPrivateUsage]
    gated.gate.set()
    producer.join()
    out.flush()
    assert (tmp_path / "f").stat().st_size == 10 * 1024
    gated.gate.clear()
    out.write(b"z" * 10)  # stuck in the writer
    out.write(b"w" * 10)  # queued
    gated.gate.set()
    out.close()
    assert gated.closed
    with pytest.raises(ValueError, match="closed"):
        out.write(b"late")


def test_max_pending_must_be_positive(tmp_path: Path) -> None:
    with open(tmp_path / "f", "wb") as file, pytest.raises(ValueError, match="max_pending"):
        QueuedFileWriter(file, max_pending=0)

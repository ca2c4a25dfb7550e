"""QueuedFileWriter: the download's writer thread. Real files; a gated file only to hold the writer still."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

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


def test_memory_is_bounded_and_close_drops_what_is_queued() -> None:
    """A pipe nobody reads stands for a stalled disk: the writer blocks in its write, and the
    producer is held back once ``max_pending`` bytes wait, instead of queueing the whole body."""
    read_fd, write_fd = os.pipe()
    out = QueuedFileWriter(os.fdopen(write_fd, "wb"), max_pending=128 * 1024)
    chunk = b"y" * 65536
    done = threading.Event()

    def produce() -> None:
        for _ in range(20):
            out.write(chunk)
        out.flush()
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    assert not done.wait(0.5)  # held back: the pipe (64 KiB) is full and nobody reads it
    assert out._pending <= 128 * 1024 + 65536  # pyright: ignore[reportPrivateUsage]
    received = 0
    with os.fdopen(read_fd, "rb") as pipe:
        while received < 20 * 65536:
            received += len(pipe.read1(1 << 20))
        producer.join()
        assert done.is_set()
        out.write(b"z" * 10)  # queued below the wake-up mark, never written: close drops it
        out.close()
        assert pipe.read() == b""
    with pytest.raises(ValueError, match="closed"):
        out.write(b"late")


def test_max_pending_must_be_positive(tmp_path: Path) -> None:
    with open(tmp_path / "f", "wb") as file, pytest.raises(ValueError, match="max_pending"):
        QueuedFileWriter(file, max_pending=0)

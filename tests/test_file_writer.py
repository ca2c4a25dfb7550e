"""QueuedFileWriter: the download's writer thread. Real files; a gated file only to hold the writer still."""

from __future__ import annotations

import errno
import itertools
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai import _file_writer
from lumenfall_openai._file_writer import QueuedFileWriter


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(st.binary(min_size=0, max_size=3000), max_size=40),
    restart_at=st.integers(min_value=0, max_value=40),
    max_pending=st.integers(min_value=1, max_value=5000),
    write_behind=st.sampled_from([0, 1, 4096, _file_writer.WRITE_BEHIND]),
)
def test_the_file_holds_exactly_what_was_written_in_order(
    tmp_path_factory: pytest.TempPathFactory, chunks: list[bytes], restart_at: int, max_pending: int, write_behind: int
) -> None:
    """Including a resume in the middle (seek + truncate to an offset, as a 206 resume does),
    with the write-behind advice given after every batch or never."""
    path = tmp_path_factory.mktemp("w") / "f"
    out = QueuedFileWriter(open(path, "wb"), max_pending=max_pending, write_behind=write_behind)  # noqa: SIM115
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
    with open(tmp_path / "f", "wb") as file, pytest.raises(ValueError, match="write_behind"):
        QueuedFileWriter(file, write_behind=-1)


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="needs posix_fadvise")
def test_write_back_is_started_behind_the_writer_over_every_written_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write-behind asks the kernel to write out each stretch once it is ``write_behind``
    long, the stretches follow each other from byte 0 (nothing skipped, nothing asked twice), a
    restart starts over from where the file was cut, and the advice changes no byte."""
    asked: list[tuple[int, int]] = []

    def fadvise(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        asked.append((offset, length))
        os.posix_fadvise(fd, offset, length, advice)  # the real call: it must not alter the file

    monkeypatch.setattr(_file_writer, "_FADVISE", fadvise)
    path = tmp_path / "f"
    chunk = bytes(range(256)) * 256  # 64 KiB
    out = QueuedFileWriter(open(path, "wb"), max_pending=4 * len(chunk), write_behind=2 * len(chunk))  # noqa: SIM115
    for _ in range(16):
        out.write(chunk)
    out.flush()
    first = list(asked)
    out.seek(3 * len(chunk))
    out.truncate(3 * len(chunk))
    for _ in range(8):
        out.write(chunk)
    out.flush()
    out.close()
    assert path.read_bytes() == chunk * 11
    assert first and first[0][0] == 0 and all(length >= 2 * len(chunk) for _, length in first)
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(first))  # contiguous
    assert sum(n for _, n in first) <= 16 * len(chunk)
    after = asked[len(first) :]
    assert after and after[0][0] == 3 * len(chunk)  # after the cut, from the cut
    assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(after))
    assert after[-1][0] + after[-1][1] <= 11 * len(chunk)

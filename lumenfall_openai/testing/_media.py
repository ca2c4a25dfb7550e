"""The bytes the emulator's media host serves, and HTTP Range arithmetic. Pure, no I/O.

A video of any requested size stays a valid MP4 without ever being held in memory: it is the
shipped sample MP4 followed by one MP4 ``free`` box that pads it to the requested size (players
skip ``free`` boxes). The padding is generated on the fly, 1 MiB at a time, and is a function of
the absolute offset only: every 4 KiB page starts with its own offset (big-endian u64), the rest
is a fixed pseudo-random page. So a range request returns exactly the same bytes as the matching
slice of a full download, and a client that splices ranges at a wrong offset produces a file
whose checksum differs.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import itertools
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

PAGE = 4096
BLOCK = 1024 * 1024  # generation and streaming unit: big chunks keep 1 GiB downloads fast


@functools.lru_cache(maxsize=1)
def sample_mp4() -> bytes:
    """The shipped 1 s, 64x64 H.264 sample (made by scripts/make_sample_mp4.py)."""
    return importlib.resources.files("lumenfall_openai.testing.media").joinpath("sample.mp4").read_bytes()


@functools.lru_cache(maxsize=1)
def _template_page() -> bytes:
    return hashlib.shake_256(b"lumenfall-emulator padding").digest(PAGE)


def padding_block(block_start: int) -> bytes:
    """The 1 MiB of padding that starts at ``block_start``: each page is its own offset followed
    by the template page's tail. Built in one join (one copy of the block): the emulator shares
    the machine with the client it serves, so every copy here is CPU a benchmark's client lacks."""
    tail = _template_page()[8:]
    offsets = [offset.to_bytes(8, "big") for offset in range(block_start, block_start + BLOCK, PAGE)]
    return b"".join(itertools.chain.from_iterable(zip(offsets, itertools.repeat(tail))))


def free_box_header(pad: int) -> bytes:
    """The header of a ``free`` box ``pad`` bytes long in all (64-bit size past 4 GiB)."""
    if pad <= 0xFFFFFFFF:
        return struct.pack(">I4s", pad, b"free")
    return struct.pack(">I4sQ", 1, b"free", pad)


def min_padded_size() -> int:
    return len(sample_mp4()) + 8


def valid_video_size(size: int) -> bool:
    """Sizes a synthetic MP4 can have: the sample itself, or the sample plus a whole box."""
    return size == len(sample_mp4()) or size >= min_padded_size()


@dataclass(frozen=True)
class SyntheticMp4:
    """A ``size``-byte MP4: sample + ``free`` box, readable at any offset."""

    size: int

    def __post_init__(self) -> None:
        if not valid_video_size(self.size):
            raise ValueError(f"a synthetic MP4 is {len(sample_mp4())} bytes or at least {min_padded_size()}")

    @functools.cached_property
    def prefix(self) -> bytes:
        sample = sample_mp4()
        if self.size == len(sample):
            return sample
        return sample + free_box_header(self.size - len(sample))

    def iter_bytes(self, start: int = 0, end: int | None = None, chunk: int = BLOCK) -> Iterator[bytes]:
        """Yield bytes ``[start, end)`` in chunks of at most ``chunk`` (1 MiB aligned blocks)."""
        stop = self.size if end is None else min(end, self.size)
        pos = start
        prefix = self.prefix
        if pos < len(prefix) and pos < stop:
            head = prefix[pos : min(stop, len(prefix))]
            yield head
            pos += len(head)
        while pos < stop:
            block_start = pos - pos % BLOCK
            block = padding_block(block_start)
            lo = pos - block_start
            hi = min(stop, block_start + BLOCK) - block_start
            for cut in range(lo, hi, chunk):
                piece = block[cut : min(hi, cut + chunk)]
                yield piece if len(piece) < len(block) else block
            pos = block_start + hi

    def read(self, start: int = 0, end: int | None = None) -> bytes:
        return b"".join(self.iter_bytes(start, end))


class RangeNotSatisfiable(Exception):
    """The requested byte range starts past the end of the file (HTTP 416)."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """A ``Range`` header as ``(start, end_exclusive)``; None means "send the whole file".

    Follows RFC 9110: a malformed header or several ranges may be ignored (answered with the
    whole file, 200); a well-formed range that starts past the end is a 416.
    """
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if first == "":
        if not last.isdigit():
            return None
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, end + 1


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=1)
def sample_png() -> bytes:
    """A real 8x8 RGB PNG (a colour gradient), built without any imaging library."""
    width = height = 8
    rows = b"".join(b"\x00" + b"".join(bytes((x * 32, y * 32, 128)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )

"""A fault matrix for videos.download: every media fault the emulator can inject, sync and async.

For every cell: the download either leaves the byte-identical file at the path, or raises a
DownloadError carrying the video id and leaves nothing (no file, no temporary file); and the
number of media requests stays within the bound the attempt limits promise.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, Video, errors
from lumenfall_openai.testing import LumenfallEmulator, SyntheticMp4

from .conftest import TEST_KEY

MEDIA = "GET /media/{name}"
SIZE = 200_000

Arm = Callable[[Any], None]

# (name, how to break the media host, download kwargs, "complete" | "error" | "either")
CELLS: list[tuple[str, Arm, dict[str, Any], str]] = [
    ("5xx burst of 2", lambda f: f.fail_next(2, status=503, route=MEDIA), {}, "complete"),
    ("5xx for good", lambda f: f.fail_next(50, status=500, route=MEDIA), {"max_retries": 2}, "error"),
    ("429 once", lambda f: f.fail_next(1, status=429, code="RATE_LIMITED", route=MEDIA), {}, "complete"),
    ("drop at byte 0", lambda f: f.drop_connection_after(0, times=1, route=MEDIA), {}, "complete"),
    ("drop at byte 1, 3 times", lambda f: f.drop_connection_after(1, times=3, route=MEDIA), {}, "complete"),
    ("drop at 64 KiB, twice", lambda f: f.drop_connection_after(65_536, times=2, route=MEDIA), {}, "complete"),
    ("drop at the last byte", lambda f: f.drop_connection_after(SIZE - 1, times=1, route=MEDIA), {}, "complete"),
    ("drop every 5000 bytes", lambda f: f.drop_connection_after(5_000, times=1000, route=MEDIA),
     {"max_retries": 0}, "error"),
    ("truncate at 0", lambda f: f.truncate_next(1, keep_bytes=0, route=MEDIA), {}, "complete"),
    ("truncate at 12345, twice", lambda f: f.truncate_next(2, keep_bytes=12_345, route=MEDIA), {}, "complete"),
    ("truncate for good", lambda f: f.truncate_next(1000, keep_bytes=0, route=MEDIA), {"max_retries": 1}, "error"),
    ("malformed body", lambda f: f.malformed_json_next(1, route=MEDIA), {}, "either"),
    ("slow past the timeout", lambda f: f.delay_next(1.0, 1, route=MEDIA), {"timeout": 0.3}, "complete"),
]  # fmt: skip


def run_download(base_url: str, mode: str, video: Video, path: Path, **kwargs: Any) -> Path:
    if mode == "sync":
        with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            return client.videos.download(video, path, **kwargs)

    async def main() -> Path:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            return await client.videos.download(video, path, **kwargs)

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("name", "arm", "kwargs", "expected"), CELLS, ids=[cell[0] for cell in CELLS])
def test_fault_matrix(
    mode: str,
    name: str,
    arm: Arm,
    kwargs: dict[str, Any],
    expected: str,
    base_url: str,
    client: Lumenfall,
    emulator: LumenfallEmulator,
    tmp_path: Path,
) -> None:
    prompt = f"x [lumenfall:size_bytes={SIZE}][lumenfall:queue=0][lumenfall:duration=0]"
    video = client.videos.create_and_poll(model="mock-video", prompt=prompt)
    assert video.status == "completed"
    emulator.clear_requests()
    arm(emulator.faults)
    target = tmp_path / "v.mp4"
    failure: errors.DownloadError | None = None
    try:
        path = run_download(base_url, mode, video, target, **kwargs)
    except errors.DownloadError as error:
        failure = error
    outcome = "error" if failure is not None else "complete"
    if failure is not None:
        assert failure.video_id == video.id, name
        assert any(words in str(failure).lower() for words in ("try again", "report", "retrieve")), failure
        assert list(tmp_path.iterdir()) == []  # nothing at the path, no temporary file
    else:
        assert path == target
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(SyntheticMp4(SIZE).read()).digest()
        assert [p.name for p in tmp_path.iterdir()] == ["v.mp4"]
    assert expected in (outcome, "either"), f"{name}: {outcome}"
    gets = [r for r in emulator.requests if r.route == MEDIA]
    max_retries = kwargs.get("max_retries", 3)
    assert len(gets) <= 8 * (max_retries + 1) + 1  # + one after a fresh-URL retrieve

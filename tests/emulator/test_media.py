"""The media host: real MP4s, large synthetic files, Range requests, expiry, key-leak refusal."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import av
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator, SyntheticMp4
from lumenfall_openai.testing._media import BLOCK, RangeNotSatisfiable, parse_range, sample_mp4, sample_png

from .helpers import DONE, KEY

MiB = 1024 * 1024


def _completed(api: http.Client, emulator: LumenfallEmulator, prompt: str = "p") -> dict[str, Any]:
    video = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": prompt}).json()
    emulator.advance(DONE)
    done: dict[str, Any] = api.get(f"/openai/v1/videos/{video['id']}").json()
    assert done["status"] == "completed"
    return done


def _decoded_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (64, 64)
        return sum(1 for _ in container.decode(video=0))


def test_served_mp4_is_a_real_video(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _completed(api, emulator)
    r = media.get(done["output"]["url"])
    assert r.status_code == 200
    assert r.headers["content-type"] == done["output"]["content_type"] == "video/mp4"
    assert len(r.content) == done["output"]["size_bytes"] == int(r.headers["content-length"])
    assert r.headers["accept-ranges"] == "bytes"
    assert _decoded_frames(r.content) == 10
    assert "x-lumenfall-request-id" not in r.headers  # a CDN, not the API


def test_large_synthetic_mp4_is_valid_and_exact(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator
) -> None:
    size = 5 * MiB + 123
    done = _completed(api, emulator, f"big one [lumenfall:size_bytes={size}]")
    assert done["output"]["size_bytes"] == size
    with media.stream("GET", done["output"]["url"]) as r:
        assert int(r.headers["content-length"]) == size
        chunks = list(r.iter_raw())
    data = b"".join(chunks)
    assert len(data) == size
    assert data[: len(sample_mp4())] == sample_mp4()
    assert data[len(sample_mp4()) + 4 : len(sample_mp4()) + 8] == b"free"
    assert _decoded_frames(data) == 10
    again = media.get(done["output"]["url"]).content
    assert hashlib.sha256(again).digest() == hashlib.sha256(data).digest()  # deterministic


def test_video_size_option(api: http.Client) -> None:
    emu = LumenfallEmulator(clock=lambda: 0.0, video_size_bytes=3 * MiB)
    with emu.serve(), http.Client(base_url=emu.root_url, headers=api.headers, trust_env=False) as c:
        video = c.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).json()
        emu.advance(10)
        url = c.get(f"/openai/v1/videos/{video['id']}").json()["output"]["url"]
        head = http.head(url, trust_env=False)
        assert head.status_code == 200 and head.headers["content-length"] == str(3 * MiB) and head.content == b""


def test_invalid_size_marker(api: http.Client) -> None:
    r = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "[lumenfall:size_bytes=10]"})
    assert r.status_code == 400 and "size_bytes" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=2000-2300", 2000, 2301),  # across the end of the sample into the free box
        (f"bytes={MiB - 10}-{MiB + 10}", MiB - 10, MiB + 11),  # across a generation block
        ("bytes=3000000-", 3000000, 3 * MiB),
        ("bytes=-500", 3 * MiB - 500, 3 * MiB),
        (f"bytes=100-{10 * MiB}", 100, 3 * MiB),  # end past the file is clamped
    ],
)
def test_range_requests(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator, header: str, start: int, end: int
) -> None:
    done = _completed(api, emulator, f"[lumenfall:size_bytes={3 * MiB}]")
    url = done["output"]["url"]
    full = media.get(url).content
    r = media.get(url, headers={"range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {start}-{end - 1}/{3 * MiB}"
    assert int(r.headers["content-length"]) == end - start
    assert r.content == full[start:end]


def test_range_edge_cases(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _completed(api, emulator)
    url, size = done["output"]["url"], done["output"]["size_bytes"]
    r = media.get(url, headers={"range": f"bytes={size}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{size}"
    assert media.get(url, headers={"range": "bytes=0-1,5-9"}).status_code == 200  # multi-range: whole file
    assert media.get(url, headers={"range": "pages=1-2"}).status_code == 200
    etag = media.get(url).headers["etag"]
    assert media.get(url, headers={"range": "bytes=0-9", "if-range": etag}).status_code == 206
    stale = media.get(url, headers={"range": "bytes=0-9", "if-range": '"old"'})
    assert stale.status_code == 200 and len(stale.content) == size


def test_authorization_header_is_refused_and_recorded(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator
) -> None:
    done = _completed(api, emulator)
    r = media.get(done["output"]["url"], headers={"authorization": f"Bearer {KEY}"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "AUTHORIZATION_NOT_ALLOWED" and "never needs an API key" in error["message"]
    assert len(emulator.media_auth_attempts) == 1
    attempt = emulator.media_auth_attempts[0]
    assert attempt.sent_key(KEY) and KEY not in repr(attempt)
    assert media.get(done["output"]["url"]).status_code == 200


def test_media_expires(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _completed(api, emulator)
    url = done["output"]["url"]
    assert done["expires_at"] - done["completed_at"] == 3600
    emulator.advance(3599)
    assert media.get(url).status_code == 200
    emulator.advance(2)
    r = media.get(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "MEDIA_EXPIRED"
    assert api.get(f"/openai/v1/videos/{done['id']}").json()["output"]["url"] == url  # the job still reads


def test_ttl_marker(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _completed(api, emulator, "[lumenfall:ttl=60]")
    assert done["expires_at"] - done["completed_at"] == 60
    emulator.advance(61)
    assert media.get(done["output"]["url"]).status_code == 403


def test_media_of_unfinished_failed_and_unknown_jobs(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator
) -> None:
    video = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).json()
    url = f"{emulator.root_url}/media/{video['id']}.mp4"
    assert media.get(url).status_code == 404
    assert media.get(f"{emulator.root_url}/media/video_nope.mp4").status_code == 404


def test_image_url_serves_png(api: http.Client, media: http.Client) -> None:
    r = api.post("/openai/v1/images/generations", json={"model": "mock-image", "prompt": "p", "response_format": "url"})
    url = r.json()["data"][0]["url"]
    png = media.get(url)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content == sample_png() and png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_sample_png_is_valid() -> None:
    b64 = base64.b64encode(sample_png())
    assert base64.b64decode(b64)[12:16] == b"IHDR"


# -- pure parts, property-tested -----------------------------------------------------------------

SIZES = st.one_of(st.just(len(sample_mp4())), st.integers(len(sample_mp4()) + 8, 3 * BLOCK + 77))


@settings(max_examples=60, deadline=None)
@given(size=SIZES, data=st.data())
def test_synthetic_ranges_are_slices_of_the_whole(size: int, data: st.DataObject) -> None:
    mp4 = SyntheticMp4(size)
    whole = mp4.read()
    assert len(whole) == size
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size))
    assert mp4.read(start, end) == whole[start:end]
    assert all(len(c) <= BLOCK for c in mp4.iter_bytes(start, end))


def test_synthetic_sizes_past_4_gib_use_a_64_bit_box() -> None:
    mp4 = SyntheticMp4(5 * 1024**3)
    assert mp4.prefix[-12:-8] == b"free" and int.from_bytes(mp4.prefix[-8:], "big") == mp4.size - len(sample_mp4())
    tail = mp4.read(mp4.size - 10)
    assert len(tail) == 10
    with pytest.raises(ValueError, match="synthetic"):
        SyntheticMp4(len(sample_mp4()) + 3)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 10_000), a=st.integers(0, 12_000), b=st.integers(0, 12_000))
def test_parse_range_agrees_with_rfc(size: int, a: int, b: int) -> None:
    try:
        span = parse_range(f"bytes={a}-{b}", size)
    except RangeNotSatisfiable:
        assert a >= size
        return
    if b < a:
        assert span is None
    else:
        assert span == (a, min(b, size - 1) + 1)


def test_an_abandoned_huge_download_does_not_stall_the_emulator(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator
) -> None:
    # F14: a client that drops a 1 TiB download must not leave the server streaming the rest on
    # its event loop; before the fix every later request timed out.
    done = _completed(api, emulator, "huge [lumenfall:size_bytes=1099511627776]")
    for _ in range(2):
        with media.stream("GET", done["output"]["url"]) as r:
            read = 0
            for chunk in r.iter_raw():
                read += len(chunk)
                if read > 8 * MiB:
                    break
        for _ in range(3):
            assert api.get("/v1/balance").status_code == 200
    ranged = media.get(done["output"]["url"], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206
    assert len(ranged.content) == 100


def test_padding_pages_start_with_their_own_offset_and_the_bytes_are_stable() -> None:
    """A splice at a wrong offset must change the file: every 4 KiB padding page begins with its
    absolute offset. The digest pins the bytes themselves (the generator was rewritten to copy
    less; the files it serves must not change)."""
    mp4 = SyntheticMp4(3 * BLOCK + 77)
    whole = mp4.read()
    for page in range(4096, len(whole) - 8, 4096 * 37):
        assert int.from_bytes(whole[page : page + 8], "big") == page
    assert hashlib.sha256(whole).hexdigest() == "2d7c83a50c4f88ac4f76e4dd75c42282e28929ae805fb5a8b4092bdb11a212fc"

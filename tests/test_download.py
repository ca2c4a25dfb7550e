"""videos.download end to end: real HTTP to the emulator's media host, faults included.

Every scenario ends one of two ways, and the tests check both halves: a byte-identical file at
``path`` (the emulator's MP4s are deterministic at every offset, so a wrongly spliced resume
shows up as a different file), or a clear DownloadError and nothing at ``path``, no temporary
file either. Each runs for the sync client and its async twin.

Misbehaviour the emulator is too faithful to produce (a wrong Content-Length, an HTML page with
200, an oversized body) is served by a mock transport: those are unit tests of one response.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import DownloadProgress, Lumenfall, Video, errors
from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator, SyntheticMp4

from .conftest import TEST_KEY, Download

MEDIA = "GET /media/{name}"
SIZE = 3 * 1024 * 1024 + 12345  # a few MiB, not a multiple of any buffer size


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_bytes(size: int) -> bytes:
    return SyntheticMp4(size).read()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def media_requests(emulator: LumenfallEmulator) -> list[Any]:
    return [r for r in emulator.requests if r.route == MEDIA]


@pytest.fixture
def finished(client: Lumenfall) -> Callable[..., Video]:
    def make(size: int = SIZE, extra: str = "") -> Video:
        prompt = f"x [lumenfall:size_bytes={size}][lumenfall:queue=0][lumenfall:duration=0]{extra}"
        video = client.videos.create_and_poll(model="mock-video", prompt=prompt)
        assert video.status == "completed"
        return video

    return make


# -- the normal path -----------------------------------------------------------------------------


def test_download_is_byte_identical_and_reports_progress(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished()
    seen: list[DownloadProgress] = []
    emulator.clear_requests()
    path = download(video, tmp_path / "out.mp4", on_progress=seen.append, chunk_size=256 * 1024)
    assert path == tmp_path / "out.mp4"
    assert digest(path.read_bytes()) == digest(expected_bytes(SIZE))
    assert leftovers(tmp_path) == ["out.mp4"]
    # A completed, unexpired Video is used as is: the only request is the media GET.
    assert [r.route for r in emulator.requests] == [MEDIA]
    assert seen[0] == DownloadProgress(0, SIZE)
    assert seen[-1] == DownloadProgress(SIZE, SIZE) and seen[-1].fraction == 1.0
    assert len(seen) >= SIZE // (256 * 1024)  # progress per chunk, not once at the end
    assert [p.bytes_done for p in seen] == sorted(p.bytes_done for p in seen)


def test_by_id_into_a_directory(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=100_000)
    emulator.clear_requests()
    path = download(video.id, tmp_path)
    assert path == tmp_path / f"{video.id}.mp4"
    assert path.read_bytes() == expected_bytes(100_000)
    assert [r.route for r in emulator.requests] == ["GET /openai/v1/videos/{id}", MEDIA]


def test_existing_file_is_replaced_only_when_complete(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=100_000)
    target = tmp_path / "keep.mp4"
    target.write_bytes(b"old contents")
    emulator.faults.fail_next(10, status=503, route=MEDIA)
    with pytest.raises(errors.DownloadError):
        download(video, target, max_retries=1)
    assert target.read_bytes() == b"old contents"  # a failed download never touches it
    assert leftovers(tmp_path) == ["keep.mp4"]
    emulator.faults.clear()
    with pytest.raises(errors.DownloadError, match="overwrite=False"):
        download(video, target, overwrite=False)
    assert download(video, target).read_bytes() == expected_bytes(100_000)


def test_bad_destinations_fail_before_any_byte(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=100_000)
    emulator.clear_requests()
    with pytest.raises(errors.DownloadError, match="does not exist"):
        download(video, tmp_path / "missing" / "x.mp4")
    (tmp_path / f"{video.id}.mp4").mkdir()
    with pytest.raises(errors.DownloadError, match="directory of that name"):
        download(video, tmp_path)
    assert media_requests(emulator) == []


def test_unfinished_and_failed_jobs_say_what_to_do(download: Download, client: Lumenfall, tmp_path: Path) -> None:
    running = client.videos.create(model="mock-video", prompt="x [lumenfall:duration=30]")
    with pytest.raises(errors.DownloadError, match=r"not 'completed'.*poll") as info:
        download(running.id, tmp_path / "a.mp4")
    assert info.value.video_id == running.id
    failed = client.videos.create_and_poll(model="mock-video", prompt="x [lumenfall:fail=UPSTREAM_ERROR]")
    with pytest.raises(errors.DownloadError, match="UPSTREAM_ERROR"):
        download(failed, tmp_path / "b.mp4")
    assert leftovers(tmp_path) == []


def test_a_stale_in_progress_video_object_is_retrieved_first(
    download: Download, client: Lumenfall, tmp_path: Path
) -> None:
    video = client.videos.create(model="mock-video", prompt="x [lumenfall:size_bytes=50000]")
    client.videos.poll(video.id)
    assert video.status == "queued"  # the object we hold is stale
    assert download(video, tmp_path / "v.mp4").read_bytes() == expected_bytes(50_000)


# -- faults: resumed, or a clear error and nothing left --------------------------------------------


def test_dropped_connection_mid_download_resumes_with_range(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished()
    emulator.clear_requests()
    emulator.faults.drop_connection_after(1_000_000, times=2, route=MEDIA)
    path = download(video, tmp_path / "v.mp4")
    assert digest(path.read_bytes()) == digest(expected_bytes(SIZE))
    gets = media_requests(emulator)
    assert [r.status for r in gets] == [200, 206, 206]
    assert "range" not in gets[0].headers
    assert gets[1].headers["range"] == "bytes=1000000-"  # exactly where the file on disk ended
    assert gets[2].headers["range"] == "bytes=2000000-"
    assert gets[1].headers["if-range"]  # the ETag: a changed file would come whole, not spliced
    assert leftovers(tmp_path) == ["v.mp4"]


def test_truncated_body_resumes(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished()
    emulator.faults.truncate_next(1, keep_bytes=123_456, route=MEDIA)
    path = download(video, tmp_path / "v.mp4")
    assert digest(path.read_bytes()) == digest(expected_bytes(SIZE))
    assert [e.kind for e in emulator.faults.events] == ["truncate"]


def test_media_5xx_is_retried(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=200_000)
    emulator.faults.fail_next(2, status=503, route=MEDIA)
    assert download(video, tmp_path / "v.mp4").read_bytes() == expected_bytes(200_000)


def test_failing_media_host_gives_up_cleanly(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished()
    emulator.faults.drop_connection_after(500_000, times=1, route=MEDIA)

    def break_the_host(progress: DownloadProgress) -> None:
        if progress.bytes_done and not emulator.faults.pending:  # after the first bytes
            emulator.faults.fail_next(100, status=502, route=MEDIA)

    with pytest.raises(errors.DownloadError, match="try again later") as info:
        download(video, tmp_path / "v.mp4", max_retries=2, on_progress=break_the_host, chunk_size=100_000)
    assert info.value.video_id == video.id
    assert info.value.bytes_done == 500_000  # it got that far before discarding
    assert leftovers(tmp_path) == []


def test_expired_url_is_refreshed_once(
    download: Download, finished: Callable[..., Video], client: Lumenfall, tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    """A Video whose URL the media host refuses (403, as after expires_at): one retrieve for a
    fresh URL, and the download completes from it."""
    video = finished(size=300_000)
    expired = finished(size=300_000, extra="[lumenfall:ttl=1]")
    emulator.advance(10)  # the second job's media URL is now past its expiry: 403
    assert expired.output is not None
    stale = video.model_copy(update={"output": video.output.model_copy(update={"url": expired.output.url})})
    emulator.clear_requests()
    path = download(stale, tmp_path / "v.mp4")
    assert path.read_bytes() == expected_bytes(300_000)
    assert [(r.route, r.status) for r in emulator.requests] == [
        (MEDIA, 403),
        ("GET /openai/v1/videos/{id}", 200),
        (MEDIA, 200),
    ]


def test_expired_for_good_is_a_clear_error_and_no_file(
    download: Download, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=300_000, extra="[lumenfall:ttl=600]")
    emulator.advance(3600)
    emulator.clear_requests()
    with pytest.raises(errors.DownloadError, match=r"expired at .*generate it again") as raised:
        download(video, tmp_path / "v.mp4")
    assert raised.value.media_gone and raised.value.video_id == video.id  # a retry cannot help: say so in code
    gets = [(r.route, r.status) for r in emulator.requests]
    # One retrieve for a fresh URL, and no more. (The emulator's clock was advanced, ours was
    # not, so the client cannot tell the URL it got back is expired and tries it once.)
    assert gets == [(MEDIA, 403), ("GET /openai/v1/videos/{id}", 200), (MEDIA, 403)]
    assert leftovers(tmp_path) == []


def test_the_key_and_custom_headers_never_reach_the_media_host(
    base_url: str, finished: Callable[..., Video], tmp_path: Path, emulator: LumenfallEmulator
) -> None:
    video = finished(size=100_000)
    # Even an HTTP client that carries the key in its own default headers, and a custom header
    # that embeds the key under another name.
    http_client = http.Client(headers={"Authorization": f"Bearer {TEST_KEY}", "X-Proxy-Token": f"t={TEST_KEY}"})
    with Lumenfall(
        api_key=TEST_KEY,
        base_url=base_url,
        http_client=http_client,
        default_headers={"X-Team-Secret": "s3cret"},
    ) as client:
        emulator.clear_requests()
        client.videos.download(video.id, tmp_path / "v.mp4", extra_headers={"X-Trace": "abc"})
    assert emulator.media_auth_attempts == []
    (api,) = [r for r in emulator.requests if r.route != MEDIA]
    (media,) = media_requests(emulator)
    assert api.sent_key(TEST_KEY) and api.headers["x-team-secret"] == "s3cret"
    assert not media.has_authorization
    assert "x-team-secret" not in media.headers and "x-proxy-token" not in media.headers
    assert media.headers["x-trace"] == "abc"  # what the caller passed for the media host stays
    assert TEST_KEY.split(".")[1] not in repr(media.headers)


def test_the_emulator_rejects_a_leaked_key(base_url: str, finished: Callable[..., Video]) -> None:
    """The guard the test above relies on: the media host refuses (and records) any key."""
    video = finished(size=100_000)
    assert video.output is not None
    response = http.get(video.output.url, headers={"Authorization": f"Bearer {TEST_KEY}"})
    assert response.status_code == 400


def test_memory_stays_flat(client: Lumenfall, finished: Callable[..., Video], tmp_path: Path) -> None:
    """A 48 MiB file through download() never has more than a few MiB allocated at once,
    while download_content() (openai's shape) holds all of it."""
    size = 48 * 1024 * 1024
    video = finished(size=size)
    tracemalloc.start()
    try:
        client.videos.download(video, tmp_path / "big.mp4")
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        whole = client.videos.download_content(video.id).read()
        _, whole_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(whole) == size and os.path.getsize(tmp_path / "big.mp4") == size
    # The peaks include the emulator's own buffers: it runs in this process.
    assert streamed_peak < 12 * 1024 * 1024, streamed_peak
    assert whole_peak > size


# -- responses the emulator will not produce: mock transport -------------------------------------

URL = "https://media.example/v.mp4"
BODY = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def video_json(size: int = len(BODY), content_type: str = "video/mp4") -> dict[str, Any]:
    return {
        "id": "video_m",
        "object": "video",
        "created_at": 1,
        "status": "completed",
        "model": "mock-video",
        "seconds": "4",
        "size": "16:9",
        "output": {"url": URL, "content_type": content_type, "size_bytes": size},
    }


def mock_client(answer: Callable[[http.Request], http.Response]) -> Lumenfall:
    def handler(request: http.Request) -> http.Response:
        if request.url.host == "media.example":
            return answer(request)
        return http.Response(200, json=video_json())

    return Lumenfall(api_key=TEST_KEY, base_url="https://api.example/openai/v1",
                     http_client=http.Client(transport=http.MockTransport(handler)))  # fmt: skip


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (lambda: http.Response(200, headers={"content-type": "text/html"}, content=b"<h1>Oops</h1>"),
         "not a video"),
        (lambda: http.Response(200, headers={"content-type": "video/mp4"}, content=BODY + b"extra"),
         "sending"),
        (lambda: http.Response(200, headers={"content-type": "video/mp4"}, content=BODY[:-10]),
         "sending"),
        (lambda: http.Response(404, json={"error": {"message": "gone"}}), "no longer works"),
        (lambda: http.Response(206, headers={"content-type": "video/mp4", "content-range": "bytes 5-9/99"},
                               content=BODY[5:10]),
         "does not fit"),
        (lambda: http.Response(418), "HTTP 418"),
    ],
)  # fmt: skip
def test_integrity_failures_leave_nothing(response: Callable[[], http.Response], message: str, tmp_path: Path) -> None:
    with (
        mock_client(lambda request: response()) as client,
        pytest.raises(errors.DownloadError, match=message) as raised,
    ):
        client.videos.download("video_m", tmp_path / "v.mp4")
    assert leftovers(tmp_path) == []
    # only a URL refused again after a fresh retrieve means the media is gone for good
    assert raised.value.media_gone == (message == "no longer works")


def test_a_body_longer_than_promised_is_stopped_before_writing(tmp_path: Path) -> None:
    """No Content-Length (chunked): the overflow is caught while streaming."""

    def chunks() -> Iterator[bytes]:
        yield BODY
        yield b"and more"

    answer = lambda request: http.Response(200, headers={"content-type": "video/mp4"}, content=chunks())  # noqa: E731
    with mock_client(answer) as client, pytest.raises(errors.IntegrityError, match="more than"):
        client.videos.download("video_m", tmp_path / "v.mp4")
    assert leftovers(tmp_path) == []


def test_server_ignoring_range_restarts_cleanly(tmp_path: Path) -> None:
    """A host that drops mid-body, then ignores Range (200, whole file): the file restarts at 0."""
    calls: list[str | None] = []

    def answer(request: http.Request) -> http.Response:
        calls.append(request.headers.get("range"))
        if len(calls) == 1:

            def broken() -> Iterator[bytes]:
                yield BODY[:1000]
                raise http.ReadError("connection reset")

            return http.Response(200, headers={"content-type": "video/mp4", "etag": '"e1"'}, content=broken())
        return http.Response(200, headers={"content-type": "video/mp4"}, content=BODY)

    with mock_client(answer) as client:
        path = client.videos.download("video_m", tmp_path / "v.mp4")
    assert path.read_bytes() == BODY
    assert calls == [None, "bytes=1000-"]


def test_interrupt_leaves_nothing(tmp_path: Path) -> None:
    """Ctrl-C (or task cancellation) mid-transfer: the temporary file goes too."""

    def progress(p: DownloadProgress) -> None:
        if p.bytes_done > 0:
            raise KeyboardInterrupt

    answer = lambda request: http.Response(200, headers={"content-type": "video/mp4"}, content=BODY)  # noqa: E731
    with mock_client(answer) as client, pytest.raises(KeyboardInterrupt):
        client.videos.download("video_m", tmp_path / "v.mp4", on_progress=progress, chunk_size=16)
    assert leftovers(tmp_path) == []


def test_bad_arguments(client: Lumenfall, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        client.videos.download("video_x", tmp_path, chunk_size=0)
    with pytest.raises(ValueError, match="video id"):
        client.videos.download("", tmp_path)


def test_a_content_encoded_body_is_saved_decoded_and_an_identity_one_raw(tmp_path: Path) -> None:
    """Identity bodies are read raw (no decoder layer); a gzip body (sent though identity was
    asked for) still reaches the file decoded, streamed, never as the compressed bytes."""

    # a Content-Encoding list is read whole: its first token "identity" says nothing of the rest
    encodings = {"gz": "gzip", "gz2": "identity, gzip", "gz3": "identity;q=1, gzip", "gz4": " GZIP "}

    def answer(request: http.Request) -> http.Response:
        name = request.url.path.rsplit(".", 1)[-1]
        if name in encodings:
            packed = gzip.compress(BODY)
            parts = (packed[i : i + 999] for i in range(0, len(packed), 999))
            headers = {"content-type": "video/mp4", "content-encoding": encodings[name]}
            return http.Response(200, headers=headers, content=parts)
        plain = (BODY[i : i + 999] for i in range(0, len(BODY), 999))
        headers = {"content-type": "video/mp4", "content-length": str(len(BODY))}
        return http.Response(200, headers=headers, content=plain)

    for name in ("plain", *encodings):
        url = f"https://media.example/v.{name}"
        with mock_client(answer) as client:
            video = Video.model_validate({**video_json(), "output": {**video_json()["output"], "url": url}})
            path = client.videos.download(video, tmp_path / f"{name}.mp4")
        assert path.read_bytes() == BODY

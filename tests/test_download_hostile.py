"""videos.download against small hostile media hosts on loopback, sync and async.

Each host is a real HTTP/1.0 server in a thread (close-delimited bodies, real dropped
connections) whose every answer comes from a function of the request; it counts the requests.
The emulator is too well behaved for these: it never ignores ``Range``, changes a file under a
download, loops redirects or sends more than it promised. Every scenario ends one of two ways:
the complete file at the path, or a DownloadError carrying the video id, with nothing at the
path and no temporary file.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import AsyncLumenfall, DownloadProgress, Lumenfall, Video, errors
from lumenfall_openai._download_plan import MAX_REDIRECTS

from .conftest import TEST_KEY

BODY = bytes(range(256)) * 64  # 16 KiB
OTHER = bytes(reversed(range(256))) * 64  # the same size, other bytes: a new version of the file
MP4 = {"Content-Type": "video/mp4"}

Answer = tuple[int, dict[str, str], "bytes | list[bytes]"]
"""A body given as a list of pieces is trickled: each piece flushed, then a 10 ms pause."""


class Host:
    """A media host on loopback: ``answer(n, path, headers)`` gives status, headers and body of
    the n-th request (1-based). A body shorter than its Content-Length is a dropped connection;
    without Content-Length the body ends when the connection closes."""

    def __init__(self, answer: Callable[[int, str, dict[str, str]], Answer]) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                with lock:
                    host.requests.append((self.path, headers))
                    n = len(host.requests)
                status, extra, body = answer(n, self.path, headers)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):  # the client stopped reading an overlong body
                    for piece in body if isinstance(body, list) else [body]:
                        self.wfile.write(piece)
                        if isinstance(body, list):
                            self.wfile.flush()
                            time.sleep(0.01)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str = "/v.mp4") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def __enter__(self) -> Host:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_video(url: str, video_id: str = "video_h", size: int = len(BODY)) -> Video:
    return Video.construct(
        id=video_id, object="video", created_at=1, status="completed", model="mock-video", seconds="4",
        size="16:9", expires_at=None, output={"url": url, "content_type": "video/mp4", "size_bytes": size},
    )  # fmt: skip


Download = Callable[..., Path]


@pytest.fixture(params=["sync", "async"])
def download(request: pytest.FixtureRequest) -> Download:
    """``download(video, path, sleeps=None, **kwargs)``: the sync client or its async twin, with
    every back-off pause recorded into ``sleeps`` (and really slept)."""
    base_url = "http://127.0.0.1:9/openai/v1"  # never asked: the Videos are complete and fresh

    def run(video: Video, path: Any, sleeps: list[float] | None = None, **kwargs: Any) -> Path:
        if request.param == "sync":
            with Lumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as client:
                if sleeps is not None:
                    real = client.videos._sleep

                    def record(seconds: float) -> None:
                        sleeps.append(seconds)
                        real(seconds)

                    client.videos._sleep = record  # type: ignore[method-assign]
                return client.videos.download(video, path, **kwargs)

        async def main() -> Path:
            async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as client:
                if sleeps is not None:
                    areal = client.videos._sleep

                    async def arecord(seconds: float) -> None:
                        sleeps.append(seconds)
                        await areal(seconds)

                    client.videos._sleep = arecord  # type: ignore[method-assign]
                return await client.videos.download(video, path, **kwargs)

        return asyncio.run(main())

    return run


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "v.mp4"


# -- a download always ends ---------------------------------------------------------------------


@pytest.mark.parametrize("etag", ['"e1"', None])
def test_ignored_range_and_a_short_body_end_after_bounded_requests(
    download: Download, out: Path, etag: str | None
) -> None:
    """Issue 8: 200 to every request, Range or not, and a short close-delimited body. It used to
    loop at ~600 requests a second forever; a restart from byte 0 is not progress."""
    headers = {**MP4, **({"ETag": etag} if etag else {})}
    sleeps: list[float] = []
    with Host(lambda n, path, h: (200, headers, BODY[:1000])) as host:
        video = make_video(host.url())
        with pytest.raises(errors.DownloadError, match="4 times in a row without progress") as info:
            download(video, out, sleeps=sleeps)
    assert len(host.requests) == 4  # max_retries=3: one attempt with progress, then 3 without
    assert sleeps == [0.0, 0.5, 1.0]  # a real, growing pause once nothing new arrives
    ranges = [h.get("range") for _, h in host.requests]
    assert ranges == ([None, "bytes=1000-", "bytes=1000-", "bytes=1000-"] if etag else [None] * 4)
    assert info.value.video_id == "video_h"
    assert leftovers(out.parent) == []


@pytest.mark.parametrize("etag", ['"e1"', None])
def test_a_trickling_host_is_a_failed_attempt_and_the_download_ends(
    download: Download, out: Path, etag: str | None
) -> None:
    """F6: a byte every 10 ms (100 B/s) never hits the per-read timeout; under min_speed over
    min_speed_window the attempt fails, and the attempt bounds end the download."""
    headers = {**MP4, "Content-Length": str(len(BODY)), **({"ETag": etag} if etag else {})}
    trickle = [BODY[i : i + 1] for i in range(len(BODY))]
    with Host(lambda n, path, h: (200, headers, trickle)) as host:
        with pytest.raises(errors.DownloadError, match=r"under 1000 bytes/s for 0\.2 s") as info:
            download(make_video(host.url()), out, max_retries=1, min_speed=1000, min_speed_window=0.2)
    assert 1 <= len(host.requests) <= 8 and info.value.video_id == "video_h"
    assert leftovers(out.parent) == []


def test_a_steady_host_is_not_stalled_by_a_tiny_window(download: Download, out: Path) -> None:
    """The floor only catches slow hosts: 1 KiB pieces every 10 ms pass a 1 KiB/s floor."""
    pieces = [BODY[i : i + 1024] for i in range(0, len(BODY), 1024)]
    with Host(lambda n, path, h: (200, {**MP4, "Content-Length": str(len(BODY))}, pieces)) as host:
        download(make_video(host.url()), out, min_speed=1024, min_speed_window=0.05)
    assert out.read_bytes() == BODY and len(host.requests) == 1


@pytest.mark.parametrize("bad", [-1, float("inf"), float("nan"), True, "1"])
def test_a_bad_min_speed_is_refused_before_any_request(download: Download, out: Path, bad: Any) -> None:
    with Host(lambda n, path, h: (200, MP4, BODY)) as host:
        with pytest.raises(ValueError, match="min_speed"):
            download(make_video(host.url()), out, min_speed=bad)
        with pytest.raises(ValueError, match="min_speed_window"):
            download(make_video(host.url()), out, min_speed_window=bad)
    assert host.requests == [] and leftovers(out.parent) == []


@pytest.mark.parametrize("sent", ["video/webm", "video/quicktime; codecs=x"])
def test_a_content_type_other_than_the_videos_is_refused(download: Download, out: Path, sent: str) -> None:
    """output.content_type says video/mp4; a host naming another media type is not that file."""
    with Host(lambda n, path, h: (200, {"Content-Type": sent}, BODY)) as host:
        with pytest.raises(errors.IntegrityError, match=r"output\.content_type is 'video/mp4'") as info:
            download(make_video(host.url()), out)
    assert info.value.video_id == "video_h" and leftovers(out.parent) == []


def test_a_body_longer_than_promised_is_cut_off(download: Download, out: Path) -> None:
    """No Content-Length and a body that does not stop: not stored forever, an error."""
    with Host(lambda n, path, h: (200, MP4, BODY * 64)) as host:
        with pytest.raises(errors.IntegrityError, match=r"more than output\.size_bytes") as info:
            download(make_video(host.url()), out)
    assert len(host.requests) == 1 and info.value.video_id == "video_h"
    assert leftovers(out.parent) == []


def test_a_redirect_loop_ends(download: Download, out: Path) -> None:
    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        return 302, {"Location": "/b" if path == "/a" else "/a"}, b""

    with Host(answer) as host:
        with pytest.raises(errors.DownloadError, match="redirect loop") as info:
            download(make_video(host.url("/a")), out)
    assert len(host.requests) == MAX_REDIRECTS + 1
    assert info.value.video_id == "video_h" and leftovers(out.parent) == []


# -- never spliced --------------------------------------------------------------------------------


def test_a_file_that_changed_under_a_resume_is_fetched_whole(download: Download, out: Path) -> None:
    """The host honours Range but ignores If-Range, and the file changed after the first
    request: the 206 carries the new ETag, so the old bytes go and the new file comes whole."""
    half = len(BODY) // 2

    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        length = {"Content-Length": str(len(BODY))}
        if n == 1:
            return 200, {**MP4, **length, "ETag": '"a"'}, BODY[:half]  # then the connection drops
        if "range" in headers:
            start = int(headers["range"][6:-1])
            return 206, {**MP4, "ETag": '"b"', "Content-Range": f"bytes {start}-{len(OTHER) - 1}/{len(OTHER)}",
                         "Content-Length": str(len(OTHER) - start)}, OTHER[start:]  # fmt: skip
        return 200, {**MP4, **length, "ETag": '"b"'}, OTHER

    with Host(answer) as host:
        assert download(make_video(host.url()), out).read_bytes() == OTHER
    sent = [h for _, h in host.requests]
    assert sent[1]["range"] == f"bytes={half}-" and sent[1]["if-range"] == '"a"'
    assert "range" not in sent[2]
    assert leftovers(out.parent) == ["v.mp4"]


def test_without_validators_a_resume_refetches_the_whole_file(download: Download, out: Path) -> None:
    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        return 200, {**MP4, "Content-Length": str(len(BODY))}, BODY[:5000] if n == 1 else BODY

    with Host(answer) as host:
        assert download(make_video(host.url()), out).read_bytes() == BODY
    assert ["range" in h for _, h in host.requests] == [False, False]


def test_ignored_range_after_a_drop_restarts_in_a_fresh_file(download: Download, out: Path) -> None:
    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        full = {**MP4, "Content-Length": str(len(BODY)), "ETag": '"e"'}
        return 200, full, BODY[:3000] if n == 1 else BODY

    with Host(answer) as host:
        assert download(make_video(host.url()), out).read_bytes() == BODY
    assert [h.get("range") for _, h in host.requests] == [None, "bytes=3000-"]
    assert leftovers(out.parent) == ["v.mp4"]


# -- only absolute http(s) URLs -------------------------------------------------------------------

BAD_URLS = [
    "file:///etc/passwd",
    "data:video/mp4;base64,AAAA",
    "/media/v.mp4",
    "media/v.mp4",
    "javascript:alert(1)",
    "ftp://127.0.0.1/v.mp4",
    "http://user:pw@127.0.0.1:{port}/v.mp4",
    "http://:pw@127.0.0.1:{port}/v.mp4",
    "http:///v.mp4",
    "http://127.0.0.1:{port}/v.mp4\r\nX-Injected: 1",
    "http://127.0.0.1:notaport/v.mp4",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_an_output_url_that_is_not_absolute_http_is_never_fetched(download: Download, out: Path, url: str) -> None:
    with Host(lambda n, path, h: (200, MP4, BODY)) as host:
        bad = url.format(port=host.server.server_address[1])
        with pytest.raises(errors.DownloadError, match="will not be fetched") as info:
            download(make_video(bad), out)
    assert host.requests == [] and info.value.video_id == "video_h"
    assert "pw@" not in str(info.value)  # credentials are not repeated in the message
    assert leftovers(out.parent) == []


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "javascript:alert(1)", "ftp://127.0.0.1/v.mp4", "data:video/mp4,AAAA",
                 "http://user:pw@127.0.0.1:{port}/v.mp4"]
)  # fmt: skip
def test_a_redirect_to_anything_but_http_is_not_followed(download: Download, out: Path, location: str) -> None:
    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        if path == "/start":
            return 302, {"Location": location.format(port=host.server.server_address[1])}, b""
        return 200, MP4, BODY

    with Host(answer) as host:
        with pytest.raises(errors.DownloadError, match="will not be followed") as info:
            download(make_video(host.url("/start")), out)
    assert host.paths == ["/start"] and info.value.video_id == "video_h"
    assert leftovers(out.parent) == []


def test_a_relative_redirect_resolves_against_the_url_and_keeps_the_range(download: Download, out: Path) -> None:
    def answer(n: int, path: str, headers: dict[str, str]) -> Answer:
        if path == "/start":
            return 307, {"Location": "/real.mp4"}, b""
        if "range" in headers:
            return 206, {**MP4, "ETag": '"e"', "Content-Range": f"bytes 100-{len(BODY) - 1}/{len(BODY)}",
                         "Content-Length": str(len(BODY) - 100)}, BODY[100:]  # fmt: skip
        return 200, {**MP4, "ETag": '"e"', "Content-Length": str(len(BODY))}, BODY[:100]

    with Host(answer) as host:
        assert download(make_video(host.url("/start")), out).read_bytes() == BODY
    # Each attempt starts from output.url again (a redirect target may be short-lived).
    assert host.paths == ["/start", "/real.mp4", "/start", "/real.mp4"]
    assert host.requests[3][1]["range"] == "bytes=100-"


# -- only inside the destination, never replacing unless asked ------------------------------------


def test_overwrite_false_never_replaces_a_file_that_appears_meanwhile(download: Download, out: Path) -> None:
    def intruder(progress: DownloadProgress) -> None:
        if progress.bytes_done and not out.exists():
            out.write_bytes(b"someone else's file")

    with Host(lambda n, path, h: (200, {**MP4, "Content-Length": str(len(BODY))}, BODY)) as host:
        with pytest.raises(errors.DownloadError, match="appeared while") as info:
            download(make_video(host.url()), out, overwrite=False, on_progress=intruder, chunk_size=1024)
    assert out.read_bytes() == b"someone else's file"
    assert info.value.video_id == "video_h" and leftovers(out.parent) == ["v.mp4"]


HOSTILE_IDS = [
    "../../escape", "a/b", "..", ".", ".hidden", "nul\x00byte", "x" * 1000, "видео🎬", "CON", "con.mp4", "COM1",
    "a\\b", " spaced ", "trailing.", "/abs/path", "~", "$HOME", "a:b", "*?<>|\"",
]  # fmt: skip


@pytest.mark.parametrize("video_id", HOSTILE_IDS)
def test_any_id_is_saved_inside_the_directory(download: Download, tmp_path: Path, video_id: str) -> None:
    target = tmp_path / "d"
    with Host(lambda n, path, h: (200, MP4, BODY)) as host:
        path = download(make_video(host.url(), video_id=video_id), f"{target}/")
    assert path.parent == target and path.read_bytes() == BODY
    assert leftovers(tmp_path) == ["d"] and leftovers(target) == [path.name]
    assert path.name.isascii() and not path.name.startswith(".") and len(path.name) <= 130


def test_a_temporary_name_fits_beside_a_long_file_name(download: Download, tmp_path: Path) -> None:
    long_name = "é" * 120 + ".mp4"  # 244 bytes: the longest name most file systems take, nearly
    with Host(lambda n, path, h: (200, MP4, BODY)) as host:
        assert download(make_video(host.url()), tmp_path / long_name).read_bytes() == BODY
    assert leftovers(tmp_path) == [long_name]


def test_a_path_with_a_nul_byte_is_refused(download: Download, tmp_path: Path) -> None:
    with Host(lambda n, path, h: (200, MP4, BODY)) as host:
        with pytest.raises(errors.DownloadError, match="not a usable path") as info:
            download(make_video(host.url()), f"{tmp_path}/a\x00b.mp4")
    assert host.requests == [] and info.value.video_id == "video_h"

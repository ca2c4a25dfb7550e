"""``download_content`` follows the media host's redirects by ``download()``'s rules, sync and async.

It used to leave redirects to the HTTP library (up to 20, any http(s) target, credentials in the
URL included). Now each hop is checked like ``output.url``: absolute http(s) without credentials
(a relative ``Location`` resolves against the URL that sent it), at most ``MAX_REDIRECTS``; a
refused hop is a ``DownloadError`` with the video id, and nothing is fetched from there. A mock
transport: the shape of each request (and that none goes where it must not) is the point.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from lumenfall_openai import AsyncLumenfall, DownloadError, Lumenfall
from lumenfall_openai._compat import http
from lumenfall_openai._download_plan import MAX_REDIRECTS

from .conftest import TEST_KEY, Recorder, seed_examples

BASE = "http://lumenfall.test/openai/v1"
MEDIA = "https://media.test/v/video_abc123.mp4"
BYTES = b"\x00\x00\x00\x18ftypmp42 the video"


def media_host(redirect_to: str | None, *, loop: bool = False) -> Recorder:
    video: dict[str, Any] = {
        **seed_examples()["Completed"],
        "expires_at": int(time.time()) + 3600,
        "output": {"url": MEDIA, "content_type": "video/mp4", "size_bytes": len(BYTES)},
    }

    def answer(request: http.Request) -> http.Response:
        if request.url.host == "lumenfall.test":
            return http.Response(200, json=video)
        if redirect_to is not None and (loop or str(request.url) == MEDIA):
            return http.Response(302, headers={"location": redirect_to})
        return http.Response(200, content=BYTES, headers={"content-type": "video/mp4"})

    return Recorder(answer)


def fetch(recorder: Recorder, twin: str) -> bytes:
    if twin == "sync":
        with Lumenfall(api_key=TEST_KEY, base_url=BASE, http_client=recorder.client(), max_retries=0) as client:
            return client.videos.download_content("video_abc123").read()

    async def main() -> bytes:
        async with AsyncLumenfall(
            api_key=TEST_KEY, base_url=BASE, http_client=recorder.async_client(), max_retries=0
        ) as client:
            return (await client.videos.download_content("video_abc123")).read()

    return anyio.run(main)


def media_urls(recorder: Recorder) -> list[str]:
    return [str(r.url) for r in recorder.requests if r.url.host != "lumenfall.test"]


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize(
    ("location", "lands_on"),
    [("/v/moved.mp4", "https://media.test/v/moved.mp4"), ("https://cdn2.test/x.mp4", "https://cdn2.test/x.mp4")],
)
def test_a_usable_redirect_is_followed_without_the_key(twin: str, location: str, lands_on: str) -> None:
    recorder = media_host(location)
    assert fetch(recorder, twin) == BYTES
    assert media_urls(recorder) == [MEDIA, lands_on]
    assert all("authorization" not in r.headers for r in recorder.requests if r.url.host != "lumenfall.test")


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://media.test/v.mp4", "https://user:secret@media.test/v.mp4", "data:video/mp4,AAAA"],
)
def test_a_redirect_to_somewhere_not_fetchable_is_refused(twin: str, location: str) -> None:
    recorder = media_host(location)
    with pytest.raises(DownloadError) as info:
        fetch(recorder, twin)
    assert info.value.video_id == "video_abc123" and "secret" not in str(info.value)
    assert media_urls(recorder) == [MEDIA]  # nothing was fetched from the target


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_a_redirect_loop_ends(twin: str) -> None:
    recorder = media_host(MEDIA, loop=True)
    with pytest.raises(DownloadError, match="redirect loop") as info:
        fetch(recorder, twin)
    assert info.value.video_id == "video_abc123"
    assert len(media_urls(recorder)) == MAX_REDIRECTS + 1

"""Ids in URL paths: one segment naming one job, refused before any request otherwise.

Every method that puts a caller's id in a path (videos retrieve/poll/cancel/delete/
download_content, requests retrieve/purge_payloads) goes through one validator; a transport
that records requests proves nothing was sent for a refused id, and that an accepted id
arrives as exactly one segment that decodes back to itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import http
from lumenfall_openai._ids import check_id, requested_video_id

from .conftest import TEST_KEY, Recorder

BAD_IDS: list[object] = [
    "", " ", "\t\n", ".", "..", "../balance", "a/b", "/", "a\\b", "\\", "video\x00", "video\n1", "video\x7f",
    "video\x85", " video_1", "video_1 ", "%2e", "%2E", "%2e%2E", ".%2e", "%252e", "%25252e%25252e", "a%2Fb",
    "a%5cb", "%00", "\ud800", None, 5, b"video_1", ["video_1"],
]  # fmt: skip
GOOD_IDS = ["video_abc123", "req_1", "v" * 300, "vidéo_ü", "a b", "a+b", "a?b#c", "...", ". .", "%41", "100%"]


def _video_json(request: http.Request) -> http.Response:
    # About the job asked for (an answer about another job is refused: test_answer_for_another_video).
    video_id = requested_video_id(request.url.path, encoded=False) or "video_1"
    return http.Response(200, json={"id": video_id, "object": "video", "status": "completed", "model": "m"})


def _answer(request: http.Request) -> http.Response:
    if request.url.path.endswith("/payloads"):
        return http.Response(200, json={"id": "req_1", "purged": True, "already_purged": False, "media_deleted": 0})
    if "/requests/" in request.url.path:
        return http.Response(200, json={"id": "req_1", "object": "request", "created_at": "2026-01-01T00:00:00Z"})
    if request.method == "DELETE":
        return http.Response(204)
    return _video_json(request)


# Each call puts an id in a URL path; the same lambdas serve both twins (async ones return awaitables).
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "videos.retrieve": lambda c, i: c.videos.retrieve(i),
    "videos.poll": lambda c, i: c.videos.poll(i),
    "videos.cancel": lambda c, i: c.videos.cancel(i),
    "videos.delete": lambda c, i: c.videos.delete(i),
    "videos.download_content": lambda c, i: c.videos.download_content(i),
    "requests.retrieve": lambda c, i: c.requests.retrieve(i),
    "requests.purge_payloads": lambda c, i: c.requests.purge_payloads(i),
}


def _recorded_client() -> tuple[Recorder, Lumenfall]:
    recorder = Recorder(_answer)
    return recorder, Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), max_retries=0)


@pytest.mark.parametrize("call", sorted(CALLS))
def test_bad_ids_are_refused_before_any_request(call: str) -> None:
    recorder, client = _recorded_client()
    for bad in BAD_IDS:
        with pytest.raises((ValueError, TypeError)) as info:
            CALLS[call](client, bad)
        assert "id" in str(info.value) and ("like 'video_abc123'" in str(info.value) or "req_abc123" in str(info.value))
    assert recorder.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("call", sorted(CALLS))
async def test_async_bad_ids_are_refused_before_any_request(call: str) -> None:
    recorder = Recorder(_answer)
    client = AsyncLumenfall(api_key=TEST_KEY, http_client=recorder.async_client(), max_retries=0)
    for bad in BAD_IDS:
        with pytest.raises((ValueError, TypeError)):
            await CALLS[call](client, bad)
    assert recorder.requests == []


def test_the_reported_escapes_no_longer_reach_other_endpoints() -> None:
    recorder, client = _recorded_client()
    with pytest.raises(ValueError, match="relative path segment"):
        client.videos.cancel(".")
    with pytest.raises(ValueError, match="relative path segment"):
        client.videos.retrieve("..")
    with pytest.raises(ValueError, match=r"request id '\.\.' is a relative path segment"):
        client.requests.purge_payloads("..")
    with pytest.raises(ValueError, match="once percent-decoded"):
        client.videos.cancel("%2e%2e")
    assert recorder.requests == []


@pytest.mark.parametrize("good", GOOD_IDS)
def test_good_ids_arrive_as_one_segment(good: str) -> None:
    recorder, client = _recorded_client()
    client.videos.cancel(good)
    client.requests.purge_payloads(good)
    video_path, request_path = (r.url.raw_path.decode("ascii") for r in recorder.requests)
    assert video_path.startswith("/openai/v1/videos/") and request_path.startswith("/v1/requests/")
    segment = video_path.removeprefix("/openai/v1/videos/")
    assert "/" not in segment and unquote(segment) == good
    assert request_path == f"/v1/requests/{segment}/payloads"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.text(alphabet=st.sampled_from("./\\%2eEfF5c0 \x00\u0085a"), max_size=8)))
def test_property_an_id_is_refused_or_sent_as_exactly_itself(video_id: str) -> None:
    recorder, client = _recorded_client()
    try:
        check_id(video_id)
        accepted = True
    except ValueError:
        accepted = False
    if not accepted:
        with pytest.raises(ValueError, match=r"\(like 'video_abc123'\)\.$"):
            client.videos.retrieve(video_id)
        assert recorder.requests == []
        return
    client.videos.retrieve(video_id)
    [request] = recorder.requests
    raw = request.url.raw_path.decode("ascii")
    assert raw.startswith("/openai/v1/videos/")
    segment = raw.removeprefix("/openai/v1/videos/")
    assert segment and "/" not in segment and "?" not in segment and "#" not in segment
    assert unquote(segment) == video_id
    # No decoding of the id, however often, yields a dot segment or a separator.
    text = video_id
    for _ in range(4):
        assert text not in (".", "..") and "/" not in text and "\\" not in text
        text = unquote(text)

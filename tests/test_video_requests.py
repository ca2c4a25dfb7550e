"""What `videos.create` sends: request shapes (mock transport) and refusals before any request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, UnsupportedOperationError
from lumenfall_openai._compat import http

from .conftest import TEST_KEY, Recorder


def _queued(request: http.Request) -> http.Response:
    return http.Response(
        202,
        json={"id": "video_1", "object": "video", "created_at": 1, "status": "queued", "model": "sora-2",
              "seconds": "10", "size": "16:9", "metadata": {"cost_estimate": 0.21}},
    )  # fmt: skip


@pytest.fixture
def queued() -> Recorder:
    return Recorder(_queued)


def _json(request: http.Request) -> dict[str, Any]:
    assert request.headers["content-type"] == "application/json"
    body: dict[str, Any] = json.loads(request.content)
    return body


def test_json_create_carries_every_lumenfall_field(queued: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    video = client.videos.create(
        prompt="a capybara", model="kling-v3", seconds=10, size="16:9", aspect_ratio="16:9",
        resolution="1080p", n=2, negative_prompt="blur", webhook_url="https://hooks.example/lf",
        idempotency_key="job-7", user="team-a", input_reference={"image_url": "https://img.example/a.png"},
        extra_body={"provider_option": True},
    )  # fmt: skip
    assert video.id == "video_1" and video.metadata.cost_estimate == 0.21
    (request,) = queued.requests
    assert request.method == "POST" and request.url.path == "/openai/v1/videos"
    assert _json(request) == {
        "prompt": "a capybara", "model": "kling-v3", "seconds": "10", "size": "16:9",
        "aspect_ratio": "16:9", "resolution": "1080p", "n": 2, "negative_prompt": "blur",
        "webhook_url": "https://hooks.example/lf", "idempotency_key": "job-7", "user": "team-a",
        "input_reference": {"image_url": "https://img.example/a.png"}, "provider_option": True,
    }  # fmt: skip


def test_model_defaults_to_sora_2_and_key_is_generated(queued: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    client.videos.create(prompt="x")
    client.videos.create(prompt="x")
    first, second = (_json(r) for r in queued.requests)
    assert first["model"] == "sora-2"
    assert first["idempotency_key"].startswith("lfo-")
    assert first["idempotency_key"] != second["idempotency_key"]  # two calls, two jobs


def test_a_retried_create_reuses_its_idempotency_key() -> None:
    # The first answer is a 502 (say a proxy lost the real answer): openai retries the POST.
    attempts: list[int] = []

    def flaky(request: http.Request) -> http.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return http.Response(502, json={"error": {"message": "bad gateway", "code": "UPSTREAM_ERROR"}})
        return _queued(request)

    recorder = Recorder(flaky)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), max_retries=2)
    client.with_options(timeout=5).videos.create(prompt="x", model="mock-video")
    first, second = (_json(r) for r in recorder.requests)
    assert first["idempotency_key"] == second["idempotency_key"]
    assert first == second


def test_upload_goes_multipart(tmp_path: Path, queued: Recorder) -> None:
    image = tmp_path / "frame.png"
    image.write_bytes(b"\x89PNG fake bytes")
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    client.videos.create(prompt="animate", model="wan-2.6", seconds="5", n=1, input_reference=image)
    (request,) = queued.requests
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="input_reference"; filename="frame.png"' in body and b"\x89PNG fake bytes" in body
    assert b'name="prompt"\r\n\r\nanimate' in body and b'name="seconds"\r\n\r\n5' in body
    assert b'name="idempotency_key"' in body


def test_several_references_mix_files_and_urls(queued: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    client.videos.create(
        prompt="p", model="veo-3.1-fast",
        input_reference=[("a.jpg", b"AAA", "image/jpeg"), {"image_url": "https://img.example/b.png"}],
    )  # fmt: skip
    body = queued.requests[0].content
    assert b'name="input_reference[]"; filename="a.jpg"' in body
    assert b'name="input_reference[]"\r\n\r\nhttps://img.example/b.png' in body


def test_url_only_references_stay_json(queued: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    client.videos.create(
        prompt="p", input_reference=["https://a.example/1.png", {"image_url": "data:image/png;base64,AA"}]
    )
    assert _json(queued.requests[0])["input_reference"] == [
        {"image_url": "https://a.example/1.png"},
        {"image_url": "data:image/png;base64,AA"},
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"prompt": ""}, ValueError, "prompt is required"),
        ({"prompt": "x", "n": 5}, ValueError, "n must be"),
        ({"prompt": "x", "seconds": "ten"}, ValueError, "seconds must be"),
        ({"prompt": "x", "seconds": -4}, ValueError, "positive"),
        ({"prompt": "x", "idempotency_key": "k" * 257}, ValueError, "at most 256"),
        ({"prompt": "x", "input_reference": {"file_id": "file_1"}}, UnsupportedOperationError, "file id"),
        ({"prompt": "x", "input_reference": 42}, TypeError, "cannot send a int"),
        ({"prompt": "x", "size": 1080}, TypeError, "size must be a string"),
    ],
)
def test_bad_arguments_fail_before_any_request(
    queued: Recorder, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    with pytest.raises(error, match=match):
        client.videos.create(**kwargs)
    assert queued.requests == []


@pytest.mark.parametrize("method", ["list", "remix", "edit", "extend", "create_character", "get_character"])
def test_unsupported_methods_say_what_to_do_instead(queued: Recorder, method: str) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    with pytest.raises(UnsupportedOperationError, match="not available on Lumenfall") as info:
        getattr(client.videos, method)("video_1", prompt="x")
    assert "client." in str(info.value)  # names the alternative
    assert isinstance(info.value, NotImplementedError)
    assert queued.requests == []


def test_cancel_and_delete_send_delete(completed_video: dict[str, Any]) -> None:
    recorder = Recorder(lambda r: http.Response(204))
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    assert client.videos.cancel("video_9") is None
    deleted = client.videos.delete("video_9")
    assert (deleted.id, deleted.deleted, deleted.object) == ("video_9", True, "video.deleted")
    assert [(r.method, r.url.path) for r in recorder.requests] == [("DELETE", "/openai/v1/videos/video_9")] * 2
    with pytest.raises(ValueError, match="non-empty video id"):
        client.videos.cancel("")


def test_ids_are_escaped_into_the_path(recorder: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    client.videos.retrieve("video a+b?c#d")
    assert recorder.requests[0].url.raw_path == b"/openai/v1/videos/video%20a%2Bb%3Fc%23d"
    with pytest.raises(ValueError, match="path separator"):  # more in tests/test_ids.py
        client.videos.retrieve("../balance")
    assert len(recorder.requests) == 1


@pytest.mark.anyio
async def test_async_create_matches_sync(queued: Recorder) -> None:
    client = AsyncLumenfall(api_key=TEST_KEY, http_client=queued.async_client())
    await client.videos.create(prompt="p", model="mock-video", seconds="4", idempotency_key="same")
    sync = Lumenfall(api_key=TEST_KEY, http_client=queued.client())
    sync.videos.create(prompt="p", model="mock-video", seconds="4", idempotency_key="same")
    a, s = (_json(r) for r in queued.requests)
    assert a == s
    with pytest.raises(UnsupportedOperationError):
        await client.videos.remix("video_1", prompt="x")

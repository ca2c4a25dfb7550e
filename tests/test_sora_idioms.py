"""Sora-era idioms run unchanged: streamed download_content, an int progress, raw and streaming
wrappers with openai's names, and openai's ``_request_id``.

Tests marked ``live`` take the ``target`` fixture: the emulator here and in CI, the real
Lumenfall (free ``mock-video`` only, capped) under ``pytest -m live`` (see tests/live.py).
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall, UnsupportedOperationError
from lumenfall_openai._compat import AsyncStreamedBinaryAPIResponse, StreamedBinaryAPIResponse, http
from lumenfall_openai.types import Video, VideoDeleted
from lumenfall_openai.types.video import estimate_progress

from .conftest import TEST_KEY, Recorder
from .live import Target

REFUSED = ("list", "remix", "edit", "extend", "create_character", "get_character")
MODEL = "mock-video"


def _pause(target: Target) -> float:
    return 2.0 if target.live else 0.05


# -- progress ------------------------------------------------------------------------------------


@pytest.mark.live
def test_openai_video_guide_progress_loop_runs(target: Target) -> None:
    """The loop from OpenAI's video guide: a bar from ``video.progress / 100`` while waiting."""
    client = target.client()
    video = client.videos.create(model=MODEL, prompt="A calico cat playing a piano on stage")
    seen: list[tuple[str, int]] = [(video.status, video.progress)]
    bar = ""
    while video.status in ("in_progress", "queued"):
        video = client.videos.retrieve(video.id)
        progress = getattr(video, "progress", 0)
        filled_length = int((progress / 100) * 30)
        bar = "=" * filled_length + "-" * (30 - filled_length)
        seen.append((video.status, video.progress))
        time.sleep(_pause(target))
    assert video.status == "completed", video.error
    assert all(type(p) is int and 0 <= p <= 100 for _, p in seen), seen
    assert [p for _, p in seen] == sorted(p for _, p in seen), "progress went down between polls"
    assert all(p == 0 for s, p in seen if s == "queued")
    assert all(1 <= p <= 99 for s, p in seen if s == "in_progress")
    assert seen[-1] == ("completed", 100) and bar == "=" * 30


@given(
    status=st.sampled_from(["queued", "in_progress", "completed", "failed", "rendering", "", None]),
    created_at=st.one_of(st.none(), st.integers(0, 2**40), st.floats(allow_nan=True), st.text(max_size=3)),
    now=st.floats(0, 2**40),
    later=st.floats(0, 1e6),
)
def test_progress_is_always_a_percentage_that_never_goes_down(
    status: str | None, created_at: object, now: float, later: float
) -> None:
    first = estimate_progress(status, created_at, None, now=now)
    second = estimate_progress(status, created_at, None, now=now + later)
    assert type(first) is int and 0 <= first <= second <= 100
    if status == "queued":
        assert first == second == 0
    elif status in ("completed", "failed"):
        assert first == second == 100
    else:  # running, or a status we do not know: "still going", never claimed complete
        assert 1 <= first <= second <= 99


@given(
    sent=st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.booleans()),
    status=st.sampled_from(["queued", "in_progress", "rendering", "", None, "completed", "failed"]),
)
def test_progress_the_server_sends_is_kept_but_never_100_before_the_end(sent: float, status: object) -> None:
    """F21: a running job never says 100 (a server's 100 while in_progress reads as 99)."""
    got = estimate_progress(status, 0, sent, now=1e9)
    ended = status in ("completed", "failed")
    if isinstance(sent, bool) or not math.isfinite(sent):
        assert got == 100 if ended else got <= 99  # not a percentage: estimated instead
    else:
        assert got == min(100 if ended else 99, max(0, int(sent)))


def test_a_parsed_running_video_never_reads_100() -> None:
    running = {"id": "v", "object": "video", "status": "in_progress", "model": "m", "seconds": "4", "size": "1:1"}
    assert Video.construct(**running, progress=100).progress == 99
    assert Video.construct(**{**running, "status": "completed"}, progress=100).progress == 100
    assert Video.construct(**running, progress=42).progress == 42


def test_progress_estimate_follows_elapsed_time_and_is_fixed_when_parsed() -> None:
    now = time.time()
    running = {"id": "v", "object": "video", "status": "in_progress", "model": "m", "seconds": "4", "size": "1:1"}
    young = Video.construct(**running, created_at=int(now))
    old = Video.construct(**running, created_at=int(now) - 600)
    assert 1 <= young.progress < old.progress <= 99
    assert young.progress == young.progress  # read twice: a value, not a clock
    assert "progress" not in young.model_dump(exclude_unset=True)  # not from the wire: not "sent"
    validated = Video.model_validate({**running, "created_at": int(now) - 600})
    assert validated.progress == old.progress
    assert Video.construct(**running, created_at=0, progress=37).progress == 37


# -- streamed download_content ------------------------------------------------------------------


@pytest.mark.live
def test_streaming_download_content_is_openais_streamed_binary_response(target: Target, tmp_path: Path) -> None:
    client = target.client()
    video = client.videos.create_and_poll(model=MODEL, prompt="a heron at dawn")
    assert video.status == "completed" and video.output is not None
    whole = client.videos.download_content(video.id).read()
    with client.videos.with_streaming_response.download_content(video.id) as response:
        assert isinstance(response, StreamedBinaryAPIResponse)
        response.stream_to_file(tmp_path / "video.mp4")
    assert (tmp_path / "video.mp4").read_bytes() == whole and len(whole) == video.output.size_bytes
    with client.videos.with_streaming_response.download_content(video.id) as response:
        chunks = list(response.iter_bytes(chunk_size=512))
    assert b"".join(chunks) == whole and len(chunks) > 1


@pytest.mark.live
def test_async_streaming_download_content_is_openais_streamed_binary_response(target: Target, tmp_path: Path) -> None:
    async def main() -> tuple[bytes, bytes, int]:
        async with target.async_client() as client:
            video = await client.videos.create_and_poll(model=MODEL, prompt="a heron at dawn")
            assert video.output is not None
            async with client.videos.with_streaming_response.download_content(video.id) as response:
                assert isinstance(response, AsyncStreamedBinaryAPIResponse)
                await response.stream_to_file(tmp_path / "a.mp4")
            async with client.videos.with_streaming_response.download_content(video.id) as response:
                streamed = b"".join([chunk async for chunk in response.iter_bytes()])
            return streamed, (tmp_path / "a.mp4").read_bytes(), video.output.size_bytes

    streamed, saved, size = anyio.run(main)
    assert streamed == saved and len(saved) == size


def test_streamed_download_sends_no_key_to_the_media_host(client: Lumenfall, emulator: Any, tmp_path: Path) -> None:
    video = client.videos.create_and_poll(model=MODEL, prompt="p")
    with client.videos.with_streaming_response.download_content(video.id) as response:
        response.stream_to_file(tmp_path / "v.mp4")
    assert emulator.media_auth_attempts == []


# -- raw and streaming wrappers ------------------------------------------------------------------


def _openai_wrapper_names() -> set[str]:
    try:
        from openai.resources.videos import VideosWithRawResponse as OpenAIRaw
    except ImportError:  # an openai that deleted Sora: nothing to compare with
        pytest.skip("this openai has no openai.resources.videos")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        wrapper = OpenAIRaw(openai.OpenAI(api_key="sk-unused").videos)
    return {name for name in vars(wrapper) if not name.startswith("_")}


@pytest.mark.parametrize("kind", ["with_raw_response", "with_streaming_response"])
def test_wrappers_have_every_name_openais_have(kind: str) -> None:
    for cls in (Lumenfall, AsyncLumenfall):
        wrapper = getattr(cls(api_key=TEST_KEY).videos, kind)
        missing = sorted(name for name in _openai_wrapper_names() if not hasattr(wrapper, name))
        assert not missing, f"{cls.__name__}.videos.{kind} lacks {missing}"


@pytest.mark.parametrize("kind", ["with_raw_response", "with_streaming_response"])
@pytest.mark.parametrize("name", REFUSED)
def test_wrappers_refuse_what_the_resource_refuses_at_the_call(recorder: Recorder, kind: str, name: str) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    method: Callable[..., Any] = getattr(getattr(client.videos, kind), name)
    with pytest.raises(UnsupportedOperationError, match=rf"videos\.{name}\(\)"):
        method("video_abc123", prompt="x")

    async def main() -> None:
        async_client = AsyncLumenfall(api_key=TEST_KEY, http_client=recorder.async_client())
        async_method: Callable[..., Any] = getattr(getattr(async_client.videos, kind), name)
        with pytest.raises(UnsupportedOperationError, match=rf"videos\.{name}\(\)"):
            await async_method("video_abc123")

    anyio.run(main)
    assert recorder.requests == []  # refused before anything was sent


@pytest.mark.parametrize("variant", ["thumbnail", "spritesheet"])
def test_download_content_refuses_other_variants_on_every_path(recorder: Recorder, variant: Any) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    for call in (
        client.videos.download_content,
        client.videos.with_raw_response.download_content,
    ):
        with pytest.raises(UnsupportedOperationError, match="variant='video'"):
            call("video_abc123", variant=variant)
    with (
        pytest.raises(UnsupportedOperationError, match="thumbnail from the file"),
        client.videos.with_streaming_response.download_content("video_abc123", variant=variant),
    ):
        pass
    assert recorder.requests == []


@pytest.mark.live
def test_raw_and_streaming_delete_answer_with_the_deleted_object(target: Target) -> None:
    client = target.client()
    first = client.videos.create(model=MODEL, prompt="to be cancelled")
    raw = client.videos.with_raw_response.delete(first.id)
    assert raw.http_request.method == "DELETE" and raw.http_request.url.path.endswith(f"/videos/{first.id}")
    deleted = raw.parse()
    assert isinstance(deleted, VideoDeleted) and (deleted.id, deleted.deleted, deleted.object) == (
        first.id,
        True,
        "video.deleted",
    )
    assert deleted._request_id == raw.headers.get("x-lumenfall-request-id") and deleted._request_id
    second = client.videos.create(model=MODEL, prompt="to be cancelled too")
    with client.videos.with_streaming_response.delete(second.id) as response:
        assert response.parse() == VideoDeleted(id=second.id, deleted=True, object="video.deleted")


def test_async_raw_delete(base_url: str) -> None:
    async def main() -> VideoDeleted:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            video = await client.videos.create(model=MODEL, prompt="p")
            raw = await client.videos.with_raw_response.delete(video.id)
            return raw.parse()

    assert anyio.run(main).deleted is True


# -- _request_id ----------------------------------------------------------------------------------


@pytest.mark.live
def test_request_id_is_lumenfalls(target: Target) -> None:
    client = target.client()
    raw = client.videos.with_raw_response.create(model=MODEL, prompt="p")
    lumenfall_id = raw.headers["x-lumenfall-request-id"]
    assert raw.request_id == lumenfall_id and raw.parse()._request_id == lumenfall_id
    video = client.videos.retrieve(raw.parse().id)
    assert video._request_id and video._request_id != lumenfall_id  # each answer its own
    done = client.videos.poll(video.id, poll_interval_ms=int(_pause(target) * 1000))
    assert done._request_id


def test_request_id_on_images(client: Lumenfall) -> None:
    raw = client.with_raw_response.images.generate(model="gpt-image-1", prompt="p")
    assert raw.parse()._request_id == raw.headers["x-lumenfall-request-id"]
    assert client.images.generate(model="gpt-image-1", prompt="p")._request_id


def test_an_x_request_id_the_server_sends_is_not_overwritten(completed_video: dict[str, Any]) -> None:
    def answer(request: http.Request) -> http.Response:
        return http.Response(
            200, json=completed_video, headers={"x-request-id": "upstream", "x-lumenfall-request-id": "req_l"}
        )

    client = Lumenfall(api_key=TEST_KEY, http_client=Recorder(answer).client())
    assert client.videos.retrieve("video_abc123")._request_id == "upstream"
    plain = Recorder(lambda request: http.Response(200, json=completed_video))
    no_ids = Lumenfall(api_key=TEST_KEY, http_client=plain.client())
    assert no_ids.videos.retrieve("video_abc123")._request_id is None


@pytest.mark.parametrize("cls", [openai.OpenAI, openai.AsyncOpenAI])
def test_openai_still_hands_process_response_the_response_by_keyword(cls: type) -> None:
    # The client's _request_id hook (lumenfall_openai/_client.py) reads kwargs["response"].
    params = inspect.signature(cls._process_response).parameters
    assert "response" in params and params["response"].kind is inspect.Parameter.KEYWORD_ONLY

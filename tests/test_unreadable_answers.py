"""Whatever a 2xx body holds, every call returns the object it promises or raises an openai error.

Issue 8, principle 2: "every non-openai exception from parsing a response becomes an
``openai.OpenAIError`` subclass". Checked on every endpoint that parses an answer (videos
retrieve/estimate, the native account and requests endpoints, images), sync and async, with any
bytes and any JSON value (hypothesis), through a mock transport: one answer's shape is the point,
and hypothesis needs hundreds of them. A wait keeps waiting through a garbled answer (it may be a
proxy's or a cut connection's) and never leaks a raw exception. Images refuse non-finite numbers
before sending, like ``videos.create``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall, PollPolicy
from lumenfall_openai._compat import http
from lumenfall_openai.errors import ResponseParseError
from lumenfall_openai.types import Balance, CostEstimate, ImagesResponse, PurgeResult, RequestRecord, Video

from .conftest import TEST_KEY, Recorder, seed_examples
from .hostile import JSON

BASE = "http://lumenfall.test/openai/v1"
PROPERTY = settings(max_examples=60, deadline=None)

# Near-misses of the real shapes: the fields a parser reaches for, holding anything.
VIDEO_LIKE = st.fixed_dictionaries(
    {"id": st.sampled_from(["video_1"]) | JSON, "object": st.just("video")},
    optional={
        "status": st.sampled_from(["queued", "in_progress", "completed", "failed"]) | JSON,
        "created_at": JSON,
        "seconds": JSON,
        "output": st.fixed_dictionaries({}, optional={"url": JSON, "size_bytes": JSON}) | JSON,
        "metadata": st.fixed_dictionaries({}, optional={"cost": JSON, "currency": JSON}) | JSON,
        "error": JSON,
    },
)
ESTIMATE_LIKE = st.fixed_dictionaries(
    {"estimated": st.just(True)},
    optional={"total_cost_micros": JSON, "currency": JSON, "components": JSON, "model": JSON},
)


def _encoded(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # a hostile server may send NaN tokens


BODIES = (
    st.binary(max_size=40)
    | JSON.map(_encoded)
    | VIDEO_LIKE.map(_encoded)
    | ESTIMATE_LIKE.map(_encoded)
    | st.sampled_from([b"", b"not json", b'{"id": ', b"[1, 2]", b"null", b'"video_1"', b"\xff\xfe{}"])
)

# endpoint -> (call on a client, what a successful answer must be)
Call = Callable[[Any], Any]
ENDPOINTS: dict[str, tuple[Call, type[Any]]] = {
    "videos.retrieve": (lambda c: c.videos.retrieve("video_1"), Video),
    "videos.estimate": (lambda c: c.videos.estimate(prompt="p", seconds=4), CostEstimate),
    "account.balance": (lambda c: c.account.balance(), Balance),
    "requests.retrieve": (lambda c: c.requests.retrieve("req_1"), RequestRecord),
    "requests.purge_payloads": (lambda c: c.requests.purge_payloads("req_1"), PurgeResult),
    "images.generate": (lambda c: c.images.generate(model="flux-1.1-pro", prompt="p"), ImagesResponse),
    "images.estimate": (lambda c: c.images.estimate(model="flux-1.1-pro", prompt="p"), CostEstimate),
}


def answering(body: bytes, status: int = 200) -> Recorder:
    return Recorder(lambda request: http.Response(status, content=body, headers={"content-type": "application/json"}))


def sync_outcome(recorder: Recorder, call: Call) -> object:
    with Lumenfall(api_key=TEST_KEY, base_url=BASE, http_client=recorder.client(), max_retries=0) as client:
        try:
            return call(client)
        except openai.OpenAIError as error:
            return error


def async_outcome(recorder: Recorder, call: Call) -> object:
    async def main() -> object:
        async with AsyncLumenfall(
            api_key=TEST_KEY, base_url=BASE, http_client=recorder.async_client(), max_retries=0
        ) as client:
            try:
                return await call(client)
            except openai.OpenAIError as error:
                return error

    return anyio.run(main)


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@PROPERTY
@given(body=BODIES)
def test_any_answer_is_the_promised_object_or_an_openai_error(endpoint: str, twin: str, body: bytes) -> None:
    call, expected = ENDPOINTS[endpoint]
    outcome = (sync_outcome if twin == "sync" else async_outcome)(answering(body), call)
    assert isinstance(outcome, (expected, openai.OpenAIError)), f"{endpoint} gave {type(outcome).__name__}"
    if isinstance(outcome, Video):
        assert isinstance(outcome.id, str) and outcome.id  # a Video without an id is a lost job


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("body", [b"not json", b'{"id": ', b"[1, 2]", b"null", b"{}", b'{"object": "video"}'])
def test_an_unreadable_video_is_a_response_parse_error_naming_the_request(twin: str, body: bytes) -> None:
    call, _ = ENDPOINTS["videos.retrieve"]
    outcome = (sync_outcome if twin == "sync" else async_outcome)(answering(body), call)
    assert isinstance(outcome, ResponseParseError), repr(outcome)
    assert isinstance(outcome, openai.APIResponseValidationError) and outcome.status_code == 200
    assert "GET /openai/v1/videos/video_1" in str(outcome)


def test_a_listing_page_that_is_not_json_is_a_response_parse_error() -> None:
    outcome = sync_outcome(answering(b"<html>proxy error</html>"), lambda c: list(c.requests.list()))
    assert isinstance(outcome, ResponseParseError), repr(outcome)


def test_cancel_ignores_whatever_body_comes_with_its_2xx() -> None:
    assert sync_outcome(answering(b"\xff not json"), lambda c: c.videos.cancel("video_1")) is None


def test_a_raw_response_is_left_for_the_caller_to_parse() -> None:
    outcome = sync_outcome(answering(b"null"), lambda c: c.videos.with_raw_response.retrieve("video_1"))
    assert not isinstance(outcome, BaseException) and outcome.http_response.status_code == 200


# -- a wait rides out garbled answers ------------------------------------------------------------------

FAST = PollPolicy(first_interval=0.01, min_interval=0.01, max_interval=0.02, max_error_streak=30.0)


def garbled_then_completed(garbled: list[bytes], completed: dict[str, Any]) -> Recorder:
    answers = [*garbled]

    def answer(request: http.Request) -> http.Response:
        body = answers.pop(0) if answers else json.dumps(completed).encode()
        return http.Response(200, content=body, headers={"content-type": "application/json"})

    return Recorder(answer)


@settings(max_examples=40, deadline=None)
@given(garbled=st.lists(BODIES.filter(lambda b: b.strip() != b"" and b'"id"' not in b), min_size=1, max_size=3))
def test_a_wait_keeps_waiting_through_garbled_answers(garbled: list[bytes]) -> None:
    completed_video = seed_examples()["Completed"]
    recorder = garbled_then_completed(garbled, completed_video)
    outcome = sync_outcome(recorder, lambda c: c.videos.poll(completed_video["id"], poll_policy=FAST))
    assert isinstance(outcome, Video) and outcome.status == "completed", repr(outcome)
    assert len(recorder.requests) == len(garbled) + 1


def test_the_async_wait_keeps_waiting_through_garbled_answers(completed_video: dict[str, Any]) -> None:
    garbled = [b"not json", b"null", b'{"object": "video"}', b"[]"]
    recorder = garbled_then_completed(garbled, completed_video)
    outcome = async_outcome(recorder, lambda c: c.videos.poll(completed_video["id"], poll_policy=FAST))
    assert isinstance(outcome, Video) and outcome.status == "completed", repr(outcome)
    assert len(recorder.requests) == len(garbled) + 1


def test_a_wait_that_only_gets_garbage_ends_with_the_video_id(completed_video: dict[str, Any]) -> None:
    recorder = answering(b"<html>bad gateway</html>")
    policy = PollPolicy(first_interval=0.01, min_interval=0.01, max_interval=0.02, max_error_streak=0.1)
    outcome = sync_outcome(recorder, lambda c: c.videos.poll("video_1", poll_policy=policy))
    assert isinstance(outcome, openai.OpenAIError) and getattr(outcome, "video_id", None) == "video_1"
    assert isinstance(outcome.__cause__, ResponseParseError)


# -- images: numbers are checked before anything is sent -----------------------------------------------

NON_FINITE = [math.nan, math.inf, -math.inf]
IMAGE_CALLS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "generate": lambda c, kw: c.images.generate(model="flux-1.1-pro", prompt="p", **kw),
    "estimate": lambda c, kw: c.images.estimate(model="flux-1.1-pro", prompt="p", **kw),
    "edit": lambda c, kw: c.images.edit(model="flux-1.1-pro", prompt="p", image=("a.png", b"png", "image/png"), **kw),
}


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize("method", list(IMAGE_CALLS))
@pytest.mark.parametrize(
    "arguments",
    [{"n": v} for v in NON_FINITE]
    + [{"extra_body": {"guidance": [1, v]}} for v in NON_FINITE]
    + [{"timeout": v} for v in NON_FINITE]
    + [{"extra_query": {"seed": math.nan}}],
    ids=repr,
)
def test_images_refuse_non_finite_numbers_before_sending(twin: str, method: str, arguments: dict[str, Any]) -> None:
    recorder = answering(b"{}")
    call = IMAGE_CALLS[method]
    runner = sync_outcome if twin == "sync" else async_outcome
    with pytest.raises(ValueError, match="finite"):
        runner(recorder, lambda c: call(c, arguments))
    assert recorder.requests == []

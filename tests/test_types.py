"""The Video type: the seed's objects field for field, and Lumenfall's looser wire values."""

from __future__ import annotations

import json
import math
from typing import Any

import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import assert_type

from lumenfall_openai import Lumenfall, VideoFailedError, errors
from lumenfall_openai._compat import http
from lumenfall_openai.types import BalanceAmount, Video, VideoMetadata, VideoOutput
from lumenfall_openai.types._base import LumenfallModel

from .conftest import TEST_KEY, Recorder, seed_examples


@pytest.mark.parametrize("title", ["In progress", "Completed"])
def test_seed_examples_parse_field_for_field(title: str) -> None:
    raw = seed_examples()[title]
    video = Video.construct(**raw)
    dumped = video.model_dump(exclude_unset=True)
    assert dumped == raw  # nothing lost, nothing renamed, nested objects intact
    assert video.metadata.executed_model == "openai/sora-2"
    assert isinstance(video.metadata, VideoMetadata)


def test_completed_seed_types() -> None:
    video = Video.construct(**seed_examples()["Completed"])
    assert isinstance(video.output, VideoOutput)
    assert video.output.url == "https://media.lumenfall.ai/video_abc123.mp4"
    assert video.output.size_bytes == 15728640
    assert video.metadata.cost == 0.21 and video.metadata.cost_estimate is None
    assert video.is_finished and video.raise_for_status() is video


def _minimal(**extra: Any) -> dict[str, Any]:
    return {"id": "video_1", "created_at": 1, "status": "queued", "model": "kling-v3", "seconds": "5",
            "size": "16:9", **extra}  # fmt: skip


def test_metadata_always_present() -> None:
    for raw in (_minimal(), _minimal(metadata=None)):
        for video in (Video.construct(**raw), Video.model_validate(raw)):
            assert isinstance(video.metadata, VideoMetadata)
            assert video.metadata.cost is None
            assert_type(video.metadata.cost, "float | None")


def test_wire_looseness() -> None:
    video = Video.construct(**_minimal(seconds=10, metadata={"cost": 1, "cost_estimate": 2}))
    assert video.seconds == "10"
    assert isinstance(video.metadata.cost, float) and video.metadata.cost == 1.0
    assert isinstance(video.metadata.cost_estimate, float)
    assert Video.construct(**_minimal(size="1920x1080")).size == "1920x1080"


def test_unknown_fields_and_statuses_are_kept() -> None:
    video = Video.construct(**_minimal(status="rendering", future_field={"x": 1}, metadata={"attempts": [1]}))
    assert video.status == "rendering" and not video.is_finished
    assert video.model_extra == {"future_field": {"x": 1}}
    assert video.metadata.model_extra == {"attempts": [1]}
    assert 1 <= video.progress <= 99 and video.remixed_from_video_id is None  # "still going"


def test_failed_video_raises_with_details() -> None:
    video = Video.construct(
        **_minimal(status="failed", error={"code": "CONTENT_POLICY_VIOLATION", "message": "refused"})
    )
    assert video.error is not None
    assert_type(video.error.message, str)
    with pytest.raises(VideoFailedError, match="CONTENT_POLICY_VIOLATION: refused") as info:
        video.raise_for_status()
    assert info.value.video is video and info.value.code == "CONTENT_POLICY_VIOLATION"


def test_strict_response_validation_uses_the_same_rules() -> None:
    raw = _minimal(metadata=None, output=None)
    recorder = Recorder(lambda _: http.Response(200, json=raw))
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), _strict_response_validation=True)
    video = client.videos.retrieve("video_1")
    assert isinstance(video.metadata, VideoMetadata) and video.output is None


def test_typed_access_after_narrowing() -> None:
    video = Video.construct(**seed_examples()["Completed"])
    if video.output is not None:
        assert_type(video.output.url, str)
        assert_type(video.output.size_bytes, int)
    assert_type(video.status, str)
    assert_type(video.seconds, str)


# -- F2/F4/F17: an int field holds an int or None, a str field a str -----------------------------

_NOT_INTS = st.one_of(
    st.text(max_size=5), st.booleans(), st.sampled_from([math.inf, -math.inf, math.nan]),
    st.floats(allow_nan=False, allow_infinity=False),  # 4.0 too: an int field takes ints as sent
    st.lists(st.integers(), max_size=2),
)  # fmt: skip


def _int_fields() -> list[tuple[type[LumenfallModel], str, str]]:
    import lumenfall_openai.types.account
    import lumenfall_openai.types.cost
    import lumenfall_openai.types.video  # noqa: F401

    models: set[type[LumenfallModel]] = set()
    todo = [LumenfallModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if not issubclass(sub, openai.types.ImagesResponse):  # it keeps openai's own reading
                models.add(sub)
    return sorted(
        ((m, name, f.alias or name) for m in models for name, f in m.model_fields.items()
         if f.annotation in (int, int | None, "int", "int | None")),
        key=lambda t: (t[0].__name__, t[1]),
    )  # fmt: skip


def test_there_are_int_fields_to_check() -> None:
    names = {(m.__name__, name) for m, name, _ in _int_fields()}
    assert {("Video", "created_at"), ("CostEstimate", "total_cost_micros"), ("VideoOutput", "size_bytes")} <= names


@given(data=st.data(), bad=_NOT_INTS)
def test_an_int_field_given_a_non_int_reads_as_none(data: st.DataObject, bad: object) -> None:
    model, name, key = data.draw(st.sampled_from(_int_fields()))
    if (model, name) == (Video, "progress"):
        return  # progress is an estimate when the server's is unusable (see test_sora_idioms)
    assert getattr(model.construct(**{key: bad}), name) is None


@given(whole=st.integers(-(10**30), 10**30))
def test_an_int_field_keeps_ints(whole: int) -> None:
    video = Video.construct(created_at=whole, expires_at=whole)
    assert video.created_at == whole and video.expires_at == whole and type(video.expires_at) is int


def test_a_str_field_sent_null_reads_as_empty_text() -> None:
    video = Video.construct(**_minimal(status=None, model=None, seconds=None))
    assert (video.status, video.model, video.seconds) == ("", "", "")
    assert video.prompt is None or isinstance(video.prompt, str)
    assert Video.construct(prompt=None).prompt is None  # an Optional str stays None


@pytest.mark.parametrize("amount", ["abc", math.inf, -math.inf, math.nan, True, [1], 10**400])
def test_a_balance_amount_that_is_not_a_finite_number_reads_as_none(amount: object) -> None:
    assert BalanceAmount.construct(amount=amount, currency="usd").amount is None
    assert BalanceAmount.construct(amount=3, currency="usd").amount == 3.0


@pytest.mark.parametrize("total", [True, math.inf, math.nan, "12", 1.5, 40000.0])
def test_an_unbudgeted_estimate_with_an_unusable_total_gives_none(total: object) -> None:
    body = {"estimated": True, "model": "m", "provider": "p", "total_cost_micros": total, "currency": "USD"}
    text = json.dumps(body)  # Infinity / NaN as a lax JSON encoder sends them
    recorder = Recorder(lambda _: http.Response(200, content=text, headers={"content-type": "application/json"}))
    with Lumenfall(api_key=TEST_KEY, http_client=recorder.client()) as client:
        assert client.videos.estimate(model="sora-2", prompt="p").total_cost_micros is None


@pytest.mark.parametrize("data", ["x", 5, {"id": "req_1"}, True])
def test_a_requests_page_whose_data_is_not_a_list_is_a_parse_error(data: object) -> None:
    """Unreadable, not empty: "no such request" read from it could free the hold of a real job."""
    recorder = Recorder(lambda _: http.Response(200, json={"object": "list", "data": data}))
    with Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), max_retries=0) as client:
        with pytest.raises(errors.ResponseParseError, match="not a list"):
            client.requests.list()
    empty = Recorder(lambda _: http.Response(200, json={"object": "list", "data": []}))
    with Lumenfall(api_key=TEST_KEY, http_client=empty.client()) as client:
        assert list(client.requests.list()) == []

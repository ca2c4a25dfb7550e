"""The Video type: the seed's objects field for field, and Lumenfall's looser wire values."""

from __future__ import annotations

from typing import Any

import pytest
from typing_extensions import assert_type

from lumenfall_openai import Lumenfall, VideoFailedError
from lumenfall_openai._compat import http
from lumenfall_openai.types import Video, VideoMetadata, VideoOutput

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

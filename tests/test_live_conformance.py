"""The main flows as a user's code meets them, written so they hold for the emulator and for
Lumenfall itself: run with the rest against the emulator, and with ``pytest -m live`` (and
``LUMENFALL_API_KEY``) against the real service, free ``mock-video`` only (tests/live.py).

They assert only what Lumenfall documents (lumenfall-api.md), never the emulator's own choices
(its timings, prices or ids), so a failure in a live run means drift worth a look.
"""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path

import anyio
import openai
import pytest

from lumenfall_openai import ModelNotFoundError
from lumenfall_openai.types import CostEstimate, Video, VideoMetadata, VideoOutput

from .live import Target

pytestmark = pytest.mark.live

MODEL = "mock-video"


def _documented_video(video: Video) -> None:
    assert video.id and video.object == "video" and isinstance(video.created_at, int)
    assert video.model == MODEL and isinstance(video.seconds, str) and isinstance(video.size, str)
    assert isinstance(video.metadata, VideoMetadata) and type(video.progress) is int


def test_create_wait_download_verified(target: Target, tmp_path: Path) -> None:
    client = target.client()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        created = client.videos.create(model=MODEL, prompt="A capybara lounging in a hot spring")
        _documented_video(created)
        assert created.status in ("queued", "in_progress") and created.output is None
        video = client.videos.poll(created.id, timeout=600).raise_for_status()
        path = client.videos.download(video, tmp_path)
    _documented_video(video)
    assert video.status == "completed" and isinstance(video.output, VideoOutput)
    assert video.output.url.startswith(("https://", "http://")) and video.output.content_type.startswith("video/")
    assert path == tmp_path / f"{video.id}.mp4" and path.stat().st_size == video.output.size_bytes
    assert video.completed_at is not None and video.completed_at >= video.created_at
    assert video.progress == 100 and video.metadata.cost is not None and video.metadata.cost >= 0


def test_idempotent_create_returns_the_same_job(target: Target) -> None:
    client = target.client()
    key = f"lumenfall-openai-conformance-{uuid.uuid4()}"
    first = client.videos.create(model=MODEL, prompt="same job", idempotency_key=key)
    again = client.videos.create(model=MODEL, prompt="same job", idempotency_key=key)
    assert again.id == first.id


def test_estimate_is_free_and_typed(target: Target) -> None:
    estimate = target.client().videos.estimate(model=MODEL, prompt="p", seconds=4)
    assert isinstance(estimate, CostEstimate) and estimate.estimated is True
    assert isinstance(estimate.total_cost_micros, int) and estimate.total_cost_micros >= 0
    assert estimate.currency and estimate.model


def test_unknown_model_is_a_typed_error_with_lumenfalls_request_id(target: Target) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        target.client().videos.estimate(model="no-such-model-lumenfall-openai", prompt="p")
    error = info.value
    assert isinstance(error, openai.NotFoundError) and error.status_code == 404
    assert error.code == "MODEL_NOT_FOUND" and error.request_id


def test_cancel_a_running_job(target: Target) -> None:
    client = target.client()
    video = client.videos.create(model=MODEL, prompt="cancel me")
    client.videos.cancel(video.id)  # best effort: 204, whatever the job's state by then
    assert client.videos.retrieve(video.id).id == video.id


def test_async_create_and_poll(target: Target) -> None:
    async def main() -> Video:
        async with target.async_client() as client:
            return await client.videos.create_and_poll(model=MODEL, prompt="a heron", poll_timeout=600)

    video = anyio.run(main)
    _documented_video(video)
    assert video.status == "completed" and video.output is not None

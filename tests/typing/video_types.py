"""Checked by mypy --strict and pyright strict in CI (not run by pytest): what a type checker sees.

Lumenfall's "Get video" example, typed: once `output` / `error` are known present, their fields
are plain `str`, and `metadata` needs no guard at all.
"""

from __future__ import annotations

from openai._response import AsyncStreamedBinaryAPIResponse, StreamedBinaryAPIResponse
from typing_extensions import assert_type

from lumenfall_openai import AsyncLumenfall, Lumenfall, OpenAI
from lumenfall_openai.types import Video, VideoDeleted, VideoMetadata


def seed_example(client: Lumenfall) -> None:
    video = client.videos.retrieve("video_abc123")
    assert_type(video, Video)
    if video.status == "completed" and video.output is not None:
        assert_type(video.output.url, str)
        assert_type(video.output.content_type, str)
        assert_type(video.output.size_bytes, int)
    elif video.status == "failed" and video.error is not None:
        assert_type(video.error.message, str)
        assert_type(video.error.code, str)
    assert_type(video.metadata, VideoMetadata)
    assert_type(video.metadata.cost, "float | None")
    assert_type(video.metadata.cost_estimate, "float | None")
    assert_type(video.seconds, str)
    assert_type(video.size, str)


def lumenfall_sizes_and_seconds_type_check(client: OpenAI) -> Video:
    # OpenAI's Sora types reject all of these; Lumenfall accepts them.
    return client.videos.create_and_poll(model="kling-v3", prompt="p", seconds=10, size="16:9", n=2)


async def async_twin(client: AsyncLumenfall) -> None:
    video = await client.videos.create_and_poll(model="wan-2.6", prompt="p", seconds="5", size="1920x1080")
    assert_type(video, Video)
    assert_type(video.raise_for_status(), Video)


def sora_era_idioms(client: Lumenfall) -> None:
    video = client.videos.retrieve("video_abc123")
    assert_type(video.progress, int)
    with client.videos.with_streaming_response.download_content(video.id) as streamed:
        assert_type(streamed, StreamedBinaryAPIResponse)
        streamed.stream_to_file("video.mp4")
    deleted = client.videos.with_raw_response.delete(video.id).parse()
    assert_type(deleted, VideoDeleted)


async def async_sora_era_idioms(client: AsyncLumenfall) -> None:
    async with client.videos.with_streaming_response.download_content("video_abc123") as streamed:
        assert_type(streamed, AsyncStreamedBinaryAPIResponse)
        await streamed.stream_to_file("video.mp4")

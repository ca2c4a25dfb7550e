"""client.videos end to end: real HTTP to the local emulator on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, errors
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_create_poll_download(client: Lumenfall, emulator: LumenfallEmulator, tmp_path: Path) -> None:
    video = client.videos.create_and_poll(model="sora-2", prompt="a capybara", seconds=4, size="1280x720")
    assert video.status == "completed"
    assert video.output is not None
    assert video.output.content_type == "video/mp4"
    assert video.metadata.cost is not None and video.metadata.cost > 0
    assert video.metadata.executed_model and video.metadata.provider
    content = client.videos.download_content(video.id)
    target = tmp_path / "v.mp4"
    content.write_to_file(target)
    assert target.stat().st_size == video.output.size_bytes
    assert target.read_bytes()[4:8] == b"ftyp"
    assert emulator.media_auth_attempts == []  # the key never reached the media host


def test_download_content_sends_the_media_host_nothing_secret(base_url: str, emulator: LumenfallEmulator) -> None:
    # The same rule as download(): no Authorization (even passed explicitly), no custom header
    # unless passed again for this call, no header whose value carries the key.
    with Lumenfall(api_key=TEST_KEY, base_url=base_url, default_headers={"X-Team": "video"}) as c:
        video = c.videos.create_and_poll(model="mock-video", prompt="x")
        content = c.videos.download_content(
            video.id,
            extra_headers={"Authorization": f"Bearer {TEST_KEY}", "X-Copy": f"key={TEST_KEY}", "X-Trace": "t1"},
        )
    assert video.output is not None and len(content.content) == video.output.size_bytes
    assert emulator.media_auth_attempts == []
    media = emulator.last_request("GET /media/{name}")
    assert "x-team" not in media.headers and "x-copy" not in media.headers
    assert media.headers["x-trace"] == "t1"


def test_streaming_download_content(client: Lumenfall) -> None:
    video = client.videos.create_and_poll(model="mock-video", prompt="x")
    assert video.output is not None
    with client.with_streaming_response.videos.download_content(video.id) as response:
        chunks = list(response.iter_bytes(1024))
    assert sum(len(c) for c in chunks) == video.output.size_bytes


def test_failed_job_is_returned_then_raised(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    emulator.fail_next_job("CONTENT_POLICY_VIOLATION", message="refused by provider")
    video = client.videos.create_and_poll(model="mock-video", prompt="x")
    assert video.status == "failed" and video.output is None
    assert video.error is not None and video.error.code == "CONTENT_POLICY_VIOLATION"
    with pytest.raises(errors.VideoFailedError, match="refused by provider"):
        video.raise_for_status()
    with pytest.raises(errors.DownloadError, match="failed"):
        client.videos.download_content(video.id)


def test_deadline_gives_the_last_video(client: Lumenfall) -> None:
    video = client.videos.create(model="mock-video", prompt="slow [lumenfall:duration=30]")
    seen: list[str] = []
    with pytest.raises(errors.WaitTimeoutError) as info:
        client.videos.poll(video.id, timeout=0.6, on_progress=lambda p: seen.append(p.status))
    assert info.value.video_id == video.id
    assert info.value.video is not None and info.value.video.status in ("queued", "in_progress")
    assert seen and len(seen) >= 2
    client.videos.cancel(video.id)
    assert client.videos.retrieve(video.id).status != "in_progress"


def test_polling_rides_out_server_errors(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    video = client.videos.create(model="mock-video", prompt="x")
    emulator.faults.fail_next(2, status=502, code="ALL_PROVIDERS_EXHAUSTED", route="GET /openai/v1/videos/{id}")
    done = client.with_options(max_retries=0).videos.poll(video.id, timeout=30)
    assert done.status == "completed" and done.id == video.id
    assert len([e for e in emulator.faults.events if e.kind == "fail"]) == 2


def test_lost_create_response_is_retried_without_a_second_job(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    balance = emulator.balance
    emulator.faults.drop_connection_after(0, route="POST /openai/v1/videos")
    video = client.videos.create_and_poll(model="sora-2", prompt="worth money", seconds=4)
    posts = [r for r in emulator.requests if r.method == "POST" and r.path == "/openai/v1/videos"]
    assert len(posts) == 2  # the lost answer, then openai's retry
    assert posts[0].json["idempotency_key"] == posts[1].json["idempotency_key"]
    assert balance is not None and video.metadata.cost is not None
    assert emulator.balance == pytest.approx(balance - video.metadata.cost)  # charged once


def test_lumenfall_error_codes_arrive_as_classes(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    cases: list[tuple[str, type[Exception], type[Exception]]] = [
        ("INVALID_REQUEST", errors.InvalidRequestError, openai.BadRequestError),
        ("CONTENT_POLICY_VIOLATION", errors.ContentPolicyViolationError, openai.BadRequestError),
        ("INSUFFICIENT_BALANCE", errors.InsufficientBalanceError, openai.APIStatusError),
        ("MODEL_NOT_FOUND", errors.ModelNotFoundError, openai.NotFoundError),
        ("MODEL_DISABLED", errors.ModelDisabledError, openai.NotFoundError),
        ("RATE_LIMITED", errors.RateLimitedError, openai.RateLimitError),
        ("ALL_PROVIDERS_EXHAUSTED", errors.AllProvidersExhaustedError, openai.InternalServerError),
        ("UPSTREAM_ERROR", errors.UpstreamError, openai.APIStatusError),
        ("AUTHENTICATION_FAILED", errors.AuthenticationFailedError, openai.AuthenticationError),
    ]
    quick = client.with_options(max_retries=0)
    for code, cls, openai_cls in cases:
        emulator.reject_next_create(code)
        with pytest.raises(openai_cls) as info:
            quick.videos.create(model="mock-video", prompt="x")
        assert isinstance(info.value, cls), code
        assert info.value.code == code  # type: ignore[attr-defined]
        assert info.value.request_id  # Lumenfall's X-Lumenfall-Request-Id


def test_natural_errors(client: Lumenfall, base_url: str) -> None:
    with pytest.raises(errors.ModelNotFoundError, match="Did you mean"):
        client.videos.create(model="wan-26", prompt="x")
    with pytest.raises(errors.InvalidRequestError):
        client.videos.create(model="sora-2", prompt="x", size="3x3")
    with pytest.raises(errors.InvalidRequestError):
        client.videos.create(model="sora-2", prompt="x", webhook_url="http://8.8.8.8/hook")
    bad = Lumenfall(api_key="not-a-lumenfall-key", base_url=base_url)
    with pytest.raises(errors.AuthenticationFailedError):
        bad.videos.retrieve("video_x")
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("video_does_not_exist")


def test_openai_environment_never_reaches_the_server(
    monkeypatch: pytest.MonkeyPatch, emulator: LumenfallEmulator, base_url: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-must-not-leak")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-must-not-leak")
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "X-Must-Not-Leak: 1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", base_url)
    with Lumenfall() as c:
        c.videos.create_and_poll(model="mock-video", prompt="x")
    assert emulator.requests
    for record in emulator.requests:
        flat = repr(record.headers).lower()
        assert "must-not-leak" not in flat
        assert "openai-organization" not in flat and "openai-project" not in flat


@pytest.mark.anyio
async def test_async_twin(emulator: LumenfallEmulator, base_url: str) -> None:
    async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as c:
        seen: list[str] = []

        async def progress(p: Any) -> None:
            seen.append(p.status)

        video = await c.videos.create_and_poll(model="mock-video", prompt="x", on_progress=progress)
        assert video.status == "completed" and seen[-1] == "completed"
        content = await c.videos.download_content(video.id)
        assert video.output is not None and len(content.content) == video.output.size_bytes
        deleted = await c.videos.delete(video.id)
        assert deleted.deleted


def test_sora_program_runs_unchanged_without_deprecation_warnings(base_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "LUMENFALL_API_KEY": TEST_KEY, "LUMENFALL_BASE_URL": base_url}
    run = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(EXAMPLES / "sora_migration.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Video successfully completed" in run.stdout
    assert (tmp_path / "video.mp4").read_bytes()[4:8] == b"ftyp"

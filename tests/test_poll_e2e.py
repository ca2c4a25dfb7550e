"""poll / create_and_poll end to end against the emulator over real HTTP, faults included.

The job's outcome is the emulator's; every failure on the way (5xx, dropped connections, hung
responses, garbled bodies) is injected in front of it, the way a gateway or network fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, PollPolicy, PollProgress, errors
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY

CHECK = "GET /openai/v1/videos/{id}"
FAST = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.2, max_error_streak=30.0, not_found_grace=0.5)


@pytest.fixture
def raw_client(base_url: str) -> Iterator[Lumenfall]:
    """No openai retries: every injected fault reaches the poll policy itself."""
    with Lumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as c:
        yield c


def checks(emulator: LumenfallEmulator) -> list[int | None]:
    return [r.status for r in emulator.requests if r.route == CHECK]


def test_create_and_poll_reports_progress_and_uses_the_create_answer(
    raw_client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    seen: list[PollProgress] = []
    video = raw_client.videos.create_and_poll(
        model="mock-video", prompt="a heron", on_progress=seen.append, poll_policy=FAST
    )
    assert video.status == "completed"
    assert seen[0].status == "queued" and seen[0].polls == 1  # the create answer, no GET for it
    assert seen[-1].status == "completed" and seen[-1].next_check_in is None
    assert [p.polls for p in seen] == list(range(1, len(seen) + 1))
    assert len(checks(emulator)) == len(seen) - 1
    assert seen[0].cost_estimate is not None  # running estimate while queued
    assert seen[-1].cost_estimate == video.metadata.cost  # effective cost at the end


def test_5xx_and_dropped_connections_while_polling_do_not_end_the_wait(
    raw_client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    video = raw_client.videos.create(model="mock-video", prompt="x [lumenfall:duration=1.2]")
    faults = emulator.faults
    # One kind of fault at a time (a request consumes one armed fault of each kind at once):
    # the next phase is armed after each successful check.
    phases: list[Callable[[], None]] = [
        lambda: faults.fail_next(2, status=502, route=CHECK),
        lambda: faults.fail_next(1, status=503, code="UPSTREAM_ERROR", route=CHECK),
        lambda: faults.drop_connection_after(0, times=2, route=CHECK),
        lambda: faults.malformed_json_next(1, route=CHECK),
    ]
    seen: list[PollProgress] = []

    def on_progress(progress: PollProgress) -> None:
        seen.append(progress)
        if phases and not faults.pending:
            phases.pop(0)()

    done = raw_client.videos.poll(video.id, on_progress=on_progress, poll_policy=FAST)
    assert done.id == video.id and done.status == "completed"
    assert phases == []
    statuses = checks(emulator)
    assert statuses.count(502) == 2 and statuses.count(503) == 1
    assert [e.kind for e in faults.events] == ["fail", "fail", "fail", "drop", "drop", "malformed_json"]
    assert seen[-1].errors == 6


def test_persistent_outage_ends_with_the_job_id_then_resumes(
    raw_client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    video = raw_client.videos.create(model="mock-video", prompt="x")
    emulator.faults.fail_next(1000, status=502, route=CHECK)
    policy = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.1, max_error_streak=0.5)
    with pytest.raises(errors.WaitInterruptedError) as info:
        raw_client.videos.poll(video.id, poll_policy=policy)
    error = info.value
    assert not isinstance(error, errors.WaitTimeoutError)
    assert error.video_id == video.id and video.id in str(error)
    assert isinstance(error.last_error, errors.AllProvidersExhaustedError)
    assert error.__cause__ is error.last_error
    emulator.faults.clear()
    assert raw_client.videos.poll(error.video_id, poll_policy=FAST).status == "completed"


def test_create_and_poll_outage_still_gives_the_job_id(raw_client: Lumenfall, emulator: LumenfallEmulator) -> None:
    emulator.faults.fail_next(1000, status=503, route=CHECK)
    policy = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.1, max_error_streak=0.3)
    with pytest.raises(errors.WaitInterruptedError) as info:
        raw_client.videos.create_and_poll(model="mock-video", prompt="x", poll_policy=policy)
    assert info.value.video is not None and info.value.video.status == "queued"  # the create answer
    assert info.value.video_id in emulator.video(info.value.video_id)["id"]


def test_openai_retries_are_not_stacked_on_the_policy(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    """Checks go out with max_retries=0 even on a client with openai's default retries."""
    video = client.videos.create(model="mock-video", prompt="x")
    emulator.faults.fail_next(1, status=502, route=CHECK)
    client.videos.poll(video.id, poll_policy=FAST)
    check_headers = [r.headers for r in emulator.requests if r.route == CHECK]
    assert all(h.get("x-stainless-retry-count", "0") == "0" for h in check_headers)


def test_a_hung_check_does_not_hold_the_wait_past_its_deadline(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    video = client.videos.create(model="mock-video", prompt="x [lumenfall:duration=60]")
    emulator.faults.delay_next(2.0, n=5, route=CHECK)
    started = time.monotonic()
    with pytest.raises(errors.WaitTimeoutError) as info:
        client.videos.poll(video.id, timeout=1.0, poll_policy=FAST)
    waited = time.monotonic() - started
    assert waited < 1.8, waited  # the check's timeout is capped: not 2 s per hung check, nor retries
    assert info.value.video_id == video.id


def test_deadline_gives_the_last_video_and_the_job_goes_on(raw_client: Lumenfall, emulator: LumenfallEmulator) -> None:
    video = raw_client.videos.create(model="mock-video", prompt="x [lumenfall:duration=0.8]")
    with pytest.raises(errors.WaitTimeoutError) as info:
        raw_client.videos.poll(video.id, timeout=0.3, poll_policy=FAST)
    assert info.value.video is not None and info.value.video.status == "in_progress"
    assert info.value.waited_seconds == pytest.approx(0.3, abs=0.25)
    assert raw_client.videos.poll(info.value.video_id, poll_policy=FAST).status == "completed"


def test_failed_job_is_returned_then_raised(raw_client: Lumenfall, emulator: LumenfallEmulator) -> None:
    video = raw_client.videos.create_and_poll(
        model="mock-video", prompt="x [lumenfall:fail=CONTENT_POLICY_VIOLATION]", poll_policy=FAST
    )
    assert video.status == "failed"
    with pytest.raises(errors.VideoFailedError) as info:
        video.raise_for_status()
    assert info.value.code == "CONTENT_POLICY_VIOLATION" and info.value.video_id == video.id


def test_a_404_is_raised_with_the_video_id_once_the_grace_is_over(
    raw_client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    with pytest.raises(errors.LumenfallAPIError) as info:
        raw_client.videos.poll("video_does_not_exist", poll_policy=FAST)
    error = info.value
    assert error.status_code == 404 and isinstance(error, openai.NotFoundError)
    assert vars(error)["video_id"] == "video_does_not_exist" and "video_does_not_exist" in str(error)
    assert "client.videos.poll('video_does_not_exist')" in str(error)
    assert len(checks(emulator)) >= 2  # retried within the grace (it may have been replication lag)


def test_a_404_right_after_create_is_waited_through(raw_client: Lumenfall, emulator: LumenfallEmulator) -> None:
    """Replication lag: the create's answer can reach a replica before the job does."""
    emulator.faults.fail_next(2, status=404, code="NOT_FOUND", route=CHECK)
    video = raw_client.videos.create_and_poll(model="mock-video", prompt="x", poll_policy=FAST)
    assert video.status == "completed"
    assert checks(emulator)[:2] == [404, 404] and checks(emulator)[-1] == 200


def test_a_404_after_the_job_was_seen_ends_the_wait_at_once(raw_client: Lumenfall, emulator: LumenfallEmulator) -> None:
    slow = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.1, not_found_grace=60.0)

    def on_progress(progress: PollProgress) -> None:
        if progress.polls == 2:  # the first GET found the job: a 404 now is not lag
            emulator.faults.fail_next(1000, status=404, code="NOT_FOUND", route=CHECK)

    with pytest.raises(openai.NotFoundError) as info:
        raw_client.videos.create_and_poll(
            model="mock-video", prompt="x [lumenfall:duration=30]", on_progress=on_progress, poll_policy=slow
        )
    video_id = vars(info.value)["video_id"]
    assert video_id.startswith("video_") and video_id in str(info.value)
    assert checks(emulator) == [200, 404]


@pytest.mark.parametrize(("status", "code", "cls"), [(401, "AUTHENTICATION_FAILED", openai.AuthenticationError),
                                                     (400, "INVALID_REQUEST", openai.BadRequestError),
                                                     (403, "FORBIDDEN", openai.PermissionDeniedError)])  # fmt: skip
def test_a_single_4xx_while_polling_is_raised_with_the_video_id(
    raw_client: Lumenfall, emulator: LumenfallEmulator, status: int, code: str, cls: type[Exception]
) -> None:
    emulator.faults.fail_next(1, status=status, code=code, route=CHECK)
    with pytest.raises(cls) as info:
        raw_client.videos.create_and_poll(model="mock-video", prompt="x", poll_policy=FAST)
    video_id = vars(info.value)["video_id"]
    assert video_id in str(info.value) and f"client.videos.poll({video_id!r})" in str(info.value)
    assert emulator.video(video_id)["id"] == video_id  # the job exists and can be waited for again
    assert raw_client.videos.poll(video_id, poll_policy=FAST).status == "completed"


def test_async_twin_waits_through_faults(base_url: str, emulator: LumenfallEmulator) -> None:
    async def main() -> tuple[str, list[str]]:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as client:
            statuses: list[str] = []

            async def on_progress(progress: PollProgress) -> None:  # async callbacks are awaited
                statuses.append(progress.status)

            emulator.faults.fail_next(2, status=502, route=CHECK)
            emulator.faults.drop_connection_after(0, times=1, route=CHECK)
            video = await client.videos.create_and_poll(
                model="mock-video", prompt="x", on_progress=on_progress, poll_policy=FAST
            )
            return video.status, statuses

    status, statuses = asyncio.run(main())
    assert status == "completed"
    assert statuses[0] == "queued" and statuses[-1] == "completed"


def test_async_twin_timeout_and_interruption(base_url: str, emulator: LumenfallEmulator) -> None:
    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as client:
            video = await client.videos.create(model="mock-video", prompt="x [lumenfall:duration=30]")
            with pytest.raises(errors.WaitTimeoutError) as timed_out:
                await client.videos.poll(video.id, timeout=0.2, poll_policy=FAST)
            assert timed_out.value.video_id == video.id
            emulator.faults.fail_next(1000, status=502, route=CHECK)
            short = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.1, max_error_streak=0.3)
            with pytest.raises(errors.WaitInterruptedError) as interrupted:
                await client.videos.poll(video.id, poll_policy=short)
            assert interrupted.value.video_id == video.id
            emulator.faults.clear()
            emulator.faults.fail_next(1, status=401, code="AUTHENTICATION_FAILED", route=CHECK)
            with pytest.raises(openai.AuthenticationError) as denied:
                await client.videos.poll(video.id, poll_policy=FAST)
            assert vars(denied.value)["video_id"] == video.id and video.id in str(denied.value)
            emulator.faults.fail_next(2, status=404, code="NOT_FOUND", route=CHECK)
            lagging = await client.videos.create_and_poll(model="mock-video", prompt="y", poll_policy=FAST)
            assert lagging.status == "completed"

    asyncio.run(main())


# -- a crashing on_progress callback keeps the job's id (red-team F19) ------------------------------


class BarCrashed(Exception):
    """The user's own error: a progress bar on a closed terminal, a failed metrics call."""


def _crash_on(call: int) -> Callable[[PollProgress], object]:
    calls: list[PollProgress] = []

    def on_progress(progress: PollProgress) -> None:
        calls.append(progress)
        if len(calls) == call:
            raise BarCrashed(f"bar crashed at {progress.status}")

    return on_progress


def _async_crash_on(call: int) -> Callable[[PollProgress], object]:
    sync = _crash_on(call)

    async def on_progress(progress: PollProgress) -> None:
        await asyncio.sleep(0)
        sync(progress)

    return on_progress


def _carries_the_id(error: BaseException, video_id: str | None) -> str:
    assert type(error) is BarCrashed and str(error).startswith("bar crashed")  # unchanged for `except`
    found = getattr(error, "video_id", None)
    assert isinstance(found, str) and found and (video_id is None or found == video_id)
    notes = getattr(error, "__notes__", None)
    if hasattr(error, "add_note"):  # Python 3.11+
        assert notes and f"client.videos.poll({found!r})" in notes[0]
    return found


@pytest.mark.parametrize("crash_at", [1, 2], ids=["first-report", "a-later-report"])
def test_a_crashing_progress_callback_keeps_the_job_id_and_the_hold(base_url: str, crash_at: int) -> None:
    with Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=10) as client:
        with pytest.raises(BarCrashed) as info:
            client.videos.create_and_poll(
                model="sora-2", prompt="p", seconds=4, on_progress=_crash_on(crash_at), poll_policy=FAST
            )
        video_id = _carries_the_id(info.value, None)
        assert client.ledger.reserved_micros > 0 and client.ledger.total_micros == 0  # running: still held
        with pytest.raises(BarCrashed) as again:
            client.videos.poll(video_id, on_progress=_crash_on(1), poll_policy=FAST)
        _carries_the_id(again.value, video_id)
        video = client.videos.poll(video_id, poll_policy=FAST)  # resumes: the job was never lost
        assert video.status == "completed"
        assert client.ledger.reserved_micros == 0 and client.ledger.total_micros > 0


def test_a_crashing_async_progress_callback_keeps_the_job_id_and_the_hold(base_url: str) -> None:
    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, budget=10) as client:
            for callback in (_crash_on(1), _async_crash_on(1), _async_crash_on(2)):
                with pytest.raises(BarCrashed) as info:
                    await client.videos.create_and_poll(
                        model="sora-2", prompt="p", seconds=4, on_progress=callback, poll_policy=FAST
                    )
                video_id = _carries_the_id(info.value, None)
                assert client.ledger.reserved_micros > 0
                assert (await client.videos.poll(video_id, poll_policy=FAST)).status == "completed"
            assert client.ledger.reserved_micros == 0 and client.ledger.total_micros > 0

    asyncio.run(main())


def test_a_crashing_download_callback_keeps_the_job_id(base_url: str, tmp_path: Any) -> None:
    with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
        video = client.videos.create_and_poll(model="mock-video", prompt="p", poll_policy=FAST)

        def crash(progress: object) -> None:
            raise BarCrashed("bar crashed while saving")

        with pytest.raises(BarCrashed) as info:
            client.videos.download(video, tmp_path / "v.mp4", on_progress=crash)
    assert getattr(info.value, "video_id", None) == video.id
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_poll_policy_is_the_one_name_for_pacing_and_policy_still_works_with_a_warning(
    raw_client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    video = raw_client.videos.create(model="mock-video", prompt="a heron [lumenfall:duration=600]")
    slow = PollPolicy(first_interval=3600.0, min_interval=3600.0, max_interval=3600.0)
    # A policy that would sleep an hour is honoured under either name: the deadline cuts it.
    with pytest.warns(DeprecationWarning, match=r"poll\(policy=\.\.\.\) is deprecated.*poll_policy=") as caught:
        with pytest.raises(errors.WaitTimeoutError):
            raw_client.videos.poll(video.id, policy=slow, timeout=0.2)
    assert caught[0].filename == __file__
    with pytest.raises(errors.WaitTimeoutError):
        raw_client.videos.poll(video.id, poll_policy=slow, timeout=0.2)
    with pytest.raises(TypeError, match="both poll_policy= and policy="):
        raw_client.videos.poll(video.id, poll_policy=FAST, policy=FAST)
    quick = raw_client.videos.create(model="mock-video", prompt="a heron")
    assert raw_client.videos.poll(quick.id, poll_policy=FAST).status == "completed"


def test_async_poll_policy_old_name_warns_from_the_callers_line(base_url: str) -> None:
    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, max_retries=0) as client:
            video = await client.videos.create(model="mock-video", prompt="a heron")
            with pytest.warns(DeprecationWarning, match="poll_policy=") as caught:
                done = await client.videos.poll(video.id, policy=FAST)
            assert done.status == "completed"
            assert caught[0].filename == __file__  # the warning points at the user's call, not at us

    asyncio.run(main())

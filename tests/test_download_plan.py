"""The pure download decisions (``lumenfall_openai._download``): no network, no files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai._download_plan import (
    Accept,
    Complete,
    DownloadProgress,
    Fail,
    MediaTarget,
    Refresh,
    Retry,
    Transfer,
    headers_to_strip,
    media_target,
    needs_retrieve,
    plan_destination,
    temp_prefix,
)
from lumenfall_openai.errors import DownloadError, IntegrityError
from lumenfall_openai.types import Video

SIZE = 1000
OK = {"content-type": "video/mp4", "content-length": str(SIZE), "etag": '"v1"'}


def video(status: str = "completed", **extra: Any) -> Video:
    fields: dict[str, Any] = {
        "id": "video_1", "created_at": 0, "status": status, "model": "m", "seconds": "4", "size": "16:9",
    }  # fmt: skip
    if status == "completed":
        fields["output"] = {"url": "https://media.example/v.mp4", "content_type": "video/mp4", "size_bytes": SIZE}
        fields["expires_at"] = 10_000
    fields.update(extra)
    return Video.construct(**fields)


def transfer(**kwargs: Any) -> Transfer:
    return Transfer(media_target(video()), **kwargs)


def partial(first: int, last: int, total: int | str = SIZE, **extra: str) -> dict[str, str]:
    return {"content-type": "video/mp4", "content-range": f"bytes {first}-{last}/{total}",
            "content-length": str(last - first + 1), "etag": '"v1"', **extra}  # fmt: skip


# -- what a Video promises -----------------------------------------------------------------------


def test_media_target_and_its_refusals() -> None:
    target = media_target(video())
    assert target == MediaTarget("video_1", "https://media.example/v.mp4", SIZE, "video/mp4", 10_000)
    assert target.expired(9_996) and not target.expired(9_994)  # a 5 s margin
    with pytest.raises(DownloadError, match=r"not 'completed'.*poll"):
        media_target(video("in_progress"))
    with pytest.raises(DownloadError, match="UPSTREAM_ERROR: boom"):
        media_target(video("failed", error={"code": "UPSTREAM_ERROR", "message": "boom"}))
    bad = video(output={"url": "https://m/v.mp4", "content_type": "video/mp4", "size_bytes": -1})
    with pytest.raises(IntegrityError, match="size_bytes"):
        media_target(bad)


def test_needs_retrieve() -> None:
    assert not needs_retrieve(video(), now_epoch=100)  # completed, fresh: used as is
    assert needs_retrieve(video(), now_epoch=20_000)  # expired URL
    assert needs_retrieve(video("in_progress"), now_epoch=0)  # maybe done by now
    assert not needs_retrieve(video("failed"), now_epoch=0)  # final


def test_destination() -> None:
    assert plan_destination("out.mp4", video_id="v", content_type="video/mp4", is_dir=False) == Path("out.mp4")
    assert plan_destination("d", video_id="video_1", content_type="video/mp4", is_dir=True) == Path("d/video_1.mp4")
    webm = plan_destination("d", video_id="video_1", content_type="video/webm; codecs=vp9", is_dir=True)
    assert webm == Path("d/video_1.webm")
    hostile = plan_destination("d", video_id="../../etc/passwd", content_type="video/mp4", is_dir=True)
    assert hostile.parent == Path("d") and "/" not in hostile.name and not hostile.name.startswith(".")
    assert temp_prefix(Path("d/clip.mp4")) == ".clip.mp4.part-"


def test_headers_to_strip() -> None:
    items = [("Authorization", "Bearer k"), ("X-Team", "t"), ("X-Trace", "1"), ("X-Other", "has lmnfl_k.s inside"),
             ("Cookie", "session=api")]  # fmt: skip
    strip = headers_to_strip(items, custom_header_names={"x-team": "t"}, explicit_names={}, secret="lmnfl_k.s")
    assert strip == ["authorization", "x-team", "x-other", "cookie"]
    kept = headers_to_strip(items, custom_header_names={"X-Team": "t"}, explicit_names={"x-team": "mine"}, secret=None)
    assert kept == ["authorization", "cookie"]  # a header the caller passed for this download stays


# -- one response at a time ----------------------------------------------------------------------


def test_first_request_then_resume_with_range_and_if_range() -> None:
    t = transfer()
    assert "Range" not in t.next_request_headers() and t.attempts == 1
    assert t.next_request_headers({"X-Trace": "1"})["X-Trace"] == "1"
    assert t.on_response(200, OK) == Accept(0)
    t.on_chunk(400)
    assert isinstance(t.on_transport_error(OSError("reset")), Retry)
    headers = t.next_request_headers()
    assert headers["Range"] == "bytes=400-" and headers["If-Range"] == '"v1"'
    assert headers["Accept-Encoding"] == "identity"
    assert t.on_response(206, partial(400, SIZE - 1)) == Accept(400)
    t.on_chunk(SIZE - 400)
    assert t.on_body_end() == Complete()
    t.verify_file(SIZE)


def test_server_ignoring_range_restarts_from_zero() -> None:
    t = transfer()
    t.on_response(200, OK)
    t.on_chunk(400)
    t.on_transport_error(OSError())
    t.next_request_headers()
    assert t.on_response(200, OK) == Accept(0, restart=True)
    assert t.bytes_done == 0


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (partial(300, SIZE - 1), "starts at byte 300"),
        (partial(400, SIZE - 1, total=SIZE + 1), "file has"),
        (partial(400, SIZE + 5), "outside the file"),
        ({**partial(400, SIZE - 1), "content-length": "5"}, "Content-Length"),
        ({"content-type": "video/mp4", "content-range": "garbage"}, "cannot be placed"),
    ],
)
def test_a_partial_answer_that_does_not_fit_fails(headers: dict[str, str], message: str) -> None:
    t = transfer()
    t.on_response(200, OK)
    t.on_chunk(400)
    t.on_transport_error(OSError())
    t.next_request_headers()
    decision = t.on_response(206, headers)
    assert isinstance(decision, Fail) and isinstance(decision.error, IntegrityError)
    assert message in str(decision.error)


def test_content_type_rules() -> None:
    assert isinstance(transfer().on_response(200, {**OK, "content-type": "Video/MP4; codecs=avc1"}), Accept)
    other = transfer().on_response(200, {**OK, "content-type": "video/quicktime"})  # F6: not output.content_type
    assert isinstance(other, Fail) and isinstance(other.error, IntegrityError)
    assert "output.content_type is 'video/mp4'" in str(other.error)
    untyped = Transfer(media_target(video(output={"url": "https://m.example/v", "size_bytes": SIZE})))
    assert isinstance(untyped.on_response(200, {**OK, "content-type": "video/quicktime"}), Accept)
    no_type = {k: v for k, v in OK.items() if k != "content-type"}
    assert isinstance(transfer().on_response(200, no_type), Accept)  # falls back to the Video's own type
    for bad in ("text/html; charset=utf-8", "application/json", "image/png", "application/octet-stream"):
        decision = transfer().on_response(200, {**OK, "content-type": bad})
        assert isinstance(decision, Fail) and "not a video" in str(decision.error)


def test_wrong_length_fails_but_an_encoded_body_is_taken_without_resume() -> None:
    decision = transfer().on_response(200, {**OK, "content-length": "999"})
    assert isinstance(decision, Fail) and "999 bytes" in str(decision.error)
    t = transfer()
    assert t.on_response(200, {**OK, "content-encoding": "gzip", "content-length": "10"}) == Accept(0)
    t.on_chunk(100)
    t.on_transport_error(OSError())
    assert "Range" not in t.next_request_headers()  # offsets in an encoded body are not file offsets
    assert t.bytes_done == 0 and t.on_response(200, OK) == Accept(0, restart=True)


def test_overflow_is_caught_before_writing() -> None:
    t = transfer()
    t.on_chunk(SIZE)
    with pytest.raises(IntegrityError, match="more than"):
        t.on_chunk(1)
    assert t.bytes_done == SIZE


def test_retries_count_only_attempts_without_progress() -> None:
    t = transfer(max_retries=2)
    t.next_request_headers()
    first = t.on_response(503, {"retry-after": "3"})
    assert isinstance(first, Retry) and first.delay == 3.0  # Retry-After honoured
    t.next_request_headers()
    assert isinstance(t.on_response(502, {}), Retry)
    t.next_request_headers()
    assert isinstance(t.on_response(502, {}), Fail)  # third failure in a row, no byte came
    moving = transfer(max_retries=1)
    delays: list[float] = []
    for attempt in range(5):  # each attempt brings new bytes: it goes on
        moving.next_request_headers()
        moving.on_response(*((200, OK) if attempt == 0 else (206, partial(attempt * 10, SIZE - 1))))
        moving.on_chunk(10)
        decision = moving.on_transport_error(OSError())
        assert isinstance(decision, Retry)
        delays.append(decision.delay)
    assert delays == [0.0, 0.0, 0.0, 0.25, 0.25]  # a drop resumes at once, then always a pause


def test_expired_url_refreshes_once_then_fails_clearly() -> None:
    t = transfer()
    assert isinstance(t.on_response(403, {}), Refresh)
    assert t.refreshed(video(output={"url": "https://media.example/new.mp4", "content_type": "video/mp4",
                                     "size_bytes": SIZE}), now_epoch=100) is None  # fmt: skip
    assert t.url == "https://media.example/new.mp4"
    decision = t.on_response(410, {})
    assert (
        isinstance(decision, Fail) and "expired" in str(decision.error) and "generate it again" in str(decision.error)
    )


def test_a_refresh_to_the_same_expired_url_fails_without_another_request() -> None:
    t = transfer()
    t.on_response(403, {})
    decision = t.refreshed(video(), now_epoch=20_000)
    assert isinstance(decision, Fail) and "expired at" in str(decision.error)


def test_a_refresh_to_a_different_file_starts_over() -> None:
    t = transfer()
    t.on_response(200, OK)
    t.on_chunk(500)
    t.on_response(403, {})
    bigger = {"url": "https://media.example/v2.mp4", "content_type": "video/mp4", "size_bytes": 2 * SIZE}
    assert t.refreshed(video(output=bigger), now_epoch=0) is None
    assert t.bytes_done == 0 and t.total == 2 * SIZE and "Range" not in t.next_request_headers()


def test_other_statuses_fail_with_advice() -> None:
    decision = transfer().on_response(418, {})
    assert isinstance(decision, Fail) and "HTTP 418" in str(decision.error)
    decision = transfer().on_response(416, {"content-range": "bytes */10"})
    assert isinstance(decision, Fail) and isinstance(decision.error, IntegrityError)


def test_short_body_resumes_and_final_check() -> None:
    t = transfer()
    t.on_response(200, OK)
    t.on_chunk(10)
    assert isinstance(t.on_body_end(), Retry)
    with pytest.raises(IntegrityError, match="on disk"):
        t.verify_file(10)


def test_progress_reports_per_chunk_size() -> None:
    t = transfer()
    assert t.progress() == DownloadProgress(0, SIZE)
    t.on_chunk(100)
    assert t.progress_due(300) is None
    t.on_chunk(250)
    assert t.progress_due(300) == DownloadProgress(350, SIZE)
    t.on_chunk(SIZE - 350)
    assert t.progress_due(10_000) == DownloadProgress(SIZE, SIZE)  # the end is always reported
    assert DownloadProgress(0, 0).fraction == 1.0 and DownloadProgress(1, 4).fraction == 0.25


def test_big_files_may_take_more_attempts_but_never_unbounded() -> None:
    big = Video.construct(**{**video().model_dump(), "output": {"url": "https://media.example/v.mp4",
                                                                "content_type": "video/mp4",
                                                                "size_bytes": 1024**3}})  # fmt: skip
    assert Transfer(media_target(big), max_retries=3).max_attempts == 32 + 64
    assert transfer(max_retries=0).max_attempts == 8


# -- the stall rule (F6): a slow attempt is a failed attempt ------------------------------------

_steps = st.lists(st.tuples(st.integers(0, 10_000), st.floats(0.001, 5.0)), min_size=1, max_size=60)


@given(first=st.integers(0, SIZE * 100), steps=_steps, floor=st.floats(1.0, 5000.0), window=st.floats(0.01, 10.0))
def test_an_attempt_never_faster_than_the_floor_stalls_within_two_windows(
    first: int, steps: list[tuple[int, float]], floor: float, window: float
) -> None:
    t = Transfer(media_target(video(output={"url": "https://m.example/v", "size_bytes": 10**12})),
                 min_speed=floor, min_speed_window=window)  # fmt: skip
    t.next_request_headers()
    t.on_chunk(first, 100.0)  # whatever arrives at the start counts only for the first window
    now, longest = 100.0, 0.0
    for size, gap in steps:
        size = min(size, int(floor * gap * 0.99))  # every step slower than the floor
        now += gap
        longest = max(longest, gap)
        t.on_chunk(size, now)
        if t.stalled:
            break
    if now - 100.0 >= 2 * (window + longest):
        assert t.stalled, "a slow attempt was never stalled"
    if t.stalled:
        retry = t.on_body_end()
        assert isinstance(retry, Retry) and "bytes/s" in retry.reason


@given(steps=_steps, floor=st.floats(1.0, 5000.0), window=st.floats(0.01, 10.0))
def test_an_attempt_never_slower_than_the_floor_never_stalls(
    steps: list[tuple[int, float]], floor: float, window: float
) -> None:
    t = Transfer(media_target(video(output={"url": "https://m.example/v", "size_bytes": 10**15})),
                 min_speed=floor, min_speed_window=window)  # fmt: skip
    t.next_request_headers()
    t.on_chunk(0, 0.0)
    now = 0.0
    for _, gap in steps:
        now += gap
        # A hair above the floor: `now` is a running float sum, so the plan's elapsed time
        # (now - window start) can exceed `gap` in the last bits (hypothesis found 0.15 -> 0.15000000000000036).
        t.on_chunk(int(floor * gap * (1 + 1e-9)) + 1, now)
        assert not t.stalled


def test_min_speed_zero_turns_the_rule_off_and_a_new_attempt_clears_it() -> None:
    t = transfer(min_speed=0)
    t.next_request_headers()
    for i in range(100):
        t.on_chunk(0, float(i * 100))
    assert not t.stalled
    slow = transfer(min_speed=10, min_speed_window=1)
    slow.next_request_headers()
    slow.on_chunk(1, 0.0)
    slow.on_chunk(1, 2.0)
    assert slow.stalled
    slow.next_request_headers()
    assert not slow.stalled

"""A Video answered for another id than the one asked for is refused, never used (red-team F24).

A caching proxy or a gateway that mixes up jobs answers ``GET /videos/video_1`` with video_2:
``poll`` used to return video_2 as video_1's result, ``download('video_1')`` saved video_2's file,
and the ledger billed video_2's cost while video_1's hold never settled. Now retrieve, poll,
create_and_poll and download refuse with ResponseParseError carrying the id asked for, and the
ledger records nothing from such an answer.

The end-to-end tests put a mixing-up proxy (a transport that rewrites the path of one job's GET to
another job's) in front of the real emulator; the property test drives every id pair through a
mock transport, since one answer's shape is the point there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall, PollPolicy
from lumenfall_openai._compat import http
from lumenfall_openai._ids import check_id, id_segment, requested_video_id
from lumenfall_openai.errors import DownloadError, ResponseParseError
from lumenfall_openai.types import Video

from .conftest import TEST_KEY, Recorder

BASE = "http://lumenfall.test/openai/v1"
FAST = PollPolicy(first_interval=0.05, min_interval=0.05, max_interval=0.2)


class MixUp:
    """Rewrites ``GET .../videos/{asked}`` to ``.../videos/{other}`` (every asked id when ``asked`` is None)."""

    def __init__(self) -> None:
        self.other: str | None = None
        self.asked: str | None = None

    def rewrite(self, request: http.Request) -> http.Request:
        asked = requested_video_id(request.url.path, encoded=False)
        if request.method != "GET" or self.other is None or asked is None or self.asked not in (None, asked):
            return request
        path = request.url.path.rsplit("/", 1)[0] + "/" + id_segment(self.other)
        return http.Request(request.method, request.url.copy_with(path=path), headers=request.headers)


class _Transport(http.HTTPTransport):
    def __init__(self, mixup: MixUp) -> None:
        super().__init__()
        self.mixup = mixup

    def handle_request(self, request: http.Request) -> http.Response:
        return super().handle_request(self.mixup.rewrite(request))


class _AsyncTransport(http.AsyncHTTPTransport):
    def __init__(self, mixup: MixUp) -> None:
        super().__init__()
        self.mixup = mixup

    async def handle_async_request(self, request: http.Request) -> http.Response:
        return await super().handle_async_request(self.mixup.rewrite(request))


@pytest.fixture
def mixup() -> Iterator[MixUp]:
    yield MixUp()


def _refused(error: BaseException, asked: str, other: str) -> None:
    if isinstance(error, DownloadError):  # download's contract: every failure is a DownloadError
        assert error.video_id == asked and error.path is None
        error = error.__cause__  # type: ignore[assignment]
    assert isinstance(error, ResponseParseError) and isinstance(error, openai.OpenAIError)
    assert error.video_id == asked and error.other_video_id == other
    assert f"retrieve({asked!r})" in str(error)  # says what to do


def test_sync_retrieve_poll_wait_and_download_refuse_another_jobs_answer(
    base_url: str, mixup: MixUp, tmp_path: Path
) -> None:
    http_client = http.Client(transport=_Transport(mixup))
    with Lumenfall(api_key=TEST_KEY, base_url=base_url, http_client=http_client, budget=100) as client:
        other = client.videos.create_and_poll(model="sora-2", prompt="other", seconds=4, poll_policy=FAST)
        spent = client.ledger.total_micros
        mixup.other = other.id
        for call in (
            lambda: client.videos.retrieve("video_nope"),
            lambda: client.videos.poll("video_nope", poll_policy=FAST, timeout=30),
            lambda: client.videos.download("video_nope", tmp_path / "a.mp4"),
        ):
            with pytest.raises((ResponseParseError, DownloadError)) as info:
                call()
            _refused(info.value, "video_nope", other.id)
        with pytest.raises(ResponseParseError) as info:
            client.videos.create_and_poll(model="sora-2", prompt="mine", seconds=4, poll_policy=FAST, poll_timeout=30)
        mine = info.value.video_id
        assert mine is not None and mine != other.id
        _refused(info.value, mine, other.id)
        # The other job's cost was not billed again, and this job's hold stays until it is settled.
        assert client.ledger.total_micros == spent and client.ledger.reserved_micros > 0
        mixup.other = None
        assert client.videos.poll(mine, poll_policy=FAST, timeout=30).id == mine
        assert client.ledger.reserved_micros == 0
    assert os.listdir(tmp_path) == []  # no file was saved under the wrong id


def test_async_retrieve_poll_wait_and_download_refuse_another_jobs_answer(
    base_url: str, mixup: MixUp, tmp_path: Path
) -> None:
    async def main() -> None:
        http_client = http.AsyncClient(transport=_AsyncTransport(mixup))
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, http_client=http_client, budget=100) as client:
            other = await client.videos.create_and_poll(model="sora-2", prompt="other", seconds=4, poll_policy=FAST)
            spent = client.ledger.total_micros
            mixup.other = other.id
            for call in (
                lambda: client.videos.retrieve("video_nope"),
                lambda: client.videos.poll("video_nope", poll_policy=FAST, timeout=30),
                lambda: client.videos.download("video_nope", tmp_path / "a.mp4"),
            ):
                with pytest.raises((ResponseParseError, DownloadError)) as info:
                    await call()
                _refused(info.value, "video_nope", other.id)
            with pytest.raises(ResponseParseError) as info:
                await client.videos.create_and_poll(
                    model="sora-2", prompt="mine", seconds=4, poll_policy=FAST, poll_timeout=30
                )
            mine = info.value.video_id
            assert mine is not None and mine != other.id
            _refused(info.value, mine, other.id)
            assert client.ledger.total_micros == spent and client.ledger.reserved_micros > 0
            mixup.other = None
            assert (await client.videos.poll(mine, poll_policy=FAST, timeout=30)).id == mine
            assert client.ledger.reserved_micros == 0

    anyio.run(main)
    assert os.listdir(tmp_path) == []


def _usable(text: str) -> bool:
    try:
        check_id(text)
    except ValueError:
        return False
    return True


IDS = st.text(alphabet="abcxyz_019-.%~é", min_size=1, max_size=12).filter(_usable)


@settings(max_examples=80, deadline=None)
@given(asked=IDS, answered=IDS, twin=st.sampled_from(["sync", "async"]), how=st.sampled_from(["retrieve", "poll"]))
def test_any_answer_about_another_id_is_refused_and_the_same_id_accepted(
    asked: str, answered: str, twin: str, how: str
) -> None:
    body: dict[str, Any] = {"id": answered, "object": "video", "status": "completed", "created_at": 1}
    recorder = Recorder(lambda request: http.Response(200, json=body))

    def call(client: Any) -> Any:
        if how == "retrieve":
            return client.videos.retrieve(asked)
        return client.videos.poll(asked, poll_policy=FAST, timeout=5)

    outcome: object
    if twin == "sync":
        with Lumenfall(api_key=TEST_KEY, base_url=BASE, http_client=recorder.client()) as c:
            try:
                outcome = call(c)
            except openai.OpenAIError as error:
                outcome = error
    else:

        async def main() -> object:
            async with AsyncLumenfall(api_key=TEST_KEY, base_url=BASE, http_client=recorder.async_client()) as c:
                try:
                    return await call(c)
                except openai.OpenAIError as error:
                    return error

        outcome = anyio.run(main)
    if answered == asked:
        assert isinstance(outcome, Video) and outcome.id == asked
    else:
        _refused(outcome, asked, answered)  # type: ignore[arg-type]
        assert len(recorder.requests) == 1  # refused at once, not waited through


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/openai/v1/videos/video_1", "video_1"),
        ("/videos/a%2Fb", "a/b"),
        ("/openai/v1/videos", None),
        ("/openai/v1/videos/", None),
        ("/openai/v1/videos/video_1/content", None),
        ("/v1/requests/req_1", None),
        ("/openai/v1/myvideos/video_1", None),
    ],
)
def test_the_id_asked_for_is_read_from_the_path(path: str, expected: str | None) -> None:
    assert requested_video_id(path) == expected

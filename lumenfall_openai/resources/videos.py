"""``client.videos``: Lumenfall's asynchronous video API behind OpenAI's method names.

Sync (:class:`Videos`) and async (:class:`AsyncVideos`) are twins: each method checks and shapes
its request with the pure helpers in ``_video_requests`` and paces waiting with ``_polling``;
only the I/O differs. Nothing here imports ``openai.resources.videos``: OpenAI retired Sora, so
calling its methods warns, and a later openai will delete them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

import openai

from .._compat import (
    AsyncAPIResource,
    Body,
    Headers,
    HttpxBinaryResponseContent,
    NotGiven,
    Omit,
    Query,
    SyncAPIResource,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    http,
    make_request_options,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from .._polling import Decision, Done, GiveUp, PollPolicy, PollProgress, PollState, Sleep, parse_server_hint
from .._video_requests import InputReference, VideoCreateRequest, build_create_request, unsupported
from ..errors import DownloadError, UnsupportedOperationError, WaitTimeoutError
from ..types.video import Video, VideoDeleted

if TYPE_CHECKING:
    from .._client import AsyncLumenfall, Lumenfall

__all__ = ["AsyncVideos", "Videos"]

omit = Omit()
not_given = NotGiven()

ProgressCallback = Callable[[PollProgress], object]
AsyncProgressCallback = Callable[[PollProgress], "object | Awaitable[object]"]

# Errors worth waiting through while polling: the job is still running on Lumenfall's side.
TRANSIENT_POLL_ERRORS: tuple[type[BaseException], ...] = (
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,  # 5xx, incl. ALL_PROVIDERS_EXHAUSTED
    openai.RateLimitError,
)


def _video_path(video_id: str) -> str:
    if not isinstance(video_id, str) or not video_id:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValueError(f"Expected a non-empty video id (like 'video_abc123'), got {video_id!r}.")
    return f"/videos/{quote(video_id, safe='')}"


def _error_hint(error: BaseException) -> float | None:
    if isinstance(error, openai.APIStatusError):
        return parse_server_hint(error.response.headers, now_epoch=time.time())
    return None


def _new_poll_state(poll_interval_ms: int | Omit, timeout: float | None, policy: PollPolicy | None) -> PollState:
    if timeout is not None and timeout < 0:
        raise ValueError(f"timeout must be a number of seconds >= 0 (or None to wait indefinitely), got {timeout}.")
    fixed = None
    if not isinstance(poll_interval_ms, Omit):
        if poll_interval_ms <= 0:
            raise ValueError(f"poll_interval_ms must be positive, got {poll_interval_ms}.")
        fixed = poll_interval_ms / 1000.0
    return PollState(policy=policy or PollPolicy(), started_at=time.monotonic(), deadline=timeout, fixed_interval=fixed)


def _finish(decision: Decision, video_id: str) -> Video:
    """Turn a final decision into the Video to return or the error to raise."""
    if isinstance(decision, Done):
        return decision.video
    if isinstance(decision, GiveUp):
        raise decision.error
    assert not isinstance(decision, Sleep)
    raise WaitTimeoutError(decision.video, video_id=video_id, waited_seconds=decision.waited)


def media_url(video: Video) -> str:
    """The URL to fetch a finished video from, or an error that says why there is none."""
    if video.status != "completed" or video.output is None:
        if video.status == "failed":
            reason = f" It failed: {video.error.code}: {video.error.message}." if video.error else " It failed."
            raise DownloadError(f"Video {video.id} has no file to download.{reason}")
        raise DownloadError(
            f"Video {video.id} is {video.status!r}, not 'completed', so there is nothing to download yet. "
            f"Wait for it first: client.videos.poll({video.id!r})."
        )
    return video.output.url


def _media_headers(custom_headers: object, extra_headers: Headers | None) -> Headers:
    """Headers for the media host: no Lumenfall key, none of the client's custom headers.

    The media host never needs a key; a key that reaches it can leak through logs or a CDN.
    """
    stripped: dict[str, Any] = {"Authorization": omit}
    if isinstance(custom_headers, dict):
        stripped.update({name: omit for name in custom_headers})  # pyright: ignore[reportUnknownVariableType]
    return {**stripped, "Accept": "*/*", **(extra_headers or {})}


class Videos(SyncAPIResource):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> VideosWithRawResponse:
        """Prefix a call to get the raw HTTP response (headers and all) instead of the parsed value."""
        return VideosWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> VideosWithStreamingResponse:
        """Like ``with_raw_response`` but the body is not read until you ask (use for downloads)."""
        return VideosWithStreamingResponse(self)

    def create(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: str | int | Omit = omit,
        size: str | Omit = omit,
        input_reference: InputReference | Omit = omit,
        aspect_ratio: str | Omit = omit,
        resolution: str | Omit = omit,
        n: int | Omit = omit,
        negative_prompt: str | Omit = omit,
        webhook_url: str | Omit = omit,
        idempotency_key: str | Omit = omit,
        user: str | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """Submit a video job; returns at once with the Video in ``queued``.

        ``model`` defaults to ``sora-2`` as in OpenAI's SDK. ``seconds`` takes ``10`` or ``"10"``;
        ``size`` takes ``"1920x1080"`` or ``"16:9"`` (allowed values depend on the model).
        ``input_reference`` takes a file, ``{"image_url": "https://..."}``, a URL, or a list.
        ``webhook_url`` (https) gets a signed event when the job ends.

        Retrying is safe: every call carries an ``idempotency_key`` (generated unless you pass
        one), so a create that openai retries after a lost response returns the job already
        started instead of paying for a second. Pass your own key to make a retry after a crash
        safe too.
        """
        request = build_create_request(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
        )  # fmt: skip
        return self._post_create(request, extra_headers, extra_query, extra_body, timeout)

    def _post_create(
        self,
        request: VideoCreateRequest,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> Video:
        if request.is_multipart:
            extra_headers = {"Content-Type": "multipart/form-data", **(extra_headers or {})}
        return self._post(
            "/videos",
            body=request.body,
            files=request.files or None,
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Video,
        )

    def retrieve(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """The job's current state. A ``failed`` job is a normal answer, not an exception."""
        return self._get(
            _video_path(video_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Video,
        )

    def poll(
        self,
        video_id: str,
        *,
        poll_interval_ms: int | Omit = omit,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        policy: PollPolicy | None = None,
    ) -> Video:
        """Wait until the job is ``completed`` or ``failed`` and return it (failed included, as in openai).

        Unlike openai's ``poll``: ``timeout`` is an overall deadline in seconds (then
        :class:`~lumenfall_openai.errors.WaitTimeoutError`, which carries the last Video; the job
        keeps running); ``on_progress`` gets a :class:`PollProgress` after every check; the
        pacing backs off (see :class:`PollPolicy`) unless you fix it with ``poll_interval_ms``;
        and 5xx answers or dropped connections while waiting are waited through, not raised.
        Call ``.raise_for_status()`` on the result to turn ``failed`` into an exception.
        """
        state = _new_poll_state(poll_interval_ms, timeout, policy)
        while True:
            try:
                raw = self.with_raw_response.retrieve(video_id)
            except TRANSIENT_POLL_ERRORS as error:
                decision = state.observe_error(error, time.monotonic(), _error_hint(error))
            else:
                now = time.monotonic()
                hint = parse_server_hint(raw.headers, now_epoch=time.time())
                decision = state.observe(raw.parse(), now, hint)
                if on_progress is not None:
                    on_progress(state.progress(now))
            if isinstance(decision, Sleep):
                self._sleep(decision.seconds)
                continue
            return _finish(decision, video_id)

    def create_and_poll(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: str | int | Omit = omit,
        size: str | Omit = omit,
        input_reference: InputReference | Omit = omit,
        aspect_ratio: str | Omit = omit,
        resolution: str | Omit = omit,
        n: int | Omit = omit,
        negative_prompt: str | Omit = omit,
        webhook_url: str | Omit = omit,
        idempotency_key: str | Omit = omit,
        user: str | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """``create`` then ``poll``. ``timeout`` is the HTTP timeout of the create request (as in
        openai); ``poll_timeout`` is the deadline for the wait."""
        video = self.create(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        return self.poll(video.id, poll_interval_ms=poll_interval_ms, timeout=poll_timeout, on_progress=on_progress)

    def download_content(
        self,
        video_id: str,
        *,
        variant: Literal["video", "thumbnail", "spritesheet"] | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> HttpxBinaryResponseContent:
        """The finished file, as openai's ``download_content`` returns it (``.read()``,
        ``.write_to_file()``, ...). Fetched from ``output.url`` (Lumenfall has no ``/content``),
        without the Lumenfall key. This reads the whole file into memory: prefer
        ``with_streaming_response.download_content`` or ``download()`` for large files."""
        if not isinstance(variant, Omit) and variant != "video":
            raise unsupported_variant(variant)
        url = media_url(self.retrieve(video_id, timeout=timeout))
        return self._get(
            url,
            options=make_request_options(
                extra_headers=_media_headers(self._client._custom_headers, extra_headers),
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            ),
            cast_to=HttpxBinaryResponseContent,
        )

    def cancel(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> None:
        """Cancel an in-flight job (Lumenfall's DELETE): best effort, no refund promised."""
        self._delete(
            _video_path(video_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=type(None),
        )

    def delete(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> VideoDeleted:
        """OpenAI's name for the same DELETE. On Lumenfall it *cancels* the job; a finished file
        is not deleted (it expires on its own at ``expires_at``)."""
        self.cancel(
            video_id,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return VideoDeleted(id=video_id, deleted=True, object="video.deleted")

    def list(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("list")

    def remix(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("remix")

    def edit(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("edit")

    def extend(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("extend")

    def create_character(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("create_character")

    def get_character(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("get_character")


class AsyncVideos(AsyncAPIResource):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> AsyncVideosWithRawResponse:
        """Prefix a call to get the raw HTTP response (headers and all) instead of the parsed value."""
        return AsyncVideosWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncVideosWithStreamingResponse:
        """Like ``with_raw_response`` but the body is not read until you ask (use for downloads)."""
        return AsyncVideosWithStreamingResponse(self)

    async def create(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: str | int | Omit = omit,
        size: str | Omit = omit,
        input_reference: InputReference | Omit = omit,
        aspect_ratio: str | Omit = omit,
        resolution: str | Omit = omit,
        n: int | Omit = omit,
        negative_prompt: str | Omit = omit,
        webhook_url: str | Omit = omit,
        idempotency_key: str | Omit = omit,
        user: str | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """Submit a video job; see :meth:`Videos.create`."""
        request = build_create_request(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
        )  # fmt: skip
        return await self._post_create(request, extra_headers, extra_query, extra_body, timeout)

    async def _post_create(
        self,
        request: VideoCreateRequest,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> Video:
        if request.is_multipart:
            extra_headers = {"Content-Type": "multipart/form-data", **(extra_headers or {})}
        return await self._post(
            "/videos",
            body=request.body,
            files=request.files or None,
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Video,
        )

    async def retrieve(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """The job's current state; see :meth:`Videos.retrieve`."""
        return await self._get(
            _video_path(video_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Video,
        )

    async def poll(
        self,
        video_id: str,
        *,
        poll_interval_ms: int | Omit = omit,
        timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        policy: PollPolicy | None = None,
    ) -> Video:
        """Wait until the job is finished; see :meth:`Videos.poll`. ``on_progress`` may be async."""
        state = _new_poll_state(poll_interval_ms, timeout, policy)
        while True:
            try:
                raw = await self.with_raw_response.retrieve(video_id)
            except TRANSIENT_POLL_ERRORS as error:
                decision = state.observe_error(error, time.monotonic(), _error_hint(error))
            else:
                now = time.monotonic()
                hint = parse_server_hint(raw.headers, now_epoch=time.time())
                decision = state.observe(raw.parse(), now, hint)
                if on_progress is not None:
                    result = on_progress(state.progress(now))
                    if isinstance(result, Awaitable):
                        await result
            if isinstance(decision, Sleep):
                await self._sleep(decision.seconds)
                continue
            return _finish(decision, video_id)

    async def create_and_poll(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: str | int | Omit = omit,
        size: str | Omit = omit,
        input_reference: InputReference | Omit = omit,
        aspect_ratio: str | Omit = omit,
        resolution: str | Omit = omit,
        n: int | Omit = omit,
        negative_prompt: str | Omit = omit,
        webhook_url: str | Omit = omit,
        idempotency_key: str | Omit = omit,
        user: str | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        poll_timeout: float | None = None,
        on_progress: AsyncProgressCallback | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """``create`` then ``poll``; see :meth:`Videos.create_and_poll`."""
        video = await self.create(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        return await self.poll(
            video.id, poll_interval_ms=poll_interval_ms, timeout=poll_timeout, on_progress=on_progress
        )

    async def download_content(
        self,
        video_id: str,
        *,
        variant: Literal["video", "thumbnail", "spritesheet"] | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> HttpxBinaryResponseContent:
        """The finished file; see :meth:`Videos.download_content`."""
        if not isinstance(variant, Omit) and variant != "video":
            raise unsupported_variant(variant)
        url = media_url(await self.retrieve(video_id, timeout=timeout))
        return await self._get(
            url,
            options=make_request_options(
                extra_headers=_media_headers(self._client._custom_headers, extra_headers),
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            ),
            cast_to=HttpxBinaryResponseContent,
        )

    async def cancel(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> None:
        """Cancel an in-flight job; see :meth:`Videos.cancel`."""
        await self._delete(
            _video_path(video_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=type(None),
        )

    async def delete(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> VideoDeleted:
        """OpenAI's name for the cancelling DELETE; see :meth:`Videos.delete`."""
        await self.cancel(
            video_id,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
        return VideoDeleted(id=video_id, deleted=True, object="video.deleted")

    async def list(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("list")

    async def remix(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("remix")

    async def edit(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("edit")

    async def extend(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("extend")

    async def create_character(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("create_character")

    async def get_character(self, *args: Any, **kwargs: Any) -> Any:
        """Not offered by Lumenfall: raises :class:`UnsupportedOperationError`."""
        raise unsupported("get_character")


def unsupported_variant(variant: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(
        f"download_content(variant={variant!r}) is not available on Lumenfall: it serves only the video "
        "file itself (variant='video'). Extract a thumbnail from the file locally if you need one."
    )


# Methods that make one HTTP call get raw/streaming twins, as in openai's generated resources.
# (`delete` makes its answer up locally, so it has none; use `cancel` for the raw DELETE.)
class VideosWithRawResponse:
    def __init__(self, videos: Videos) -> None:
        self._videos = videos
        self.create = to_raw_response_wrapper(videos.create)
        self.retrieve = to_raw_response_wrapper(videos.retrieve)
        self.download_content = to_raw_response_wrapper(videos.download_content)
        self.cancel = to_raw_response_wrapper(videos.cancel)


class AsyncVideosWithRawResponse:
    def __init__(self, videos: AsyncVideos) -> None:
        self._videos = videos
        self.create = async_to_raw_response_wrapper(videos.create)
        self.retrieve = async_to_raw_response_wrapper(videos.retrieve)
        self.download_content = async_to_raw_response_wrapper(videos.download_content)
        self.cancel = async_to_raw_response_wrapper(videos.cancel)


class VideosWithStreamingResponse:
    def __init__(self, videos: Videos) -> None:
        self._videos = videos
        self.create = to_streamed_response_wrapper(videos.create)
        self.retrieve = to_streamed_response_wrapper(videos.retrieve)
        self.download_content = to_streamed_response_wrapper(videos.download_content)
        self.cancel = to_streamed_response_wrapper(videos.cancel)


class AsyncVideosWithStreamingResponse:
    def __init__(self, videos: AsyncVideos) -> None:
        self._videos = videos
        self.create = async_to_streamed_response_wrapper(videos.create)
        self.retrieve = async_to_streamed_response_wrapper(videos.retrieve)
        self.download_content = async_to_streamed_response_wrapper(videos.download_content)
        self.cancel = async_to_streamed_response_wrapper(videos.cancel)

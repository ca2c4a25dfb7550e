# Generated from lumenfall_openai/resources/_async/videos.py by scripts/unasync.py; do not edit.
"""``client.videos``: Lumenfall's asynchronous video API behind OpenAI's method names.

Written once: ``resources/_async/videos.py`` is the source, and ``scripts/unasync.py`` generates
the sync twin in ``resources/_sync/videos.py`` from it. Each method checks and shapes its
request with the pure helpers in ``_video_requests`` and ``resources/_video_shared``, and paces
waiting with ``_polling``; only the I/O is written here. Nothing imports
``openai.resources.videos``: OpenAI retired Sora, so calling its methods warns, and a later
openai will delete them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import openai

from ..._budget import CreateHold, join_create, start_create
from ..._check_slots import check_slots
from ..._compat import (
    REQUEST_OPTIONS_MAX_RETRIES_KEY,
    Body,
    Headers,
    HttpxBinaryResponseContent,
    NotGiven,
    Omit,
    Query,
    StreamedBinaryAPIResponse,
    SyncAPIResource,
    http,
    make_request_options,
    to_custom_streamed_response_wrapper,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from ..._cost_tracking import dry_run_options, rereadable_request, video_dry_run
from ..._create_outcome import caller_wants_raw, may_have_started, parse_answer, raise_if_other_video
from ..._download_plan import DEFAULT_CHUNK_SIZE, DEFAULT_MIN_SPEED, DEFAULT_MIN_SPEED_WINDOW
from ..._error_context import add_video_id, reporting_video_id
from ..._io_shims import report
from ..._polling import (
    CHECK_ERRORS,
    PollPolicy,
    ProgressCallback,
    Sleep,
    check_timeout,
    error_hint,
    finish_wait,
    new_poll_state,
    parse_server_hint,
    resolve_poll_policy,
    turn_place,
    turn_wait_limit,
    wait_arguments,
)
from ..._video_requests import InputReference, VideoCreateRequest, build_create_request, unsupported
from ...errors import attach_create_context
from ...types.cost import CostEstimate
from ...types.video import Video, VideoDeleted
from .._video_shared import (
    DELETED_FROM_NO_BODY,
    check_call_numbers,
    deleted_parser,
    media_headers,
    unsupported_variant,
    video_path,
)
from .download_content import download_content
from .download_io import DownloadProgressCallback, download_video

if TYPE_CHECKING:
    from decimal import Decimal

    from ..._client import Lumenfall
    from ...batch._api import Batch, BatchRows

__all__ = ["Videos", "VideosWithRawResponse", "VideosWithStreamingResponse"]

omit = Omit()
not_given = NotGiven()


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
        safe too. An error raised once the request may have reached Lumenfall (a lost answer,
        a timeout, a 5xx, an unreadable body) keeps its openai class and carries
        ``idempotency_key`` (and ``job_may_exist``): call ``create`` again with that key to get
        the job. With a budget, see :class:`~lumenfall_openai.costs.CostLedger` for what is
        reserved and when.
        """
        check_call_numbers(extra_body, timeout)
        request = build_create_request(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
        )  # fmt: skip
        return self._create_within_budget(request, extra_headers, extra_query, extra_body, timeout)

    def estimate(
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
    ) -> CostEstimate:
        """What ``create`` with these arguments would cost, from a free ``?dryRun=true`` request.

        Takes exactly ``create``'s arguments and sends exactly its body, except the
        ``idempotency_key``: a dry run must not claim the key the real create will use. Nothing
        runs and nothing is billed. The provider (and so the price) may differ at run time.
        """
        check_call_numbers(extra_body, timeout)
        request = build_create_request(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
        )  # fmt: skip
        return self._post_estimate(request, extra_headers, extra_query, extra_body, timeout)

    def _post_estimate(
        self,
        request: VideoCreateRequest,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> CostEstimate:
        dry = video_dry_run(request)
        headers, query = dry_run_options(extra_headers, extra_query, multipart=dry.is_multipart)
        raw: Any = self._post(
            "/videos",
            body=dry.body,
            files=dry.files or None,
            options=make_request_options(
                extra_headers=headers, extra_query=query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=CostEstimate,
        )
        return parse_answer(raw, CostEstimate, what="the video estimate (?dryRun=true)")

    def _create_within_budget(
        self,
        request: VideoCreateRequest,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> Video:
        """``_post_create`` under a hold (``_budget``): with a budget the job is estimated (free)
        and the estimate reserved before anything paid is sent; a job that does not fit, or whose
        estimate is unreadable, raises a BudgetError with no create sent. Calls sharing an
        idempotency key share one hold. The answer settles the hold (its ``post_parser``); an
        error that may hide a job keeps it. Whatever the create raises carries
        ``idempotency_key`` (see ``errors.attach_create_context``).
        """
        ledger = self._client.ledger
        hold = join_create(ledger, request)
        if hold is None:
            estimate: CostEstimate | None = None
            if ledger.has_budget:
                request = rereadable_request(request)  # the dry run must not use up an open file
                estimate = self._post_estimate(request, extra_headers, extra_query, extra_body, timeout)
            hold = start_create(ledger, request, estimate)
        sent = False  # still waiting for its turn: a create interrupted there surely made no job
        try:
            turn_limit = turn_wait_limit(timeout, self._client.timeout)
            with check_slots(self._client).slot(turn_limit, create=True):  # turns shared with checks
                sent = True
                video = self._send_create(request, hold, extra_headers, extra_query, extra_body, timeout)
        except BaseException as error:
            hold.failed(error, sent=sent)
            attach_create_context(
                error, idempotency_key=hold.key, video_id=None, job_may_exist=sent and may_have_started(error)
            )
            raise
        hold.returned()
        return video

    def _send_create(
        self,
        request: VideoCreateRequest,
        hold: CreateHold,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> Video:
        """``_post_create``, parsed here (unless the caller asked for the raw response), so that a
        garbled 2xx body raises ResponseParseError, an ``openai.OpenAIError``, never a raw one."""
        if caller_wants_raw(extra_headers):
            return self._post_create(request, hold, extra_headers, extra_query, extra_body, timeout)
        post = to_raw_response_wrapper(self._post_create)
        raw = post(
            request, hold, extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
        )
        return parse_answer(raw, Video, what="the video create", require_id=True)

    def _post_create(
        self,
        request: VideoCreateRequest,
        hold: CreateHold,
        extra_headers: Headers | None,
        extra_query: Query | None,
        extra_body: Body | None,
        timeout: float | http.Timeout | NotGiven | None,
    ) -> Video:
        if request.is_multipart:
            extra_headers = {"Content-Type": "multipart/form-data", **(extra_headers or {})}
        options = make_request_options(
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            post_parser=hold.post_parser(),  # settles the hold from the parsed answer, on every path
        )
        return self._post("/videos", body=request.body, files=request.files or None, options=options, cast_to=Video)

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
            video_path(video_id),
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
        poll_policy: PollPolicy | None = None,
        policy: PollPolicy | None = None,
    ) -> Video:
        """Wait until the job is ``completed`` or ``failed`` and return it (failed included, as in openai).

        Unlike openai's ``poll``: ``timeout`` is an overall deadline in seconds (then
        :class:`~lumenfall_openai.errors.WaitTimeoutError`, which carries the last Video; the job
        keeps running); ``on_progress`` gets a :class:`PollProgress` after every check; the
        pacing backs off (``poll_policy``, a :class:`PollPolicy`) unless you fix it with
        ``poll_interval_ms``; and 5xx answers or dropped connections while waiting are waited
        through, not raised (if they last ``poll_policy.max_error_streak`` seconds in a row, the
        wait ends with :class:`~lumenfall_openai.errors.WaitInterruptedError`, which carries the
        job id).
        ``timeout`` keeps the name the design contract gives it (``create_and_poll`` calls the same
        deadline ``poll_timeout``, its ``timeout`` being the create's HTTP timeout, as in openai);
        ``policy=`` is the old name of ``poll_policy=`` (deprecated, removed in the next release).
        Call ``.raise_for_status()`` on the result to turn ``failed`` into an exception. With the
        async client, ``on_progress`` may also be a coroutine function.
        """
        pacing = resolve_poll_policy(poll_policy, policy)
        return self._poll(video_id, poll_interval_ms, timeout, on_progress, pacing, first=None)

    def _check(
        self, video_id: str, *, timeout: float | http.Timeout | NotGiven | None, extra_headers: Headers | None = None
    ) -> Video:
        """One poll check: ``retrieve`` without openai's own retries.

        The wait's policy already retries transient failures, at its own pace and within its
        deadline; openai's retries (twice, with back-off, per check) would stretch one check
        far past a ``poll(timeout=...)`` deadline.
        """
        options = make_request_options(extra_headers=extra_headers, timeout=timeout)
        options[REQUEST_OPTIONS_MAX_RETRIES_KEY] = 0
        return self._get(video_path(video_id), options=options, cast_to=Video)

    def _poll(
        self,
        video_id: str,
        poll_interval_ms: int | Omit,
        timeout: float | None,
        on_progress: ProgressCallback | None,
        policy: PollPolicy | None,
        *,
        first: Video | None,
    ) -> Video:
        video_path(video_id)  # a bad id fails here, before any request (not as a "garbled answer" below)
        on_progress = reporting_video_id(on_progress, video_id)
        state = new_poll_state(poll_interval_ms, timeout, policy)
        check = to_raw_response_wrapper(self._check)
        seen = first  # create_and_poll already holds the first answer: no GET for it
        while True:
            hint: float | None = None
            failure: BaseException | None = None
            fetched = seen is None
            if fetched:
                try:
                    # fair turns: by due time and by age, alternately (_polling.CheckQueue)
                    with check_slots(self._client).slot(state.remaining(time.monotonic()), place=turn_place(state)):
                        this_timeout = check_timeout(state, time.monotonic(), self._client.timeout)
                        raw = check(video_id, timeout=this_timeout)
                    hint = parse_server_hint(raw.headers, now_epoch=time.time())
                    seen = parse_answer(raw, Video, what=f"a check of video {video_id}", video_id=video_id)
                except CHECK_ERRORS as error:
                    failure = error
                except openai.NotFoundError as error:  # just created: maybe not on this replica yet
                    if not state.may_be_replication_lag(time.monotonic()):
                        add_video_id(error, video_id)
                        raise
                    failure = error
                except openai.APIError as error:  # 400, 401, ...: the wait ends, the job id stays known
                    add_video_id(error, video_id)
                    raise
            raise_if_other_video(failure)
            now = time.monotonic()
            if seen is None:
                assert failure is not None
                decision = state.observe_error(failure, now, error_hint(failure))
            else:
                decision = state.observe(seen, now, hint, fetched=fetched)
                seen = None
                if on_progress is not None:
                    report(on_progress, state.progress(now))
            if isinstance(decision, Sleep):
                self._sleep(state.wake_after(decision, time.monotonic()))
                continue
            return finish_wait(decision, video_id)

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
        poll_policy: PollPolicy | None = None,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Video:
        """``create`` then ``poll``. ``timeout`` is the HTTP timeout of the create request (as in
        openai); ``poll_timeout`` is the deadline for the wait, ``poll_policy`` its pacing.

        The create answer counts as the first check (``on_progress`` sees the queued job at once).
        If the wait ends early, the error carries ``video_id``: the job is never lost."""
        wait_arguments(poll_interval_ms, poll_timeout)  # checked before anything is paid for
        video = self.create(
            prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference,
            aspect_ratio=aspect_ratio, resolution=resolution, n=n, negative_prompt=negative_prompt,
            webhook_url=webhook_url, idempotency_key=idempotency_key, user=user,
            extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout,
        )  # fmt: skip
        return self._poll(video.id, poll_interval_ms, poll_timeout, on_progress, poll_policy, first=video)

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
        without the Lumenfall key; redirects are followed by ``download()``'s rules (each target an
        absolute http(s) URL without credentials, 10 at most; else DownloadError). This reads the
        whole file into memory: prefer ``with_streaming_response.download_content`` or
        ``download()`` for large files."""
        if not isinstance(variant, Omit) and variant != "video":
            raise unsupported_variant(variant)
        return cast(
            "HttpxBinaryResponseContent",
            download_content(
                self, video_id, headers=media_headers(self._client, extra_headers), extra_query=extra_query,
                extra_body=extra_body, timeout=timeout,
            ),
        )  # fmt: skip

    def download(
        self,
        video_or_id: Video | str,
        path: str | os.PathLike[str],
        *,
        on_progress: DownloadProgressCallback | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        timeout: float | http.Timeout | NotGiven | None = not_given,
        max_retries: int = 3,
        overwrite: bool = True,
        extra_headers: Mapping[str, str] | None = None,
        min_speed: float = DEFAULT_MIN_SPEED,
        min_speed_window: float = DEFAULT_MIN_SPEED_WINDOW,
    ) -> Path:
        """Save a finished video to ``path``, streaming, verified, and atomically; returns the path.

        ``video_or_id``: a Video (used as is when completed and its URL is still valid: no extra
        request) or an id (retrieved first). ``path``: a file path (its directory must exist), or
        a directory, to save as ``<dir>/<video_id>.mp4``: one that exists, or a ``str`` ending with
        a separator (``"out/"``), created if missing. A file name made from an id keeps only
        ``[A-Za-z0-9._-]`` (plus a short hash when the id had to change), so it stays in ``dir``.

        The file is streamed as the network delivers it (memory stays flat whatever its size)
        into a hidden temporary file beside the destination (``.<name>.part-<random>``), then renamed
        into place (``os.replace``) only once its size equals ``output.size_bytes``, every
        response's Content-Length/Content-Range agreed, and the content type was ``video/*``. An
        existing file at ``path`` is replaced at that moment and not before; until then it is left
        untouched (``overwrite=False`` refuses an existing file, before fetching anything and again
        at the end: the final step never replaces a file that appeared meanwhile).

        An interrupted transfer (dropped connection, 5xx, short body) resumes with an HTTP Range
        and ``If-Range`` from where it stopped, and only if the host's answer carries the same
        ``ETag``/``Last-Modified`` (never a file spliced from two versions; a host without them
        sends the whole file again). It gives up after ``max_retries`` failures in a row without
        new bytes (a restart from byte 0 is not progress) or ``8 * (max_retries + 1)`` requests
        in all (one more per 16 MiB of file), pausing (0.25 s, doubling) between them. Only
        absolute http(s) URLs without credentials are fetched, redirects included (10 at most).
        If the media host refuses the URL (it expired: 403/410), the video is retrieved once for
        a fresh URL. The request carries neither the Lumenfall key nor the client's custom headers
        (the media host needs none, and a key in a CDN's logs is a leaked key); it goes through
        the client's own HTTP client, so pool, proxies and transports apply. ``timeout`` is the
        HTTP timeout of each request (how long a stalled connection may wait for bytes), not a
        limit on the whole transfer; it defaults to the client's. An attempt that averages under
        ``min_speed`` bytes/s (default 1024) over ``min_speed_window`` seconds (default 30) is a
        failed attempt, like curl's ``--speed-limit``/``--speed-time``: a host trickling bytes
        cannot keep a download alive for ever (``min_speed=0`` turns this off).

        ``on_progress`` gets a :class:`~lumenfall_openai.DownloadProgress` (``bytes_done``,
        ``bytes_total``) each time another ``chunk_size`` bytes have arrived, and at the end. Any failure raises
        :class:`~lumenfall_openai.errors.DownloadError` (or its subclass ``IntegrityError`` when
        the bytes do not match what the Video promised) that says what to do, with the cause
        chained; nothing is left at ``path`` and no temporary file remains. With the async client,
        ``on_progress`` may also be a coroutine function; the steps that can block for long
        (creating the file, fsync and rename) run in a worker thread.
        """
        return download_video(
            self, video_or_id, path, on_progress=on_progress, chunk_size=chunk_size, http_timeout=timeout,
            max_retries=max_retries, overwrite=overwrite, extra_headers=extra_headers,
            min_speed=min_speed, min_speed_window=min_speed_window,
        )  # fmt: skip

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
            video_path(video_id),
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

    def _delete_as_deleted(
        self,
        video_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> VideoDeleted:
        """``delete`` as one request, for ``with_raw_response``/``with_streaming_response``: the
        DELETE's own response, whose ``.parse()`` gives the VideoDeleted ``delete`` returns."""
        options = make_request_options(
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            post_parser=deleted_parser(video_id),
        )
        return self._delete(video_path(video_id), options=options, cast_to=DELETED_FROM_NO_BODY)

    def batch(
        self,
        rows: BatchRows,
        *,
        out: str | os.PathLike[str],
        journal: str | os.PathLike[str] | None = None,
        concurrency: int = 8,
        budget: float | int | str | Decimal | None = None,
        retry_failed: int = 0,
        timeout: float | None = None,
        model: str | None = None,
        manifest_csv: bool = False,
        storage_options: Mapping[str, Any] | None = None,
        batch_id: str | None = None,
        retry_expired: bool = False,
    ) -> Batch:
        """Many videos from a JOBS file or rows, crash-safe (a SQLite journal); see ``lumenfall_openai.batch``.

        Rows and options are checked now; the run starts when the batch is iterated
        (``for result in batch``) or its ``summary()`` is called. Running it again with the
        same ``out``/``journal`` resumes: no row is paid for twice. ``budget`` covers the whole
        batch, all runs together. ``batch_id`` (part of every idempotency key) lets machines that
        split one batch share keys. ``retry_failed`` never makes a paid video whose media expired
        again unless ``retry_expired`` is True too (it was paid once already).
        """
        from ...batch._api import Batch

        return Batch(
            self._client, rows, out=out, journal=journal, concurrency=concurrency, budget=budget,
            retry_failed=retry_failed, timeout=timeout, model=model, manifest_csv=manifest_csv,
            storage_options=storage_options, batch_id=batch_id, retry_expired=retry_expired,
        )  # fmt: skip

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


# Methods that make one HTTP call get raw/streaming twins, as in openai's generated resources;
# `download_content` streams as openai's does (StreamedBinaryAPIResponse: `stream_to_file`,
# `iter_bytes`). `delete` is the cancelling DELETE whose `.parse()` gives the VideoDeleted.
# What the plain resource refuses is the plain method itself: it raises UnsupportedOperationError
# at the call, as there, never AttributeError (and no response to enter first).
class VideosWithRawResponse:
    def __init__(self, videos: Videos) -> None:
        self._videos = videos
        self.create = to_raw_response_wrapper(videos.create)
        self.retrieve = to_raw_response_wrapper(videos.retrieve)
        self.download_content = to_raw_response_wrapper(videos.download_content)
        self.cancel = to_raw_response_wrapper(videos.cancel)
        self.delete = to_raw_response_wrapper(videos._delete_as_deleted)
        self.list = videos.list
        self.remix = videos.remix
        self.edit = videos.edit
        self.extend = videos.extend
        self.create_character = videos.create_character
        self.get_character = videos.get_character


class VideosWithStreamingResponse:
    def __init__(self, videos: Videos) -> None:
        self._videos = videos
        self.create = to_streamed_response_wrapper(videos.create)
        self.retrieve = to_streamed_response_wrapper(videos.retrieve)
        self.download_content = to_custom_streamed_response_wrapper(videos.download_content, StreamedBinaryAPIResponse)
        self.cancel = to_streamed_response_wrapper(videos.cancel)
        self.delete = to_streamed_response_wrapper(videos._delete_as_deleted)
        self.list = videos.list
        self.remix = videos.remix
        self.edit = videos.edit
        self.extend = videos.extend
        self.create_character = videos.create_character
        self.get_character = videos.get_character

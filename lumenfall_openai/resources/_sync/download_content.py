# Generated from lumenfall_openai/resources/_async/download_content.py by scripts/unasync.py; do not edit.
"""``videos.download_content`` (plain, raw and streamed): one request for ``output.url``, bounded
and verified, answered in openai's own response classes.

Every variant asks openai for a *streamed* response (the body not read yet), so nothing is in
memory before the status line and headers are judged (``_download_plan.content_response_error``:
status, ``video/*``, Content-Length = ``output.size_bytes``, no content encoding). The body is
then read through a checked stream (``_CheckedStream`` here), which stops it at
``output.size_bytes`` (IntegrityError, never a MemoryError) and refuse a short one at its end.
The plain and raw variants read it all before returning; the streamed variant hands back
openai's ``StreamedBinaryAPIResponse`` whose ``iter_bytes``/``stream_to_file`` run through the same
check. Redirects are followed here (openai's HTTP client is told not to), each Location
checked with ``media_url_problem``, at most ``MAX_REDIRECTS``.

Written once, as async; ``scripts/unasync.py`` generates the sync twin in ``_sync/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import openai

from ..._compat import (
    OPTIONS_ATTR,
    RAW_RESPONSE_HEADER,
    REQUEST_OPTIONS_FOLLOW_REDIRECTS_KEY,
    Body,
    Headers,
    HttpxBinaryResponseContent,
    LegacyAPIResponse,
    NotGiven,
    Query,
    http,
    make_request_options,
)
from ..._download_plan import (
    Fail,
    Redirect,
    Transfer,
    content_end_error,
    content_response_error,
    content_transfer,
    media_target,
)

if TYPE_CHECKING:
    from .videos import Videos

__all__ = ["download_content"]

TimeoutArg = float | http.Timeout | NotGiven | None


class _CheckedStream(http.SyncByteStream):
    """The response body, counted against ``output.size_bytes`` as it arrives."""

    def __init__(self, inner: Any, transfer: Transfer) -> None:
        self._inner = inner
        self._transfer = transfer

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._transfer.on_chunk(len(chunk))  # raises before a byte past size_bytes is handed on
            yield chunk
        error = content_end_error(self._transfer)
        if error is not None:
            raise error

    def close(self) -> None:
        self._inner.close()


def _request_options(headers: Headers, extra_query: Query | None, extra_body: Body | None, timeout: TimeoutArg) -> Any:
    options: dict[str, Any] = dict(
        make_request_options(
            # Streamed whatever the caller asked for: the body is read here, bounded.
            extra_headers={**headers, RAW_RESPONSE_HEADER: "stream"},
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
        )
    )
    options[REQUEST_OPTIONS_FOLLOW_REDIRECTS_KEY] = False  # each Location is checked before it is fetched
    return options


def _unusable_redirect(error: openai.APIConnectionError) -> bool:
    """Legacy httpx parses a redirect's Location inside send() and fails on ``javascript:`` etc."""
    cause = error.__cause__
    return cause is not None and any(
        cls.__name__ == "InvalidURL" and cls.__module__.split(".", 1)[0] in ("httpx", "httpx2")
        for cls in type(cause).__mro__
    )


def download_content(
    videos: Videos,
    video_id: str,
    *,
    headers: Headers,
    extra_query: Query | None,
    extra_body: Body | None,
    timeout: TimeoutArg,
) -> Any:
    """``headers``: the media host's headers (no key); the caller's raw/streamed marker, if any,
    says which of openai's classes to answer with."""
    target = media_target(videos.retrieve(video_id, timeout=timeout))
    transfer = content_transfer(target)
    wanted = headers.get(RAW_RESPONSE_HEADER)
    options = _request_options({**transfer.next_request_headers(), **headers}, extra_query, extra_body, timeout)
    url = target.url
    while True:
        try:
            response: Any = videos._get(url, options=options, cast_to=HttpxBinaryResponseContent)  # pyright: ignore[reportPrivateUsage]
        except openai.APIStatusError as error:
            action = transfer.on_response(error.status_code, error.response.headers)
            if isinstance(action, Redirect):
                url = action.url
                continue
            if isinstance(action, Fail) and 300 <= error.status_code < 400:
                raise action.error from error
            raise
        except openai.APIConnectionError as error:
            if _unusable_redirect(error):
                raise transfer.on_unusable_location(str(error.__cause__)).error from error
            raise
        break
    raw = response.http_response
    problem = content_response_error(transfer, raw.status_code, raw.headers)
    if problem is not None:
        raw.close()
        raise problem
    raw.stream = _CheckedStream(raw.stream, transfer)
    if wanted == "stream":
        return response  # openai's (Async)StreamedBinaryAPIResponse; its body is checked as it is read
    try:
        raw.read()
    finally:
        raw.close()
    if wanted is None:
        return response.parse()
    return LegacyAPIResponse(
        raw=raw, cast_to=cast(Any, HttpxBinaryResponseContent), client=videos._client, stream=False,  # pyright: ignore[reportPrivateUsage]
        stream_cls=None, options=getattr(response, OPTIONS_ATTR), retries_taken=response.retries_taken,
    )  # fmt: skip

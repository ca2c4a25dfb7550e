"""The I/O loop of ``videos.download``, written once (async; the sync twin is generated).

Every decision (what to verify, whether to resume, the next ``Range``, whether a response is
acceptable, whether to fetch a fresh URL) is made by :class:`lumenfall_openai._download_plan.Transfer`;
this loop only moves bytes from the HTTP client to a temporary file and acts on its answers. The
file steps are in ``resources/_download_files.py``.

Requests go through the openai client's own HTTP client (``client._client``), so its connection
pool, proxies and any mock transport apply, but they are built by hand: no Lumenfall key, none
of the client's custom headers, and no ``auth`` of the HTTP client reach the media host.
Redirects are followed here, one checked hop at a time, not by the HTTP library.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..._compat import CUSTOM_HEADERS_ATTR, HTTP_CLIENT_ATTR
from ..._download_plan import (
    DEFAULT_MIN_SPEED,
    DEFAULT_MIN_SPEED_WINDOW,
    Accept,
    Action,
    Complete,
    Fail,
    Redirect,
    Refresh,
    Retry,
    Transfer,
    media_target,
    needs_retrieve,
)
from ..._io_shims import async_blocking_call, async_report
from ...types.video import Video
from .._download_files import (
    AsyncDownloadProgressCallback,
    TimeoutArg,
    check_args,
    check_min_speed,
    client_timeout,
    destination,
    finish_file,
    fresh_temp,
    is_httpx_error,
    media_request,
    open_temp,
    remove,
    restart_file,
    video_id_of,
    wrap,
)

if TYPE_CHECKING:
    from .videos import AsyncVideos

__all__ = ["AsyncDownloadProgressCallback", "download_video"]


async def download_video(
    videos: AsyncVideos,
    video_or_id: Video | str,
    path: str | os.PathLike[str],
    *,
    on_progress: AsyncDownloadProgressCallback | None,
    chunk_size: int,
    http_timeout: TimeoutArg,
    max_retries: int,
    overwrite: bool,
    extra_headers: Mapping[str, str] | None,
    min_speed: float = DEFAULT_MIN_SPEED,
    min_speed_window: float = DEFAULT_MIN_SPEED_WINDOW,
) -> Path:
    """``videos.download``: fetch ``output.url`` into a temporary file beside ``path``, resuming
    and refreshing as :class:`Transfer` decides, then move it into place.

    Async: chunks are written from the event loop (a write of one chunk to the page cache takes
    well under a millisecond, less than a hop to a worker thread would); the steps that can block
    for long (creating the file, fsync and rename) run in a worker thread.
    """
    check_args(chunk_size, max_retries)
    check_min_speed(min_speed, min_speed_window)
    video_id = video_id_of(video_or_id)
    client = videos._client
    http_client: Any = getattr(client, HTTP_CLIENT_ATTR)
    request_timeout = client_timeout(http_client, http_timeout, client.timeout)
    transfer: Transfer | None = None
    dest: Path | None = None
    file: IO[bytes] | None = None
    tmp: str | None = None
    try:
        video = video_or_id if isinstance(video_or_id, Video) else None
        if video is None or needs_retrieve(video, time.time()):
            video = await videos.retrieve(video_id, timeout=http_timeout)
        dest = await async_blocking_call(destination, path, video, overwrite)
        transfer = Transfer(
            media_target(video), path=str(dest), max_retries=max_retries,
            min_speed=min_speed, min_speed_window=min_speed_window,
        )  # fmt: skip
        out, tmp_name = await async_blocking_call(open_temp, dest)
        file, tmp = out, tmp_name  # what to clean up if anything below fails
        if on_progress is not None:
            await async_report(on_progress, transfer.progress())
        headers: dict[str, str] | None = None
        while True:
            action: Action
            if headers is None:  # a new attempt (a redirect repeats the same request elsewhere)
                headers = transfer.next_request_headers(extra_headers)
            request = media_request(
                http_client, transfer.url, headers, custom_headers=getattr(client, CUSTOM_HEADERS_ATTR),
                extra_headers=extra_headers, api_key=client.api_key, timeout=request_timeout,
            )  # fmt: skip
            try:
                response = await http_client.send(request, stream=True, auth=None, follow_redirects=False)
            except Exception as error:
                if is_httpx_error(error, "InvalidURL"):  # httpx parses a redirect's Location in send()
                    action = transfer.on_unusable_location(str(error))
                elif not is_httpx_error(error, "TransportError"):
                    raise
                else:
                    action = transfer.on_transport_error(error)
            else:
                try:
                    action = transfer.on_response(response.status_code, response.headers)
                    if isinstance(action, Accept):
                        if action.restart:
                            out, tmp_name = fresh_temp(out, tmp_name, dest)  # in the loop: no cancel gap
                            file, tmp = out, tmp_name
                        restart_file(out, action.offset)
                        try:
                            # Identity bodies are read raw: the file's bytes as they came, without
                            # the HTTP library's decoder and re-chunker layers on every read (unless
                            # the transport handed over a body already read, as a mock one does).
                            raw = transfer.body_is_identity and not response.is_stream_consumed
                            body = response.aiter_raw() if raw else response.aiter_bytes()
                            async for chunk in body:
                                transfer.on_chunk(len(chunk), time.monotonic())
                                out.write(chunk)
                                if on_progress is not None and (progress := transfer.progress_due(chunk_size)):
                                    await async_report(on_progress, progress)
                                if transfer.stalled:
                                    break
                        except Exception as error:
                            if not is_httpx_error(error, "TransportError"):
                                raise
                            action = transfer.on_transport_error(error)
                        else:
                            action = transfer.on_body_end()
                finally:
                    await response.aclose()
            if isinstance(action, Redirect):
                continue
            headers = None
            if isinstance(action, Complete):
                break
            if isinstance(action, Fail):
                raise action.error
            if isinstance(action, Retry):
                await videos._sleep(action.delay)
            elif isinstance(action, Refresh):
                refused = transfer.refreshed(await videos.retrieve(video_id, timeout=http_timeout), time.time())
                if refused is not None:
                    raise refused.error
        await async_blocking_call(finish_file, out, transfer, tmp_name, dest, overwrite)
        file = tmp = None
        return dest
    except BaseException as error:
        remove(file, tmp)
        wrapped = wrap(error, transfer, video_id, dest)
        if wrapped is error:
            raise
        raise wrapped from error

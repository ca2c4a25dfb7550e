"""The file side of ``videos.download``, shared by both twins of its loop.

Every decision (what to verify, whether to resume, the next ``Range``, whether a response is
acceptable, whether to fetch a fresh URL) is made by :class:`lumenfall_openai._download_plan.Transfer`;
the loop (written once as async in ``_async/download_io.py``, its sync twin generated) only moves
bytes from the HTTP client to a temporary file and acts on its answers. What is here does blocking
file-system work and builds requests; the async loop runs the slow steps in a worker thread.

Requests go through the openai client's own HTTP client (``client._client``), so its connection
pool, proxies and any mock transport apply, but they are built by hand: no Lumenfall key, none
of the client's custom headers, and no ``auth`` of the HTTP client reach the media host.
Redirects are followed here, one checked hop at a time, not by the HTTP library.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import IO, Any, cast

import openai

from .._compat import NotGiven, http
from .._download_plan import (
    DownloadProgress,
    Transfer,
    headers_to_strip,
    is_directory_path,
    media_target,
    plan_destination,
    temp_prefix,
)
from .._error_context import note_video_id
from .._file_writer import QueuedFileWriter
from .._ids import check_id
from ..errors import DownloadError
from ..types.video import Video

__all__ = [
    "AsyncDownloadProgressCallback",
    "DownloadProgressCallback",
    "TimeoutArg",
    "check_args",
    "destination",
    "finish_file",
    "fresh_temp",
    "client_timeout",
    "is_httpx_error",
    "media_request",
    "open_temp",
    "remove",
    "restart_file",
    "video_id_of",
    "wrap",
]

DownloadProgressCallback = Callable[[DownloadProgress], object]
AsyncDownloadProgressCallback = Callable[[DownloadProgress], "object | Awaitable[object]"]
TimeoutArg = float | http.Timeout | NotGiven | None


def is_httpx_error(error: BaseException, name: str) -> bool:
    """True if ``error`` is an httpx or httpx2 ``name`` (``TransportError``, ``HTTPError``, ...).

    Checked by name along the class hierarchy because openai 3.x also accepts a legacy
    ``httpx`` client while ``_compat.http`` is ``httpx2``: both must be recognised.
    """
    return any(
        cls.__name__ == name and cls.__module__.split(".", 1)[0] in ("httpx", "httpx2") for cls in type(error).__mro__
    )


def client_timeout(http_client: Any, value: TimeoutArg, default: object) -> Any:
    """``value`` (or the openai client's timeout) in the form the HTTP client takes.

    A Timeout object is rebuilt in the HTTP client's own Timeout class (an httpx2.Timeout means
    nothing to a legacy httpx client that openai 3.x may have been given).
    """
    chosen: Any = default if isinstance(value, NotGiven) else value
    if chosen is None or isinstance(chosen, (int, float)):
        return chosen
    timeout_cls: Any = http_client.timeout.__class__
    return timeout_cls(connect=chosen.connect, read=chosen.read, write=chosen.write, pool=chosen.pool)


def video_id_of(video_or_id: Video | str) -> str:
    """The id to download. A Video's id (the server's) only has to be non-empty: it names the
    file through ``safe_file_name``, never a URL. An id given as a string is checked by the
    package's one id rule (:func:`~lumenfall_openai._ids.check_id`) before it is retrieved."""
    if isinstance(video_or_id, Video):
        if not isinstance(video_or_id.id, str) or not video_or_id.id:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"Expected a Video with an id (like 'video_abc123'), got {video_or_id!r}.")
        return video_or_id.id
    return check_id(video_or_id)


def check_args(chunk_size: int, max_retries: int) -> None:
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive number of bytes, got {chunk_size}.")
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}.")


def check_min_speed(min_speed: float, min_speed_window: float) -> None:
    for name, value in (("min_speed", min_speed), ("min_speed_window", min_speed_window)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
            raise ValueError(
                f"{name} must be a finite number >= 0 (bytes per second / seconds; min_speed=0 turns "
                f"the stall rule off), got {value!r}."
            )


def destination(path: str | os.PathLike[str], video: Video, overwrite: bool) -> Path:
    """Where the file goes, checked before any byte is fetched. A directory path (one that
    exists as a directory, or ends with a separator) is created if missing."""
    target = media_target(video)
    text: object = os.fspath(path)
    if not isinstance(text, str) or not text or "\x00" in text:
        raise DownloadError(
            f"Cannot save video {video.id} to {path!r}: that is not a usable path. Pass a file path "
            "(clip.mp4) or a directory (out/) to save as <dir>/<video_id>.mp4.",
            video_id=video.id,
        )
    is_dir = is_directory_path(text, exists_as_dir=os.path.isdir(os.path.expanduser(text)))
    dest = plan_destination(text, video_id=video.id, content_type=target.content_type, is_dir=is_dir)
    if is_dir:
        try:
            os.makedirs(dest.parent, exist_ok=True)
        except OSError as error:
            raise DownloadError(
                f"Cannot save video {video.id} in the directory {str(dest.parent)!r}: it could not be created "
                f"({error}). Pass a directory that exists or can be created, or a file path.",
                video_id=video.id,
                path=str(dest),
            ) from error
    if not dest.parent.is_dir():
        raise DownloadError(
            f"Cannot save video {video.id} to {str(dest)!r}: the directory {str(dest.parent)!r} does not "
            "exist. Create it first, or pass an existing directory to save as <dir>/<video_id>.mp4.",
            video_id=video.id,
            path=str(dest),
        )
    if dest.is_dir():
        raise DownloadError(
            f"Cannot save video {video.id} to {str(dest)!r}: a directory of that name is in the way.",
            video_id=video.id,
            path=str(dest),
        )
    if not overwrite and dest.exists():
        raise DownloadError(
            f"{str(dest)!r} already exists and overwrite=False; nothing was downloaded. Pass another path "
            "or overwrite=True (the old file is then replaced only once the new one is complete).",
            video_id=video.id,
            path=str(dest),
        )
    return dest


def media_request(
    http_client: Any,
    url: str,
    headers: Mapping[str, str],
    *,
    custom_headers: Mapping[str, str],
    extra_headers: Mapping[str, str] | None,
    api_key: str,
    timeout: Any,
) -> Any:
    request = http_client.build_request("GET", url, headers=headers, timeout=timeout)
    for name in headers_to_strip(
        request.headers.items(),
        custom_header_names=custom_headers,
        explicit_names=extra_headers or {},
        secret=api_key,
    ):
        del request.headers[name]
    return request


def open_temp(dest: Path) -> tuple[IO[bytes], str]:
    """A new hidden file beside ``dest``. Not ``mkstemp``: its files are 0600, and the video
    should end up with the permissions any new file gets (0666 minus the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(dest.parent / (temp_prefix(dest) + secrets.token_hex(4)))
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        # Default buffering: network chunks larger than the small buffer go straight to write().
        # A large (1 MiB) buffer measured no faster on tmpfs and up to 2x slower to a real disk
        # with the final fsync (benchmarks/RESULTS.md). The writer thread overlaps disk and
        # network; it has every file method used here (write, flush, fileno, seek, truncate, close).
        return cast("IO[bytes]", QueuedFileWriter(os.fdopen(fd, "wb"))), tmp
    raise FileExistsError(f"could not create a temporary file beside {dest}")


def fresh_temp(file: IO[bytes], tmp: str, dest: Path) -> tuple[IO[bytes], str]:
    """A new empty temporary file in place of ``tmp``: its bytes must not be kept."""
    fresh = open_temp(dest)
    remove(file, tmp)
    return fresh


def finish_file(file: IO[bytes], transfer: Transfer, tmp: str, dest: Path, overwrite: bool) -> None:
    """Flush to disk, check the size on disk, then move into place atomically: replacing what
    is there (``overwrite``), or never (a file that appeared meanwhile stays and wins)."""
    file.flush()
    os.fsync(file.fileno())
    transfer.verify_file(os.fstat(file.fileno()).st_size)
    file.close()
    if overwrite:
        os.replace(tmp, dest)
    else:
        place_new(tmp, dest, transfer)
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; not on Windows)
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def place_new(tmp: str, dest: Path, transfer: Transfer) -> None:
    """Put ``tmp`` at ``dest`` only if nothing is there, in one step: a hard link fails if the
    name exists (``exists()`` then ``replace()`` would race with a file appearing between)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise appeared(dest, transfer) from None
    except (OSError, NotImplementedError):  # no hard links here (FAT, some network file systems)
        copy_exclusive(tmp, dest, transfer)
    os.unlink(tmp)


def copy_exclusive(tmp: str, dest: Path, transfer: Transfer) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(dest, flags, 0o666)
    except FileExistsError:
        raise appeared(dest, transfer) from None
    try:
        with os.fdopen(fd, "wb") as out, open(tmp, "rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(dest)
        raise


def appeared(dest: Path, transfer: Transfer) -> DownloadError:
    return DownloadError(
        f"{str(dest)!r} appeared while video {transfer.target.video_id} was downloading, and overwrite=False: "
        "that file was left as it is and the download discarded. Pass another path, or overwrite=True.",
        video_id=transfer.target.video_id,
        path=str(dest),
    )


def restart_file(file: IO[bytes], offset: int) -> None:
    file.seek(offset)
    file.truncate(offset)


def remove(file: IO[bytes] | None, tmp: str | None) -> None:
    if file is not None:
        with contextlib.suppress(OSError):
            file.close()
    if tmp is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def wrap(error: BaseException, transfer: Transfer | None, video_id: str, dest: Path | None) -> BaseException:
    """The DownloadError to raise for an unexpected failure (None-safe context), or ``error`` itself."""
    if isinstance(error, DownloadError):
        return error
    done = transfer.bytes_done if transfer is not None else 0
    where = str(dest) if dest is not None else None
    if isinstance(error, OSError):
        return DownloadError(
            f"Could not write video {video_id} to {where!r}: {error}. Check that the directory is writable "
            "and has enough free space, then try again. Nothing was saved.",
            video_id=video_id,
            path=where,
            bytes_done=done,
        )
    if isinstance(error, openai.APIError) or is_httpx_error(error, "HTTPError"):
        return DownloadError(
            f"Could not download video {video_id}: {str(error).rstrip('.')}. Nothing was saved; the call is "
            "safe to repeat.",
            video_id=video_id,
            path=where,
            bytes_done=done,
        )
    if isinstance(error, Exception):  # the caller's own (an on_progress callback's): kept, with the id
        note_video_id(error, video_id, note=f"While downloading video {video_id}; nothing was saved.")
    return error

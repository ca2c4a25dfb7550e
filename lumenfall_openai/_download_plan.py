"""What a video download must verify, and what to do after each response: pure, no I/O.

``videos.download`` (its I/O loop: ``resources/_async/download_io.py`` and the generated sync twin) streams a
finished video from its ``output.url`` to a temporary file beside the destination and renames
it into place only once it is known good. Every decision along the way lives here, in a
:class:`Transfer` that the I/O loops feed with what happened (a response's status and headers,
a chunk's length, the end of a body, a network error) and that answers with what to do next:

- :class:`Accept` the body (writing from ``offset``; into a fresh temporary file when the bytes
  on disk must go, e.g. the server ignored our ``Range`` and sent the whole file again),
- :class:`Redirect` to another absolute ``http(s)`` URL (followed here, not by the HTTP library,
  so every hop is checked and a loop ends),
- :class:`Retry` after a pause (5xx, 429, a dropped connection, a short body), resuming with an
  HTTP ``Range`` from the bytes already on disk when that cannot splice two versions,
- :class:`Refresh` the Video once for a fresh URL (media URLs expire: 403/410 after
  ``expires_at``),
- :class:`Fail` with an error that says what to do,
- :class:`Complete` once exactly ``output.size_bytes`` bytes of a ``video/*`` file are written.

What "known good" means: the byte count equals ``output.size_bytes``; every response's
``Content-Length`` / ``Content-Range`` agree with it; the content type is a video (an HTML or
JSON error page served with 200 is not a video); a resumed range starts exactly where the file
on disk ends, and carries ``If-Range`` so a file that changed on the server is sent whole
instead of spliced.

What "always ends" means: at most ``max_retries + 1`` attempts in a row that bring no byte
beyond the furthest point reached so far (a restart from byte 0 is not progress), at most
:data:`ATTEMPTS_PER_RETRY` ``* (max_retries + 1)`` attempts in all (more for files over 16 MiB), at most
:data:`MAX_REDIRECTS` redirects per attempt, never a byte past ``output.size_bytes``, and a real
pause (:func:`retry_delay`) before every attempt that follows one without progress.

Why resuming never splices: a resume is sent only with a strong ``ETag`` or a ``Last-Modified``
taken from the response that started the file (as ``If-Range``), and its ``206`` is used only if
it carries that same validator; otherwise the bytes on disk are dropped and the file starts over
from byte 0 in a fresh temporary file. A host that sends no validator is therefore never resumed
mid-file: every attempt fetches the whole file.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ._polling import retry_after
from .errors import DownloadError, IntegrityError
from .types.video import Video

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MIN_SPEED",
    "DEFAULT_MIN_SPEED_WINDOW",
    "Accept",
    "Complete",
    "DownloadProgress",
    "Fail",
    "MediaTarget",
    "Redirect",
    "Refresh",
    "Retry",
    "Transfer",
    "content_end_error",
    "content_response_error",
    "content_transfer",
    "headers_to_strip",
    "is_directory_path",
    "media_target",
    "media_url_problem",
    "needs_retrieve",
    "plan_destination",
    "retry_delay",
    "safe_file_name",
    "temp_prefix",
]

DEFAULT_CHUNK_SIZE = 1024 * 1024
"""Write buffer size, and how often ``on_progress`` runs: big enough for full loopback speed,
small enough that memory stays flat (a transfer holds about one chunk plus one network read).

Bytes are taken from the network as they arrive, not re-chunked by the HTTP library: its
re-chunker drops what it buffered when the connection fails, and those bytes would have to be
fetched again; buffered in our file object, they are written before the transfer resumes."""

EXPIRY_MARGIN = 5.0
"""Seconds before ``expires_at`` from which a URL is treated as already expired (clock skew,
and the time the first bytes take to arrive)."""

# Statuses a media host (a signed-URL CDN) answers when the URL is no longer valid: expired or
# revoked signature (403), gone (410), purged (404), or an auth wall (401).
URL_INVALID_STATUSES = frozenset({401, 403, 404, 410})
# Worth another attempt: the server is busy or broke for a moment.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

_EXTENSIONS = {
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "video/x-matroska": ".mkv",
}
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.I)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

MAX_REDIRECTS = 10
"""Redirects one attempt may follow before the download fails (a loop ends here)."""
ATTEMPTS_PER_RETRY = 8
"""Requests in all (not counting redirects) per allowed failure: ``8 * (max_retries + 1)``, plus
one per :data:`BYTES_PER_EXTRA_ATTEMPT` of the file. A host that brings a few new bytes each
time is progress, but not forever."""
BYTES_PER_EXTRA_ATTEMPT = 16 * 1024 * 1024
DEFAULT_MIN_SPEED = 1024.0
"""Bytes per second below which an attempt counts as stalled (over :data:`DEFAULT_MIN_SPEED_WINDOW`)."""
DEFAULT_MIN_SPEED_WINDOW = 30.0
"""A big file on a flaky network may need more resumes: one more attempt per 16 MiB."""
QUICK_RESUMES = 3
"""Attempts within which a dropped connection that brought new bytes is resumed at once; after
that every attempt waits first, whatever the host does."""
MAX_NAME_CHARS = 120
"""Longest file name made from a video id (file systems allow 255 bytes; the temporary name
adds a prefix and suffix)."""
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{stem}{n}" for stem in ("COM", "LPT") for n in [*"123456789", "\u00b9", "\u00b2", "\u00b3"]}
)
"""Windows device names: ``CON.mp4`` opens the console, not a file, whatever the extension."""


def media_url_problem(url: object) -> str | None:
    """Why ``url`` must not be fetched, or None. Only absolute ``http(s)`` URLs with a host and
    no credentials: ``file:``, ``data:``, ``javascript:``, ``ftp:``, relative references and
    ``user:pass@host`` never reach the HTTP client."""
    if not isinstance(url, str) or not url:
        return "it is empty"
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url) or "\\" in url:
        return "it contains whitespace, control characters or backslashes"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        return f"it cannot be parsed ({error})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"its scheme is {parts.scheme + ':' if parts.scheme else 'missing (a relative URL)'}, not http(s)"
    if not host or not parts.netloc:
        return "it has no host"
    if "@" in parts.netloc:
        return "it carries credentials (user:password@host)"
    return None


def _url_for_message(url: object) -> str:
    """The URL without anything that may be a secret: credentials and the query string."""
    if not isinstance(url, str):
        return repr(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return repr(url[:60])
    host = parts.netloc.rsplit("@", 1)[-1]
    return repr(f"{parts.scheme}:{'//' + host if host else ''}{parts.path[:80]}")


def retry_delay(failures_in_a_row: int, attempts: int, *, dropped: bool, retry_after: float | None) -> float:
    """Seconds to wait before the next attempt: the back-off schedule, pure.

    A dropped connection right after an attempt that brought new bytes resumes at once, but only
    in the first :data:`QUICK_RESUMES` attempts; every other retry waits 0.25 s, doubling with each
    failure in a row up to 8 s. A server's ``Retry-After`` may lengthen the wait (up to 30 s),
    never shorten it.
    """
    if dropped and failures_in_a_row <= 1 and attempts <= QUICK_RESUMES:
        delay = 0.0
    else:
        delay = min(8.0, 0.25 * 2.0 ** max(0, failures_in_a_row - 1))
    if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
        delay = max(delay, min(retry_after, 30.0))
    return delay


@dataclass(frozen=True)
class DownloadProgress:
    """What ``download(on_progress=...)`` receives after every chunk written."""

    bytes_done: int
    """Bytes of the file on disk so far (drops back to 0 if the server forced a restart)."""
    bytes_total: int
    """``output.size_bytes``: the exact size of the finished file."""

    @property
    def fraction(self) -> float:
        """``bytes_done / bytes_total`` in [0, 1] (1.0 for an empty file)."""
        return 1.0 if self.bytes_total <= 0 else min(1.0, self.bytes_done / self.bytes_total)


@dataclass(frozen=True)
class MediaTarget:
    """What a completed Video promises about its file."""

    video_id: str
    url: str
    size_bytes: int
    content_type: str
    expires_at: int | None

    def expired(self, now_epoch: float) -> bool:
        return url_expired(self.expires_at, now_epoch)


def url_expired(expires_at: int | None, now_epoch: float) -> bool:
    """The one expiry rule: a media URL counts as expired ``EXPIRY_MARGIN`` seconds early."""
    return expires_at is not None and now_epoch >= expires_at - EXPIRY_MARGIN


def _expired_at_text(expires_at: int | None) -> str:
    if expires_at is None:
        return ""
    return " at " + datetime.fromtimestamp(expires_at, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def media_target(video: Video) -> MediaTarget:
    """What to fetch for ``video``, or a :class:`DownloadError` that says why there is nothing."""
    if video.status == "failed":
        reason = f" It failed: {video.error.code}: {video.error.message}" if video.error else " It failed."
        raise DownloadError(f"Video {video.id} has no file to download.{reason.rstrip('.')}.", video_id=video.id)
    if video.status == "completed" and video.output is None:
        # The server said completed but sent no usable output object (absent, or not an object).
        raise DownloadError(
            f"Video {video.id} is completed but has no output (no file URL, size or type), so there is "
            f"nothing to download. Retrieve it again (client.videos.retrieve({video.id!r})); if it "
            "persists, report the video id to Lumenfall support.",
            video_id=video.id,
        )
    if video.status != "completed" or video.output is None:
        raise DownloadError(
            f"Video {video.id} is {video.status!r}, not 'completed', so there is nothing to download yet. "
            f"Wait for it first: client.videos.poll({video.id!r}), then download.",
            video_id=video.id,
        )
    output = video.output
    if not isinstance(output.url, str) or not output.url:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise DownloadError(f"Video {video.id} is completed but has no output.url.", video_id=video.id)
    problem = media_url_problem(output.url)
    if problem is not None:
        raise DownloadError(
            f"Video {video.id}'s output.url {_url_for_message(output.url)} will not be fetched: {problem}. Only "
            "absolute http(s) URLs without credentials are downloaded. Nothing was requested; retrieve the "
            "video again, and if it persists report the video id to Lumenfall support.",
            video_id=video.id,
        )
    size = output.size_bytes
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise IntegrityError(
            f"Video {video.id} reports output.size_bytes={size!r}, so the download cannot be verified. "
            "Retrieve the video again; if it persists, report it to Lumenfall support.",
            video_id=video.id,
        )
    return MediaTarget(
        video_id=video.id,
        url=output.url,
        size_bytes=size,
        content_type=output.content_type if isinstance(output.content_type, str) else "",  # pyright: ignore[reportUnnecessaryIsInstance]
        expires_at=video.expires_at,
    )


def needs_retrieve(video: Video, now_epoch: float) -> bool:
    """Whether a Video object passed to ``download`` must be fetched again first.

    A completed Video whose URL is still valid is used as is (no extra request). A failed one
    is final. Anything else may be stale: a job seen ``in_progress`` may be done by now, and an
    expired URL may have a fresh successor.
    """
    if video.status == "failed":
        return False
    if video.status != "completed" or video.output is None:
        return True
    return url_expired(video.expires_at, now_epoch)


def safe_file_name(video_id: str) -> str:
    """A file name (without extension) for ``video_id`` that is valid on every common file
    system and cannot leave the directory: ASCII letters, digits, ``.``, ``_`` and ``-`` only,
    no leading dot (hidden) or trailing dot or space, not a Windows device name, at most
    :data:`MAX_NAME_CHARS` characters. An id that had to change gets a short hash of the
    original appended, so two different ids never share a file."""
    name = _UNSAFE_NAME.sub("_", video_id).strip(". ")[:MAX_NAME_CHARS].rstrip(". ")
    if name == video_id and name.split(".", 1)[0].upper() not in _RESERVED_NAMES:
        return name
    digest = hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name[: MAX_NAME_CHARS - 13] or 'video'}-{digest}"


def is_directory_path(path: str | os.PathLike[str], *, exists_as_dir: bool) -> bool:
    """Whether ``path`` names a directory: it exists as one, or it ends with a separator
    (``"out/"``; a ``pathlib.Path`` cannot, as it drops the trailing separator)."""
    text = os.fspath(path)
    separators = tuple(sep for sep in (os.sep, os.altsep, "/") if sep)
    return exists_as_dir or text.endswith(separators)


def plan_destination(path: str | os.PathLike[str], *, video_id: str, content_type: str, is_dir: bool) -> Path:
    """Where the file goes. A directory gets ``<dir>/<safe id>.mp4`` (the extension follows the
    content type, the name :func:`safe_file_name`); anything else is the file path itself."""
    dest = Path(os.fspath(path)).expanduser()
    if is_dir:
        media_type = content_type.split(";", 1)[0].strip().lower()
        return dest / (safe_file_name(video_id) + _EXTENSIONS.get(media_type, ".mp4"))
    return dest


def temp_prefix(dest: Path) -> str:
    """Prefix of the temporary file beside ``dest``: hidden, clearly a partial download, and
    short enough that the random suffix still fits a 255-byte file name."""
    name = dest.name
    while len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_CHARS:
        name = name[: len(name) - 1]
    return f".{name}.part-"


def headers_to_strip(
    header_items: Iterable[tuple[str, str]],
    *,
    custom_header_names: Iterable[str],
    explicit_names: Iterable[str],
    secret: str | None,
) -> list[str]:
    """Names of headers that must not reach the media host.

    ``Authorization`` always. Unless the caller passed the same name explicitly for this
    download: cookies the HTTP client may hold for the API's domain, and the client's custom
    headers (``default_headers``, which may carry credentials for Lumenfall). And any header
    whose value contains the API key, whatever its name, explicit or not (a key in a CDN's logs
    is a leaked key).
    """
    explicit = {name.lower() for name in explicit_names}
    unwanted = ({"cookie"} | {name.lower() for name in custom_header_names}) - explicit
    strip: list[str] = []
    for name, value in header_items:
        lower = name.lower()
        leaks_key = secret is not None and secret != "" and secret in value
        if (lower == "authorization" or lower in unwanted or leaks_key) and lower not in strip:
            strip.append(lower)
    return strip


@dataclass(frozen=True)
class Accept:
    """Write this response's body, starting at ``offset``. If ``restart``, first replace the
    temporary file with a new empty one: what it holds must not be kept (another attempt's or
    another version's bytes)."""

    offset: int
    restart: bool = False


@dataclass(frozen=True)
class Redirect:
    """Send the same request (same ``Range``) to ``url``: an absolute http(s) URL, already checked."""

    url: str


@dataclass(frozen=True)
class Retry:
    """Close the response, wait ``delay`` seconds, and send a new request (resuming if possible)."""

    delay: float
    reason: str


@dataclass(frozen=True)
class Refresh:
    """Retrieve the Video for a fresh ``output.url`` (then call :meth:`Transfer.refreshed`)."""

    reason: str


@dataclass(frozen=True)
class Fail:
    error: DownloadError


@dataclass(frozen=True)
class Complete:
    """Every byte is on disk and verified: move the temporary file into place."""


Action = Accept | Redirect | Retry | Refresh | Fail | Complete


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _content_codings(value: str | None) -> str:
    """The codings a Content-Encoding applies, ``identity`` and blanks left out ("" = the body is
    the file's bytes as they are). A list is read whole: ``identity, gzip`` and
    ``identity;q=1, gzip`` are gzip, whatever their first token says."""
    codings = (part.split(";", 1)[0].strip().lower() for part in (value or "").split(","))
    return ", ".join(coding for coding in codings if coding not in ("", "identity"))


def _parse_int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


@dataclass
class Transfer:
    """One download of one file, across every request it takes."""

    target: MediaTarget
    path: str = ""
    max_retries: int = 3
    """Attempts in a row that may fail without bringing any new byte before giving up."""
    refreshes_left: int = 1
    """Fresh-URL retrieves allowed after the media host refuses the URL (403/410/...)."""
    bytes_done: int = 0
    """Bytes of the current temporary file (what the next ``Range`` resumes from)."""
    furthest: int = 0
    """The most bytes any attempt has had on disk: only going beyond it is progress, so a
    server that restarts from byte 0 every time is failing, however many bytes it sends."""
    failures_in_a_row: int = 0
    attempts: int = 0
    redirects: int = 0
    """Redirects followed in the current attempt."""
    resumable: bool = True
    """False once a response came content-encoded: byte offsets then no longer mean file offsets."""
    validator: str | None = None
    """``ETag`` (or ``Last-Modified``) of the response that started the file, sent as
    ``If-Range`` on a resume and required on the partial answer."""
    validator_header: str = "etag"
    min_speed: float = DEFAULT_MIN_SPEED
    """Bytes per second an attempt must average over each ``min_speed_window``; slower, it is a
    failed attempt (curl's --speed-limit/--speed-time), so a host trickling a byte per read
    timeout cannot keep one attempt alive for ever. 0 turns the rule off."""
    min_speed_window: float = DEFAULT_MIN_SPEED_WINDOW
    stalled: bool = False
    """The current attempt was too slow: stop reading, :meth:`on_body_end` then retries."""
    _window_start: float | None = None
    _window_bytes: int = 0
    _hop_url: str | None = None
    _dirty: bool = False
    _response_end: int = -1
    _furthest_at_attempt_start: int = 0
    _reported: int = -1

    # -- what to send ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where the next request goes: ``output.url``, or the redirect being followed."""
        return self._hop_url or self.target.url

    @property
    def total(self) -> int:
        return self.target.size_bytes

    @property
    def max_attempts(self) -> int:
        """Requests in all (redirects aside) before the download gives up, progress or not."""
        return ATTEMPTS_PER_RETRY * (self.max_retries + 1) + self.total // BYTES_PER_EXTRA_ATTEMPT

    @property
    def body_is_identity(self) -> bool:
        """The accepted response's body is the file's bytes as they are (no content encoding):
        the loop may read it raw. An encoded body (a 200 only; an encoded 206 is refused) must
        be decoded by the HTTP library."""
        return self.resumable

    def can_resume(self) -> bool:
        """A resume needs bytes on disk, identity encoding and a validator: without one, the
        rest of the file could come from another version of it (a splice)."""
        return self.bytes_done > 0 and self.resumable and self.validator is not None

    def next_request_headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Start an attempt. Headers for it: identity encoding (so byte offsets are file
        offsets) and, when resuming, ``Range`` from the end of what is on disk plus ``If-Range``.
        When it cannot resume, the whole file is asked for and the bytes on disk will go."""
        self.attempts += 1
        self.redirects = 0
        self.stalled = False
        self._window_start = None
        self._hop_url = None
        self._furthest_at_attempt_start = self.furthest
        headers = {"Accept": "video/*, */*;q=0.5", "Accept-Encoding": "identity", **(extra or {})}
        if self.can_resume():
            headers["Range"] = f"bytes={self.bytes_done}-"
            headers["If-Range"] = self.validator or ""
        else:
            self.bytes_done = 0
        return headers

    # -- errors ---------------------------------------------------------------------------
    def _download_error(self, message: str, *, media_gone: bool = False) -> DownloadError:
        return DownloadError(
            message, video_id=self.target.video_id, path=self.path, bytes_done=self.bytes_done, media_gone=media_gone
        )

    def _integrity_error(self, message: str) -> IntegrityError:
        return IntegrityError(message, video_id=self.target.video_id, path=self.path, bytes_done=self.bytes_done)

    def _retry(self, reason: str, hint: float | None = None, *, dropped: bool = False) -> Retry | Fail:
        if self.furthest > self._furthest_at_attempt_start:
            self.failures_in_a_row = 0  # the last attempt brought new bytes: the transfer is moving
        self._furthest_at_attempt_start = self.furthest
        self.failures_in_a_row += 1
        if self.failures_in_a_row > self.max_retries:
            return Fail(
                self._download_error(
                    f"Downloading video {self.target.video_id} failed {self.failures_in_a_row} times in a row "
                    f"without progress (last: {reason}); {self.furthest} of {self.total} bytes had arrived "
                    "and were discarded. The media host or the network is failing; try again later (the "
                    "call is safe to repeat)."
                )
            )
        if self.attempts >= self.max_attempts:
            return Fail(
                self._download_error(
                    f"Downloading video {self.target.video_id} gave up after {self.attempts} requests (last: "
                    f"{reason}); {self.furthest} of {self.total} bytes had arrived and were discarded. The "
                    "media host keeps breaking off; try again later (the call is safe to repeat)."
                )
            )
        return Retry(retry_delay(self.failures_in_a_row, self.attempts, dropped=dropped, retry_after=hint), reason)

    # -- what came back -------------------------------------------------------------------
    def on_response(self, status: int, headers: Mapping[str, str]) -> Action:
        """Decide about a response from its status line and headers, before reading the body."""
        if status in _REDIRECT_STATUSES:
            return self._redirect(status, headers.get("location"))
        if status in URL_INVALID_STATUSES:
            if self.refreshes_left > 0:
                self.refreshes_left -= 1
                return Refresh(f"the media host answered {status}")
            return Fail(self._expired_error(status))
        if status in TRANSIENT_STATUSES or 500 <= status <= 599:
            return self._retry(f"HTTP {status} from the media host", retry_after(headers))
        if status == 416:
            return Fail(
                self._integrity_error(
                    f"The media host says video {self.target.video_id}'s file is shorter than the "
                    f"{self.bytes_done} bytes already downloaded (416, Content-Range "
                    f"{headers.get('content-range')!r}); output.size_bytes is {self.total}. The file on the "
                    "server changed or is broken; retrieve the video and try again."
                )
            )
        if status not in (200, 206):
            return Fail(
                self._download_error(
                    f"The media host answered HTTP {status} for video {self.target.video_id}'s file; expected "
                    "the file itself (200 or 206). Nothing was saved. Retrieve the video and try again; if it "
                    "persists, report the video id to Lumenfall support."
                )
            )
        problem = self._content_type_problem(headers.get("content-type"))
        if problem:
            return Fail(self._integrity_error(problem))
        encoded = _content_codings(headers.get("content-encoding")) != ""
        if status == 200:
            return self._accept_full(headers, encoded)
        return self._accept_range(headers, encoded)

    def _redirect(self, status: int, location: str | None) -> Redirect | Fail:
        if not location:
            return Fail(
                self._download_error(
                    f"The media host answered {status} (a redirect) for video {self.target.video_id} without "
                    "saying where to. Nothing was saved. Try again; if it persists, report the video id."
                )
            )
        self.redirects += 1
        if self.redirects > MAX_REDIRECTS:
            return Fail(
                self._download_error(
                    f"The media host redirected the download of video {self.target.video_id} more than "
                    f"{MAX_REDIRECTS} times (last to {_url_for_message(location)}): a redirect loop. Nothing was "
                    "saved. Try again later; if it persists, report the video id to Lumenfall support."
                )
            )
        # A relative Location resolves against the URL that sent it (RFC 9110): the result is
        # then an absolute URL like any other, checked the same way.
        try:
            url = urljoin(self.url, location.strip())
        except ValueError:
            url = location
        problem = media_url_problem(url)
        if problem is not None:
            return self.on_unusable_location(problem, url)
        self._hop_url = url
        return Redirect(url)

    def on_unusable_location(self, problem: str, url: str | None = None) -> Fail:
        """A redirect to somewhere that must not be fetched (or that cannot even be parsed)."""
        where = f" to {_url_for_message(url)}" if url is not None else ""
        return Fail(
            self._download_error(
                f"The media host redirected the download of video {self.target.video_id}{where}, which will "
                f"not be followed: {problem}. Only absolute http(s) URLs without credentials are. Nothing was "
                "saved; report the video id to Lumenfall support."
            )
        )

    def _content_type_problem(self, header: str | None) -> str | None:
        """Why the body is not the video, or None. A host that sends no type gets the benefit of
        the Video's own ``output.content_type``; one that names another type than it is not it."""
        sent, promised = _media_type(header), _media_type(self.target.content_type)
        media_type = sent or promised
        if not media_type.startswith("video/"):
            return (
                f"The media host sent {media_type or 'no content type'!r} for video {self.target.video_id}, "
                "not a video (video/*): likely an error page, not the file. Nothing was saved. Retrieve the "
                "video and try again; if it persists, report the video id to Lumenfall support."
            )
        if sent and promised and sent != promised:
            return (
                f"The media host sent {sent!r} for video {self.target.video_id}, but the video's "
                f"output.content_type is {promised!r}: not the file the job made. Nothing was saved. "
                "Retrieve the video and try again; if it persists, report the video id to Lumenfall support."
            )
        return None

    def _accept_full(self, headers: Mapping[str, str], encoded: bool) -> Action:
        length = _parse_int(headers.get("content-length"))
        if not encoded and length is not None and length != self.total:
            return Fail(
                self._integrity_error(
                    f"The media host is sending {length} bytes for video {self.target.video_id}, but the "
                    f"video's output.size_bytes is {self.total}. Nothing was saved. Retrieve the video and "
                    "try again; if it persists, report the video id to Lumenfall support."
                )
            )
        self.resumable = not encoded
        self._remember_validator(headers)
        return self._start(0, self.total)

    def _accept_range(self, headers: Mapping[str, str], encoded: bool) -> Action:
        match = _CONTENT_RANGE.match(headers.get("content-range") or "")
        if match is None or encoded:
            return Fail(
                self._integrity_error(
                    f"The media host answered 206 for video {self.target.video_id} with Content-Range "
                    f"{headers.get('content-range')!r}"
                    + (" and a content encoding" if encoded else "")
                    + "; the bytes cannot be placed in the file. Try again; if it persists, report it."
                )
            )
        first, last, total = int(match.group(1)), int(match.group(2)), match.group(3)
        length = _parse_int(headers.get("content-length"))
        problems: list[str] = []
        if first != self.bytes_done:
            problems.append(f"it starts at byte {first}, not at {self.bytes_done} where the file ends")
        if total != "*" and int(total) != self.total:
            problems.append(f"it says the file has {total} bytes, not output.size_bytes={self.total}")
        if last < first or last >= self.total:
            problems.append(f"its end {last} is outside the file")
        if length is not None and length != last - first + 1:
            problems.append(f"its Content-Length {length} does not match the range")
        if problems:
            return Fail(
                self._integrity_error(
                    f"The media host's partial answer for video {self.target.video_id} does not fit: "
                    + "; ".join(problems)
                    + ". Nothing was saved. Retrieve the video and try again."
                )
            )
        if first == 0:
            self._remember_validator(headers)  # a new start: this answer's version is the file's
        elif self.validator is None or headers.get(self.validator_header) != self.validator:
            # The host may have ignored If-Range: these bytes could be from another version of
            # the file. Never splice: drop what is on disk and fetch the whole file again.
            sent = headers.get(self.validator_header)
            self.bytes_done = 0
            self.validator = None
            return self._retry(
                f"the partial answer's {self.validator_header} {sent!r} does not prove it is the same file"
            )
        return self._start(first, last + 1)

    def _start(self, offset: int, end: int) -> Accept:
        restart = offset == 0 and self._dirty
        if restart:
            self._dirty = False
        self.bytes_done = offset
        self._response_end = end
        return Accept(offset, restart=restart)

    def _remember_validator(self, headers: Mapping[str, str]) -> None:
        etag = headers.get("etag")
        if etag and not etag.strip().startswith("W/"):  # If-Range needs a strong validator
            self.validator, self.validator_header = etag, "etag"
        else:
            self.validator, self.validator_header = headers.get("last-modified") or None, "last-modified"

    def on_chunk(self, size: int, now: float | None = None) -> None:
        """Account for ``size`` more bytes about to be written; raises :class:`IntegrityError`
        before writing anything past ``output.size_bytes`` (or past the range the response
        announced). ``now`` (a monotonic clock) feeds the stall rule; when it sets
        :attr:`stalled`, the caller stops reading this body."""
        if now is not None:
            self._check_speed(size, now)
        end = self.total if self._response_end < 0 else self._response_end
        if self.bytes_done + size > end:
            beyond = f"output.size_bytes={self.total}" if end == self.total else f"its Content-Range (end {end})"
            raise self._integrity_error(
                f"The media host sent more than {beyond} bytes for video "
                f"{self.target.video_id}. Nothing was saved. Retrieve the video and try again; if it "
                "persists, report the video id to Lumenfall support."
            )
        self.bytes_done += size
        self._dirty = self._dirty or size > 0
        self.furthest = max(self.furthest, self.bytes_done)

    def _check_speed(self, size: int, now: float) -> None:
        if self._window_start is None:
            self._window_start, self._window_bytes = now, 0
        self._window_bytes += size
        elapsed = now - self._window_start
        if self.min_speed <= 0 or elapsed < self.min_speed_window:
            return
        if self._window_bytes < self.min_speed * elapsed:
            self.stalled = True
        self._window_start, self._window_bytes = now, 0

    def on_body_end(self) -> Action:
        """The body ended without a network error (or the caller stopped reading a stalled one)."""
        if self.stalled and self.bytes_done < self.total:
            return self._retry(
                f"the media host sent under {self.min_speed:g} bytes/s for {self.min_speed_window:g} s "
                f"({self.bytes_done} of {self.total} bytes)",
                dropped=True,
            )
        if self.bytes_done == self.total:
            return Complete()
        return self._retry(f"the body ended after {self.bytes_done} of {self.total} bytes", dropped=True)

    def on_transport_error(self, error: BaseException) -> Action:
        """A connection failed, timed out or dropped before or during the body."""
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return self._retry(reason, dropped=True)

    def refreshed(self, video: Video, now_epoch: float) -> Fail | None:
        """The Video retrieved after the URL was refused: None to go on with its URL, or Fail."""
        try:
            target = media_target(video)  # the video may no longer be completed
        except DownloadError as error:
            return Fail(error)
        if target.expired(now_epoch) and target.url == self.target.url:
            # Same URL, past its expiry: asking the media host again cannot help.
            self.target = target
            self.refreshes_left = 0
            return Fail(self._expired_error(None))
        if target.size_bytes != self.target.size_bytes:
            # A different file: nothing on disk can be kept.
            self.bytes_done = 0
            self.furthest = 0
            self.validator = None
        self.target = target
        self._hop_url = None
        return None

    def _expired_error(self, status: int | None) -> DownloadError:
        answered = f" (the media host answered {status})" if status is not None else ""
        if status in (401, 404):
            cause = "the file was removed or the URL revoked"
        else:
            cause = f"the file expired{_expired_at_text(self.target.expires_at)}"
        return self._download_error(
            f"The download URL of video {self.target.video_id} no longer works{answered}, even after "
            f"retrieving the video for a fresh one: {cause}. Lumenfall keeps media about an hour by "
            "default: download soon after completion (or enable 7- or 30-day media retention for your "
            "account). To get the video now, generate it again. Nothing was saved.",
            media_gone=True,
        )

    def progress(self) -> DownloadProgress:
        self._reported = self.bytes_done
        return DownloadProgress(self.bytes_done, self.total)

    def progress_due(self, every: int) -> DownloadProgress | None:
        """A progress report if ``every`` bytes arrived since the last one (or the file is
        complete, or a restart went back): callbacks run per chunk, not per network read."""
        if abs(self.bytes_done - self._reported) >= every or (
            self.bytes_done == self.total and self._reported != self.total
        ):
            return self.progress()
        return None

    def verify_file(self, size_on_disk: int) -> None:
        """The last check before the rename: the file on disk is exactly the promised size."""
        if size_on_disk != self.total or self.bytes_done != self.total:
            raise self._integrity_error(
                f"The downloaded file for video {self.target.video_id} has {size_on_disk} bytes on disk "
                f"({self.bytes_done} received); output.size_bytes is {self.total}. It was discarded. "
                "Try again."
            )


# -- download_content: one request, the body held in memory ---------------------------------
# download_content reuses Transfer's decisions for a single attempt (no retries, no refresh):
# redirects, status, content type and Content-Length are judged exactly as for download().


def content_transfer(target: MediaTarget) -> Transfer:
    """The :class:`Transfer` that judges ``download_content``'s one attempt (redirects included)."""
    return Transfer(target, max_retries=0, refreshes_left=0)


def content_response_error(transfer: Transfer, status: int, headers: Mapping[str, str]) -> DownloadError | None:
    """Why a 2xx answer to ``download_content`` is not the promised video, or None; decided from
    the status line and headers, before any of the body is read.

    On top of download()'s checks, a content encoding is refused: ``Accept-Encoding: identity``
    was asked for, and a compressed body of ``size_bytes`` bytes may expand without bound."""
    action = transfer.on_response(status, headers)
    if isinstance(action, Fail):
        return action.error
    if not isinstance(action, Accept) or action.offset != 0:
        return IntegrityError(
            f"The media host answered HTTP {status} for video {transfer.target.video_id} where the whole file "
            "was expected. Nothing was kept. Retrieve the video and try again; if it persists, report the "
            "video id to Lumenfall support.",
            video_id=transfer.target.video_id,
        )
    encoding = _content_codings(headers.get("content-encoding"))
    if encoding:
        return IntegrityError(
            f"The media host sent video {transfer.target.video_id}'s file with Content-Encoding {encoding!r} "
            "although none was asked for, so its size cannot be checked as it arrives. Nothing was kept. Use "
            "client.videos.download(), or report the video id to Lumenfall support.",
            video_id=transfer.target.video_id,
        )
    return None


def content_end_error(transfer: Transfer) -> IntegrityError | None:
    """Why a body that ended cleanly is not the whole file, or None."""
    if transfer.bytes_done == transfer.total:
        return None
    return IntegrityError(
        f"The media host's body for video {transfer.target.video_id} ended after {transfer.bytes_done} bytes; "
        f"output.size_bytes is {transfer.total}. The file is incomplete and must not be used. Try again, or use "
        "client.videos.download() (it resumes and verifies).",
        video_id=transfer.target.video_id,
        bytes_done=transfer.bytes_done,
    )

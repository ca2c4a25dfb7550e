"""What an openai error must also say: which host could not be reached and why; which job it was about.

openai raises ``APIConnectionError("Connection error.")`` whatever happened (refused, DNS,
TLS, reset), with the real cause buried in ``__cause__``; and an error raised while waiting for
a job does not say which job. These helpers add that to the error *in place*: same object, same
class, same traceback, so ``except openai.APIConnectionError`` / ``except openai.NotFoundError``
keep working, and ``str(error)`` tells the person what failed and what to do.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import openai

__all__ = [
    "add_connection_detail",
    "add_video_id",
    "connection_failure_message",
    "note_video_id",
    "reporting_video_id",
]

_Callback = TypeVar("_Callback", bound=Callable[..., Any])

_MAX_CHAIN = 16  # a cause chain is short; this only guards against a cycle


def _host_of(error: openai.APIConnectionError) -> str | None:
    try:
        url = error.request.url
    except Exception:  # no request attached (built by hand): nothing to name
        return None
    host = url.host
    if not host:
        return None
    port = url.port or {"https": 443, "http": 80}.get(url.scheme)
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def _root_cause(error: BaseException) -> BaseException | None:
    """The most specific cause in the chain: an ``OSError`` (``[Errno 111] Connection refused``)
    if there is one, else the deepest exception that says anything."""
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [error.__cause__, error.__context__]
    while pending and len(chain) < _MAX_CHAIN:  # both links: a cause may hide the OSError in its context
        current = pending.pop(0)
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        pending += [current.__cause__, current.__context__]
    for candidate in reversed(chain):
        if isinstance(candidate, OSError) and str(candidate):
            return candidate
    for candidate in reversed(chain):
        if str(candidate):
            return candidate
    return chain[-1] if chain else None


# The HTTP library quotes an illegal header's value in its error, and a header may hold the key:
# the cause is shown without any header value or bearer token.
_HEADER_VALUE = re.compile(r"(?i)(header (?:value|name))\s*(?:b?(['\"]).*?\2|\S+)", re.S)
_BEARER = re.compile(r"(?i)\b(bearer)\s+\S+")


def _redacted(text: str) -> str:
    text = _HEADER_VALUE.sub(r"\1 (not shown: it may hold a secret)", text)
    return _BEARER.sub(r"\1 ***", text)


def connection_failure_message(error: openai.APIConnectionError) -> str:
    """``Could not connect to api.lumenfall.ai:443: [Errno 111] Connection refused``, or its timeout twin."""
    host = _host_of(error) or "the server"
    cause = _root_cause(error)
    detail = _redacted(str(cause) or type(cause).__name__) if cause is not None else "no further detail"
    if "header" in detail.lower() and not isinstance(cause, OSError):
        # Not the network: a header (the key, extra_headers, default_headers) could not be sent.
        return (
            f"Could not send the request to {host}: {detail}. A header has a value HTTP does not allow "
            "(look for spaces, line breaks or control characters in the API key, extra_headers or "
            "default_headers)."
        )
    if isinstance(error, openai.APITimeoutError):
        return (
            f"Request to {host} timed out ({detail}). Check your network, or pass a longer timeout= "
            "(the client's default or per call)."
        )
    return (
        f"Could not connect to {host}: {detail}. Check your network and LUMENFALL_BASE_URL "
        "(or the client's base_url), then try again."
    )


def _set_message(error: openai.APIError, message: str) -> None:
    error.message = message
    error.args = (message, *error.args[1:])


def add_connection_detail(error: openai.APIConnectionError) -> openai.APIConnectionError:
    """Replace openai's bare "Connection error." with one that names the host and the cause."""
    if not getattr(error, "_lumenfall_detailed", False):
        _set_message(error, connection_failure_message(error))
        error._lumenfall_detailed = True  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    return error


def add_video_id(error: BaseException, video_id: str) -> BaseException:
    """Give an error raised while waiting for ``video_id`` the id (attribute and message).

    Errors that already carry one (``WaitInterruptedError``, ``VideoFailedError``) are left alone.
    """
    if not isinstance(error, openai.APIError) or getattr(error, "video_id", None) is not None:
        return error
    error.video_id = video_id  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    _set_message(
        error,
        f"{error.message} (while waiting for video {video_id}; the job may still be running: fix the cause, "
        f"then resume with client.videos.poll({video_id!r}))",
    )
    return error


def note_video_id(error: BaseException, video_id: str, *, note: str | None = None) -> BaseException:
    """Tell a user's own exception (from an ``on_progress`` callback, say) which job it interrupted.

    Its type and message stay as they are, so the caller's ``except`` still matches; the id goes
    on as ``error.video_id`` and, on Python 3.11+, as a note shown under the traceback. An error
    that already names a job is left alone.
    """
    if getattr(error, "video_id", None) is not None:
        return error
    with contextlib.suppress(AttributeError, TypeError):  # an exception type with __slots__: the note must do
        error.video_id = video_id  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    add_note: object = getattr(error, "add_note", None)
    if callable(add_note):
        add_note(
            note
            or f"While waiting for video {video_id}: the job goes on and may be billed. Resume with "
            f"client.videos.poll({video_id!r})."
        )
    return error


async def _noting(pending: Awaitable[Any], video_id: str) -> Any:
    try:
        return await pending
    except Exception as error:
        note_video_id(error, video_id)
        raise


def reporting_video_id(callback: _Callback | None, video_id: str) -> _Callback | None:
    """``callback`` (sync or async), whose exceptions carry ``video_id`` (see :func:`note_video_id`):
    a crashed progress bar must not lose the job it was drawing."""
    if callback is None:
        return None
    report = callback

    def reporting(*args: Any) -> Any:
        try:
            result = report(*args)
        except Exception as error:
            note_video_id(error, video_id)
            raise
        return _noting(result, video_id) if inspect.isawaitable(result) else result

    return reporting  # type: ignore[return-value]  # pyright: ignore[reportReturnType]

"""What a paid request's outcome means, and reading its answer so that nothing escapes as a raw error.

Pure decisions (no I/O) shared by the sync and async twins of ``videos.create`` and
``images.generate/edit`` and by the ledger:

- :func:`may_have_started`: could the request have started (and billed) a job? Only a definite
  refusal says no; a lost answer, a timeout, a 5xx, an unreadable 2xx or an interruption
  mid-request all say "maybe", and money and job ids are then kept as if it had.
- :func:`parse_answer`: parse a raw response, turning any non-openai parsing error (JSON, pydantic,
  ``TypeError``, ...) into :class:`~lumenfall_openai.errors.ResponseParseError`, and checking the
  result is the type asked for (a Video needs an id: without one the job cannot be found).
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, get_origin

import openai

from ._compat import RAW_RESPONSE_HEADER, RAW_RESPONSE_TYPES, Headers
from ._ids import check_id, requested_video_id
from .errors import ResponseParseError

if TYPE_CHECKING:
    from .types._base import LumenfallModel
    from .types.video import Video

__all__ = [
    "ParseableResponse",
    "caller_wants_raw",
    "checked_answer",
    "may_have_started",
    "ours",
    "parse_answer",
    "raise_if_other_video",
    "requested_video_id",
    "unreadable_answer",
]

_T = TypeVar("_T")

# The most of an unreadable body kept on the error (enough to see what came back; bounded, so a
# hostile multi-megabyte answer is not held in memory by a logged exception).
_BODY_KEPT = 2_000


class ParseableResponse(Protocol):
    """What this module needs of openai's raw response (``LegacyAPIResponse``)."""

    @property
    def http_response(self) -> Any: ...

    def parse(self) -> Any: ...


@functools.cache
def _answer_types() -> tuple[type[LumenfallModel], type[Video]]:
    # Imported with the first answer checked, not with the package (pydantic builds the models'
    # classes on import: about a third of the package's own import time, which a client that
    # only chats never needs).
    from .types._base import LumenfallModel
    from .types.video import Video

    return LumenfallModel, Video


def may_have_started(error: BaseException) -> bool:
    """False only when the request surely made no job: a 4xx answer (except 408, which a proxy
    sends for a request it may have forwarded).

    Anything else is "maybe": a lost answer, a timeout, a 5xx, an unreadable 2xx, an interruption
    (KeyboardInterrupt, task cancellation), and any other exception out of the request code. The
    arguments are checked before the request code runs, so what is raised there comes from the
    HTTP layer (a custom http client, an event hook, a client used across event loops), which
    can fail after the request went out: an unknown outcome is treated as a job that exists."""
    if isinstance(error, openai.APIStatusError):
        return not (400 <= error.status_code < 500 and error.status_code != 408)
    return True


def caller_wants_raw(extra_headers: Headers | None) -> bool:
    """True when the call came through ``with_raw_response`` / ``with_streaming_response``: the
    caller parses the answer, so it must be handed back unparsed."""
    value: object = (extra_headers or {}).get(RAW_RESPONSE_HEADER)
    return isinstance(value, str) and bool(value)


def _body_text(response: Any) -> str:
    try:
        text: object = response.text
    except Exception:  # undecodable bytes: what matters is that it was not readable
        return "<unreadable body>"
    return text[:_BODY_KEPT] if isinstance(text, str) else "<unreadable body>"


def parse_answer(
    raw: ParseableResponse, expected: type[_T], *, what: str, require_id: bool = False, video_id: str | None = None
) -> _T:
    """``raw.parse()``, as ``expected``, or :class:`ResponseParseError` (cause chained).

    ``require_id``: the object must carry a non-empty string ``id`` (a Video without one is a
    job that cannot be found again, so it is not an answer). ``video_id`` (implies
    ``require_id``): the job asked for; an answer about another job is refused too."""
    response = raw.http_response
    try:
        parsed: object = raw.parse()
    except openai.OpenAIError:
        raise
    except Exception as error:
        raise _parse_error(response, what, f"{type(error).__name__}: {error}") from error
    if not isinstance(parsed, expected):
        raise _parse_error(response, what, f"it is a {type(parsed).__name__}, not the expected object")
    if require_id or video_id is not None:
        ident: object = getattr(parsed, "id", None)
        try:  # an id that is not one path segment ("../x") could never be polled: not an answer
            check_id(ident)
        except (TypeError, ValueError):
            shown = ident[:200] if isinstance(ident, str) else type(ident).__name__
            raise _parse_error(response, what, f"it has no usable id (id={shown!r})") from None
    if video_id is not None:
        _refuse_other_video(parsed, video_id, response, what)
    return parsed


def _refuse_other_video(parsed: object, video_id: str, response: Any, what: str) -> None:
    """A Video about another job than ``video_id`` (a caching proxy or gateway mix-up) is not an
    answer: waiting would return, and downloading save, someone else's job under this id, and
    the ledger would bill it. Refused with a ResponseParseError that carries ``video_id``."""
    if not isinstance(parsed, _answer_types()[1]) or parsed.id == video_id:
        return
    answered = parsed.id[:200] if isinstance(parsed.id, str) else type(parsed.id).__name__
    error = ResponseParseError(
        response=response,
        body=_body_text(response),
        message=(
            f"Lumenfall answered {what} with video {answered!r}, not the video {video_id!r} asked for, so "
            "the answer was not used (a proxy or cache between you and Lumenfall mixed up jobs). "
            f"Video {video_id} is unaffected: check it again with client.videos.retrieve({video_id!r})."
        ),
    )
    error.video_id = video_id
    error.other_video_id = answered
    raise error


def raise_if_other_video(failure: BaseException | None) -> None:
    """Raise ``failure`` again if it is an answer about another job (see :func:`_refuse_other_video`):
    a wait treats unreadable answers as transient, but this one is wrong, not garbled."""
    if isinstance(failure, ResponseParseError) and failure.other_video_id is not None:
        raise failure


def ours(cast_to: object) -> bool:
    """Is ``cast_to`` one of this package's answer types (its models and pages)? Only those are
    held to this module's rules; openai's own endpoints behave exactly as in openai."""
    try:
        return _OURS[cast_to]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        pass
    origin: object = get_origin(cast_to) or cast_to
    answer = isinstance(origin, type) and origin.__module__.split(".", 1)[0] == "lumenfall_openai"
    if len(_OURS) < 1024:  # a handful of types in practice; bounded all the same
        with contextlib.suppress(TypeError):
            _OURS[cast_to] = answer
    return answer


# ``ours`` per answer type (asked on every response the client parses).
_OURS: dict[object, bool] = {}


def unreadable_answer(cast_to: object, response: Any, error: Exception) -> ResponseParseError | None:
    """The :class:`ResponseParseError` for a non-openai ``error`` raised while parsing ``response``
    as ``cast_to`` (the client's response hook raises it instead, so no call of this package
    leaks a raw parsing error), or None to let ``error`` through (not one of our types)."""
    if not ours(cast_to):
        return None
    return _parse_error(response, _what(response), f"{type(error).__name__}: {error}")


def checked_answer(parsed: _T, cast_to: object, response: Any) -> _T:
    """``parsed``, if it is the object of this package's type that was asked for.

    openai's lenient parser hands back a JSON list, string or null as is, so ``retrieve`` could
    return ``None`` "as a Video" and the caller fail later on an attribute. For this package's
    own models (openai's are left to openai) that is a :class:`ResponseParseError`, and so is a
    Video without an id. A raw-response call is the caller's to parse: left alone."""
    if not ours(cast_to) or _is_raw(parsed):
        # openai answers a call carrying the raw-response header (with_raw_response,
        # with_streaming_response) with one of these, unparsed. Asked of the answer, not of the
        # request's headers: a header lookup cost 6 us per response, 2% of a whole images call.
        return parsed
    model, video = _answer_types()
    if not (isinstance(cast_to, type) and issubclass(cast_to, model)):
        items: object = getattr(parsed, "data", None)
        if hasattr(parsed, "next_page_info") and items is not None and not isinstance(items, list):
            # A page whose data is not a list is unreadable, not empty: "no such request" read
            # from it could lead someone to release the hold of a job that exists.
            raise _parse_error(response, _what(response), f"its data is a {type(items).__name__}, not a list")
        return parsed
    if not isinstance(parsed, cast_to):
        raise _parse_error(response, _what(response), f"it is a {type(parsed).__name__}, not a {cast_to.__name__}")
    if isinstance(parsed, video):
        ident: object = parsed.id
        if not isinstance(ident, str) or not ident:
            raise _parse_error(response, _what(response), f"it has no usable id (id={ident!r})")
        request = _request_of(response)
        requested = None if request is None else requested_video_id(request.url.path, encoded=False)
        if requested is not None:
            _refuse_other_video(parsed, requested, response, _what(response))
    return parsed


def _is_raw(answer: object) -> bool:
    return isinstance(answer, RAW_RESPONSE_TYPES)


def _what(response: Any) -> str:
    request = _request_of(response)
    return "the request" if request is None else f"{request.method} {request.url.path}"


def _request_of(response: Any) -> Any:
    try:
        return response.request
    except (AttributeError, RuntimeError):  # the HTTP library raises when a response has no request
        return None


def _parse_error(response: Any, what: str, detail: str) -> ResponseParseError:
    status = getattr(response, "status_code", "?")
    return ResponseParseError(
        response=response,
        body=_body_text(response),
        message=(
            f"Lumenfall answered {what} with HTTP {status}, but the body could not be read ({detail}). "
            "This is a fault of the server or of something between you and it (a proxy, a truncated "
            "connection)."
        ),
    )

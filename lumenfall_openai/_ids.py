"""Ids that go into a URL path: checked here, before anything is sent.

An id becomes exactly one path segment (``/videos/{id}``, ``/requests/{id}/payloads``). Escaping
alone is not enough: ``quote()`` leaves ``.`` and ``..`` as they are and the HTTP library then
normalises them away, so ``cancel(".")`` became ``DELETE /openai/v1/videos`` and
``requests.purge_payloads("..")`` became ``DELETE /v1/payloads`` - another endpoint, with the key.

Percent-encoded forms (``%2e``, ``%2F``): the id is escaped before sending (``%`` becomes
``%25``), so this client never sends a dot segment or a separator for them. But a proxy or
server that decodes a path twice would, and no real Lumenfall id (``video_abc123``,
``req_abc123``) contains ``%``; so an id whose percent-decoded form breaks a rule is refused too.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

__all__ = ["check_id", "id_segment", "requested_video_id"]

_MAX_DECODES = 4  # "%252e" -> "%2e" -> "."; deeper nesting is refused outright
# Every real id (video_abc123, req_abc123) breaks no rule below: one match instead of the walk
# (a poll check builds a path from its id on every request).
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")


def _problem(text: str) -> str | None:
    if text in (".", ".."):
        return "is a relative path segment"
    if "/" in text or "\\" in text:
        return "contains a path separator ('/' or '\\\\')"
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text):
        return "contains a control character"
    return None


def check_id(value: object, *, what: str = "video id", example: str = "video_abc123") -> str:
    """``value`` if it can be one URL path segment naming a job or request, else a clear error.

    Raises ``TypeError`` for a non-string and ``ValueError`` (saying what to pass) for an empty or
    blank id, ``.``/``..``, a separator, a control character, surrounding whitespace, text that
    is not valid Unicode, and any of these hidden behind percent-encoding.
    """
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value):
        return value
    if not isinstance(value, str):
        raise TypeError(f"Expected a {what} as a string (like {example!r}), got {type(value).__name__} {value!r}.")
    hint = f"Pass the id exactly as Lumenfall returned it (like {example!r})."
    if not value.strip():
        raise ValueError(f"Expected a non-empty {what}, got {value!r}. {hint}")
    if value != value.strip():
        raise ValueError(f"The {what} {value!r} has surrounding whitespace; remove it. {hint}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"The {what} {value!r} is not valid Unicode text. {hint}") from None
    text = value
    for _ in range(_MAX_DECODES):
        problem = _problem(text)
        if problem is not None:
            shown = "" if text == value else f" (once percent-decoded: {text!r})"
            raise ValueError(f"The {what} {value!r}{shown} {problem}, so it cannot name one job. {hint}")
        decoded = unquote(text) if "%" in text else text  # invalid UTF-8 escapes decode to U+FFFD
        if decoded == text:
            return value
        text = decoded
    raise ValueError(f"The {what} {value!r} is percent-encoded too many times. {hint}")


def id_segment(value: object, *, what: str = "video id", example: str = "video_abc123") -> str:
    """``value`` checked by :func:`check_id` and escaped as one URL path segment."""
    return quote(check_id(value, what=what, example=example), safe="")


def requested_video_id(path: str, *, encoded: bool = True) -> str | None:
    """The id in a ``.../videos/{id}`` URL path, or None for any other path. ``encoded``: the path
    is as built with :func:`id_segment` (percent-encoded), not already decoded (``URL.path``)."""
    head, _, segment = path.rstrip("/").rpartition("/")
    if not segment or not (head.endswith("/videos") or head == "videos"):
        return None
    return unquote(segment) if encoded else segment

"""The pieces of ``client.videos`` that both twins share and that do no I/O.

``_async/videos.py`` (the source) and ``_sync/videos.py`` (generated from it) import these, so a
rule here is written once. The wait's helpers are in ``_polling``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from .._compat import CUSTOM_HEADERS_ATTR, Body, Headers, Omit
from .._download_plan import headers_to_strip
from .._ids import id_segment
from .._video_requests import check_http_timeout, check_json_value
from ..errors import UnsupportedOperationError
from ..types.video import VideoDeleted

__all__ = [
    "DELETED_FROM_NO_BODY",
    "check_call_numbers",
    "deleted_parser",
    "media_headers",
    "unsupported_variant",
    "video_path",
]


def video_path(video_id: str) -> str:
    return f"/videos/{id_segment(video_id)}"


def check_call_numbers(extra_body: Body | None, timeout: object) -> None:
    check_json_value("extra_body", extra_body)
    check_http_timeout(timeout)


def media_headers(client: Any, extra_headers: Headers | None) -> Headers:
    """``download_content``'s headers for the media host, by ``download``'s rule
    (:func:`~lumenfall_openai._download_plan.headers_to_strip`): no Authorization, none of the client's
    custom headers unless passed again for this call, no header carrying the key.

    openai merges these with its own headers by exact name before dropping ``Omit`` values, so
    each header is omitted under the spelling it is sent with.
    """
    custom: Mapping[str, str] = getattr(client, CUSTOM_HEADERS_ATTR)
    explicit = {name: value for name, value in (extra_headers or {}).items() if isinstance(value, str)}
    sent = [("Authorization", f"Bearer {client.api_key}"), *custom.items(), *explicit.items()]
    strip = set(headers_to_strip(sent, custom_header_names=custom, explicit_names=explicit, secret=client.api_key))
    omit = Omit()
    return {"Accept": "*/*", **(extra_headers or {}), **{name: omit for name, _ in sent if name.lower() in strip}}


def deleted_parser(video_id: str) -> Callable[[object], VideoDeleted]:
    """The DELETE answers 204 with no body; what OpenAI code reads back is made here, as in ``delete``."""

    def parse(_: object) -> VideoDeleted:
        return VideoDeleted(id=video_id, deleted=True, object="video.deleted")

    return parse


# The body is read as "none" (openai skips parsing); deleted_parser makes the VideoDeleted.
DELETED_FROM_NO_BODY = cast("type[VideoDeleted]", type(None))


def unsupported_variant(variant: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(
        f"download_content(variant={variant!r}) is not available on Lumenfall: it serves only the video "
        "file itself (variant='video'). Extract a thumbnail from the file locally if you need one."
    )

"""Every openai (and HTTP library) name this package borrows that openai does not promise to keep.

openai's private modules move between minor releases. Keeping each borrowed name here, and
nowhere else, means one file to read when a new openai breaks us, and one test
(`tests/test_compat.py`) that checks every name against the installed openai.

What is *not* borrowed on purpose: ``openai.resources.videos`` and ``openai.types.video``.
OpenAI retired Sora, and a later openai will delete them; this package owns its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import openai
from openai import _base_client, _legacy_response, _resource, _response
from openai._types import Body, FileTypes, Headers, NotGiven, Omit, Query

if TYPE_CHECKING:
    # Annotations are written against openai 3.x (httpx2). On openai 2.x the same names exist
    # in httpx, and the runtime branch below picks that module.
    import httpx2 as http
else:
    # openai 3.x imports httpx2 in its base client; openai 2.x imports httpx. Take whichever
    # module openai itself uses, so our requests share its client, transport and exceptions.
    http = getattr(_base_client, "httpx2", None) or _base_client.httpx

OPENAI_MAJOR = int(openai.__version__.split(".")[0])

# Private resource plumbing every generated openai resource uses (openai 2.2 .. 3.x).
SyncAPIResource = _resource.SyncAPIResource
AsyncAPIResource = _resource.AsyncAPIResource
make_request_options = _base_client.make_request_options
HttpxBinaryResponseContent = _legacy_response.HttpxBinaryResponseContent
to_raw_response_wrapper = _legacy_response.to_raw_response_wrapper
async_to_raw_response_wrapper = _legacy_response.async_to_raw_response_wrapper
to_streamed_response_wrapper = _response.to_streamed_response_wrapper
async_to_streamed_response_wrapper = _response.async_to_streamed_response_wrapper
to_custom_streamed_response_wrapper = _response.to_custom_streamed_response_wrapper
async_to_custom_streamed_response_wrapper = _response.async_to_custom_streamed_response_wrapper
StreamedBinaryAPIResponse = _response.StreamedBinaryAPIResponse
AsyncStreamedBinaryAPIResponse = _response.AsyncStreamedBinaryAPIResponse

# Private client attributes that __init__ fills from OPENAI_* variables and that we reset.
CUSTOM_HEADERS_ATTR = "_custom_headers"  # all versions: default_headers merged with OPENAI_CUSTOM_HEADERS
AMBIENT_AUTHORIZATIONS_ATTR = "_ambient_authorizations"  # 3.x: Authorization lines from that variable

# The private names above, for tests/test_compat.py.
BORROWED_MODULE_NAMES: dict[str, tuple[str, ...]] = {
    "openai._base_client": ("make_request_options",),
    "openai._resource": ("SyncAPIResource", "AsyncAPIResource"),
    "openai._legacy_response": (
        "HttpxBinaryResponseContent",
        "to_raw_response_wrapper",
        "async_to_raw_response_wrapper",
    ),
    "openai._response": (
        "to_streamed_response_wrapper",
        "async_to_streamed_response_wrapper",
        "to_custom_streamed_response_wrapper",
        "async_to_custom_streamed_response_wrapper",
        "StreamedBinaryAPIResponse",
        "AsyncStreamedBinaryAPIResponse",
    ),
    "openai._types": ("Body", "FileTypes", "Headers", "NotGiven", "Omit", "Query"),
}
BORROWED_CLIENT_METHODS: tuple[str, ...] = ("_make_status_error", "copy")
# Set by SyncAPIResource/AsyncAPIResource.__init__ from the client.
BORROWED_RESOURCE_ATTRS: tuple[str, ...] = ("_client", "_get", "_post", "_delete", "_sleep")


def is_given(value: Any) -> bool:
    return not isinstance(value, (NotGiven, Omit))


__all__ = [
    "OPENAI_MAJOR",
    "AsyncAPIResource",
    "Body",
    "FileTypes",
    "Headers",
    "NotGiven",
    "Omit",
    "Query",
    "SyncAPIResource",
    "http",
    "is_given",
    "make_request_options",
]

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
from openai import _base_client, _constants, _legacy_response, _resource, _response
from openai._types import Body, FileTypes, Headers, NotGiven, Omit, Query

# The HTTP library openai uses: httpx2 on openai 3.x, httpx on 2.x. To type checkers `http` is
# `_http_types`, whose public names resolve on either line without any setting; its few internal
# names follow OPENAI_2_TYPES, which CI's 2.x legs set with `mypy --always-true OPENAI_2_TYPES`
# and pyright's `defineConstant` (.ci/pyright-openai2.json). Never true at run time.
OPENAI_2_TYPES = False
if TYPE_CHECKING:
    from . import _http_types as http
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
LegacyAPIResponse = _legacy_response.LegacyAPIResponse
to_raw_response_wrapper = _legacy_response.to_raw_response_wrapper
async_to_raw_response_wrapper = _legacy_response.async_to_raw_response_wrapper
to_streamed_response_wrapper = _response.to_streamed_response_wrapper
async_to_streamed_response_wrapper = _response.async_to_streamed_response_wrapper
to_custom_streamed_response_wrapper = _response.to_custom_streamed_response_wrapper
async_to_custom_streamed_response_wrapper = _response.async_to_custom_streamed_response_wrapper
StreamedBinaryAPIResponse = _response.StreamedBinaryAPIResponse
AsyncStreamedBinaryAPIResponse = _response.AsyncStreamedBinaryAPIResponse

# Paging (client.requests.list): openai's page bases and paginator, so a Lumenfall listing
# iterates, auto-pages and awaits exactly like openai's own lists (openai.pagination builds its
# own pages on these same private bases).
BasePage = _base_client.BasePage
BaseSyncPage = _base_client.BaseSyncPage
BaseAsyncPage = _base_client.BaseAsyncPage
PageInfo = _base_client.PageInfo
AsyncPaginator = _base_client.AsyncPaginator
# Keys of openai's RequestOptions dict (what make_request_options returns) read or set by the
# cost hook on the client's get/post: query params (to spot ?dryRun=true) and the post_parser
# that every parse (plain, raw or streamed) applies once to the parsed object.
REQUEST_OPTIONS_PARAMS_KEY = "params"
REQUEST_OPTIONS_POST_PARSER_KEY = "post_parser"
# The header openai's with_raw_response / with_streaming_response wrappers add to a call. A
# budget's internal estimate must come back parsed even when the create it guards is raw, so it
# sets this header to Omit (which openai drops from the request).
RAW_RESPONSE_HEADER = _constants.RAW_RESPONSE_HEADER

# Private client attributes that __init__ fills from OPENAI_* variables and that we reset.
CUSTOM_HEADERS_ATTR = "_custom_headers"  # all versions: default_headers merged with OPENAI_CUSTOM_HEADERS
AMBIENT_AUTHORIZATIONS_ATTR = "_ambient_authorizations"  # 3.x: Authorization lines from that variable
# The openai client's own httpx/httpx2 client (all versions). videos.download streams media through
# it, so a mock transport, proxies and the connection pool given to the client apply there too.
HTTP_CLIENT_ATTR = "_client"

# The private names above, for tests/test_compat.py.
BORROWED_MODULE_NAMES: dict[str, tuple[str, ...]] = {
    "openai._base_client": (
        "make_request_options",
        "AsyncPaginator",
        "BasePage",
        "BaseSyncPage",
        "BaseAsyncPage",
        "PageInfo",
    ),
    "openai._resource": ("SyncAPIResource", "AsyncAPIResource"),
    "openai._legacy_response": (
        "HttpxBinaryResponseContent",
        "LegacyAPIResponse",
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
    "openai._constants": ("RAW_RESPONSE_HEADER",),
    # client.images subclasses these and retypes generate/edit (public module, listed anyway).
    "openai.resources.images": ("Images", "AsyncImages"),
    "openai.types": ("ImagesResponse",),
    "openai": ("InvalidWebhookSignatureError",),
}
BORROWED_CLIENT_METHODS: tuple[str, ...] = ("_make_status_error", "_process_response", "copy", "get", "post")
# Set by SyncAPIResource/AsyncAPIResource.__init__ from the client.
BORROWED_RESOURCE_ATTRS: tuple[str, ...] = ("_client", "_get", "_post", "_delete", "_sleep", "_get_api_list")


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

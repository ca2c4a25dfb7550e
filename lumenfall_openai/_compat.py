"""Every openai (and HTTP library) name this package borrows that openai does not promise to keep.

openai's private modules move between minor releases. Keeping each borrowed name here, and
nowhere else, means one file to read when a new openai breaks us, and one test
(`tests/test_compat.py`) that checks every name against the installed openai.

What is *not* borrowed on purpose: ``openai.resources.videos`` and ``openai.types.video``.
OpenAI retired Sora, and a later openai will delete them; this package owns its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import openai
from openai import NotGiven, Omit, _base_client, _constants, _legacy_response, _resource, _response
from openai._client import (
    AsyncOpenAIWithRawResponse,
    AsyncOpenAIWithStreamedResponse,
    OpenAIWithRawResponse,
    OpenAIWithStreamedResponse,
)
from openai._models import _construct_field  # pyright: ignore[reportPrivateUsage]
from openai._types import FileTypes

# The HTTP library openai uses: httpx2 on openai 3.x, httpx on 2.x. To type checkers `http` is
# `_http_types`, whose public names resolve on either line without any setting; its few internal
# names follow OPENAI_2_TYPES, which CI's 2.x legs set with `mypy --always-true OPENAI_2_TYPES`
# and pyright's `defineConstant` (.ci/pyright-openai2.json). Never true at run time.
OPENAI_2_TYPES = False
# openai 3.x imports httpx2 in its base client; openai 2.x imports httpx. Take whichever module
# openai itself uses, so our requests share its client, transport and exceptions.
HTTP_MODULE_ATTRS: tuple[str, ...] = ("httpx2", "httpx")
if TYPE_CHECKING:
    from . import _http_types as http
else:
    http = next(getattr(_base_client, name) for name in HTTP_MODULE_ATTRS if hasattr(_base_client, name))

OPENAI_MAJOR = int(openai.__version__.split(".")[0])

# openai's request-shape aliases (``openai._types``), restated rather than imported: the same on
# every openai line since 2.2 (tests/test_compat.py compares them), and one private name fewer.
Headers: TypeAlias = Mapping[str, str | Omit]
Query: TypeAlias = Mapping[str, object]
Body: TypeAlias = object

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
# What openai returns instead of a parsed answer for a call with the raw-response header.
RAW_RESPONSE_TYPES = (LegacyAPIResponse, openai.APIResponse, openai.AsyncAPIResponse)

# Paging (client.requests.list): openai's page bases and paginator, so a Lumenfall listing
# iterates, auto-pages and awaits exactly like openai's own lists (openai.pagination builds its
# own pages on these same private bases).
BasePage = _base_client.BasePage
BaseSyncPage = _base_client.BaseSyncPage
BaseAsyncPage = _base_client.BaseAsyncPage
PageInfo = _base_client.PageInfo
AsyncPaginator = _base_client.AsyncPaginator

# openai's construct for one field (nested openai models built as openai builds them): the fast
# ImagesResponse.construct runs it for openai's own fields.
construct_field = _construct_field

# Keys of openai's RequestOptions dict (what make_request_options returns) read or set here:
# query params (the cost hook spots ?dryRun=true), the post_parser that every parse (plain, raw
# or streamed) applies once to the parsed object (the cost hook chains the ledger onto it), and
# max_retries (a poll check turns openai's retries off: the wait retries at its own pace).
REQUEST_OPTIONS_PARAMS_KEY: Final = "params"
REQUEST_OPTIONS_POST_PARSER_KEY: Final = "post_parser"
REQUEST_OPTIONS_MAX_RETRIES_KEY: Final = "max_retries"
# follow_redirects=False: download_content checks each Location before it is fetched.
REQUEST_OPTIONS_FOLLOW_REDIRECTS_KEY: Final = "follow_redirects"
# Where openai's APIResponse and its pages keep the FinalRequestOptions a request was sent with
# (download_content re-wraps a response with them; a listing reads the query it sent).
OPTIONS_ATTR = "_options"
# The header openai's with_raw_response / with_streaming_response wrappers add to a call. A
# budget's internal estimate must come back parsed even when the create it guards is raw, so it
# sets this header to Omit (which openai drops from the request).
RAW_RESPONSE_HEADER = _constants.RAW_RESPONSE_HEADER

# Private client attributes that __init__ fills from OPENAI_* variables and that we reset.
CUSTOM_HEADERS_ATTR = "_custom_headers"  # all versions: default_headers merged with OPENAI_CUSTOM_HEADERS
AMBIENT_AUTHORIZATIONS_ATTR = "_ambient_authorizations"  # 3.x: Authorization lines from that variable
# The openai client's own httpx/httpx2 client (all versions). copy() hands it on, and
# videos.download streams media through it, so a mock transport, proxies and the connection pool
# given to the client apply there too.
HTTP_CLIENT_ATTR = "_client"

# -- The registry: every private openai name this package depends on ----------------------------
# Add a name here before using it anywhere. tests/test_compat.py checks each one against the
# installed openai on every CI leg, finds private names used elsewhere but missing here, and
# counts them: the count is recorded there and may only go down.

# Names read from openai's private modules (all imported above, except the two that
# _http_types.py, this module's face for type checkers, imports).
PRIVATE_MODULE_NAMES: dict[str, tuple[str, ...]] = {
    "openai._base_client": (
        "make_request_options",
        "AsyncPaginator",
        "BasePage",
        "BaseSyncPage",
        "BaseAsyncPage",
        "PageInfo",
    ),
    # The client's with_raw_response / with_streaming_response classes, extended with our resources.
    "openai._client": (
        "OpenAIWithRawResponse",
        "AsyncOpenAIWithRawResponse",
        "OpenAIWithStreamedResponse",
        "AsyncOpenAIWithStreamedResponse",
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
    "openai._models": ("_construct_field",),
    "openai._types": ("FileTypes", "URL", "Response"),  # URL, Response: _http_types.py
    "openai._constants": ("RAW_RESPONSE_HEADER",),
}
# Attributes of an openai client that we read or reset, with the first openai major that has each.
CLIENT_ATTRS: dict[str, int] = {CUSTOM_HEADERS_ATTR: 2, AMBIENT_AUTHORIZATIONS_ATTR: 3, HTTP_CLIENT_ATTR: 2}
# openai client methods _client.py overrides and calls through super(), with the parameters it
# passes or reads. `request` is public by name only: openai documents get/post, not request.
CLIENT_METHODS: dict[str, tuple[str, ...]] = {
    "_make_status_error": ("err_msg", "body", "response"),
    "_prepare_url": ("url",),
    "_process_response": ("response",),
    "request": ("cast_to", "options"),
}
# Set by SyncAPIResource/AsyncAPIResource.__init__ from the client; our resources call them.
RESOURCE_ATTRS: tuple[str, ...] = ("_client", "_get", "_post", "_delete", "_sleep", "_get_api_list")
# Where openai's with_raw_response / with_streaming_response objects keep their client.
RESPONSE_WRAPPER_ATTRS: tuple[str, ...] = ("_client",)
# Attributes of openai's APIResponse / LegacyAPIResponse and of its pages.
RESPONSE_ATTRS: tuple[str, ...] = (OPTIONS_ATTR,)
REQUEST_OPTIONS_KEYS: tuple[str, ...] = (
    REQUEST_OPTIONS_PARAMS_KEY,
    REQUEST_OPTIONS_POST_PARSER_KEY,
    REQUEST_OPTIONS_MAX_RETRIES_KEY,
    REQUEST_OPTIONS_FOLLOW_REDIRECTS_KEY,
)

# Public (documented) client methods the cost hook and copy() wrap, with the parameters they
# read: checked by the same test, not counted.
PUBLIC_CLIENT_METHODS: dict[str, tuple[str, ...]] = {
    "get": ("path", "cast_to", "options"),
    "post": ("path", "cast_to", "body", "options"),
    "copy": ("api_key", "base_url", "timeout", "http_client", "max_retries", "default_headers", "_extra_kwargs"),
}


def private_names() -> list[str]:
    """Every private openai name this package depends on, qualified (what the registry counts)."""
    return [
        *(f"{module}.{name}" for module, names in PRIVATE_MODULE_NAMES.items() for name in names),
        "openai._base_client." + "|".join(HTTP_MODULE_ATTRS),  # the HTTP library's module, one per line
        *(f"client.{name}" for name in CLIENT_ATTRS),
        *(f"client.{name}()" for name in CLIENT_METHODS),
        *(f"resource.{name}" for name in RESOURCE_ATTRS),
        *(f"client.with_raw_response.{name}" for name in RESPONSE_WRAPPER_ATTRS),
        *(f"response.{name}" for name in RESPONSE_ATTRS),
        *(f"RequestOptions[{key!r}]" for key in REQUEST_OPTIONS_KEYS),
    ]


def is_given(value: Any) -> bool:
    return not isinstance(value, (NotGiven, Omit))


__all__ = [
    "OPENAI_MAJOR",
    "AsyncAPIResource",
    "AsyncOpenAIWithRawResponse",
    "AsyncOpenAIWithStreamedResponse",
    "Body",
    "FileTypes",
    "Headers",
    "NotGiven",
    "Omit",
    "OpenAIWithRawResponse",
    "OpenAIWithStreamedResponse",
    "Query",
    "SyncAPIResource",
    "http",
    "is_given",
    "make_request_options",
]

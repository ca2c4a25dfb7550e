"""``client.account`` and ``client.requests``: Lumenfall's native API (balance, request history).

These endpoints live beside the OpenAI-compatible API, on the native base
(``client.native_base_url``, e.g. ``https://api.lumenfall.ai/v1``), so every call passes an
absolute URL. That keeps them on the same client, retries, timeouts and error classes, and the
Lumenfall key goes with them: the native API is Lumenfall's own host, so this is the one place
besides the OpenAI-compatible base where the key belongs.

Written once, as async; ``scripts/unasync.py`` generates the sync twin in ``resources/_sync/``.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from ..._compat import (
    AsyncAPIResource,
    AsyncPaginator,
    Body,
    Headers,
    NotGiven,
    Omit,
    Query,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    http,
    make_request_options,
)
from ...pagination import AsyncCursorURLPage
from ...types.account import Balance, PurgeResult, RequestRecord
from .._account_query import list_query, request_path

if TYPE_CHECKING:
    from ..._client import AsyncLumenfall

__all__ = [
    "AsyncAccount",
    "AsyncAccountWithRawResponse",
    "AsyncAccountWithStreamingResponse",
    "AsyncRequests",
    "AsyncRequestsWithRawResponse",
    "AsyncRequestsWithStreamingResponse",
]

omit = Omit()
not_given = NotGiven()


class AsyncAccount(AsyncAPIResource):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> AsyncAccountWithRawResponse:
        return AsyncAccountWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncAccountWithStreamingResponse:
        return AsyncAccountWithStreamingResponse(self)

    async def balance(
        self,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Balance:
        """The account's balance: ``available.amount`` (None when postpaid) in ``available.currency``."""
        return await self._get(
            f"{self._client.native_base_url}/balance",
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Balance,
        )


class AsyncRequests(AsyncAPIResource):
    """Your request history: every generation request, its status, cost and errors."""

    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> AsyncRequestsWithRawResponse:
        return AsyncRequestsWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncRequestsWithStreamingResponse:
        return AsyncRequestsWithStreamingResponse(self)

    def list(
        self,
        *,
        limit: int | Omit = omit,
        starting_after: str | Omit = omit,
        ending_before: str | Omit = omit,
        created_after: str | dt.datetime | Omit = omit,
        created_before: str | dt.datetime | Omit = omit,
        key_id: str | Omit = omit,
        status: str | Omit = omit,
        summary: bool | Omit = omit,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> AsyncPaginator[RequestRecord, AsyncCursorURLPage[RequestRecord]]:
        """Requests, newest first, a page at a time (``limit`` 1-100, default 20).

        Iterating the result walks every page (``for r in client.requests.list(): ...``; async client:
        iterate with async-for; awaiting the call gives the first page); ``.data`` is this page,
        ``.get_next_page()`` the next. ``starting_after`` pages towards
        older records, ``ending_before`` towards newer ones; ``created_after``/``created_before``
        take ISO 8601 strings or aware datetimes; ``summary=True`` adds totals over all matches.
        """
        query = list_query(
            limit=limit, starting_after=starting_after, ending_before=ending_before, created_after=created_after,
            created_before=created_before, key_id=key_id, status=status, summary=summary,
        )  # fmt: skip
        return self._get_api_list(
            f"{self._client.native_base_url}/requests",
            page=AsyncCursorURLPage[RequestRecord],
            options=make_request_options(
                query=query,
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            ),
            model=RequestRecord,
        )

    async def retrieve(
        self,
        request_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> RequestRecord:
        """One request by id (``req_...``)."""
        return await self._get(
            request_path(self._client.native_base_url, request_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=RequestRecord,
        )

    async def purge_payloads(
        self,
        request_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> PurgeResult:
        """Delete a request's stored prompt and media for good (idempotent; the record stays)."""
        return await self._delete(
            request_path(self._client.native_base_url, request_id, "/payloads"),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=PurgeResult,
        )


class AsyncAccountWithRawResponse:
    def __init__(self, account: AsyncAccount) -> None:
        self._account = account
        self.balance = async_to_raw_response_wrapper(account.balance)


class AsyncAccountWithStreamingResponse:
    def __init__(self, account: AsyncAccount) -> None:
        self._account = account
        self.balance = async_to_streamed_response_wrapper(account.balance)


class AsyncRequestsWithRawResponse:
    def __init__(self, requests: AsyncRequests) -> None:
        self._requests = requests
        self.list = async_to_raw_response_wrapper(requests.list)
        self.retrieve = async_to_raw_response_wrapper(requests.retrieve)
        self.purge_payloads = async_to_raw_response_wrapper(requests.purge_payloads)


class AsyncRequestsWithStreamingResponse:
    def __init__(self, requests: AsyncRequests) -> None:
        self._requests = requests
        self.list = async_to_streamed_response_wrapper(requests.list)
        self.retrieve = async_to_streamed_response_wrapper(requests.retrieve)
        self.purge_payloads = async_to_streamed_response_wrapper(requests.purge_payloads)

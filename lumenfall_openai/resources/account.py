"""``client.account`` and ``client.requests``: Lumenfall's native API (balance, request history).

These endpoints live beside the OpenAI-compatible API, on the native base
(``client.native_base_url``, e.g. ``https://api.lumenfall.ai/v1``), so every call passes an
absolute URL. That keeps them on the same client, retries, timeouts and error classes, and the
Lumenfall key goes with them: the native API is Lumenfall's own host, so this is the one place
besides the OpenAI-compatible base where the key belongs.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from .._compat import (
    AsyncAPIResource,
    AsyncPaginator,
    Body,
    Headers,
    NotGiven,
    Omit,
    Query,
    SyncAPIResource,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    http,
    is_given,
    make_request_options,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from .._ids import id_segment
from ..pagination import AsyncCursorURLPage, SyncCursorURLPage
from ..types.account import Balance, PurgeResult, RequestRecord

if TYPE_CHECKING:
    from .._client import AsyncLumenfall, Lumenfall

__all__ = ["Account", "AsyncAccount", "AsyncRequests", "Requests"]

omit = Omit()
not_given = NotGiven()


def _request_path(base: str, request_id: str, suffix: str = "") -> str:
    return f"{base}/requests/{id_segment(request_id, what='request id', example='req_abc123')}{suffix}"


def _iso(name: str, value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"{name} is a naive datetime; give it a timezone (e.g. datetime.now(timezone.utc)) "
                "so it means one instant."
            )
        return value.isoformat()
    if isinstance(value, str) and value:
        return value
    raise TypeError(f"{name} must be an ISO 8601 string or an aware datetime, got {value!r}.")


def list_query(
    *,
    limit: object,
    starting_after: object,
    ending_before: object,
    created_after: object,
    created_before: object,
    key_id: object,
    status: object,
    summary: object,
) -> dict[str, object]:
    """The query of ``GET /v1/requests``, checked here so a bad argument fails before a request."""
    query: dict[str, object] = {}
    if is_given(limit):
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ValueError(f"limit must be a whole number from 1 to 100, got {limit!r}.")
        query["limit"] = limit
    if is_given(starting_after) and is_given(ending_before):
        raise ValueError("Pass starting_after (older records) or ending_before (newer records), not both.")
    for name, value in (("starting_after", starting_after), ("ending_before", ending_before),
                        ("key_id", key_id), ("status", status)):  # fmt: skip
        if is_given(value):
            if not isinstance(value, str) or not value:
                raise TypeError(f"{name} must be a non-empty string, got {value!r}.")
            query[name] = value
    for name, value in (("created_after", created_after), ("created_before", created_before)):
        if is_given(value):
            query[name] = _iso(name, value)
    if is_given(summary):
        query["summary"] = bool(summary)
    return query


class Account(SyncAPIResource):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> AccountWithRawResponse:
        return AccountWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AccountWithStreamingResponse:
        return AccountWithStreamingResponse(self)

    def balance(
        self,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> Balance:
        """The account's balance: ``available.amount`` (None when postpaid) in ``available.currency``."""
        return self._get(
            f"{self._client.native_base_url}/balance",
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Balance,
        )


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
        """The account's balance; see :meth:`Account.balance`."""
        return await self._get(
            f"{self._client.native_base_url}/balance",
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=Balance,
        )


class Requests(SyncAPIResource):
    """Your request history: every generation request, its status, cost and errors."""

    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> RequestsWithRawResponse:
        return RequestsWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> RequestsWithStreamingResponse:
        return RequestsWithStreamingResponse(self)

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
    ) -> SyncCursorURLPage[RequestRecord]:
        """Requests, newest first, a page at a time (``limit`` 1-100, default 20).

        Iterating the result walks every page (``for r in client.requests.list(): ...``);
        ``.data`` is this page, ``.get_next_page()`` the next. ``starting_after`` pages towards
        older records, ``ending_before`` towards newer ones; ``created_after``/``created_before``
        take ISO 8601 strings or aware datetimes; ``summary=True`` adds totals over all matches.
        """
        query = list_query(
            limit=limit, starting_after=starting_after, ending_before=ending_before, created_after=created_after,
            created_before=created_before, key_id=key_id, status=status, summary=summary,
        )  # fmt: skip
        return self._get_api_list(
            f"{self._client.native_base_url}/requests",
            page=SyncCursorURLPage[RequestRecord],
            options=make_request_options(
                query=query,
                extra_headers=extra_headers,
                extra_query=extra_query,
                extra_body=extra_body,
                timeout=timeout,
            ),
            model=RequestRecord,
        )

    def retrieve(
        self,
        request_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> RequestRecord:
        """One request by id (``req_...``)."""
        return self._get(
            _request_path(self._client.native_base_url, request_id),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=RequestRecord,
        )

    def purge_payloads(
        self,
        request_id: str,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> PurgeResult:
        """Delete a request's stored prompt and media for good (idempotent; the record stays)."""
        return self._delete(
            _request_path(self._client.native_base_url, request_id, "/payloads"),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=PurgeResult,
        )


class AsyncRequests(AsyncAPIResource):
    """Your request history; see :class:`Requests`."""

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
        """Requests, newest first; ``async for r in client.requests.list()`` walks every page,
        ``await client.requests.list()`` gives the first. See :meth:`Requests.list`."""
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
        """One request by id; see :meth:`Requests.retrieve`."""
        return await self._get(
            _request_path(self._client.native_base_url, request_id),
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
        """Delete a request's stored prompt and media; see :meth:`Requests.purge_payloads`."""
        return await self._delete(
            _request_path(self._client.native_base_url, request_id, "/payloads"),
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=PurgeResult,
        )


class AccountWithRawResponse:
    def __init__(self, account: Account) -> None:
        self._account = account
        self.balance = to_raw_response_wrapper(account.balance)


class AsyncAccountWithRawResponse:
    def __init__(self, account: AsyncAccount) -> None:
        self._account = account
        self.balance = async_to_raw_response_wrapper(account.balance)


class AccountWithStreamingResponse:
    def __init__(self, account: Account) -> None:
        self._account = account
        self.balance = to_streamed_response_wrapper(account.balance)


class AsyncAccountWithStreamingResponse:
    def __init__(self, account: AsyncAccount) -> None:
        self._account = account
        self.balance = async_to_streamed_response_wrapper(account.balance)


class RequestsWithRawResponse:
    def __init__(self, requests: Requests) -> None:
        self._requests = requests
        self.list = to_raw_response_wrapper(requests.list)
        self.retrieve = to_raw_response_wrapper(requests.retrieve)
        self.purge_payloads = to_raw_response_wrapper(requests.purge_payloads)


class AsyncRequestsWithRawResponse:
    def __init__(self, requests: AsyncRequests) -> None:
        self._requests = requests
        self.list = async_to_raw_response_wrapper(requests.list)
        self.retrieve = async_to_raw_response_wrapper(requests.retrieve)
        self.purge_payloads = async_to_raw_response_wrapper(requests.purge_payloads)


class RequestsWithStreamingResponse:
    def __init__(self, requests: Requests) -> None:
        self._requests = requests
        self.list = to_streamed_response_wrapper(requests.list)
        self.retrieve = to_streamed_response_wrapper(requests.retrieve)
        self.purge_payloads = to_streamed_response_wrapper(requests.purge_payloads)


class AsyncRequestsWithStreamingResponse:
    def __init__(self, requests: AsyncRequests) -> None:
        self._requests = requests
        self.list = async_to_streamed_response_wrapper(requests.list)
        self.retrieve = async_to_streamed_response_wrapper(requests.retrieve)
        self.purge_payloads = async_to_streamed_response_wrapper(requests.purge_payloads)

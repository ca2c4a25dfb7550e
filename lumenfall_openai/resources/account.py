"""``client.account`` and ``client.requests``: Lumenfall's native API (balance, request history).

These endpoints live beside the OpenAI-compatible API, on the native base
(``client.native_base_url``, e.g. ``https://api.lumenfall.ai/v1``), so every call passes an
absolute URL. That keeps them on the same client, retries, timeouts and error classes, and the
Lumenfall key goes with them: the native API is Lumenfall's own host, so this is the one place
besides the OpenAI-compatible base where the key belongs.

The code is written once, as async, in ``_async/account.py``; ``_sync/account.py`` is generated
from it by ``scripts/unasync.py``. This module keeps the public import path.
"""

from ._account_query import list_query
from ._async.account import (
    AsyncAccount,
    AsyncAccountWithRawResponse,
    AsyncAccountWithStreamingResponse,
    AsyncRequests,
    AsyncRequestsWithRawResponse,
    AsyncRequestsWithStreamingResponse,
)
from ._sync.account import (
    Account,
    AccountWithRawResponse,
    AccountWithStreamingResponse,
    Requests,
    RequestsWithRawResponse,
    RequestsWithStreamingResponse,
)

__all__ = [
    "Account",
    "AccountWithRawResponse",
    "AccountWithStreamingResponse",
    "AsyncAccount",
    "AsyncAccountWithRawResponse",
    "AsyncAccountWithStreamingResponse",
    "AsyncRequests",
    "AsyncRequestsWithRawResponse",
    "AsyncRequestsWithStreamingResponse",
    "Requests",
    "RequestsWithRawResponse",
    "RequestsWithStreamingResponse",
    "list_query",
]

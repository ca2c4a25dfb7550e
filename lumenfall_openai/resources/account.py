"""``client.account`` and ``client.requests``: Lumenfall's native API (balance, request history).

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

"""``client.webhooks``: verify and parse Lumenfall's signed deliveries, fetch the signing secret.

The code is written once, as async, in ``_async/webhooks.py``; ``_sync/webhooks.py`` is generated
from it by ``scripts/unasync.py``. This module keeps the public import path.
"""

from ._async.webhooks import AsyncWebhooks, AsyncWebhooksWithRawResponse, AsyncWebhooksWithStreamingResponse
from ._sync.webhooks import Webhooks, WebhooksWithRawResponse, WebhooksWithStreamingResponse
from ._webhook_event import unwrap_event

__all__ = [
    "AsyncWebhooks",
    "AsyncWebhooksWithRawResponse",
    "AsyncWebhooksWithStreamingResponse",
    "Webhooks",
    "WebhooksWithRawResponse",
    "WebhooksWithStreamingResponse",
    "unwrap_event",
]

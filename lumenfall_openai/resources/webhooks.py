"""``client.webhooks``: verify and parse Lumenfall's signed deliveries, fetch the signing secret.

Replaces openai's ``client.webhooks`` (which verifies OpenAI's events with OPENAI_WEBHOOK_SECRET
and, on openai 3.x, manages OpenAI webhook endpoints) with Lumenfall's: the same method names and
arguments (``verify_signature``, ``unwrap``), Lumenfall's events and secret. The checks themselves
live in ``_signing`` (pure, no I/O); ``verify_signature`` and ``unwrap`` are plain methods on
the async twin too, since they do no I/O.

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

"""A Lumenfall webhook receiver: verify, deduplicate, answer 2xx at once, work afterwards.

Run it (ASGI, any server)::

    export LUMENFALL_API_KEY=lmnfl_...            # to fetch the finished video's details
    export LUMENFALL_WEBHOOK_SECRET=whsec_...     # from client.webhooks.secret()
    uvicorn --factory examples.webhook_receiver:app_from_environment --port 8443

and pass ``webhook_url="https://<your host>/webhooks/lumenfall"`` to ``client.videos.create``.

Why it is shaped like this:

- **Verify the raw bytes.** The signature covers the body exactly as sent, so it is checked on
  ``await request.body()`` before any JSON parsing; a failure answers 400 and nothing is done.
- **Idempotent.** Lumenfall retries a delivery that did not get a 2xx in time (5 s, 15 s, 45 s),
  so the same event can arrive more than once. Each delivery is claimed by its ``webhook-id``
  and, for video events, by ``type`` + ``data.id``; a repeat is acknowledged and skipped.
- **Fast.** Lumenfall waits at most 30 s. The handler answers as soon as the event is claimed
  and does the slow part (fetching the Video, downloading, updating your records) after the
  response, as a background task.

The in-memory :class:`SeenDeliveries` suits one process; with several, claim in a shared store
(a table with a unique key, Redis ``SET NX``) instead.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lumenfall_openai import AsyncLumenfall, WebhookVerificationError
from lumenfall_openai.types import (
    LumenfallWebhookEvent,
    UnknownWebhookEvent,
    VideoCancelledEvent,
    VideoCompletedEvent,
    VideoFailedEvent,
)

log = logging.getLogger("webhook_receiver")

EventHandler = Callable[[LumenfallWebhookEvent], Awaitable[None]]


class SeenDeliveries:
    """Which deliveries were already taken, bounded so a long-running process does not grow.

    ``claim`` is atomic: of two concurrent deliveries of one event, exactly one wins.
    """

    def __init__(self, max_items: int = 100_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def claim(self, *keys: str) -> bool:
        """True if none of ``keys`` was seen before (and remember them all); False for a repeat."""
        with self._lock:
            if any(key in self._keys for key in keys):
                return False
            for key in keys:
                self._keys[key] = None
            while len(self._keys) > self._max:
                self._keys.popitem(last=False)
            return True


def dedupe_keys(event: LumenfallWebhookEvent) -> tuple[str, ...]:
    """``webhook-id`` catches retries of one delivery; ``type`` + ``data.id`` catches the same
    event sent again as a new delivery. An unknown event type only has the first."""
    keys = [f"delivery:{event.webhook_id}"] if event.webhook_id else []
    if not isinstance(event, UnknownWebhookEvent):
        keys.append(f"{event.type}:{event.data.id}")
    return tuple(keys)


async def log_event(event: LumenfallWebhookEvent) -> None:
    """The default work: say what happened. Replace with your own (see ``create_app``)."""
    if isinstance(event, VideoCompletedEvent):
        log.info("video %s completed: %s", event.data.id, event.data.output.url if event.data.output else "-")
    elif isinstance(event, VideoFailedEvent):
        log.warning("video %s failed: %s", event.data.id, event.data.error.message if event.data.error else "-")
    elif isinstance(event, VideoCancelledEvent):
        log.info("video %s cancelled", event.data.id)
    else:
        log.info("ignoring webhook event of unknown type %r", event.type)


def create_app(
    client: AsyncLumenfall,
    *,
    on_event: EventHandler = log_event,
    seen: SeenDeliveries | None = None,
    path: str = "/webhooks/lumenfall",
) -> Starlette:
    """An ASGI app that verifies deliveries with ``client``'s webhook secret and hands each new
    event to ``on_event`` after answering."""
    claimed = seen if seen is not None else SeenDeliveries()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()  # the raw bytes: the signature covers exactly these
        try:
            event = client.webhooks.unwrap(body, request.headers)
        except WebhookVerificationError as error:
            log.warning("rejected a webhook delivery: %s", error)
            return JSONResponse({"error": "invalid signature", "detail": str(error)}, status_code=400)
        if not claimed.claim(*dedupe_keys(event)):
            return JSONResponse({"ok": True, "duplicate": True})
        return JSONResponse({"ok": True, "duplicate": False}, background=BackgroundTask(on_event, event))

    return Starlette(routes=[Route(path, receive, methods=["POST"])])


def app_from_environment() -> Starlette:
    """``uvicorn --factory``: key, base URL and secret from ``LUMENFALL_*`` variables."""
    client = AsyncLumenfall()
    if client.webhook_secret is None:
        raise SystemExit("Set LUMENFALL_WEBHOOK_SECRET (the whsec_... value from client.webhooks.secret()).")

    async def fetch_and_log(event: LumenfallWebhookEvent) -> None:
        await log_event(event)
        if isinstance(event, VideoCompletedEvent):
            # The event is a summary; the Video has the final cost and the URL's expiry.
            video = await client.videos.retrieve(event.data.id)
            log.info("video %s cost %s %s", video.id, video.metadata.cost, video.metadata.cost_currency or "")

    return create_app(client, on_event=fetch_and_log)

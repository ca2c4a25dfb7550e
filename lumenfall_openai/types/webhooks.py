"""Lumenfall's webhook events, as ``client.webhooks.unwrap`` returns them.

Note that an event's ``data`` is *not* the polled Video object: it has ``object:
"video.generation"`` and only ``id``, ``model``, ``status``, ``output.url`` (and ``error`` on
failure). Fetch the full Video (cost, expiry, size) with ``client.videos.retrieve(event.data.id)``.

An event type this package does not know yet becomes :class:`UnknownWebhookEvent` (its body kept
as sent) instead of an error, so a new Lumenfall event never breaks a running receiver.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from pydantic import Field

from ._base import LumenfallModel, construct_from

__all__ = [
    "KNOWN_EVENT_TYPES",
    "LumenfallWebhookEvent",
    "UnknownWebhookEvent",
    "VideoCancelledEvent",
    "VideoCompletedEvent",
    "VideoFailedEvent",
    "WebhookSecret",
    "WebhookVideoData",
    "WebhookVideoError",
    "WebhookVideoOutput",
    "parse_event",
]


class WebhookVideoOutput(LumenfallModel):
    url: str
    """Where to fetch the finished file (short-lived; download it soon)."""


class WebhookVideoError(LumenfallModel):
    code: str
    """Lumenfall error code, e.g. ``UPSTREAM_ERROR``."""
    message: str


class WebhookVideoData(LumenfallModel):
    """The job an event is about (a summary, not the full Video)."""

    object: str = "video.generation"
    id: str
    """The video id, e.g. ``video_abc123``: the key to deduplicate redeliveries on."""
    model: str | None = None
    status: str
    """``completed``, ``failed`` or ``cancelled`` (Lumenfall may report a cancel as ``failed``)."""
    output: WebhookVideoOutput | None = None
    """Set on ``video.completed``."""
    error: WebhookVideoError | None = None
    """Set on ``video.failed`` (and on a cancel, when Lumenfall says why)."""


class _Event(LumenfallModel):
    webhook_id: str | None = None
    """The delivery's ``webhook-id`` header (not part of the body). Redeliveries of one event
    share it, so it is a deduplication key like ``data.id``."""
    webhook_timestamp: int | None = None
    """The delivery's ``webhook-timestamp`` header, Unix seconds."""


class VideoCompletedEvent(_Event):
    type: Literal["video.completed"]
    data: WebhookVideoData


class VideoFailedEvent(_Event):
    type: Literal["video.failed"]
    data: WebhookVideoData


class VideoCancelledEvent(_Event):
    type: Literal["video.cancelled"]
    data: WebhookVideoData


class UnknownWebhookEvent(_Event):
    """An event type this version does not model. ``type`` and the raw ``data`` are kept."""

    type: str
    data: Any = Field(default=None)
    """The event's ``data`` exactly as sent (usually a dict)."""


LumenfallWebhookEvent: TypeAlias = VideoCompletedEvent | VideoFailedEvent | VideoCancelledEvent | UnknownWebhookEvent
"""What ``client.webhooks.unwrap`` returns; narrow with ``isinstance`` or on ``event.type``."""

_EVENT_CLASSES: dict[str, type[VideoCompletedEvent | VideoFailedEvent | VideoCancelledEvent]] = {
    "video.completed": VideoCompletedEvent,
    "video.failed": VideoFailedEvent,
    "video.cancelled": VideoCancelledEvent,
}
KNOWN_EVENT_TYPES: frozenset[str] = frozenset(_EVENT_CLASSES)


def parse_event(
    body: dict[str, Any], *, webhook_id: str | None = None, webhook_timestamp: int | None = None
) -> LumenfallWebhookEvent:
    """Build the typed event for a decoded (and already verified) webhook body.

    A known ``type`` whose ``data`` is not an object with an ``id`` is kept as
    :class:`UnknownWebhookEvent` too: the typed classes promise ``data.id``.
    """
    kind = body.get("type")
    data = body.get("data")
    values: dict[str, Any] = {**body, "webhook_id": webhook_id, "webhook_timestamp": webhook_timestamp}
    cls = _EVENT_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is not None and isinstance(data, dict) and isinstance(data.get("id"), str):  # pyright: ignore[reportUnknownMemberType]
        return construct_from(cls, values)
    values["type"] = kind if isinstance(kind, str) else ""
    return construct_from(UnknownWebhookEvent, values)


class WebhookSecret(LumenfallModel):
    """``GET /v1/webhooks/secret``: the organisation's signing secret."""

    key: str
    """The ``whsec_...`` secret. Keep it out of source control; set ``LUMENFALL_WEBHOOK_SECRET``."""

    def __repr__(self) -> str:
        # A secret must not end up in logs by way of a repr.
        return "WebhookSecret(key='whsec_***')"

    __str__ = __repr__

"""Verify a webhook delivery and parse it into a typed event (pure; both twins call it)."""

from __future__ import annotations

import json
from typing import Any

from .._signing import DEFAULT_TOLERANCE, verify
from ..errors import WebhookVerificationError
from ..types.webhooks import LumenfallWebhookEvent, parse_event

__all__ = ["unwrap_event"]


def unwrap_event(
    payload: str | bytes, headers: Any, secret: str | None, *, tolerance: float = DEFAULT_TOLERANCE
) -> LumenfallWebhookEvent:
    """Verify a delivery, then parse it into a typed event (pure; what both twins call)."""
    msg_id, stamp = verify(payload, headers, secret, tolerance=tolerance)
    try:
        body = json.loads(payload if isinstance(payload, str) else bytes(payload))
    except (ValueError, TypeError, RecursionError):
        raise WebhookVerificationError(
            "The webhook is signed correctly but its body is not JSON; Lumenfall always sends a JSON "
            "object. Make sure the raw body reached the handler unchanged."
        ) from None
    if not isinstance(body, dict):
        raise WebhookVerificationError(
            "The webhook is signed correctly but its body is not a JSON object with `type` and `data`."
        )
    return parse_event(body, webhook_id=msg_id, webhook_timestamp=stamp)  # pyright: ignore[reportUnknownArgumentType]

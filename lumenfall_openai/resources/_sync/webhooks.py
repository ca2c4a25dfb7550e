# Generated from lumenfall_openai/resources/_async/webhooks.py by scripts/unasync.py; do not edit.
"""``client.webhooks``: verify and parse Lumenfall's signed deliveries, fetch the signing secret.

Replaces openai's ``client.webhooks`` (which verifies OpenAI's events with OPENAI_WEBHOOK_SECRET
and, on openai 3.x, manages OpenAI webhook endpoints) with Lumenfall's: the same method names and
arguments (``verify_signature``, ``unwrap``), Lumenfall's events and secret. The checks themselves
live in ``_signing`` (pure, no I/O); ``verify_signature`` and ``unwrap`` are plain methods on
the async client too, since they do no I/O.

Written once, as async; ``scripts/unasync.py`` generates the sync twin in ``resources/_sync/``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..._compat import (
    Body,
    Headers,
    NotGiven,
    Query,
    SyncAPIResource,
    http,
    make_request_options,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from ..._signing import DEFAULT_TOLERANCE, verify
from ...types.webhooks import LumenfallWebhookEvent, WebhookSecret
from .._webhook_event import unwrap_event

if TYPE_CHECKING:
    from ..._client import Lumenfall

__all__ = ["Webhooks", "WebhooksWithRawResponse", "WebhooksWithStreamingResponse"]

not_given = NotGiven()


class Webhooks(SyncAPIResource):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def with_raw_response(self) -> WebhooksWithRawResponse:
        return WebhooksWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> WebhooksWithStreamingResponse:
        return WebhooksWithStreamingResponse(self)

    def verify_signature(
        self,
        payload: str | bytes,
        headers: Any,
        *,
        secret: str | None = None,
        tolerance: int = DEFAULT_TOLERANCE,
    ) -> None:
        """Raise :class:`~lumenfall_openai.errors.WebhookVerificationError` unless this delivery
        is signed by Lumenfall and no more than ``tolerance`` seconds (default 5 minutes) off.

        ``payload`` is the raw body (bytes as received), ``headers`` the request's headers (any
        mapping, case-insensitive). ``secret`` defaults to the client's ``webhook_secret`` (from
        ``webhook_secret=`` or ``LUMENFALL_WEBHOOK_SECRET``).

        Not a coroutine on the async client either: it does no I/O (as in openai).
        """
        verify(payload, headers, self._secret(secret), tolerance=tolerance)

    def unwrap(
        self,
        payload: str | bytes,
        headers: Any,
        *,
        secret: str | None = None,
        tolerance: int = DEFAULT_TOLERANCE,
    ) -> LumenfallWebhookEvent:
        """Verify (as :meth:`verify_signature`) and return the typed event.

        ``VideoCompletedEvent`` / ``VideoFailedEvent`` / ``VideoCancelledEvent``, or
        ``UnknownWebhookEvent`` for a type this version does not know. Deliveries repeat:
        deduplicate on ``event.webhook_id`` or ``event.data.id``.

        Not a coroutine on the async client either: it does no I/O (as in openai).
        """
        return unwrap_event(payload, headers, self._secret(secret), tolerance=tolerance)

    def secret(
        self,
        *,
        extra_headers: Headers | None = None,
        extra_query: Query | None = None,
        extra_body: Body | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
    ) -> WebhookSecret:
        """Your organisation's signing secret (``GET /v1/webhooks/secret`` on the native API)."""
        return self._get(
            f"{self._client.native_base_url}/webhooks/secret",
            options=make_request_options(
                extra_headers=extra_headers, extra_query=extra_query, extra_body=extra_body, timeout=timeout
            ),
            cast_to=WebhookSecret,
        )

    def _secret(self, secret: str | None) -> str | None:
        return secret if secret is not None else self._client.webhook_secret


class WebhooksWithRawResponse:
    def __init__(self, webhooks: Webhooks) -> None:
        self._webhooks = webhooks
        self.secret = to_raw_response_wrapper(webhooks.secret)


class WebhooksWithStreamingResponse:
    def __init__(self, webhooks: Webhooks) -> None:
        self._webhooks = webhooks
        self.secret = to_streamed_response_wrapper(webhooks.secret)

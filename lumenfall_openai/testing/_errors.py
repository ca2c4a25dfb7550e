"""Lumenfall's error envelope, and the HTTP status that goes with each error code.

Handlers raise :class:`ApiError`; one exception handler turns it into
``{"error": {"message", "type", "code"}}``. The status for each documented code comes from the
API notes (``lumenfall-api.md``); the ``type`` strings are not documented anywhere, so they follow
OpenAI's vocabulary, which is what openai-based clients already map.
"""

from __future__ import annotations

from typing import Any

# code -> (HTTP status, type). The documented codes first, then the few the emulator needs for
# situations the notes do not cover (unknown video id, media host refusals).
ERROR_CODES: dict[str, tuple[int, str]] = {
    "AUTHENTICATION_FAILED": (401, "authentication_error"),
    "INSUFFICIENT_BALANCE": (402, "insufficient_balance_error"),
    "INVALID_REQUEST": (400, "invalid_request_error"),
    "CONTENT_POLICY_VIOLATION": (400, "invalid_request_error"),
    "MODEL_NOT_FOUND": (404, "invalid_request_error"),
    "MODEL_DISABLED": (404, "invalid_request_error"),
    "RATE_LIMITED": (429, "rate_limit_error"),
    "ALL_PROVIDERS_EXHAUSTED": (502, "upstream_error"),
    # "varies" in the notes: 502 unless a test asks for another status.
    "UPSTREAM_ERROR": (502, "upstream_error"),
    # Not in the notes; chosen by the emulator and documented in its README section.
    "NOT_FOUND": (404, "not_found_error"),
    "INTERNAL_ERROR": (500, "api_error"),
    "MEDIA_EXPIRED": (403, "media_error"),
    "AUTHORIZATION_NOT_ALLOWED": (400, "media_error"),
    "RANGE_NOT_SATISFIABLE": (416, "media_error"),
    # Lumenfall is silent on a reused key with a different body; the emulator refuses it (409).
    "IDEMPOTENCY_KEY_REUSED": (409, "invalid_request_error"),
}

DOCUMENTED_CODES: tuple[str, ...] = (
    "AUTHENTICATION_FAILED",
    "INSUFFICIENT_BALANCE",
    "INVALID_REQUEST",
    "CONTENT_POLICY_VIOLATION",
    "MODEL_NOT_FOUND",
    "MODEL_DISABLED",
    "RATE_LIMITED",
    "ALL_PROVIDERS_EXHAUSTED",
    "UPSTREAM_ERROR",
)

# What a person reads when a test forces a code without giving a message.
DEFAULT_MESSAGES: dict[str, str] = {
    "AUTHENTICATION_FAILED": "Invalid API key. Keys look like 'lmnfl_<key_id>.<secret>'.",
    "INSUFFICIENT_BALANCE": "Insufficient balance: top up your Lumenfall account.",
    "INVALID_REQUEST": "The request is invalid.",
    "CONTENT_POLICY_VIOLATION": "The request was rejected by the provider's content policy.",
    "MODEL_NOT_FOUND": "Model not found.",
    "MODEL_DISABLED": "This model is disabled for your organisation.",
    "RATE_LIMITED": "Rate limited by every provider for this model; try again shortly.",
    "ALL_PROVIDERS_EXHAUSTED": "All providers failed for this request.",
    "UPSTREAM_ERROR": "The provider returned an error.",
    "NOT_FOUND": "Not found.",
    "INTERNAL_ERROR": "Internal error.",
    "CANCELLED": "The video generation was cancelled.",
}


MAX_MESSAGE_CHARS = 1000


def status_for(code: str) -> int:
    """The HTTP status Lumenfall uses for ``code`` (500 for a code the emulator does not know)."""
    return ERROR_CODES.get(code, (500, "api_error"))[0]


def type_for(code: str, status: int | None = None) -> str:
    """The ``type`` of a code; a code the emulator does not know is typed by its status."""
    known = ERROR_CODES.get(code)
    if known is not None:
        return known[1]
    return "invalid_request_error" if status is not None and status < 500 else "api_error"


def envelope(code: str, message: str, status: int | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_for(code, status), "code": code}}


class ApiError(Exception):
    """An error answer: raised anywhere in a handler, rendered as Lumenfall's envelope."""

    def __init__(self, code: str, message: str | None = None, *, status: int | None = None) -> None:
        self.code = code
        message = message or DEFAULT_MESSAGES.get(code, code)
        # Messages quote what the caller sent; a 30 MB field must not come back (or be kept) whole.
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[:MAX_MESSAGE_CHARS] + "... (truncated)"
        self.message = message
        self.status = status if status is not None else status_for(code)
        super().__init__(f"{self.status} {code}: {self.message}")

    def body(self) -> dict[str, Any]:
        return envelope(self.code, self.message, self.status)


def invalid(message: str) -> ApiError:
    return ApiError("INVALID_REQUEST", message)

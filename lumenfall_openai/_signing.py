"""Standard Webhooks, both ends: sign a delivery and verify one, with one secret decoder.

Lumenfall signs its webhook deliveries per https://www.standardwebhooks.com/: the signed content
is ``"{webhook-id}.{webhook-timestamp}.{body}"``, the key is the base64-decoded part of a
``whsec_...`` secret, the signature HMAC-SHA256. The emulator signs with :func:`sign`,
``client.webhooks`` verifies with :func:`verify`; both go through :func:`decode_secret` and
:func:`_digest`, so whatever one accepts the other produces (an unpadded or prefix-less secret
included), byte-compatible with the ``standardwebhooks`` library. Pure functions, no I/O.

The checks of :func:`verify`, in order:

1. the three headers ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` are present;
2. the timestamp is whole Unix seconds within ``tolerance`` (5 minutes) of now, either way, so a
   captured delivery cannot be replayed later;
3. one of the space-separated ``v1,<base64>`` signatures (several during a key rotation) equals
   the expected one, compared in constant time.

Any failure raises :class:`~lumenfall_openai.errors.WebhookVerificationError` (whatever the
input: hostile bytes, odd header types, non-ASCII) with a message that says what to do; a
missing or malformed *secret* is a configuration mistake and raises
:class:`~lumenfall_openai.errors.LumenfallConfigurationError` instead, so it surfaces as a
server error to fix rather than as a stream of rejected deliveries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from typing import Any

from ._numbers import finite_number
from .errors import LumenfallConfigurationError, WebhookVerificationError

__all__ = [
    "DEFAULT_TOLERANCE",
    "HEADER_ID",
    "HEADER_SIGNATURE",
    "HEADER_TIMESTAMP",
    "SECRET_PREFIX",
    "check_tolerance",
    "decode_secret",
    "generate_secret",
    "sign",
    "verify",
]

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300
HEADER_ID = "webhook-id"
HEADER_TIMESTAMP = "webhook-timestamp"
HEADER_SIGNATURE = "webhook-signature"

_MAX_TIMESTAMP_DIGITS = 12  # Unix seconds until the year 33658; more is not a timestamp


def decode_secret(secret: object) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; the prefix and the base64 padding are optional,
    as in the spec and the ``standardwebhooks`` library."""
    if not isinstance(secret, str) or not secret.strip():
        raise LumenfallConfigurationError(
            "No webhook secret to verify with. Pass `secret=`, create the client with "
            "`webhook_secret=`, or set LUMENFALL_WEBHOOK_SECRET to the 'whsec_...' value from "
            "client.webhooks.secret() (Lumenfall dashboard: one secret per organisation)."
        )
    text = secret.strip()
    encoded = text[len(SECRET_PREFIX) :] if text.startswith(SECRET_PREFIX) else text
    encoded += "=" * (-len(encoded) % 4)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise LumenfallConfigurationError(
            "The webhook secret is not a valid 'whsec_<base64>' value. Copy it again from "
            "client.webhooks.secret() (it is the whole 'whsec_...' string, nothing trimmed)."
        ) from None
    if not key:
        raise LumenfallConfigurationError("The webhook secret is empty after 'whsec_'; copy the whole secret.")
    return key


def _digest(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    # What is signed, for both ends: a str id is encoded as UTF-8 (surrogates kept, so an id
    # that is not valid Unicode still gets a definite signature rather than an exception).
    signed = b"%s.%d.%s" % (msg_id.encode("utf-8", "surrogatepass"), timestamp, body)
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value ``"v1,<base64 HMAC-SHA256>"`` for one delivery."""
    return "v1," + base64.b64encode(_digest(decode_secret(secret), msg_id, timestamp, body)).decode()


def generate_secret() -> str:
    """A fresh ``whsec_`` secret: 32 random bytes, base64-encoded (what Lumenfall hands out)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _header(headers: Any, name: str) -> str:
    """A header value by case-insensitive name, from a mapping (dict, Starlette or httpx headers)
    or an iterable of ``(name, value)`` pairs (ASGI's raw headers), str or bytes."""
    value: object = None
    try:
        getter = getattr(headers, "get", None)
        if callable(getter):
            value = getter(name)
        if value is None:
            pairs = headers.items() if callable(getattr(headers, "items", None)) else headers
            for key, item in pairs:
                key_text = key.decode("latin-1") if isinstance(key, bytes) else key
                if isinstance(key_text, str) and key_text.lower() == name:
                    value = item
                    break
    except Exception:  # headers that cannot be read are as good as missing ones
        value = None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str) or not value.strip():
        raise WebhookVerificationError(
            f"The request has no {name} header, so it cannot be verified as coming from Lumenfall. "
            "Lumenfall signs every delivery with webhook-id, webhook-timestamp and webhook-signature "
            "(Standard Webhooks): pass the request's headers exactly as received (not a copy that "
            "dropped some) and answer 400 to requests without them."
        )
    return value


def _timestamp(raw: str, now: float, tolerance: float) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_TIMESTAMP_DIGITS:
        raise WebhookVerificationError(
            f"The webhook-timestamp header {raw[:40]!r} is not Unix seconds; this is not a Lumenfall "
            "delivery (answer 400)."
        )
    stamp = int(raw)
    age = now - stamp
    if age > tolerance:
        raise WebhookVerificationError(
            f"The webhook was signed {age:.0f} s ago, more than the {tolerance:.0f} s tolerance: it is a "
            "replay or was held up. Answer 400; Lumenfall retries fresh deliveries on its own. If every "
            "delivery fails this way, the server clock is wrong (check NTP)."
        )
    if -age > tolerance:
        raise WebhookVerificationError(
            f"The webhook's timestamp is {-age:.0f} s in the future, beyond the {tolerance:.0f} s "
            "tolerance. Answer 400. If every delivery fails this way, the server clock is wrong (check NTP)."
        )
    return stamp


def check_tolerance(tolerance: object) -> float:
    """``tolerance`` as seconds, or ValueError: NaN (every comparison with it is false) would
    accept any timestamp, infinity one signed in 1970, a negative one reject every delivery."""
    seconds = finite_number(tolerance)
    if seconds is None or seconds < 0:
        raise ValueError(
            f"tolerance must be a finite number of seconds >= 0, got {tolerance!r}; it bounds how old a "
            f"webhook may be (replay protection). Leave it out for the default {DEFAULT_TOLERANCE} s."
        )
    return seconds


def _signatures(header: str) -> list[bytes]:
    found: list[bytes] = []
    for part in header.split():
        version, _, encoded = part.partition(",")
        if version != "v1" or not encoded:
            continue  # other schemes (e.g. v1a asymmetric) are not ours to check
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def verify(
    payload: bytes | bytearray | memoryview | str,
    headers: Mapping[str, str] | Any,
    secret: object,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> tuple[str, int]:
    """Check one delivery; return its ``(webhook-id, timestamp)`` or raise.

    ``payload`` must be the raw request body, byte for byte: a body parsed and re-serialised
    (``json.dumps(request.json())``) no longer matches its signature.
    """
    key = decode_secret(secret)
    tolerance = check_tolerance(tolerance)
    if isinstance(payload, str):
        body = payload.encode("utf-8", "surrogatepass")
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        body = bytes(payload)
    else:
        raise WebhookVerificationError(
            f"The payload must be the raw request body (bytes or str), not {type(payload).__name__}: "
            "read it with `await request.body()` (Starlette) or `request.get_data()` (Flask)."
        )
    msg_id = _header(headers, HEADER_ID)
    stamp = _timestamp(_header(headers, HEADER_TIMESTAMP), time.time() if now is None else now, tolerance)
    candidates = _signatures(_header(headers, HEADER_SIGNATURE))
    expected = _digest(key, msg_id, stamp, body)
    # Compare against every candidate (no early exit) so timing says nothing about which matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookVerificationError(
            "The webhook signature does not match: the body was changed (verify the raw bytes, before "
            "any JSON parsing), or it was signed with another secret (check LUMENFALL_WEBHOOK_SECRET "
            "against client.webhooks.secret()). Answer 400 and do not act on it."
            if candidates
            else "The webhook-signature header holds no 'v1,<base64>' signature; this is not a Lumenfall "
            "delivery (answer 400)."
        )
    return msg_id, stamp

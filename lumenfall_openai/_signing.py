"""Standard Webhooks signing, the scheme Lumenfall uses for its webhook deliveries.

Pure functions, no I/O: the emulator signs with them, and verification (added beside them)
must agree byte for byte. The signed content is ``"{msg_id}.{timestamp}.{body}"``, keyed with
the base64-decoded part of a ``whsec_...`` secret (https://www.standardwebhooks.com/).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def _secret_bytes(secret: str) -> bytes:
    # The spec keys the HMAC with the decoded bytes, not the printable secret; a secret without
    # the prefix is taken as the bare base64 part (standardwebhooks does the same).
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    return base64.b64decode(encoded)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``webhook-signature`` value ``"v1,<base64 HMAC-SHA256>"`` for one delivery."""
    signed = b"%s.%d.%s" % (msg_id.encode(), timestamp, body)
    digest = hmac.new(_secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def generate_secret() -> str:
    """A fresh ``whsec_`` secret: 32 random bytes, base64-encoded (what Lumenfall hands out)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


__all__ = ["SECRET_PREFIX", "generate_secret", "sign"]

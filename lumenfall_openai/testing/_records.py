"""What the emulator received, for tests to assert on.

Secrets never enter a record: the Authorization value is kept only as a key id, a masked form and
a SHA-256 digest, so ``repr(emulator.requests)`` is safe to print in a failing test, and
``record.sent_key("lmnfl_...")`` still answers "was this exact key sent?".
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._validation import UploadedFile

_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "cookie", "proxy-authorization"})
_KEY_RE = re.compile(r"^(?:bearer\s+)?(lmnfl_[A-Za-z0-9_-]+)\.", re.IGNORECASE)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def mask_secret(value: str) -> str:
    """``"Bearer lmnfl_test.s3cret"`` -> ``"Bearer lmnfl_test.***"``; anything else -> ``"***"``."""
    match = _KEY_RE.match(value.strip())
    if match:
        return f"Bearer {match.group(1)}.***"
    return "***"


def bearer_token(value: str | None) -> str | None:
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@dataclass
class RecordedRequest:
    """One HTTP request as the emulator saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; secrets masked
    received_at: float
    route: str | None = None  # "POST /openai/v1/videos", None when no route matched
    body_size: int = 0
    json: Any = None  # parsed JSON body
    form: dict[str, Any] | None = None  # multipart/urlencoded fields; files as UploadedFile
    files: list[UploadedFile] = field(default_factory=list[UploadedFile])
    status: int | None = None  # response status
    key_id: str | None = None  # the <key_id> of a well-formed lmnfl_ key
    faults: list[str] = field(default_factory=list[str])
    _secret_digests: dict[str, str] = field(default_factory=dict[str, str], repr=False)

    def sent_key(self, api_key: str) -> bool:
        """Whether this request carried exactly ``api_key`` as its Bearer token."""
        return self._secret_digests.get("bearer") == _digest(api_key)

    @property
    def has_authorization(self) -> bool:
        return "authorization" in self.headers


def redact_headers(raw: Iterable[tuple[bytes, bytes]]) -> tuple[dict[str, str], dict[str, str]]:
    headers: dict[str, str] = {}
    digests: dict[str, str] = {}
    for name_b, value_b in raw:
        name = name_b.decode("latin-1").lower()
        value = value_b.decode("latin-1")
        if name in _SECRET_HEADERS:
            if name == "authorization":
                token = bearer_token(value)
                if token is not None:
                    digests["bearer"] = _digest(token)
            value = mask_secret(value)
        headers[name] = value
    return headers, digests


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def new(
        self, method: str, path: str, query: dict[str, str], raw_headers: Iterable[tuple[bytes, bytes]]
    ) -> RecordedRequest:
        headers, digests = redact_headers(raw_headers)
        record = RecordedRequest(method, path, query, headers, time.time(), _secret_digests=digests)
        with self._lock:
            self._items.append(record)
        return record

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

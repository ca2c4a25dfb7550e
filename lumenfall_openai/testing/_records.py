"""What the emulator received, for tests to assert on.

Secrets never enter a record: the Authorization value is kept only as a key id, a masked form and
a SHA-256 digest, so ``repr(emulator.requests)`` is safe to print in a failing test, and
``record.sent_key("lmnfl_...")`` still answers "was this exact key sent?".
"""

from __future__ import annotations

import collections
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


# What a record keeps of a body: strings, lists and objects are cut to these sizes, so recording
# any traffic stays bounded (three rejected 50 MB prompts are not held).
MAX_RECORDED_STRING = 64 * 1024
MAX_RECORDED_ITEMS = 1000
MAX_RECORDED_DEPTH = 32
TRUNCATED = "...(truncated by the emulator)"


def shrink(value: Any, depth: int = 0) -> Any:
    """A copy of a decoded body small enough to keep: long strings, lists and objects are cut.

    Values at or under the limits come back equal, so tests that assert on what was sent keep
    working; a cut string ends with :data:`TRUNCATED`.
    """
    if isinstance(value, str):
        return value if len(value) <= MAX_RECORDED_STRING else value[:MAX_RECORDED_STRING] + TRUNCATED
    if depth >= MAX_RECORDED_DEPTH and isinstance(value, (list, dict)):
        return TRUNCATED
    if isinstance(value, list):
        items: list[Any] = value  # pyright: ignore[reportUnknownVariableType]
        return [shrink(v, depth + 1) for v in items[:MAX_RECORDED_ITEMS]]
    if isinstance(value, dict):
        mapping: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
        kept = list(mapping.items())[:MAX_RECORDED_ITEMS]
        return {shrink(k, depth + 1): shrink(v, depth + 1) for k, v in kept}
    return value


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


DEFAULT_MAX_RECORDS = 10_000


class Recorder:
    """The last ``max_records`` requests (a ring: the oldest are dropped first)."""

    def __init__(self, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        if max_records < 1:
            raise ValueError("max_records must be at least 1")
        self._lock = threading.Lock()
        self._items: collections.deque[RecordedRequest] = collections.deque(maxlen=max_records)
        self.total = 0  # every request ever received, including the dropped records

    def new(
        self, method: str, path: str, query: dict[str, str], raw_headers: Iterable[tuple[bytes, bytes]]
    ) -> RecordedRequest:
        headers, digests = redact_headers(raw_headers)
        record = RecordedRequest(method, path, query, headers, time.time(), _secret_digests=digests)
        with self._lock:
            self._items.append(record)
            self.total += 1
        return record

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

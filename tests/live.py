"""Live conformance mode: the tests marked ``live`` against the real Lumenfall.

    LUMENFALL_API_KEY=lmnfl_... pytest -m live

Without ``-m live`` the ``live`` tests run like any other, against the emulator (that is how CI
runs them). With ``-m live`` they run against Lumenfall (``LUMENFALL_BASE_URL`` or the default
host) when ``LUMENFALL_API_KEY`` is set, and are skipped when it is not. A live run may only
spend nothing: every paid request must name the free ``mock-video`` model, and the whole session
may send at most ``LUMENFALL_LIVE_MAX_REQUESTS`` requests (default 150); the request that would
break either rule fails its test before it is sent.

The environment is read once, when pytest starts: every test runs with LUMENFALL_* cleared.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from lumenfall_openai._compat import http

MARK = "live"
FREE_MODEL = "mock-video"
DEFAULT_MAX_REQUESTS = 150


def live_selected(markexpr: str) -> bool:
    """True when ``-m`` asks for the live tests (``-m live``, ``-m "live and not slow"``), not
    when it excludes them (``-m "not live"``)."""
    return re.search(r"(?<!not )\blive\b", markexpr or "") is not None


class RequestCap:
    """Counts the requests of a live session and refuses any past ``limit``, and any paid request
    for a model other than the free one. Raises pytest's failure (a BaseException, so openai's
    retry loop cannot swallow it) before the request is sent."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sent = 0
        self._lock = threading.Lock()

    def check(self, request: http.Request) -> None:
        with self._lock:
            self.sent += 1
            sent = self.sent
        if sent > self.limit:
            pytest.fail(
                f"live mode: request #{sent} ({request.method} {request.url.path}) is past the cap of "
                f"{self.limit} requests per session (LUMENFALL_LIVE_MAX_REQUESTS)",
                pytrace=False,
            )
        if request.method == "POST" and "dryRun" not in request.url.params:
            model = _model_of(request)
            if model != FREE_MODEL:
                pytest.fail(f"live mode sends only the free {FREE_MODEL!r} model, not {model!r}", pytrace=False)

    def __call__(self, request: http.Request) -> None:
        self.check(request)

    async def async_hook(self, request: http.Request) -> None:
        self.check(request)


def _model_of(request: http.Request) -> object:
    try:
        body: object = json.loads(request.read() or b"{}")
    except ValueError:
        return None  # multipart or unreadable: not provably free
    return body.get("model") if isinstance(body, dict) else None  # pyright: ignore[reportUnknownMemberType]


@dataclass
class Target:
    """Where a ``live`` test sends its requests: the emulator, or Lumenfall itself."""

    base_url: str
    api_key: str
    live: bool
    cap: RequestCap | None = None
    _opened: list[Any] = field(default_factory=list[Any])

    def client(self, **kwargs: Any) -> Any:
        from lumenfall_openai import Lumenfall

        if self.cap is not None:
            kwargs["http_client"] = http.Client(event_hooks={"request": [self.cap]}, follow_redirects=True)
        c = Lumenfall(api_key=self.api_key, base_url=self.base_url, **kwargs)
        self._opened.append(c)
        return c

    def async_client(self, **kwargs: Any) -> Any:
        from lumenfall_openai import AsyncLumenfall

        if self.cap is not None:
            hooks = {"request": [self.cap.async_hook]}
            kwargs["http_client"] = http.AsyncClient(event_hooks=hooks, follow_redirects=True)
        return AsyncLumenfall(api_key=self.api_key, base_url=self.base_url, **kwargs)

    def close(self) -> None:
        for c in self._opened:
            c.close()


@dataclass(frozen=True)
class LiveSettings:
    selected: bool
    api_key: str | None
    base_url: str | None
    max_requests: int

    @classmethod
    def from_config(cls, config: pytest.Config) -> LiveSettings:
        limit = os.environ.get("LUMENFALL_LIVE_MAX_REQUESTS", "")
        return cls(
            selected=live_selected(str(config.getoption("markexpr", "") or "")),
            api_key=os.environ.get("LUMENFALL_API_KEY") or None,
            base_url=os.environ.get("LUMENFALL_BASE_URL") or None,
            max_requests=int(limit) if limit.strip() else DEFAULT_MAX_REQUESTS,
        )


SETTINGS_KEY = pytest.StashKey[LiveSettings]()
CAP_KEY = pytest.StashKey[RequestCap]()


def configure(config: pytest.Config) -> None:
    settings = LiveSettings.from_config(config)
    config.stash[SETTINGS_KEY] = settings
    config.stash[CAP_KEY] = RequestCap(settings.max_requests)


def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """The ``target`` fixture: the emulator, unless this is a live run."""
    from lumenfall_openai.testing import LumenfallEmulator

    settings = request.config.stash[SETTINGS_KEY]
    if settings.selected:
        if settings.api_key is None:
            pytest.skip("live mode (-m live) needs LUMENFALL_API_KEY; without it the live tests are skipped")
        base_url = settings.base_url or "https://api.lumenfall.ai/openai/v1"
        t = Target(base_url, settings.api_key, live=True, cap=request.config.stash[CAP_KEY])
        try:
            yield t
        finally:
            t.close()
        return
    emulator = LumenfallEmulator(queue_seconds=0.05, run_seconds=0.25)
    try:
        with emulator.serve() as url:
            t = Target(url, "lmnfl_testkey.s3cr3t-value", live=False)
            try:
                yield t
            finally:
                t.close()
    finally:
        emulator.close()


def summary(config: pytest.Config) -> str | None:
    """The line a live run ends with: how many requests it sent, against the cap."""
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None or not settings.selected or settings.api_key is None:
        return None
    cap = config.stash[CAP_KEY]
    return f"live mode: {cap.sent} requests sent to {settings.base_url or 'Lumenfall'} (cap {cap.limit})"

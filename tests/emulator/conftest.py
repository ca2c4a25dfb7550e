"""Fixtures for the emulator tests: a served emulator on a frozen clock, and clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import AUTH, KEY, QUEUE, RUN, T0, WebhookReceiver


@pytest.fixture
def emulator() -> Iterator[LumenfallEmulator]:
    """Jobs: 2 s queued, 8 s running, on a frozen clock moved by ``advance``; fast webhook retries."""
    emu = LumenfallEmulator(
        clock=lambda: T0,
        queue_seconds=QUEUE,
        run_seconds=RUN,
        webhook_retry_scale=0.01,
        webhook_timeout=2.0,
    )
    yield emu
    emu.close()


# `base_url` comes from tests/conftest.py; it serves this directory's `emulator`.


@pytest.fixture
def client(base_url: str) -> openai.OpenAI:
    """Plain openai pointed at the emulator; no retries, so every error surfaces."""
    return openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)


@pytest.fixture
def api(emulator: LumenfallEmulator, base_url: str) -> Iterator[http.Client]:
    """Raw HTTP to the emulator's root (both /openai/v1 and /v1), with the API key."""
    with http.Client(base_url=emulator.root_url, headers=AUTH, trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def media() -> Iterator[http.Client]:
    """Raw HTTP for media URLs: no Authorization, as a correct client downloads."""
    with http.Client(trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()

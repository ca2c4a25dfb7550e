"""Fixtures shared by the whole suite.

Every test starts from an environment with no LUMENFALL_* or OPENAI_* variables, so a developer's
shell (or CI's) cannot change what a test sees; tests that need one set it with monkeypatch.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai._compat import http

from . import live

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_3630a4156d98bb8b.txt"
if not SEED.exists():  # CI lays shared/ beside the clone; a developer may have it one level up
    SEED = Path(__file__).resolve().parent / "data" / "get_video_seed.txt"

TEST_KEY = "lmnfl_testkey.s3cr3t-value"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("LUMENFALL_", "OPENAI_")):
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_examples() -> dict[str, dict[str, Any]]:
    """The seed page's response examples by title ("In progress", "Completed")."""
    found = re.findall(r"```json ([^\n]*?) theme=\{null\}\n(.*?)```", seed_text(), re.S)
    return {title.strip(): json.loads(body) for title, body in found}


def seed_python_block() -> str:
    match = re.search(r"```python Python theme=\{null\}\n(.*?)```", seed_text(), re.S)
    assert match, "the seed page's Python example was not found"
    return textwrap.dedent(match.group(1))  # the page indents its code blocks


class Recorder:
    """A mock transport for tests about one request's shape: records requests, answers from a function."""

    def __init__(self, answer: Callable[[http.Request], http.Response]) -> None:
        self.requests: list[http.Request] = []
        self._answer = answer

    def __call__(self, request: http.Request) -> http.Response:
        request.read()
        self.requests.append(request)
        return self._answer(request)

    def client(self) -> http.Client:
        return http.Client(transport=http.MockTransport(self))

    def async_client(self) -> http.AsyncClient:
        return http.AsyncClient(transport=http.MockTransport(self))


@pytest.fixture
def completed_video() -> dict[str, Any]:
    return seed_examples()["Completed"]


@pytest.fixture
def recorder(completed_video: dict[str, Any]) -> Iterator[Recorder]:
    """Answers every request with the seed's completed Video (as the job asked for, when a path names one:
    an answer about another job is refused)."""
    from lumenfall_openai._ids import requested_video_id

    def answer(request: http.Request) -> http.Response:
        asked = requested_video_id(request.url.path, encoded=False)
        return http.Response(200, json=completed_video if asked is None else {**completed_video, "id": asked})

    yield Recorder(answer)


@pytest.fixture
def emulator() -> Iterator[Any]:
    """A fresh local Lumenfall on a fast schedule (jobs finish in well under a second)."""
    from lumenfall_openai.testing import LumenfallEmulator

    emu = LumenfallEmulator(queue_seconds=0.05, run_seconds=0.25, webhook_retry_scale=0.001)
    yield emu
    emu.close()


@pytest.fixture
def base_url(emulator: Any) -> Iterator[str]:
    """The emulator served over real HTTP on 127.0.0.1 (its OpenAI-compatible base URL)."""
    with emulator.serve() as url:
        yield url


Download = Callable[..., Path]
"""``download(video_or_id, path, **kwargs)``: ``videos.download`` of one twin."""


@pytest.fixture(params=["sync", "async"])
def download(request: pytest.FixtureRequest, base_url: str) -> Iterator[Download]:
    """``download(video_or_id, path, **kwargs)`` through Lumenfall or AsyncLumenfall, on the served emulator."""
    import asyncio

    from lumenfall_openai import AsyncLumenfall, Lumenfall

    if request.param == "sync":
        with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            yield client.videos.download
        return

    def run(*args: Any, **kwargs: Any) -> Path:
        async def main() -> Path:
            async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
                return await client.videos.download(*args, **kwargs)

        return asyncio.run(main())

    yield run


@pytest.fixture
def client(base_url: str) -> Iterator[Any]:
    from lumenfall_openai import Lumenfall

    with Lumenfall(api_key=TEST_KEY, base_url=base_url) as c:
        yield c


def pytest_configure(config: pytest.Config) -> None:
    live.configure(config)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    line = live.summary(config)
    if line:
        terminalreporter.write_line(line)


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[live.Target]:
    """Where a ``live`` test sends requests: the emulator, or Lumenfall itself under ``-m live`` (tests/live.py)."""
    yield from live.target(request)

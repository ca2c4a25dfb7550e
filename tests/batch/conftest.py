from __future__ import annotations

from collections.abc import Generator

import pytest

from lumenfall_openai.testing import LumenfallEmulator

KEY = "lmnfl_batch.secret"


@pytest.fixture
def emulator() -> Generator[LumenfallEmulator, None, None]:
    emulator = LumenfallEmulator(balance=None, queue_seconds=0.05, run_seconds=0.1)
    yield emulator
    emulator.close()


@pytest.fixture
def base_url(emulator: LumenfallEmulator) -> Generator[str, None, None]:
    with emulator.serve() as url:
        yield url

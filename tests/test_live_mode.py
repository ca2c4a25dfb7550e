"""The live conformance switch (tests/live.py), proven against the emulator: nothing here may
reach the real Lumenfall. ``-m live`` without a key skips; with one, the request cap and the
free-model rule stop a request before it is sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lumenfall_openai._compat import http

from .conftest import TEST_KEY
from .live import RequestCap, live_selected

ROOT = Path(__file__).resolve().parents[1]
LIVE_TEST = "tests/test_sora_idioms.py::test_request_id_is_lumenfalls"


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LUMENFALL_", "OPENAI_"))}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), clean.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("markexpr", "selected"),
    [("live", True), ("live and not slow", True), ("slow or live", True), ("not live", False), ("", False),
     ("slow", False), ("alive", False)],
)  # fmt: skip
def test_live_mode_is_selected_only_by_asking_for_it(markexpr: str, selected: bool) -> None:
    assert live_selected(markexpr) is selected


def test_live_mode_without_a_key_skips() -> None:
    run = _pytest("-m", "live", LIVE_TEST)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout and "LUMENFALL_API_KEY" in run.stdout


def test_live_mode_with_a_key_goes_to_the_configured_host_and_the_cap_trips(base_url: str, emulator: object) -> None:
    ok = _pytest("-m", "live", LIVE_TEST, LUMENFALL_API_KEY=TEST_KEY, LUMENFALL_BASE_URL=base_url)
    assert ok.returncode == 0 and "1 passed" in ok.stdout, ok.stdout + ok.stderr
    sent = len(emulator.requests)  # type: ignore[attr-defined]
    assert sent >= 3  # the inner run really talked to this host
    capped = _pytest(
        "-m", "live", LIVE_TEST,
        LUMENFALL_API_KEY=TEST_KEY, LUMENFALL_BASE_URL=base_url, LUMENFALL_LIVE_MAX_REQUESTS="2",
    )  # fmt: skip
    assert capped.returncode == 1 and "past the cap of 2 requests" in capped.stdout, capped.stdout
    assert len(emulator.requests) - sent == 2  # type: ignore[attr-defined]  # the third was never sent


def _post(body: bytes, *, query: str = "") -> http.Request:
    return http.Request("POST", f"https://api.lumenfall.ai/openai/v1/videos{query}", content=body)


def test_cap_counts_every_request_and_refuses_past_the_limit() -> None:
    cap = RequestCap(3)
    for _ in range(3):
        cap.check(http.Request("GET", "https://api.lumenfall.ai/openai/v1/videos/v"))
    with pytest.raises(pytest.fail.Exception, match="#4"):
        cap.check(http.Request("GET", "https://media.lumenfall.ai/v.mp4"))


@pytest.mark.parametrize(
    ("body", "query", "allowed"),
    [
        (b'{"model": "mock-video", "prompt": "p"}', "", True),
        (b'{"model": "sora-2", "prompt": "p"}', "?dryRun=true", True),  # an estimate is free
        (b'{"model": "sora-2", "prompt": "p"}', "", False),
        (b'{"prompt": "p"}', "", False),  # the server's default model is not provably free
        (b"--boundary\r\nmultipart", "", False),
    ],
)
def test_only_the_free_model_is_sent_in_live_mode(body: bytes, query: str, allowed: bool) -> None:
    cap = RequestCap(10)
    if allowed:
        cap.check(_post(body, query=query))
    else:
        with pytest.raises(pytest.fail.Exception, match="mock-video"):
            cap.check(_post(body, query=query))

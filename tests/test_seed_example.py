"""Lumenfall's own "Get video" polling example runs with only its client construction changed.

The Python block is taken from the seed page itself (shared/seeds, copied to tests/data), so the
test follows the documentation rather than a hand-made copy of it.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY, seed_python_block

ORIGINAL_IMPORT = "from openai import OpenAI"
ORIGINAL_CONSTRUCTION = re.compile(r"client = OpenAI\(\s*api_key=[^)]*\)", re.S)


def migrated_seed_program() -> str:
    code = seed_python_block()
    assert ORIGINAL_IMPORT in code
    assert ORIGINAL_CONSTRUCTION.search(code)
    code = code.replace(ORIGINAL_IMPORT, "from lumenfall_openai import Lumenfall")
    code = ORIGINAL_CONSTRUCTION.sub("client = Lumenfall()", code)
    # Only the import and the construction changed: the rest is the page's code, byte for byte.
    diff = difflib.ndiff(seed_python_block().splitlines(), code.splitlines())
    changed = [line for line in diff if line.startswith(("- ", "+ "))]
    assert all("OpenAI" in line or "Lumenfall" in line or "api_key=" in line or "base_url=" in line
               or line.strip() in ("-", "- )") for line in changed), changed  # fmt: skip
    return code


@pytest.mark.parametrize(("outcome", "expected"), [("completed", "/media/video_abc123.mp4"), ("failed", "Error: ")])
def test_seed_polling_example_runs(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, outcome: str, expected: str
) -> None:
    from lumenfall_openai import Lumenfall

    # The page polls a job it assumes exists, "video_abc123": make it exist.
    emulator.script(video_id="video_abc123", fail="CONTENT_POLICY_VIOLATION" if outcome == "failed" else None)
    with Lumenfall(api_key=TEST_KEY, base_url=base_url) as c:
        c.videos.create(model="mock-video", prompt="A capybara lounging in a hot spring")
    program = tmp_path / "seed_example.py"
    program.write_text(migrated_seed_program(), encoding="utf-8")
    env = {**os.environ, "LUMENFALL_API_KEY": TEST_KEY, "LUMENFALL_BASE_URL": base_url}
    # The page sleeps 5 s between polls; the job takes well under a second, so one sleep at most.
    run = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(program)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout
    if outcome == "failed":
        assert "Error: " in run.stdout and "None" not in run.stdout

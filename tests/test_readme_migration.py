"""The README's migration section runs: each snippet (the one-line diff applied, and every Python
block) as a program against the emulator, under ``-W error::DeprecationWarning``; and so does
``examples/sora_migration.py`` with no key at all (it starts the emulator itself, and says so).

The snippets are taken from README.md itself, so the test follows the documentation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Migrating from OpenAI Sora"


def migration_snippets() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else None]
    snippets: list[tuple[str, str]] = []
    for lang, body in re.findall(r"```(diff|python)\n(.*?)```", section, re.S):
        if lang == "diff":  # the program after the change: context and added lines, prefix dropped
            body = "\n".join(line[1:] for line in body.splitlines() if not line.startswith("-"))
        snippets.append((f"{lang}-{len(snippets)}", body))
    return snippets


def _run(program: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LUMENFALL_", "OPENAI_"))}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), clean.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(program)],
        cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_section_has_the_snippets_we_expect() -> None:
    kinds = [name.split("-")[0] for name, _ in migration_snippets()]
    assert kinds.count("diff") == 1 and kinds.count("python") >= 2
    diff_program = migration_snippets()[0][1]
    assert "from lumenfall_openai import OpenAI" in diff_program and "from openai" not in diff_program


@pytest.mark.parametrize(("name", "code"), migration_snippets(), ids=[name for name, _ in migration_snippets()])
def test_readme_migration_snippet_runs(
    name: str, code: str, emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    from lumenfall_openai import Lumenfall

    if "video_abc123" in code:  # Lumenfall's "Get video" page polls a job it assumes exists
        emulator.script(video_id="video_abc123")
        with Lumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            client.videos.create(model="mock-video", prompt="A capybara lounging in a hot spring")
    program = tmp_path / "snippet.py"
    program.write_text(code, encoding="utf-8")
    run = _run(program, tmp_path, {"LUMENFALL_API_KEY": TEST_KEY, "LUMENFALL_BASE_URL": base_url})
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr, run.stderr
    if "video.mp4" in code:
        assert (tmp_path / "video.mp4").stat().st_size > 0


def test_sora_migration_example_runs_without_a_key(tmp_path: Path) -> None:
    run = _run(ROOT / "examples" / "sora_migration.py", tmp_path, {})
    assert run.returncode == 0, run.stderr
    assert "No LUMENFALL_API_KEY set: running against the built-in local emulator" in run.stdout
    assert "Video successfully completed" in run.stdout and "Wrote video.mp4" in run.stdout
    assert (tmp_path / "video.mp4").read_bytes()[4:8] == b"ftyp"  # an MP4, not an error page

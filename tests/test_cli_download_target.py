"""``--download`` is checked before anything is paid (red-team F7, F26).

``video create ... --download ""`` used to be ignored (exit 0, no wait, no file), and a
destination under a file (``afile/x.mp4``) failed only after the job was created, waited for and
billed. Both are now usage errors (exit 2) before the create is sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumenfall_openai.cli import main
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY


@pytest.fixture
def lumenfall_env(base_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", base_url)
    return base_url


def _creates(emulator: LumenfallEmulator) -> list[object]:
    return [r for r in emulator.requests if r.method == "POST"]


@pytest.mark.parametrize("command", ["create", "wait"])
@pytest.mark.parametrize("target", ["", "  ", "afile/x.mp4", "afile/sub/", "afile/deeper/still/x.mp4"])
def test_an_impossible_download_target_is_a_usage_error_before_anything_is_paid(
    lumenfall_env: str,
    emulator: LumenfallEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    target: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a directory")
    first = ["create", "cat", "--model", "mock-video"] if command == "create" else ["wait", "video_1"]
    code = main(["video", *first, "--download", target, "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 2 and payload["error"]["type"] == "usage"
    assert "--download" in payload["error"]["message"]
    assert _creates(emulator) == [] and emulator.requests == []  # nothing sent, nothing paid
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_new_directory_under_a_writable_one_is_fine(
    lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "dir"
    code = main(["video", "create", "cat [lumenfall:queue=0.05][lumenfall:duration=0.1]", "--model", "mock-video",
                 "--download", f"{target}/", "--json"])  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["ok"] is True and Path(payload["file"]["path"]).parent == target

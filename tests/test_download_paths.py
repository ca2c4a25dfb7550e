"""Where a download goes: ``"out/"`` is a directory (created if missing), for ``videos.download``,
the CLI (``video create --download``, ``video download``) and ``examples/concurrent_jobs.py``.

Issue 8: each of them used to write every video to one *file* called ``out``, each overwriting
the last, and report success. Real HTTP to the served emulator, real files in ``tmp_path``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import Lumenfall, Video, errors
from lumenfall_openai.cli import main
from lumenfall_openai.testing import SyntheticMp4

from .conftest import TEST_KEY, Download

FAST = "[lumenfall:queue=0][lumenfall:duration=0]"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def finished(client: Lumenfall) -> Callable[..., Video]:
    def make(size: int = 50_000) -> Video:
        video = client.videos.create_and_poll(model="mock-video", prompt=f"x [lumenfall:size_bytes={size}]{FAST}")
        assert video.status == "completed"
        return video

    return make


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_path_ending_with_a_separator_is_a_directory_created_if_missing(
    download: Download, finished: Callable[..., Video], tmp_path: Path
) -> None:
    first, second = finished(40_000), finished(60_000)
    a = download(first, f"{tmp_path}/new/sub/")
    b = download(second.id, f"{tmp_path}/new/sub/")
    assert a == tmp_path / "new" / "sub" / f"{first.id}.mp4" and a.read_bytes() == SyntheticMp4(40_000).read()
    assert b == tmp_path / "new" / "sub" / f"{second.id}.mp4" and b.read_bytes() == SyntheticMp4(60_000).read()
    assert files_under(tmp_path) == ["new", "new/sub", *sorted(f"new/sub/{v.id}.mp4" for v in (first, second))]


def test_an_existing_directory_without_separator_and_a_plain_file_path(
    download: Download, finished: Callable[..., Video], tmp_path: Path
) -> None:
    video = finished()
    (tmp_path / "d").mkdir()
    assert download(video, tmp_path / "d") == tmp_path / "d" / f"{video.id}.mp4"
    assert download(video, str(tmp_path / "clip.mp4")) == tmp_path / "clip.mp4"  # a name: a file


def test_a_directory_path_that_is_a_file_fails_cleanly(
    download: Download, finished: Callable[..., Video], tmp_path: Path
) -> None:
    video = finished()
    (tmp_path / "out").write_bytes(b"not a directory")
    with pytest.raises(errors.DownloadError, match="could not be created") as info:
        download(video, f"{tmp_path}/out/")
    assert info.value.video_id == video.id
    assert files_under(tmp_path) == ["out"] and (tmp_path / "out").read_bytes() == b"not a directory"


# -- the CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def lumenfall_env(base_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", base_url)
    return base_url


def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["video", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_cli_create_download_into_a_new_directory(
    lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clips = f"{tmp_path}/clips/"
    ids = []
    for take in range(2):  # two videos, two files: the second never overwrites the first
        code, payload = cli_json(["create", f"take {take} {FAST}", "--model", "mock-video", "--download", clips],
                                 capsys)  # fmt: skip
        assert code == 0, payload
        ids.append(payload["video"]["id"])
        assert payload["file"]["path"] == str(tmp_path / "clips" / f"{ids[-1]}.mp4")
    assert files_under(tmp_path) == ["clips", *(f"clips/{i}.mp4" for i in sorted(ids))]


def test_cli_download_into_a_new_directory(
    lumenfall_env: str, finished: Callable[..., Video], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = finished()
    code, payload = cli_json(["download", video.id, f"{tmp_path}/saved/"], capsys)
    assert code == 0, payload
    assert payload["file"]["path"] == str(tmp_path / "saved" / f"{video.id}.mp4")
    assert (tmp_path / "saved" / f"{video.id}.mp4").read_bytes() == SyntheticMp4(50_000).read()


# -- examples/concurrent_jobs.py ---------------------------------------------------------------------


def test_concurrent_jobs_example_saves_each_video_in_a_new_out_directory(
    lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("concurrent_jobs_example", ROOT / "examples" / "concurrent_jobs.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, example)  # its dataclasses look themselves up there
    spec.loader.exec_module(example)
    out = tmp_path / "newdir"  # no trailing separator, does not exist: still the directory it says
    code = example.main(["--jobs", "3", "--prompt", f"boat {FAST}", "--timeout", "60", "--out", str(out)])
    assert code == 0, capsys.readouterr()
    saved = sorted(os.listdir(out))
    assert len(saved) == 3 and all(name.startswith("video_") and name.endswith(".mp4") for name in saved)

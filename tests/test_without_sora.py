"""No Sora DeprecationWarning from any call, and no dependence on openai's Sora modules.

OpenAI 3.1+ wraps every `client.videos` method in `typing_extensions.deprecated`; a later openai
will likely delete `openai.resources.videos` and `openai.types.video`. The second test builds
that future openai (a copy of the installed one with those modules removed) and runs the
package on it in a fresh interpreter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import openai
import pytest

from lumenfall_openai import Lumenfall

from .conftest import TEST_KEY, Recorder

SMOKE = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("error")
    from lumenfall_openai import OpenAI, AsyncOpenAI
    from lumenfall_openai._compat import http

    completed = json.loads(sys.argv[1])
    completed["output"] = {**completed["output"], "size_bytes": 3}  # download_content checks the size
    def answer(request):
        if request.url.host == "media.lumenfall.ai":
            return http.Response(200, content=b"mp4", headers={"content-type": "video/mp4"})
        if request.method == "POST":
            return http.Response(202, json={**completed, "status": "queued", "output": None})
        return http.Response(200, json=completed)

    client = OpenAI(api_key="lmnfl_k.s", http_client=http.Client(transport=http.MockTransport(answer)))
    video = client.videos.create_and_poll(model="sora-2", prompt="p", seconds="8", size="1280x720")
    assert video.output is not None and video.output.url.endswith(".mp4")
    assert client.videos.download_content(video.id).read() == b"mp4"
    client.videos.cancel(video.id)
    print("ok", video.status, video.metadata.cost)
    """
)


def test_no_call_emits_a_deprecation_warning(recorder: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.videos.retrieve("video_abc123")
        client.videos.poll("video_abc123")
        client.with_raw_response.videos.retrieve("video_abc123").parse()
        with client.with_streaming_response.videos.retrieve("video_abc123") as response:
            response.parse()
        client.videos.cancel("video_abc123")


def _openai_without_sora(target: Path) -> Path:
    source = Path(openai.__file__).parent
    copy = target / "openai"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    removed = [copy / "resources" / "videos.py", *(copy / "types").glob("video*.py")]
    for path in removed:
        path.unlink()
    gone = {p.stem for p in removed}
    # Drop the imports of the removed modules, as the openai release that deletes them would.
    pattern = re.compile(r"^[ \t]*from \.+(?:resources\.|types\.)?(\w+) import (?:\([^)]*\)|[^\n]*)\n", re.M)
    for path in copy.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        new = pattern.sub(lambda m: "" if m.group(1) in gone else m.group(0), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    return target


@pytest.mark.slow
def test_works_when_openai_has_no_sora_modules(tmp_path: Path, completed_video: dict[str, object]) -> None:
    import json

    site = _openai_without_sora(tmp_path / "site")
    check = (
        "import importlib.util as u, openai; "
        "print(u.find_spec('openai.resources.videos'), u.find_spec('openai.types.video'))"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    probe = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["None", "None"], "the simulated openai still has its Sora modules"
    run = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", SMOKE, json.dumps(completed_video)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok completed 0.21"

"""The sync resources are generated from the async ones: stale generated files fail the suite.

``scripts/unasync.py --check`` is what CI runs; running it here too means the README's test
command catches a source edited without regenerating its twin.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "unasync.py"


def _has_ruff() -> bool:
    return (Path(sys.executable).parent / "ruff").exists() or shutil.which("ruff") is not None


pytestmark = pytest.mark.skipif(not _has_ruff(), reason="scripts/unasync.py formats with ruff (the lint extra)")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "unasync.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )


def test_the_generated_sync_resources_are_up_to_date() -> None:
    result = _run(ROOT, "--check")
    assert result.returncode == 0, result.stderr


def test_every_generated_file_says_where_it_comes_from() -> None:
    sync = sorted((ROOT / "lumenfall_openai/resources/_sync").glob("*.py"))
    assert {p.name for p in sync} == {p.name for p in (ROOT / "lumenfall_openai/resources/_async").glob("*.py")}
    for path in sync:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (
            first
            == f"# Generated from lumenfall_openai/resources/_async/{path.name} by scripts/unasync.py; do not edit."
        )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    async def poll(self) -> Video:", "    def poll(self) -> Video:"),
        ("        raw = await check(video_id)", "        raw = check(video_id)"),
        ("class AsyncVideos(AsyncAPIResource):", "class Videos(SyncAPIResource):"),
        ("    from ..._client import AsyncLumenfall", "    from ..._client import Lumenfall"),
        (
            "self.create = async_to_raw_response_wrapper(videos.create)",
            "self.create = to_raw_response_wrapper(videos.create)",
        ),
        ("class _AsyncCheckedStream(http.AsyncByteStream):", "class _CheckedStream(http.SyncByteStream):"),
        ("    async def __aiter__(self) -> AsyncIterator[bytes]:", "    def __iter__(self) -> Iterator[bytes]:"),
        ("        async for chunk in response.aiter_bytes():", "        for chunk in response.iter_bytes():"),
        ("    await response.aclose()", "    response.close()"),
        ("await async_report(on_progress, p)", "report(on_progress, p)"),
        ("class AsyncImages(_OpenAIAsyncImages):", "class Images(_OpenAIImages):"),
        ("AsyncCursorURLPage[RequestRecord]", "SyncCursorURLPage[RequestRecord]"),
        ("await anyio.sleep(1)", "time.sleep(1)"),
        (
            "api_key: str | Callable[[], Awaitable[str]] | None = None,",
            "api_key: str | Callable[[], str] | None = None,",
        ),
        (
            "class AsyncLumenfall(_LumenfallClientMixin, openai.AsyncOpenAI):",
            "class Lumenfall(_LumenfallClientMixin, openai.OpenAI):",
        ),
        ("http_client: http.AsyncClient | None = None,", "http_client: http.Client | None = None,"),
        ("# asynchronous, async client", "# asynchronous, async client"),
    ],
)
def test_tokens(line: str, expected: str) -> None:
    assert _load().unasync_line(line) == expected


def test_check_names_a_stale_file_and_a_rerun_fixes_it(tmp_path: Path) -> None:
    for part in ("scripts/unasync.py", "pyproject.toml"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, tmp_path / part)
    for part in (
        "lumenfall_openai/resources/_async",
        "lumenfall_openai/resources/_sync",
        "lumenfall_openai/_async",
        "lumenfall_openai/_sync",
    ):
        shutil.copytree(ROOT / part, tmp_path / part)
    assert _run(tmp_path, "--check").returncode == 0

    source = tmp_path / "lumenfall_openai/resources/_async/videos.py"
    source.write_text(source.read_text(encoding="utf-8").replace("omit = Omit()", "omit = Omit()  # edited"))
    stray = tmp_path / "lumenfall_openai/resources/_sync/leftover.py"
    stray.write_text("x = 1\n")
    stale = _run(tmp_path, "--check")
    assert stale.returncode == 1
    assert "lumenfall_openai/resources/_sync/videos.py is stale" in stale.stderr
    assert "leftover.py has no async source" in stale.stderr
    assert "download_io.py" not in stale.stderr  # only what is stale is named

    assert _run(tmp_path).returncode == 0
    assert _run(tmp_path, "--check").returncode == 0
    assert "omit = Omit()  # edited" in (tmp_path / "lumenfall_openai/resources/_sync/videos.py").read_text()
    assert not stray.exists()

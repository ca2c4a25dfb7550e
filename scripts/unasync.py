"""Write the sync twins of the async sources, in the style of httpcore's ``scripts/unasync.py``.

The I/O code of each resource is written once, as async, in ``lumenfall_openai/resources/_async/``;
this script makes ``lumenfall_openai/resources/_sync/`` from it by token substitution
(``async def`` -> ``def``, ``await x`` -> ``x``, ``AsyncVideos`` -> ``Videos``, ...), then runs
``ruff`` (import order, format) over the result so a generated file passes the linters as it is.

    python scripts/unasync.py           # rewrite the generated files
    python scripts/unasync.py --check   # exit 1, naming every stale or missing file

What differs between the twins beyond these tokens (a callback that may be awaited, a blocking
step that async runs in a worker thread) is written once as a pair in ``resources/_io_shims.py``
(``async_report``/``report``, ``async_blocking_call``/``blocking_call``) and reached here by the
``async_`` prefix rule.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path("lumenfall_openai/resources/_async")
TARGET_DIR = Path("lumenfall_openai/resources/_sync")

# Applied in order, each to every line. Names first (specific before general), then keywords.
SUBS: list[tuple[str, str]] = [
    # An async list returns a paginator (await it for a page, async-for it for items); sync, the page.
    (r"\bAsyncPaginator\[\w+, (AsyncCursorURLPage\[\w+\])\]", r"\1"),
    # openai/httpx names whose sync twin is spelt Sync..., not without the prefix.
    (r"\bAsyncAPIResource\b", "SyncAPIResource"),
    (r"\bAsyncByteStream\b", "SyncByteStream"),
    (r"\bAsyncCursorURLPage\b", "SyncCursorURLPage"),
    # AsyncVideos -> Videos, AsyncIterator -> Iterator, _OpenAIAsyncImages -> _OpenAIImages,
    # StopAsyncIteration -> StopIteration, AsyncLumenfall -> Lumenfall, ...
    (r"Async(?=[A-Z_])", ""),
    # async_to_raw_response_wrapper -> to_raw_response_wrapper, async_report -> report, ...
    (r"\basync_(?=\w)", ""),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\b__anext__\b", "__next__"),
    (r"\baclose\b", "close"),
    (r"\baread\b", "read"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\b(?:anyio|asyncio)\.sleep\b", "time.sleep"),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in SUBS]


def unasync_line(line: str) -> str:
    for pattern, replacement in _COMPILED:
        line = pattern.sub(replacement, line)
    return line


def header(source: Path) -> str:
    return f"# Generated from {source.as_posix()} by scripts/unasync.py; do not edit.\n"


def _ruff() -> list[str]:
    beside = Path(sys.executable).parent / "ruff"
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if found is None:
        raise SystemExit("scripts/unasync.py needs ruff (pip install -e '.[lint]'): it formats what it writes.")
    return [found]


def _ruff_stdin(args: list[str], text: str, target: Path) -> str:
    result = subprocess.run(
        [*_ruff(), *args, "--stdin-filename", str(target), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0 or not result.stdout:
        raise SystemExit(f"ruff {' '.join(args)} failed on the sync twin of {target}:\n{result.stderr}")
    return result.stdout


def generate(source: Path) -> str:
    """The sync twin of ``source`` (a path relative to the repository), formatted."""
    text = (ROOT / source).read_text(encoding="utf-8")
    body = "".join(unasync_line(line) for line in text.splitlines(keepends=True))
    target = TARGET_DIR / source.name
    body = _ruff_stdin(["check", "--select", "I,F401", "--fix", "--exit-zero", "--quiet"], body, target)
    return header(source) + _ruff_stdin(["format", "--quiet"], body, target)


def pairs() -> list[tuple[Path, Path]]:
    return [(source, TARGET_DIR / source.name) for source in sorted((ROOT / SOURCE_DIR).glob("*.py"))]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale: list[str] = []
    sources = [source.relative_to(ROOT) for source, _ in pairs()]
    wanted = {TARGET_DIR / source.name for source in sources}
    for source in sources:
        target = TARGET_DIR / source.name
        text = generate(source)
        path = ROOT / target
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if check:
            stale.append(f"{target} is stale: run python scripts/unasync.py (it is made from {source})")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
    for extra in sorted((ROOT / TARGET_DIR).glob("*.py")):
        if extra.relative_to(ROOT) not in wanted:
            message = f"{extra.relative_to(ROOT)} has no async source in {SOURCE_DIR}"
            if check:
                stale.append(message + ": delete it")
            else:
                extra.unlink()
                print(f"deleted {extra.relative_to(ROOT)} ({message})")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

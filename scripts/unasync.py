"""Write the sync twins of the async sources, in the style of httpcore's ``scripts/unasync.py``.

The I/O code of each resource is written once, as async, in ``lumenfall_openai/resources/_async/``
(the clients' signatures in ``lumenfall_openai/_async/``); this script makes the ``_sync/``
directory beside each from it by token substitution
(``async def`` -> ``def``, ``await x`` -> ``x``, ``AsyncVideos`` -> ``Videos``, ...), then runs
``ruff`` (import order, format) over the result so a generated file passes the linters as it is.

    python scripts/unasync.py           # rewrite the generated files
    python scripts/unasync.py --check   # exit 1, naming every stale or missing file

What differs between the twins beyond these tokens (a callback that may be awaited, a blocking
step that async runs in a worker thread) is written once as a pair in ``lumenfall_openai/_io_shims.py``
(``async_report``/``report``, ``async_blocking_call``/``blocking_call``, ``async_resolved``/``resolved``)
and reached here by the ``async_`` prefix rule.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (async sources, generated sync twins): the resources, and the clients' own signatures.
DIRS = [
    (Path("lumenfall_openai/resources/_async"), Path("lumenfall_openai/resources/_sync")),
    (Path("lumenfall_openai/_async"), Path("lumenfall_openai/_sync")),
]

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
    (r"\baiter_raw\b", "iter_raw"),
    (r"\b(?:anyio|asyncio)\.sleep\b", "time.sleep"),
    # What an async callable returns when awaited is what the sync one returns.
    (r"\bAwaitable\[([\w.]+)\]", r"\1"),
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


def generate(source: Path, target: Path) -> str:
    """The sync twin of ``source`` (a path relative to the repository), formatted."""
    text = (ROOT / source).read_text(encoding="utf-8")
    body = "".join(unasync_line(line) for line in text.splitlines(keepends=True))
    body = _ruff_stdin(["check", "--select", "I,F401", "--fix", "--exit-zero", "--quiet"], body, target)
    return header(source) + _ruff_stdin(["format", "--quiet"], body, target)


def pairs() -> list[tuple[Path, Path]]:
    """(source, target) for every async source, relative to the repository."""
    return [
        (source_dir / path.name, target_dir / path.name)
        for source_dir, target_dir in DIRS
        for path in sorted((ROOT / source_dir).glob("*.py"))
    ]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale: list[str] = []
    wanted = pairs()
    for source, target in wanted:
        text = generate(source, target)
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
    targets = {target for _, target in wanted}
    for source_dir, target_dir in DIRS:
        for extra in sorted((ROOT / target_dir).glob("*.py")):
            relative = extra.relative_to(ROOT)
            if relative in targets:
                continue
            message = f"{relative} has no async source in {source_dir}"
            if check:
                stale.append(message + ": delete it")
            else:
                extra.unlink()
                print(f"deleted {relative} ({message})")
    for line in stale:
        print(line, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

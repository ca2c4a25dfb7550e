"""The openai sdist the suite runners (run.py, run_example.py) work in: ``--sdist DIR`` or a fetched one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def sdist_and_rest(argv: list[str]) -> tuple[Path, list[str]]:
    """``(sdist directory, remaining arguments)``: ``--sdist DIR`` first in ``argv``, else the sdist
    of the installed openai, fetched (and cached) by scripts/fetch_openai_sdist.py."""
    if argv[:1] == ["--sdist"]:
        return Path(argv[1]).resolve(), argv[2:]
    fetched = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fetch_openai_sdist.py")],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(fetched.stdout.strip().splitlines()[-1]), argv

"""Run openai-python's ``examples/video.py``, from the sdist of the installed openai, against the emulator.

Usage: python tests/openai_suite/run_example.py [--sdist DIR]

The example is copied with only its import changed (``from openai import`` ->
``from lumenfall_openai import``; any other mention of the ``openai`` package fails the run, so a
changed example is noticed rather than half-swapped) and run as a user would, in a fresh Python
under ``-W error::DeprecationWarning``, with ``LUMENFALL_BASE_URL`` / ``LUMENFALL_API_KEY``
pointing at a local ``LumenfallEmulator``. It must exit 0 and report the video completed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from lumenfall_openai.testing import LumenfallEmulator

try:
    from ._sdist import sdist_and_rest
except ImportError:  # run as a script: python tests/openai_suite/run_example.py
    from _sdist import sdist_and_rest  # type: ignore[no-redef]

EXAMPLE = "examples/video.py"
IMPORT = re.compile(r"^from openai import ", re.MULTILINE)
EXPECTED_OUTPUT = "Video successfully completed"


def swap_import(source: str) -> str:
    """``source`` with its one ``from openai import`` line importing from ``lumenfall_openai``."""
    swapped, count = IMPORT.subn("from lumenfall_openai import ", source)
    leftover = re.search(r"^\s*(import openai\b|from openai[. ])", swapped, re.MULTILINE)
    if count != 1 or leftover:
        raise SystemExit(
            f"{EXAMPLE} no longer has exactly one `from openai import ...` line and no other openai import; "
            "look at the new example and update tests/openai_suite/run_example.py."
        )
    return swapped


def main(argv: list[str]) -> int:
    sdist, _ = sdist_and_rest(argv)
    source = (sdist / EXAMPLE).read_text(encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LUMENFALL_", "OPENAI_"))}
    with tempfile.TemporaryDirectory() as scratch, LumenfallEmulator(queue_seconds=0.2, run_seconds=0.5).serve() as url:
        script = Path(scratch) / "video.py"
        script.write_text(swap_import(source), encoding="utf-8")
        env |= {"LUMENFALL_BASE_URL": url, "LUMENFALL_API_KEY": "lmnfl_example.secret"}
        command = [sys.executable, "-W", "error::DeprecationWarning", str(script)]
        print(f"::: openai's {EXAMPLE} ({sdist.name}), import swapped, against the emulator at {url}", flush=True)
        result = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, timeout=300, check=False)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0 or EXPECTED_OUTPUT not in result.stdout:
        print(f"::: FAILED: exit {result.returncode}; expected {EXPECTED_OUTPUT!r} in its output", flush=True)
        return 1
    print(f"::: {EXAMPLE}: OK, the video completed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

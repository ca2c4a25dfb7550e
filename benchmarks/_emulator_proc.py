"""Run the emulator in its own process for a benchmark, the way Lumenfall is a separate service.

In-process, the emulator's server would share the client's interpreter (and GIL) and each
would slow the other; in a child process the client is measured alone.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Generator


@contextlib.contextmanager
def emulator_process(*extra_args: str) -> Generator[str, None, None]:
    """Start ``lumenfall-openai emulator`` on a free port; yield its OpenAI-compatible base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lumenfall_openai.cli", "emulator", "--port", "0", *extra_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://\S+/openai/v1)", line)
        if match is None:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        yield match.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

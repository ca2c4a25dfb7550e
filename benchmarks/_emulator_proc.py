"""Run the emulator in its own process for a benchmark, the way Lumenfall is a separate service.

In-process, the emulator's server would share the client's interpreter (and GIL) and each
would slow the other; in a child process the client is measured alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Generator


@contextlib.contextmanager
def emulator_process(*extra_args: str) -> Generator[str, None, None]:
    """Start ``lumenfall-openai emulator`` on a free port; yield its OpenAI-compatible base URL."""
    with emulator_child(*extra_args) as (base_url, _pid):
        yield base_url


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def emulator_child(*extra_args: str) -> Generator[tuple[str, int], None, None]:
    """:func:`emulator_process`, also yielding the emulator's pid (for its CPU time)."""
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
        yield match.group(1), process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""``lumenfall-openai emulator``: a port that cannot be used is a message and an exit code."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lumenfall_openai.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def test_busy_port_says_so_and_suggests_port_0(busy_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--port", str(busy_port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"Port {busy_port} on 127.0.0.1 is in use" in err and "--port 0" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_busy_port_in_a_real_process(busy_port: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "lumenfall_openai.cli", "emulator", "--port", str(busy_port)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "is in use" in result.stderr and "--port 0" in result.stderr
    assert "Traceback" not in result.stderr and "OSError" not in result.stderr


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_impossible_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--port", port]) == 2  # the CLI returns its usage exit code, no SystemExit
    assert "--port takes a number from 0 to 65535" in capsys.readouterr().err


def test_unresolvable_host_is_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--host", "no-such-host.invalid", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "no-such-host.invalid" in err and "Traceback" not in err

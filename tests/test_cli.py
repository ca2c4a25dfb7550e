"""``lumenfall-openai video ...``: exit codes, --json, the embedded emulator, Ctrl-C, the live view.

In-process ``main(argv)`` against a served emulator for the contract (exit codes, JSON), real
subprocesses for what only a process shows (the embedded emulator, SIGINT), and one run in a
real terminal (tmux) for the live progress view.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai.cli import main
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY

FAST = "[lumenfall:queue=0.1][lumenfall:duration=0.4]"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def lumenfall_env(base_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at the served emulator as if it were Lumenfall (a key is set)."""
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", base_url)
    return base_url


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["video", *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


# -- exit codes and --json, in process ---------------------------------------------------------------


def test_create_wait_download_json(lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, payload, err = run_json(["create", f"a heron {FAST}", "--model", "mock-video", "--download",
                                   str(tmp_path)], capsys)  # fmt: skip
    assert code == 0 and payload["ok"] is True and payload["exit_code"] == 0
    video = payload["video"]
    assert video["status"] == "completed"
    assert payload["file"]["path"] == str(tmp_path / f"{video['id']}.mp4")
    assert payload["file"]["size_bytes"] == video["output"]["size_bytes"]
    assert payload["emulator"] is False and payload["error"] is None
    assert "EMULATOR" not in err  # a key is set: no emulator notice


def test_failed_job_exits_3(lumenfall_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, payload, _ = run_json(
        ["create", f"x {FAST}[lumenfall:fail=CONTENT_POLICY_VIOLATION]", "--model", "mock-video", "--wait"], capsys
    )
    assert code == 3 and payload["ok"] is False
    assert payload["error"]["type"] == "job_failed" and payload["error"]["code"] == "CONTENT_POLICY_VIOLATION"
    assert payload["video"]["status"] == "failed"


def test_timeout_exits_4_and_says_how_to_resume(lumenfall_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, payload, err = run_json(
        ["create", "x [lumenfall:duration=30]", "--model", "mock-video", "--wait", "--timeout", "0.3"], capsys
    )
    assert code == 4 and payload["error"]["type"] == "timeout"
    video_id = payload["video"]["id"]
    assert payload["error"]["video_id"] == video_id
    assert f"lumenfall-openai video wait {video_id}" in err
    # ... and resuming works.
    code, payload, _ = run_json(["cancel", video_id], capsys)
    assert code == 0 and payload["cancel_requested"] is True


def test_cancel_of_a_finished_job_says_so_and_exits_1(lumenfall_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, created, _ = run_json(["create", f"x {FAST}", "--model", "mock-video", "--wait"], capsys)
    video_id = created["video"]["id"]
    code, payload, err = run_json(["cancel", video_id], capsys)
    assert code == 1 and payload["ok"] is False and payload["cancel_requested"] is False
    assert payload["error"]["type"] == "already_finished" and payload["error"]["video_id"] == video_id
    assert "already finished; nothing was cancelled" in err and f"video download {video_id}" in err
    code = main(["video", "cancel", video_id])
    captured = capsys.readouterr()
    assert code == 1 and "cancel requested" not in captured.out and "not cancelled" in captured.out
    code, failed, _ = run_json(["create", f"x {FAST}[lumenfall:fail=UPSTREAM_ERROR]", "--model", "mock-video",
                                "--wait"], capsys)  # fmt: skip
    code, payload, err = run_json(["cancel", failed["video"]["id"]], capsys)
    assert code == 1 and payload["video"]["status"] == "failed" and "is failed" in err


def test_status_wait_download_estimate(lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, created, _ = run_json(["create", f"x {FAST}", "--model", "mock-video"], capsys)
    assert code == 0 and created["video"]["status"] == "queued"
    video_id = created["video"]["id"]
    code, status, _ = run_json(["status", video_id], capsys)
    assert code == 0 and status["video"]["id"] == video_id
    code, waited, _ = run_json(["wait", video_id], capsys)
    assert code == 0 and waited["video"]["status"] == "completed"
    code, saved, _ = run_json(["download", video_id, str(tmp_path / "v.mp4")], capsys)
    assert code == 0 and Path(saved["file"]["path"]).stat().st_size == saved["video"]["output"]["size_bytes"]
    code, estimate, _ = run_json(["estimate", "a heron", "--model", "sora-2", "--seconds", "8"], capsys)
    assert code == 0 and estimate["estimate"]["total_cost_micros"] > 0
    assert estimate["estimate"]["estimated"] is True


def test_api_errors_exit_1(lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, payload, err = run_json(["status", "video_does_not_exist"], capsys)
    assert code == 1 and payload["error"]["type"] == "api" and payload["error"]["status_code"] == 404
    assert "error:" in err
    code, payload, _ = run_json(["create", "x", "--model", "no-such-model"], capsys)
    assert code == 1 and payload["error"]["code"] == "MODEL_NOT_FOUND"
    code, created, _ = run_json(["create", f"x {FAST}", "--model", "mock-video", "--wait"], capsys)
    code, payload, _ = run_json(["download", created["video"]["id"], str(tmp_path / "missing" / "v.mp4")], capsys)
    assert code == 1 and payload["error"]["type"] == "download" and "does not exist" in payload["error"]["message"]


def test_bad_usage_exits_2(lumenfall_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["video", "create"]) == 2  # no prompt: argparse's message, returned (no SystemExit)
    assert "required: PROMPT" in capsys.readouterr().err
    assert main(["video", "wait", "video_x", "--timeout", "soon"]) == 2
    assert main(["video"]) == 2  # no command: help on stderr
    code, payload, _ = run_json(["wait", "video_x", "--timeout", "inf"], capsys)  # argparse error, still JSON
    assert (
        code == 2 and payload["error"]["type"] == "usage" and "finite number of seconds" in payload["error"]["message"]
    )
    code, payload, _ = run_json(["create", "x", "--image", "/no/such/file.png"], capsys)
    assert code == 2 and payload["error"]["type"] == "usage"
    code, payload, _ = run_json(["create", "x", "--n", "9", "--model", "mock-video"], capsys)
    assert code == 2  # the SDK refuses n=9 before any request


def test_human_summary(lumenfall_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["video", "create", f"x {FAST}", "--model", "sora-2", "--download", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    for label in ("completed in", "file", "size", "effective cost", "provider", "executed model"):
        assert label in captured.out
    assert "estimated $" in captured.out  # the running estimate, next to the effective cost
    assert "download" in captured.err  # the live view (its final frame) went to stderr


def test_help_documents_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lumenfall_openai.cli", "video", "create", "--help"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    for line in ("0    success", "1    API or network error", "2    bad usage", "3    the job failed",
                 "4    --timeout", "130  interrupted"):  # fmt: skip
        assert line in result.stdout


def test_a_create_whose_answer_is_lost_says_how_to_get_the_job(
    lumenfall_env: str, emulator: LumenfallEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    create = "POST /openai/v1/videos"
    emulator.faults.drop_connection_after(0, times=3, route=create)  # the first try and openai's 2 retries
    code, payload, err = run_json(["create", f"x {FAST}", "--model", "mock-video"], capsys)
    assert code == 1 and payload["error"]["type"] == "connection"
    key = payload["idempotency_key"]
    assert f"--idempotency-key {key}" in payload["error"]["message"] and "may or may not" in err
    code, payload, _ = run_json(["create", f"x {FAST}", "--model", "mock-video", "--idempotency-key", key], capsys)
    assert code == 0
    creates = [r for r in emulator.requests if r.route == create]
    assert len(creates) == 4
    assert len({r.json["idempotency_key"] for r in creates}) == 1  # one key: at most one job
    assert emulator.video_ids == [payload["video"]["id"]]  # the retry got the job the lost answer started


def test_an_error_while_waiting_names_the_job_and_the_resume_command(
    lumenfall_env: str, emulator: LumenfallEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.faults.fail_next(1, status=401, code="AUTHENTICATION_FAILED", route="GET /openai/v1/videos/{id}")
    code, payload, _ = run_json(["create", f"x {FAST}", "--model", "mock-video", "--wait"], capsys)
    assert code == 1 and payload["error"]["status_code"] == 401
    video_id = payload["error"]["video_id"]
    assert f"Resume with: lumenfall-openai video wait {video_id}" in payload["error"]["message"]
    code, payload, _ = run_json(["wait", video_id], capsys)
    assert code == 0 and payload["video"]["status"] == "completed"


def test_connection_errors_name_the_host_and_the_cause(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", f"http://127.0.0.1:{port}/openai/v1")
    code, payload, err = run_json(["status", "video_1"], capsys)
    assert code == 1 and payload["error"]["type"] == "connection"
    message = payload["error"]["message"]
    assert f"Could not connect to 127.0.0.1:{port}" in message and "Connection refused" in message
    assert message in err


# -- real processes --------------------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def run_cli(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lumenfall_openai.cli", *argv],
        capture_output=True, text=True, env=cli_env(**env), cwd=ROOT, timeout=60,
    )  # fmt: skip


BAD_INPUTS: list[tuple[list[str], int]] = [
    (["video", "create", "x", "--seconds", "inf", "--model", "mock-video"], 2),
    (["video", "create", "x", "--seconds", "1e400", "--model", "mock-video"], 2),
    (["video", "create", "x", "--seconds", "nan", "--model", "mock-video"], 2),
    (["video", "create", "x", "--seconds", "-3", "--model", "mock-video"], 2),
    (["video", "estimate", "x", "--seconds", "inf", "--model", "mock-video"], 2),
    (["video", "create", "x", "--n", "1e400"], 2),
    (["video", "create", "", "--model", "mock-video"], 2),
    (["video", "create", "x", "--model", "mock-video", "--wait", "--timeout", "inf"], 2),
    (["video", "create", "x", "--model", "mock-video", "--bogus"], 2),
    (["video", "status", "."], 2),
    (["video", "cancel", ".."], 2),
    (["video", "wait", "a/b"], 2),
    (["video", "download", "%2e%2e"], 2),
    (["video", "status", "video_never_created"], 1),
    (["video"], 2),
]


@pytest.mark.parametrize(("argv", "expected"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_inputs_never_print_a_traceback(
    argv: list[str], expected: int, lumenfall_env: str, emulator: LumenfallEmulator
) -> None:
    """A real process each time: the exit code, a message on stderr, and with --json one object on stdout."""
    env = {"LUMENFALL_API_KEY": TEST_KEY, "LUMENFALL_BASE_URL": lumenfall_env}
    plain = run_cli(*argv, **env)
    assert plain.returncode == expected, plain.stderr
    assert "Traceback" not in plain.stderr and plain.stderr.strip()
    as_json = run_cli(*argv, "--json", **env)
    assert as_json.returncode == expected and "Traceback" not in as_json.stderr
    payload = json.loads(as_json.stdout)  # exactly one JSON object (json.loads refuses trailing data)
    assert payload["ok"] is False and payload["exit_code"] == expected and payload["error"]["message"]
    assert not any(r.route == "POST /openai/v1/videos" for r in emulator.requests)  # nothing was paid for


def test_a_closed_port_is_a_message_not_a_traceback() -> None:
    port = closed_port()
    env = {"LUMENFALL_API_KEY": TEST_KEY, "LUMENFALL_BASE_URL": f"http://127.0.0.1:{port}/openai/v1"}
    result = run_cli("video", "create", "x", "--model", "mock-video", "--json", **env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    payload = json.loads(result.stdout)
    assert payload["error"]["type"] == "connection"
    assert f"Could not connect to 127.0.0.1:{port}: [Errno 111] Connection refused" in payload["error"]["message"]


def test_an_unexpected_error_is_a_message_and_exit_1(
    lumenfall_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr("lumenfall_openai.resources.videos.Videos.retrieve", broken)
    code, payload, err = run_json(["status", "video_1"], capsys)
    assert code == 1 and payload["error"]["type"] == "internal"
    assert "RuntimeError: something nobody foresaw" in payload["error"]["message"] and "Traceback" not in err


def test_emulator_mode_resume_hints_say_the_job_dies_with_the_command(tmp_path: Path) -> None:
    result = run_cli("video", "create", "x [lumenfall:duration=30]", "--model", "mock-video", "--wait",
                     "--timeout", "0.3", "--json")  # fmt: skip
    assert result.returncode == 4, result.stderr
    payload = json.loads(result.stdout)
    assert "lumenfall-openai video wait" in payload["error"]["message"]
    assert "not with the local emulator" in payload["error"]["message"] and "404" in payload["error"]["message"]
    resumed = run_cli("video", "wait", payload["video"]["id"], "--json")  # ... and indeed:
    assert resumed.returncode == 1
    assert "jobs from an earlier command do not exist here" in json.loads(resumed.stdout)["error"]["message"]
    created = run_cli("video", "create", "x", "--model", "mock-video")
    assert created.returncode == 0 and "video wait" not in created.stderr and "use --wait" in created.stderr


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUMENFALL_", "OPENAI_"))}
    env.update(extra)
    return env


def test_without_a_key_it_runs_the_embedded_emulator_and_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lumenfall_openai.cli", "video", "create", f"a heron {FAST}", "--download",
         str(tmp_path), "--json"],
        capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "LOCAL EMULATOR" in result.stderr and "LUMENFALL_API_KEY" in result.stderr
    payload = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert payload["emulator"] is True and payload["video"]["status"] == "completed"
    assert Path(payload["file"]["path"]).read_bytes()[4:8] == b"ftyp"


def test_ctrl_c_while_waiting_prints_the_id_and_how_to_resume(lumenfall_env: str, emulator: LumenfallEmulator) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "lumenfall_openai.cli", "video", "create", "x [lumenfall:duration=60]",
         "--model", "mock-video", "--wait", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=cli_env(LUMENFALL_API_KEY=TEST_KEY, LUMENFALL_BASE_URL=lumenfall_env),
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while not any(r.route == "GET /openai/v1/videos/{id}" for r in emulator.requests):  # it is waiting
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)  # generous: a loaded CI machine, not a speed check
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the CLI did not end within 60 s of Ctrl-C; stderr:\n{err}\nstdout:\n{out}")
    assert process.returncode == 130, err
    payload = json.loads(out)
    video_id = payload["video"]["id"]
    assert payload["error"]["type"] == "interrupted"
    assert f"lumenfall-openai video wait {video_id}" in err
    assert emulator.video(video_id)["status"] == "in_progress"  # not cancelled: non-interactive


# -- a real terminal -------------------------------------------------------------------------------

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self, tmp_path: Path) -> None:
        self.name = f"lf-{uuid.uuid4().hex[:8]}"
        self.socket = str(tmp_path / "tmux.sock")

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def start(self, command: str, *, cwd: Path) -> None:
        env = f"env -u LUMENFALL_API_KEY PYTHONPATH={ROOT} TERM=xterm-256color"
        self.run("new-session", "-d", "-s", self.name, "-x", "120", "-y", "30",
                 f"cd {cwd} && {env} {command}; echo EXIT=$?; sleep 30")  # fmt: skip

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            if "EXIT=" in screen:
                break
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


@needs_tmux
def test_live_progress_in_a_real_terminal(tmp_path: Path) -> None:
    """The live view updates in place (status and elapsed change), then the summary is printed."""
    tmux = Tmux(tmp_path)
    python = sys.executable
    command = (
        f"{python} -m lumenfall_openai.cli video create "
        f"'a heron [lumenfall:queue=1][lumenfall:duration=2.5][lumenfall:size_bytes=30000000]' "
        "--model sora-2 --download ."
    )
    try:
        tmux.start(command, cwd=tmp_path)
        frames: list[str] = [tmux.wait_for("video_")]
        while "EXIT=" not in frames[-1]:
            time.sleep(0.2)
            frames.append(tmux.screen())
        final = frames[-1]
    finally:
        tmux.close()
    live = [f for f in frames if "EXIT=" not in f]
    assert any("queued" in f for f in live) and any("in_progress" in f for f in live)
    assert any("est. $" in f for f in live)  # the running estimate
    elapsed = {line.split("0:00:")[1][:2] for f in live for line in f.splitlines() if "0:00:0" in line}
    assert len(elapsed) >= 2, frames  # the clock moved while waiting
    assert "EXIT=0" in final
    for label in ("completed in", "effective cost", "executed model", "file", "30.0 MB"):
        assert label in final, final
    assert "LOCAL EMULATOR" in final
    assert len(list(tmp_path.glob("video_*.mp4"))) == 1


@needs_tmux
def test_ctrl_c_in_a_terminal_asks_before_cancelling(tmp_path: Path) -> None:
    tmux = Tmux(tmp_path)
    command = (
        f"{sys.executable} -m lumenfall_openai.cli video create 'x [lumenfall:duration=60]' --model mock-video --wait"
    )
    try:
        tmux.start(command, cwd=tmp_path)
        tmux.wait_for("in_progress")
        tmux.run("send-keys", "-t", tmux.name, "C-c")
        tmux.wait_for("[y/N]")
        tmux.run("send-keys", "-t", tmux.name, "y", "Enter")
        final = tmux.wait_for("EXIT=")
    finally:
        tmux.close()
    assert "Cancelled video_" in final and "EXIT=130" in final

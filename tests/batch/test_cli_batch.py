"""``lumenfall-openai batch``: the real command in a subprocess, against an emulator in another.

The crash test kills the command with SIGKILL at random moments and runs it again until it
ends; then the emulator's own counters must show one paid job per row, every file must match the
manifest's sha256, and the journal's costs must equal what the emulator billed, to the micro.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "lmnfl_batchcli.secret"
PRICE_4S = 840_000


class ChildEmulator:
    def __init__(self, queue: float, run: float, balance: float | None = None) -> None:
        extra = [] if balance is None else [str(balance)]
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_emulator_child.py")), str(queue), str(run), *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(),
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://"), self.url

    def counters(self) -> dict[str, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("counters\n")
        self.process.stdin.flush()
        counters: dict[str, int] = json.loads(self.process.stdout.readline())
        return counters

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUMENFALL_", "OPENAI_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@pytest.fixture
def child() -> Generator[ChildEmulator, None, None]:
    emulator = ChildEmulator(0.1, 0.3)
    yield emulator
    emulator.close()


def _cli(child: ChildEmulator, *args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lumenfall_openai.cli", "batch", *args],
        env=_env(LUMENFALL_API_KEY=KEY, LUMENFALL_BASE_URL=child.url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip


def _run(child: ChildEmulator, *args: str) -> tuple[int, str, str]:
    process = _cli(child, *args)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def _jobs(path: Path, count: int, **extra: Any) -> Path:
    lines = [json.dumps({"id": f"row{i:04d}", "prompt": f"scene {i}", "seconds": 4, **extra}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _manifest(out: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return lines[:-1], lines[-1]["totals"]


def test_run_status_resume_json_and_exit_codes(child: ChildEmulator, tmp_path: Path) -> None:
    jobs = _jobs(tmp_path / "jobs.jsonl", 4)
    with jobs.open("a", encoding="utf-8") as file:
        file.write(json.dumps({"id": "bad", "prompt": "x", "model": "mock-video-fail"}) + "\n")
    out = tmp_path / "out"
    code, stdout, stderr = _run(child, "run", str(jobs), "--out", str(out), "--model", "sora-2", "--json")
    assert code == 3, stderr
    payload = json.loads(stdout)
    assert payload["exit_code"] == 3 and payload["batch"]["counts"] == {
        "downloaded": 4, "failed": 1, "refused": 0, "unfinished": 0,
    }  # fmt: skip
    assert "\x1b[" not in stderr  # no terminal: no escape codes

    code, stdout, _ = _run(child, "status", str(out), "--json")
    assert code == 0
    status = json.loads(stdout)["batch"]
    assert status["by_state"] == {"downloaded": 4, "failed": 1} and status["spent_micros"] == 4 * PRICE_4S

    code, stdout, stderr = _run(child, "resume", str(out), "--retry-failed", "1")
    assert code == 3
    assert "Resuming from the journal" in stderr
    assert child.counters()["jobs_created"] == 6  # the failed row retried once as a new job; nothing else


def test_bad_jobs_file_exits_2_listing_lines_before_anything_runs(child: ChildEmulator, tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text('{"prompt": "ok", "model": "sora-2", "seconds": 4}\n{"prompt": "x"}\nnot json\n', encoding="utf-8")
    code, stdout, stderr = _run(child, "run", str(jobs), "--out", str(tmp_path / "out"), "--json")
    assert code == 2
    assert "line 3" in stderr and json.loads(stdout)["error"]["type"] == "usage"
    assert child.counters()["jobs_created"] == 0
    code, _, stderr = _run(child, "status", str(tmp_path / "nowhere"))
    assert code == 2 and "No batch journal" in stderr


def test_dry_run_prices_without_creating(child: ChildEmulator, tmp_path: Path) -> None:
    jobs = _jobs(tmp_path / "jobs.jsonl", 3, model="sora-2")
    code, stdout, _ = _run(child, "run", str(jobs), "--out", str(tmp_path / "out"), "--dry-run", "--json")
    assert code == 0
    assert json.loads(stdout)["estimate"]["total_micros"] == 3 * PRICE_4S
    assert child.counters()["jobs_created"] == 0
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_sigkill_at_random_moments_never_pays_twice(child: ChildEmulator, tmp_path: Path) -> None:
    rows = 300
    jobs = _jobs(tmp_path / "jobs.jsonl", rows, model="sora-2")
    out = tmp_path / "out"
    args = ("run", str(jobs), "--out", str(out), "--concurrency", "30")  # ~10 rounds of ~1.3 s jobs
    rng = random.Random(int(os.environ.get("LF_CRASH_SEED", "11")))
    journal = out / ".lumenfall-batch.sqlite"
    kills = 0
    for _ in range(4):  # killed at random moments, each run started again with the same command
        # The moment is chosen from the batch's own progress (read from its journal), not the clock,
        # so a loaded machine only slows the test down: kills land among creates being sent, jobs
        # being followed and files being saved, whatever the speed.
        stage = rng.choice(["started", "created", "downloaded"])
        target = _progress(journal)[stage] + rng.randint(1, 25)
        process = _cli(child, *args)
        deadline = time.monotonic() + 300
        while _progress(journal)[stage] < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        if process.poll() is not None:
            _, stderr = process.communicate()
            raise AssertionError(f"the run ended (exit {process.returncode}) before its kill point: {stderr}")
        process.send_signal(signal.SIGKILL)
        process.communicate()
        kills += 1
    assert kills == 4
    for _ in range(10):
        code, _, stderr = _run(child, *args)
        if code == 0:
            break
        assert code == 4, stderr
    assert code == 0, stderr

    counters = child.counters()
    assert counters["jobs_created"] == rows  # no row was paid for twice
    records, totals = _manifest(out)
    assert len(records) == rows and all(record["status"] == "downloaded" for record in records)
    for record in records:
        data = Path(record["file"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (record["bytes"], record["sha256"])
    assert totals["journal_cost_micros"] == totals["cost_micros"] == counters["billed_micros"] == rows * PRICE_4S
    # what SIGKILL left half-written was a hidden temp file, never a short video under a row's name;
    # the next run removed those temp files
    assert [p.name for p in out.iterdir() if ".part-" in p.name or p.name.endswith(".tmp")] == []


def _progress(journal: Path) -> dict[str, int]:
    """How far a batch got, from its journal (read while it runs): creates started, jobs known to
    exist (a video id), files saved."""
    import sqlite3

    counts = {"started": 0, "created": 0, "downloaded": 0}
    if not journal.is_file():
        return counts
    try:
        with contextlib.closing(sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute("SELECT state, video_id IS NOT NULL, COUNT(*) FROM attempts GROUP BY 1, 2").fetchall()
    except sqlite3.Error:  # created a moment ago, schema not there yet
        return counts
    for state, has_video, count in rows:
        counts["started"] += count
        counts["created"] += count if has_video else 0
        counts["downloaded"] += count if state == "downloaded" else 0
    return counts


def test_ctrl_c_stops_says_how_to_resume_and_resume_finishes(child: ChildEmulator, tmp_path: Path) -> None:
    jobs = _jobs(tmp_path / "jobs.jsonl", 60, model="sora-2")
    out = tmp_path / "out"
    process = _cli(child, "run", str(jobs), "--out", str(out), "--concurrency", "10")
    # Interrupt once jobs exist (seen in the journal), not after a fixed time: on a loaded machine
    # the interpreter may still be importing after seconds, and Ctrl-C there is Python's, not ours.
    journal = out / ".lumenfall-batch.sqlite"
    deadline = time.monotonic() + 120
    while _progress(journal)["created"] < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "no new jobs were created" in stderr
    assert f"Resume with: lumenfall-openai batch resume {out}" in stderr
    code, _, stderr = _run(child, "resume", str(out))
    assert code == 0, stderr
    assert child.counters()["jobs_created"] == 60


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_live_view_and_ctrl_c_in_a_real_terminal(child: ChildEmulator, tmp_path: Path) -> None:
    """The live view shows rows per state and money; Ctrl-C asks before cancelling the running
    jobs, cancels them when told to, and prints the resume command."""
    jobs = _jobs(tmp_path / "jobs.jsonl", 12, model="sora-2")
    jobs.write_text(jobs.read_text().replace("scene", "[lumenfall:duration=60] scene"), encoding="utf-8")
    socket, name = str(tmp_path / "tmux.sock"), f"lfb-{uuid.uuid4().hex[:8]}"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", socket, *args], capture_output=True, text=True, check=True).stdout

    def wait_for(text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = tmux("capture-pane", "-p", "-t", name)
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{tmux('capture-pane', '-p', '-t', name)}")

    env = f"env PYTHONPATH={ROOT} TERM=xterm-256color LUMENFALL_API_KEY={KEY} LUMENFALL_BASE_URL={child.url}"
    command = f"{sys.executable} -m lumenfall_openai.cli batch run {jobs} --out {tmp_path / 'out'} --concurrency 5"
    try:
        tmux("new-session", "-d", "-s", name, "-x", "140", "-y", "30", f"{env} {command}; echo EXIT=$?; sleep 30")
        live = wait_for("reserved $4.20")  # 5 running jobs of $0.84 reserved
        assert "running" in live and "downloaded" in live and "spent $0.00" in live
        tmux("send-keys", "-t", name, "C-c")
        wait_for("[y/N]")
        tmux("send-keys", "-t", name, "y", "Enter")
        final = wait_for("EXIT=")
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)
    assert "Cancel requested for 5 job(s)" in final and "EXIT=130" in final
    assert "Resume with: lumenfall-openai batch resume" in final
    assert child.counters()["jobs_created"] == 5  # Ctrl-C created nothing more


def test_a_url_destination_needs_an_explicit_journal(child: ChildEmulator, tmp_path: Path) -> None:
    # F11: a journal derived from the current directory is found again only from that directory
    jobs = _jobs(tmp_path / "jobs.jsonl", 2, model="sora-2")
    for command in (("run", str(jobs)), ("status",), ("resume",)):
        process = _cli(child, *command, *(("--out",) if command[0] == "run" else ()), "memory://f11/", cwd=tmp_path)
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 2, stderr
        assert "--journal PATH" in stderr
    assert child.counters()["jobs_created"] == 0
    assert not list(tmp_path.glob(".lumenfall-batch*"))


def test_an_edited_row_is_announced_before_paying_and_counted_by_status(child: ChildEmulator, tmp_path: Path) -> None:
    # F6: the CLI says which rows changed (each a new paid job) and status counts what they replaced
    jobs = _jobs(tmp_path / "jobs.jsonl", 2, model="sora-2")
    out = tmp_path / "out"
    assert _run(child, "run", str(jobs), "--out", str(out))[0] == 0
    jobs.write_text(jobs.read_text().replace("scene 1", "scene one"), encoding="utf-8")
    code, stdout, stderr = _run(child, "run", str(jobs), "--out", str(out), "--json")
    assert code == 0, stderr
    assert "1 row(s) changed since the last run (row0001): each is a new paid job" in stderr
    assert json.loads(stdout)["batch"]["resumed"]["changed"] == 1
    code, stdout, _ = _run(child, "status", str(out), "--json")
    status = json.loads(stdout)["batch"]
    assert status["rows"] == 2 and status["by_state"] == {"downloaded": 2}
    assert (status["superseded"], status["superseded_micros"]) == (1, PRICE_4S)
    assert status["spent_micros"] == child.counters()["billed_micros"] == 3 * PRICE_4S
    assert len(list(out.glob("row0001*.mp4"))) == 2


def test_resume_finishes_journaled_jobs_without_the_jobs_file(child: ChildEmulator, tmp_path: Path) -> None:
    # F12: the journal holds every started row's arguments; only rows never created need the file
    jobs = _jobs(tmp_path / "jobs.jsonl", 3)
    out = tmp_path / "out"
    budget = f"{(2 * PRICE_4S + 1000) / 1_000_000}"  # two jobs fit, the third is refused
    run = ("run", str(jobs), "--out", str(out), "--model", "sora-2", "--budget", budget, "--timeout", "0.01")
    code, _, stderr = _run(child, *run)
    assert code == 4, stderr  # two jobs still running (timed out), one refused
    [refused] = [r["row_id"] for r in _manifest(out)[0] if r["status"] == "refused"]  # whichever lost the race
    moved = jobs.rename(tmp_path / "elsewhere.jsonl")
    code, stdout, _ = _run(child, "status", str(out))
    assert "it finishes them from the journal: the JOBS file" in stdout and "is missing" in stdout
    code, _, stderr = _run(child, "resume", str(out))
    assert code == 4, stderr
    assert f"The JOBS file {jobs} is missing: finishing the 2 journaled job(s)" in stderr
    assert f"1 row(s) refused earlier ({refused}) cannot be started without it" in stderr
    assert "bad row" not in stderr
    records, _ = _manifest(out)
    assert {r["row_id"]: r["status"] for r in records if r["status"] != "downloaded"} == {refused: "refused"}
    assert child.counters()["jobs_created"] == 2
    moved.rename(jobs)  # the file back: the journal still names it, the last row starts
    code, _, stderr = _run(child, "resume", str(out), "--budget", "10", "--timeout", "60")
    assert code == 0, stderr
    assert child.counters()["jobs_created"] == 3


def test_row_ranges_on_one_dest_keep_the_whole_batch_in_the_manifest(child: ChildEmulator, tmp_path: Path) -> None:
    # F5: the manifest covers every journaled row, whatever slice this run had; an empty or
    # negative selection is a usage error naming the row count, before anything is created
    jobs = _jobs(tmp_path / "jobs.jsonl", 6, model="sora-2")
    out = tmp_path / "out"
    for selection in ("--rows=500:1000", "--rows=5:2", "--rows=0:0", "--rows=-1:", "--rows=6:"):
        for extra in ((), ("--dry-run",)):
            code, _, stderr = _run(child, "run", str(jobs), "--out", str(out), selection, *extra)
            assert code == 2, (selection, stderr)
            assert "0-based" in stderr and ("of the 6 rows" in stderr or "-1" in selection), stderr
    assert child.counters()["jobs_created"] == 0
    for selection, listed in (("--rows=3:6", range(3, 6)), ("--rows=0:3", range(6)), ("--rows=4:5", range(6))):
        code, _, stderr = _run(child, "run", str(jobs), "--out", str(out), selection)
        assert code == 0, stderr
        records, totals = _manifest(out)
        assert [r["row_id"] for r in records] == [f"row{i:04d}" for i in listed]  # in the file's order
    assert all(r["status"] == "downloaded" for r in records)
    assert totals["rows"] == 6 and totals["cost_micros"] == child.counters()["billed_micros"] == 6 * PRICE_4S


def test_dry_run_compares_with_the_budget_left_and_a_file_dest_is_a_usage_error(
    child: ChildEmulator, tmp_path: Path
) -> None:
    # F8: the dry run says how many rows fit the budget, after what the batch's journal already holds
    jobs = _jobs(tmp_path / "jobs.jsonl", 5, model="sora-2")
    out = tmp_path / "out"
    budget = f"{(3 * PRICE_4S + 1000) / 1_000_000}"
    code, stdout, _ = _run(child, "run", str(jobs), "--out", str(out), "--dry-run", "--budget", budget, "--json")
    estimate = json.loads(stdout)["estimate"]
    assert code == 0 and (estimate["rows"], estimate["rows_within_budget"]) == (5, 3)
    code, stdout, _ = _run(child, "run", str(jobs), "--out", str(out), "--dry-run", "--budget", budget)
    assert "about 3 of 5 rows fit; 2 would be refused" in stdout
    assert _run(child, "run", str(jobs), "--out", str(out), "--rows", "0:2")[0] == 0  # $1.68 spent
    code, stdout, _ = _run(child, "run", str(jobs), "--out", str(out), "--dry-run", "--budget", budget)
    assert "3 rows would cost about $2.52" in stdout and "2 row(s) already in the journal" in stdout
    assert "minus $1.68 already spent or reserved by this batch: about 1 of 3 rows fit; 2 would be refused" in stdout
    assert child.counters()["jobs_created"] == 2
    a_file = tmp_path / "taken.mp4"
    a_file.write_bytes(b"x")
    for extra in ((), ("--dry-run",)):
        code, _, stderr = _run(child, "run", str(jobs), "--out", str(a_file), *extra)
        assert code == 2 and "is a file, not a directory" in stderr and "unexpected" not in stderr, stderr
    assert a_file.read_bytes() == b"x"


def test_a_too_low_balance_says_top_up_then_resume(tmp_path: Path) -> None:
    # F7 on the command line: exit 4 (not 3, "failed"), and what to do
    child = ChildEmulator(0.05, 0.1, balance=2 * PRICE_4S / 1_000_000 + 0.01)
    try:
        jobs = _jobs(tmp_path / "jobs.jsonl", 4, model="sora-2")
        out = tmp_path / "out"
        code, stdout, stderr = _run(child, "run", str(jobs), "--out", str(out), "--concurrency", "1", "--json")
        assert code == 4, stderr
        assert f"top up your balance, then `lumenfall-openai batch resume {out}`" in stderr
        assert "--retry-failed" not in stderr
        batch = json.loads(stdout)["batch"]
        assert batch["balance_refused"] == 1 and batch["counts"]["failed"] == 0
        assert "top up your balance" in json.loads(stdout)["error"]["message"]
        code, _, stderr = _run(child, "resume", str(out))  # the same words without --json; still no balance
        assert code == 4 and "top up your balance, then `lumenfall-openai batch resume" in stderr
        assert child.counters()["jobs_created"] == 2
    finally:
        child.close()


def test_a_resume_without_the_jobs_file_is_never_a_complete_batch(child: ChildEmulator, tmp_path: Path) -> None:
    # A3: without the JOBS file the rows never journaled cannot be known: exit 4 and say so, and
    # status counts the journaled rows against the file's row count (journaled at the first run)
    jobs = _jobs(tmp_path / "jobs.jsonl", 3, model="sora-2")
    out = tmp_path / "out"
    assert _run(child, "run", str(jobs), "--out", str(out), "--rows=0:1")[0] == 0
    jobs.rename(tmp_path / "elsewhere.jsonl")
    code, stdout, stderr = _run(child, "resume", str(out), "--json")
    assert code == 4, stderr
    payload = json.loads(stdout)
    assert payload["batch"]["jobs_file_missing"] is True and payload["exit_code"] == 4
    assert "1 of 3 rows journaled" in payload["error"]["message"]
    code, stdout, _ = _run(child, "status", str(out))
    assert f"the JOBS file {jobs} is missing (1 of 3 rows journaled)" in stdout
    assert child.counters()["jobs_created"] == 1

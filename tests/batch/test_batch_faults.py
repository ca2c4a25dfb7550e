"""A fault matrix: every way a request of a batch can go wrong, on every step that pays or saves.

Each case arms a fault on the emulator (a lost answer after the job was made, a gateway error
after processing, a garbled or truncated body, replication lag, a broken media download), runs a
batch with openai's own retries off (so the engine meets the fault itself), then resumes until
done. Whatever happened: one paid job per row, every file whole, costs equal to the micro.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import AsyncLumenfall
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import KEY

pytestmark = pytest.mark.anyio

CREATE = "POST /openai/v1/videos"
READ = "GET /openai/v1/videos/{id}"
MEDIA = "GET /media/{name}"
ROWS = 6
PRICE_4S = 840_000

Arm = Callable[[LumenfallEmulator], None]
# name -> (fault, whether it must leave rows unfinished for a later run: the poll and the download
# retry transient faults themselves, so a few of those are absorbed within the run)
CASES: dict[str, tuple[Arm, bool]] = {
    "create answer lost (job made)": (lambda e: e.faults.drop_connection_after(0, times=4, route=CREATE), True),
    "create 502 after processing": (lambda e: e.faults.fail_next(4, route=CREATE, processed=True), True),
    "create 502 before processing": (lambda e: e.faults.fail_next(4, route=CREATE), True),
    "create body garbled": (lambda e: e.faults.malformed_json_next(3, route=CREATE), True),
    "create body truncated": (lambda e: e.faults.truncate_next(3, route=CREATE), True),
    "create slow": (lambda e: e.faults.delay_next(0.3, 3, route=CREATE), False),
    "reads 404 (replication lag)": (lambda e: e.faults.not_found_next(4, route=READ), False),
    "reads 502": (lambda e: e.faults.fail_next(6, route=READ), False),
    "reads garbled": (lambda e: e.faults.malformed_json_next(4, route=READ), False),
    "media 502, retried": (lambda e: e.faults.fail_next(8, route=MEDIA), False),
    "media 502, past the retries": (lambda e: e.faults.fail_next(40, route=MEDIA), True),
    "media dropped mid-body": (lambda e: e.faults.drop_connection_after(100, times=8, route=MEDIA), False),
    "media truncated (resumed by Range)": (lambda e: e.faults.truncate_next(40, keep_bytes=50, route=MEDIA), False),
}


@pytest.mark.parametrize(("arm", "bites"), list(CASES.values()), ids=list(CASES))
async def test_no_fault_pays_twice_or_loses_a_file(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, arm: Arm, bites: bool
) -> None:
    rows = [{"id": f"row{i}", "prompt": f"scene {i}", "model": "sora-2", "seconds": 4} for i in range(ROWS)]
    out = tmp_path / "out"
    arm(emulator)
    codes: list[int] = []
    async with AsyncLumenfall(api_key=KEY, base_url=base_url, max_retries=0) as client:
        for _ in range(6):
            summary = await client.videos.batch(rows, out=out, concurrency=3).summary()
            codes.append(summary.exit_code)
            if summary.exit_code == 0:
                break
    assert codes[-1] == 0, codes
    assert (len(codes) > 1) == bites, codes
    assert all(code in (0, 4) for code in codes), codes  # a fault leaves rows unfinished, never failed
    assert emulator.jobs_created == ROWS
    assert _checked_files(out) == emulator.billed_micros == ROWS * PRICE_4S


def _checked_files(out: Path) -> int:
    """Check every file against the manifest; return the journal's total cost."""
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    for record in lines[:-1]:
        data = Path(record["file"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (record["bytes"], record["sha256"])
    assert not [p.name for p in out.iterdir() if ".part-" in p.name]
    total: int = lines[-1]["totals"]["journal_cost_micros"]
    return total


async def test_a_create_of_unknown_outcome_stays_reserved_in_the_journal(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # a create whose answer was lost may have made a paid job: under a budget its estimate is
    # journaled with it, so status and later runs count it as reserved until a resume replays it
    from lumenfall_openai.batch import Journal

    rows = [{"id": f"row{i}", "prompt": f"scene {i}", "model": "sora-2", "seconds": 4} for i in range(3)]
    out = tmp_path / "out"
    import openai

    dropped: list[str] = []

    async def drop_the_create_not_its_estimate(request: Any) -> None:  # both share the route
        if request.method == "POST" and "dryRun" not in str(request.url) and len(dropped) < 2:
            dropped.append(str(request.url))
            emulator.faults.drop_connection_after(0, times=1, route=CREATE)

    http_client = openai.DefaultAsyncHttpxClient(event_hooks={"request": [drop_the_create_not_its_estimate]})
    async with AsyncLumenfall(api_key=KEY, base_url=base_url, max_retries=0, http_client=http_client) as client:
        first = await client.videos.batch(rows, out=out, concurrency=1, budget=10).summary()
        assert first.counts["unfinished"] == 2 and first.reserved_micros == 2 * PRICE_4S
        journal = Journal(out / ".lumenfall-batch.sqlite", create=False)
        assert journal.reserved_micros == 2 * PRICE_4S and journal.spent_micros == PRICE_4S
        journal.close()
        again = await client.videos.batch(rows, out=out, concurrency=1, budget=10).summary()
    assert again.exit_code == 0 and again.reserved_micros == 0
    assert emulator.jobs_created == 3 and again.spent_micros == emulator.billed_micros == 3 * PRICE_4S


async def test_a_resend_is_a_replay_never_refused_by_the_budget(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A2: a create that may have made a job is journaled with its estimate before it is sent (a kill
    # then leaves it reserved), and its re-send replays the key whatever budget is left
    from lumenfall_openai.batch import Journal

    rows = [{"id": f"row{i}", "prompt": f"scene {i}", "model": "sora-2", "seconds": 4} for i in range(3)]
    out = tmp_path / "out"
    journal_path = out / ".lumenfall-batch.sqlite"
    import openai

    seen_at_send: list[int | None] = []

    async def drop_every_create(request: Any) -> None:
        if request.method == "POST" and "dryRun" not in str(request.url):
            reader = Journal(journal_path, create=False)
            sending = [a for a in reader.attempts() if a.state == "sending"]
            seen_at_send.extend(a.estimate_micros for a in sending)
            reader.close()
            emulator.faults.drop_connection_after(0, times=1, route=CREATE)

    http_client = openai.DefaultAsyncHttpxClient(event_hooks={"request": [drop_every_create]})
    async with AsyncLumenfall(api_key=KEY, base_url=base_url, max_retries=0, http_client=http_client) as client:
        first = await client.videos.batch(rows, out=out, concurrency=1, budget=5).summary()
    assert first.counts["unfinished"] == 3 and emulator.jobs_created == 3
    assert seen_at_send and all(micros == PRICE_4S for micros in seen_at_send)  # journaled before sending
    assert first.reserved_micros == 3 * PRICE_4S
    async with AsyncLumenfall(api_key=KEY, base_url=base_url, max_retries=0) as client:
        # a lower budget than the jobs that exist: their re-sends are replays, not refused
        again = await client.videos.batch(rows, out=out, concurrency=1, budget="0.5").summary()
    assert again.counts["downloaded"] == 3 and again.counts["refused"] == 0, again.counts
    assert emulator.jobs_created == 3 and again.spent_micros == emulator.billed_micros == 3 * PRICE_4S

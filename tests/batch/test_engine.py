"""The engine end to end against the emulator (real HTTP on loopback, real files, real SQLite).

Crashes are reproduced by leaving the journal in each state a kill can leave it in, then
running the same batch again: the emulator's own counters say whether anything was paid twice.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai.batch import BatchResult, Journal, JournalError, RowsError, derive_key
from lumenfall_openai.batch._rows import canonical_json, rows_from_mappings
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import KEY

pytestmark = pytest.mark.anyio

PRICE_4S = 840_000  # sora-2: $0.21 per second


def _rows(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"id": f"row{i}", "prompt": f"scene {i}", "model": "sora-2", "seconds": 4, **extra} for i in range(count)]


def _manifest(out: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return lines[:-1], lines[-1]["totals"]


async def test_a_batch_makes_every_video_once_and_accounts_to_the_micro(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    rows = [*_rows(6), {"id": "broken", "prompt": "x", "model": "mock-video-fail"}]
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        batch = client.videos.batch(rows, out=out, concurrency=3)
        seen: list[BatchResult] = [result async for result in batch]
    assert sorted(r.row_id for r in seen) == sorted(row["id"] for row in rows)
    assert {r.row_id: r.outcome for r in seen}["broken"] == "failed"
    assert emulator.jobs_created == 7
    records, totals = _manifest(out)
    assert totals["cost_micros"] == emulator.billed_micros == 6 * PRICE_4S
    for record in records:
        if record["status"] == "downloaded":
            data = (out / f"{record['row_id']}.mp4").read_bytes()
            assert len(data) == record["bytes"]
            import hashlib

            assert hashlib.sha256(data).hexdigest() == record["sha256"]
    assert next(r for r in records if r["row_id"] == "broken")["error_code"] == "UPSTREAM_ERROR"

    # The same batch again: nothing new is created, paid or downloaded.
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(rows, out=out, manifest_csv=True).summary()
    assert emulator.jobs_created == 7
    header, *lines = (out / "manifest.csv").read_text().splitlines()
    assert header.startswith("row_id,video_id,status,error_code,error_message,cost_micros") and len(lines) == 7
    assert summary.resume.done == 7 and summary.counts["downloaded"] == 6 and summary.exit_code == 3
    assert summary.spent_micros == emulator.billed_micros


async def test_resume_from_every_state_a_kill_can_leave(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    rows = _rows(4)
    checked = rows_from_mappings(enumerate(rows, 1))
    journal = Journal(out / ".lumenfall-batch.sqlite")
    batch_id = journal.batch_id()
    keys = [derive_key(batch_id, row.id, row.args, 0) for row in checked]
    for row, key in zip(checked, keys, strict=True):
        journal.begin(key=key, row_id=row.id, args_hash=row.args_hash, args=canonical_json(row.args), attempt=0)
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        # row0: killed after "sending" was journaled, before the create left: nothing exists.
        # row1: killed after the create was sent, before its answer was journaled.
        await client.videos.create(**checked[1].args, idempotency_key=keys[1])
        # row2: killed while polling (video id journaled).
        video2 = await client.videos.create(**checked[2].args, idempotency_key=keys[2])
        journal.update(keys[2], state="running", video_id=video2.id)
        # row3: killed after the job completed, before the download.
        video3 = await client.videos.create_and_poll(**checked[3].args, idempotency_key=keys[3])
        journal.update(keys[3], state="completed", video_id=video3.id, status="completed")
        journal.close()
        assert emulator.jobs_created == 3

        summary = await client.videos.batch(rows, out=out, concurrency=2).summary()
    assert (summary.resume.resent, summary.resume.polled, summary.resume.downloads) == (2, 1, 1)
    assert summary.exit_code == 0 and summary.counts["downloaded"] == 4
    assert emulator.jobs_created == 4  # row0 created once now; row1 replayed, not paid again
    assert emulator.replayed_creates == 1
    _, totals = _manifest(out)
    assert totals["cost_micros"] == emulator.billed_micros == 4 * PRICE_4S
    assert all((out / f"row{i}.mp4").stat().st_size > 0 for i in range(4))


async def test_a_missing_file_is_downloaded_again(emulator: LumenfallEmulator, base_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        await client.videos.batch(_rows(2), out=out).summary()
        (out / "row1.mp4").unlink()
        summary = await client.videos.batch(_rows(2), out=out).summary()
    assert summary.resume.downloads == 1 and summary.exit_code == 0
    assert (out / "row1.mp4").is_file()
    assert emulator.jobs_created == 2


async def test_an_edited_row_is_a_new_row(emulator: LumenfallEmulator, base_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        await client.videos.batch(_rows(2), out=out).summary()
        edited = _rows(2)
        edited[1]["prompt"] = "another scene"
        summary = await client.videos.batch(edited, out=out).summary()
    assert summary.resume.changed == 1 and summary.resume.new == 1
    assert emulator.jobs_created == 3
    records, _ = _manifest(out)
    assert records[1]["video_id"] != records[0]["video_id"]


async def test_the_budget_refuses_rows_that_do_not_fit_and_holds_across_runs(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    budget = (3 * PRICE_4S + PRICE_4S // 2) / 1_000_000  # room for 3.5 jobs
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(_rows(5), out=out, budget=budget, concurrency=1).summary()
        assert summary.counts == {"downloaded": 3, "failed": 0, "refused": 2, "unfinished": 0}
        assert summary.exit_code == 4
        # a second run with the same budget: what the first spent counts, nothing more fits
        again = await client.videos.batch(_rows(5), out=out, budget=budget, concurrency=1).summary()
        assert again.counts["refused"] == 2
        assert emulator.jobs_created == 3
        # more budget: the refused rows are created now
        more = await client.videos.batch(_rows(5), out=out, budget=10, concurrency=2).summary()
    assert more.exit_code == 0 and emulator.jobs_created == 5
    assert more.spent_micros == emulator.billed_micros


async def test_retry_failed_makes_new_jobs_up_to_k(emulator: LumenfallEmulator, base_url: str, tmp_path: Path) -> None:
    rows = [{"id": "f", "prompt": "x", "model": "mock-video-fail"}]
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(rows, out=tmp_path, retry_failed=2).summary()
    assert summary.counts["failed"] == 1 and emulator.jobs_created == 3
    records, _ = _manifest(tmp_path)
    assert records[0]["attempts"] == 3


def test_the_sync_client_runs_the_same_engine(emulator: LumenfallEmulator, base_url: str, tmp_path: Path) -> None:
    headers, query = {"X-Team": "studio-7"}, {"tag": "spring"}
    with Lumenfall(api_key=KEY, base_url=base_url, default_headers=headers, default_query=query) as client:
        batch = client.videos.batch(_rows(3), out=tmp_path / "out", concurrency=2)
        results = list(batch)
        summary = batch.summary()
        assert client.ledger.total_micros == 3 * PRICE_4S  # the sync client's ledger saw the costs
    assert sorted(r.row_id for r in results) == ["row0", "row1", "row2"]
    assert summary.exit_code == 0 and emulator.jobs_created == 3
    # the engine's own async client sends what the user's sync client would send
    api = [r for r in emulator.requests if r.route is not None and r.route.startswith(("POST", "GET /openai"))]
    assert api and all(r.headers.get("x-team") == "studio-7" and r.query.get("tag") == "spring" for r in api)


def test_bad_rows_and_options_fail_before_anything_is_sent(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    with Lumenfall(api_key=KEY, base_url=base_url) as client:
        with pytest.raises(RowsError, match="row 2"):
            client.videos.batch([{"prompt": "ok", "model": "m"}, {"prompt": ""}], out=tmp_path)
        with pytest.raises(ValueError, match="concurrency"):
            client.videos.batch(_rows(1), out=tmp_path, concurrency=0)
        with pytest.raises(ValueError, match="budget"):
            client.videos.batch(_rows(1), out=tmp_path, budget="lots")
    assert emulator.jobs_created == 0


def test_a_url_destination_without_the_extra_says_what_to_install(
    base_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_fsspec(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "fsspec":
            raise ImportError("No module named 'fsspec'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fsspec)
    with Lumenfall(api_key=KEY, base_url=base_url) as client, pytest.raises(ValueError, match=r"\[storage\]"):
        client.videos.batch([{"prompt": "x", "model": "sora-2"}], out="s3://b/p/", journal=tmp_path / "j.sqlite")


async def test_machines_sharing_a_batch_id_replay_an_overlap_instead_of_paying(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    rows = _rows(5)
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        first = await client.videos.batch(rows[0:3], out=tmp_path / "a", batch_id="spring-campaign").summary()
        second = await client.videos.batch(rows[2:5], out=tmp_path / "b", batch_id="spring-campaign").summary()
        with pytest.raises(JournalError, match="belongs to batch 'spring-campaign'"):
            client.videos.batch(rows, out=tmp_path / "a", batch_id="another")
    assert first.exit_code == second.exit_code == 0
    assert emulator.jobs_created == 5 and emulator.replayed_creates == 1
    assert emulator.billed_micros == 5 * PRICE_4S


@pytest.mark.parametrize("bad_cost", [-5_000_000, None])
async def test_a_negative_or_missing_cost_counts_as_the_estimate_across_runs(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, bad_cost: int | None
) -> None:
    # F2/F3: a hostile answer (negative, missing, NaN or absurd cost: all journal as negative or None)
    # must never give the budget back; the journal counts the estimate, like the ledger does
    out = tmp_path / "out"
    budget = (3 * PRICE_4S + PRICE_4S // 2) / 1_000_000  # room for 3.5 jobs
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        first = await client.videos.batch(_rows(5), out=out, budget=budget, concurrency=1).summary()
        assert first.counts["downloaded"] == 3
        journal = Journal(first.journal, create=False)
        for attempt in journal.attempts():
            if attempt.state == "downloaded":
                journal.update(attempt.key, cost_micros=bad_cost)
        assert journal.spent_micros == 3 * PRICE_4S and journal.unknown_costs == 0
        journal.close()
        again = await client.videos.batch(_rows(5), out=out, budget=budget, concurrency=1).summary()
        assert again.counts["refused"] == 2 and emulator.jobs_created == 3
        assert again.spent_micros == 3 * PRICE_4S
        records, totals = _manifest(out)
        assert totals["journal_cost_micros"] == 3 * PRICE_4S
        assert all(r["cost_micros"] == PRICE_4S and r["cost_estimated"] for r in records if r["status"] == "downloaded")
        # no estimate either: the budget cannot be checked, so nothing new is created (fail closed)
        journal = Journal(first.journal, create=False)
        paid = [attempt for attempt in journal.attempts() if attempt.state == "downloaded"]
        journal.update(paid[0].key, cost_micros=bad_cost, estimate_micros=None)
        assert journal.unknown_costs == 1
        journal.close()
        more = await client.videos.batch(_rows(5), out=out, budget=10, concurrency=1).summary()
    assert more.unknown_costs == 1 and more.stopped and emulator.jobs_created == 3
    assert more.counts["unfinished"] == 2


async def test_two_remote_batches_in_one_directory_never_share_a_staging_file(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # F10: the same row ids, two URL destinations, journals side by side: each batch stages privately
    pytest.importorskip("fsspec", reason="the [storage] extra (fsspec) is not installed")
    import fsspec  # pyright: ignore[reportMissingTypeStubs]

    from lumenfall_openai.batch._dest import staging_dir

    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert len({staging_dir(a, "x"), staging_dir(b, "x"), staging_dir(a, "y")}) == 3
    assert all(staging_dir(j, "x").parent.parent == tmp_path for j in (a, b))
    fs: Any = fsspec.filesystem("memory")
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        for journal, prefix in ((a, "f10a"), (b, "f10b")):
            summary = await client.videos.batch(_rows(2), out=f"memory://{prefix}/", journal=journal).summary()
            assert summary.exit_code == 0
            lines = [json.loads(line) for line in fs.cat(f"/{prefix}/manifest.jsonl").decode().splitlines()]
            for record in lines[:-1]:
                data: bytes = fs.cat(f"/{prefix}/{record['row_id']}.mp4")
                assert hashlib.sha256(data).hexdigest() == record["sha256"]
            assert not staging_dir(journal, summary.batch_id).exists()  # removed once every file is uploaded


async def test_leaving_the_loop_early_stops_creating_keeps_what_was_paid_and_releases_the_journal(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # F15: a break must not leave the engine running on (holding the lock) until the client closes
    out = tmp_path / "out"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        async with client.videos.batch(_rows(8), out=out, concurrency=2) as batch:
            async for _ in batch:
                break
        created = emulator.jobs_created
        assert created < 8
        journal = Journal(out / ".lumenfall-batch.sqlite", create=False, exclusive=True)  # the lock is free
        assert sum(a.state == "downloaded" for a in journal.attempts()) == created  # every paid job saved
        journal.close()
        records, _ = _manifest(out)
        assert sum(r["status"] == "downloaded" for r in records) == created
        # the iterator's own aclose does the same
        iterator = aiter(client.videos.batch(_rows(8), out=out, concurrency=1))
        await anext(iterator)
        await iterator.aclose()  # type: ignore[attr-defined]
        Journal(out / ".lumenfall-batch.sqlite", create=False, exclusive=True).close()
        # closed before it ran: the lock is released too
        await client.videos.batch(_rows(8), out=out).aclose()
        summary = await client.videos.batch(_rows(8), out=out).summary()
    assert summary.exit_code == 0 and emulator.jobs_created == 8  # each row paid once


def test_the_sync_twin_stops_on_break_too(emulator: LumenfallEmulator, base_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Lumenfall(api_key=KEY, base_url=base_url) as client:
        for _ in client.videos.batch(_rows(6), out=out, concurrency=2):
            break  # the generator is closed here: no new job, the lock is free
        Journal(out / ".lumenfall-batch.sqlite", create=False, exclusive=True).close()
        with client.videos.batch(_rows(6), out=out) as batch:
            summary = batch.summary()
    assert summary.exit_code == 0 and emulator.jobs_created == 6


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("distinct", [True, False], ids=["distinct-videos", "same-size-same-bytes"])
@pytest.mark.parametrize("versions", [(1, 2), (1, 2, 1), (1, 2, 3, 2, 1), (1, 1, 2, 2, 1, 3)])
async def test_an_edited_row_never_loses_a_paid_video(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, versions: tuple[int, ...], distinct: bool
) -> None:
    # F6 (and F1's second half): whatever the sequence of edits of a row, every paid video stays in
    # DEST under a name the journal and manifest give it, and <row id>.mp4 is the current version's
    # (the emulator's bytes depend on the size only: distinct sizes give distinct videos)
    out = tmp_path / "out"
    paid: dict[int, str] = {}  # version -> its video id
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        for version in versions:
            marker = f"[lumenfall:size_bytes={3000 + version}] " if distinct else ""
            prompt = f"{marker}version {version}"
            rows = [{"id": "a", "prompt": prompt, "model": "sora-2", "seconds": 4}, *_rows(1)]
            batch = client.videos.batch(rows, out=out)
            summary = await batch.summary()
            assert summary.exit_code == 0
            changed = [event for event in batch.progress.events if "changed since the last run" in event]
            assert bool(changed) == (version not in paid and bool(paid))  # said for every new paid edit
            records, totals = _manifest(out)
            current = next(r for r in records if r["row_id"] == "a" and r["status"] == "downloaded")
            paid.setdefault(version, current["video_id"])
            assert current["video_id"] == paid[version] and current["file"] == str(out / "a.mp4")
            assert _sha(out / "a.mp4") == current["sha256"]
            earlier = [r for r in records if r["status"] == "superseded"]
            assert sorted(r["video_id"] for r in earlier) == sorted(v for k, v in paid.items() if k != version)
            for record in earlier:
                assert Path(record["file"]).name == f"a~{record['video_id']}.mp4"
                assert _sha(Path(record["file"])) == record["sha256"] and record["cost_micros"] == PRICE_4S
            assert totals["rows"] == 2 and totals["cost_micros"] == emulator.billed_micros
    assert emulator.jobs_created == len(paid) + 1  # one paid job per distinct version, plus row0
    files = list(out.glob("a*.mp4"))
    assert len(files) == len(paid) and len({_sha(path) for path in files}) == (len(paid) if distinct else 1)


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [_flip_a_byte, lambda p: p.write_bytes(p.read_bytes()[:-1]), lambda p: p.write_bytes(b"x" * 10), Path.unlink],
    ids=["same-size", "truncated", "replaced", "deleted"],
)
async def test_a_saved_file_that_changed_is_never_reported_downloaded(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, damage: Any
) -> None:
    # F1: a row marked downloaded is checked by its sha256, not its size: a changed file is kept
    # aside and the video downloaded again (free), and the manifest's sha256 is the file's
    out = tmp_path / "out"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        await client.videos.batch(_rows(2), out=out).summary()
        original = _sha(out / "row0.mp4")
        before = (out / "row0.mp4").read_bytes()
        damage(out / "row0.mp4")
        damaged = (out / "row0.mp4").read_bytes() if (out / "row0.mp4").exists() else None
        batch = client.videos.batch(_rows(2), out=out)
        summary = await batch.summary()
    assert summary.exit_code == 0 and emulator.jobs_created == 2
    assert (out / "row0.mp4").read_bytes() == before
    records, _ = _manifest(out)
    assert [r["sha256"] for r in records] == [original, _sha(out / "row1.mp4")]
    kept = list(out.glob("row0~changed-*.mp4"))
    assert [path.read_bytes() for path in kept] == ([] if damaged is None else [damaged])  # nothing lost
    said = any("no longer matches the sha256" in event for event in batch.progress.events)
    assert said == (damaged is not None)  # a missing file is simply downloaded again


async def test_a_too_low_balance_refuses_rows_it_does_not_fail_them(tmp_path: Path) -> None:
    # F7: a 402 creates nothing and costs nothing: the row is refused (exit 4), not failed (exit 3),
    # no new create is tried after it, and a resume after a top-up creates exactly the rest
    emulator = LumenfallEmulator(balance=2 * PRICE_4S / 1_000_000 + 0.01, queue_seconds=0.05, run_seconds=0.1)
    out = tmp_path / "out"
    try:
        with emulator.serve() as url:
            async with AsyncLumenfall(api_key=KEY, base_url=url) as client:
                summary = await client.videos.batch(_rows(5), out=out, concurrency=1).summary()
                assert summary.exit_code == 4 and summary.balance_refused == 1
                assert summary.counts == {"downloaded": 2, "failed": 0, "refused": 1, "unfinished": 2}
                records, _ = _manifest(out)
                assert [r["status"] for r in records] == ["downloaded", "downloaded", "refused", "not_started",
                                                          "not_started"]  # fmt: skip
                assert records[2]["error_code"] == "insufficient_balance" and records[2]["cost_micros"] is None
                emulator.set_balance(100)
                again = await client.videos.batch(_rows(5), out=out, concurrency=1).summary()
            assert again.exit_code == 0 and emulator.jobs_created == 5
            assert emulator.billed_micros == again.spent_micros == 5 * PRICE_4S
    finally:
        emulator.close()


async def test_a_paid_video_whose_media_expired_for_good_settles_as_failed_with_its_cost(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # F14: the URL fails even after a fresh retrieve: no resume can save it, so the row is failed
    # (media_expired, exit 3) with its cost counted, not "unfinished, resume" forever
    out = tmp_path / "out"
    emulator.script(ttl_seconds=0.0, times=2)
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(_rows(3), out=out, concurrency=1).summary()
        assert summary.counts == {"downloaded": 1, "failed": 2, "refused": 0, "unfinished": 0}
        assert summary.exit_code == 3
        again = await client.videos.batch(_rows(3), out=out).summary()  # nothing left to try
    assert again.exit_code == 3 and again.resume.done == 3 and emulator.jobs_created == 3
    records, totals = _manifest(out)
    gone = [r for r in records if r["status"] == "failed"]
    assert [r["error_code"] for r in gone] == ["media_expired", "media_expired"]
    assert all(r["cost_micros"] == PRICE_4S and "expired" in r["error_message"] for r in gone)
    assert totals["cost_micros"] == totals["journal_cost_micros"] == emulator.billed_micros == 3 * PRICE_4S
    assert sorted(p.name for p in out.glob("*.mp4")) == [next(r for r in records if r["file"])["row_id"] + ".mp4"]


async def test_the_running_jobs_of_edited_rows_count_against_the_budget_and_are_saved(tmp_path: Path) -> None:
    # A9: rows edited while their jobs run: those jobs are paid whatever happens, so the budget
    # holds them and the run follows them to the end, their videos kept as <row id>~<video id>.mp4
    emulator = LumenfallEmulator(balance=None, queue_seconds=0.05, run_seconds=1.5)
    out = tmp_path / "out"
    try:
        with emulator.serve() as url:
            async with AsyncLumenfall(api_key=KEY, base_url=url, max_retries=0) as client:
                first = await client.videos.batch(_rows(2), out=out, budget=2, timeout=0.2).summary()
                assert first.counts["unfinished"] == 2 and emulator.jobs_created == 2
                edited = _rows(2, negative_prompt="blur")
                again = await client.videos.batch(edited, out=out, budget=2).summary()
    finally:
        emulator.close()
    assert emulator.jobs_created == 2, "the edited rows did not fit next to the running jobs"
    assert again.counts["refused"] == 2 and emulator.billed_micros == 2 * PRICE_4S
    assert again.resume.changed_running == ("row0", "row1") and "still running" in again.resume.describe_changed()
    journal = Journal(out / ".lumenfall-batch.sqlite", create=False)
    try:
        earlier = [a for a in journal.attempts() if a.video_id is not None]
        assert [a.state for a in earlier] == ["downloaded", "downloaded"]
        assert journal.spent_micros == 2 * PRICE_4S and journal.reserved_micros == 0
        for attempt in earlier:
            kept = out / f"{attempt.row_id}~{attempt.video_id}.mp4"
            assert attempt.file == str(kept) and _sha(kept) == attempt.sha256
    finally:
        journal.close()
    assert not (out / "row0.mp4").exists()


async def test_a_dest_holding_another_batch_is_refused_before_anything_is_sent(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A6: the same DEST with another journal (a new batch id) would pay every row again and replace
    # the first batch's files: refused, nothing sent; --batch-id <that id> continues it by replaying
    out = tmp_path / "out"
    other = tmp_path / "elsewhere.sqlite"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        first = await client.videos.batch(_rows(2), out=out).summary()
        before = {p.name: _sha(p) for p in out.glob("*.mp4")}
        with pytest.raises(JournalError, match=f"holds batch '{first.batch_id}'.*--batch-id {first.batch_id}"):
            client.videos.batch(_rows(2), out=out, journal=other)
        assert emulator.jobs_created == 2 and {p.name: _sha(p) for p in out.glob("*.mp4")} == before
        again = await client.videos.batch(_rows(2), out=out, journal=other, batch_id=first.batch_id).summary()
    assert again.exit_code == 0 and emulator.jobs_created == 2  # replayed, not paid again


async def test_a_file_the_journal_does_not_know_is_never_overwritten(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A6: a user's own intro.mp4 in DEST before the first run is kept aside, never replaced
    out = tmp_path / "out"
    out.mkdir()
    (out / "intro.mp4").write_bytes(b"my own precious intro video")
    rows = [{"id": "intro", "prompt": "an intro", "model": "sora-2", "seconds": 4}]
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(rows, out=out).summary()
    assert summary.exit_code == 0
    kept = [p for p in out.glob("intro~existing-*.mp4")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"my own precious intro video"
    assert (out / "intro.mp4").read_bytes() != b"my own precious intro video"


async def test_a_refused_media_download_settles_as_expired_only_when_past_its_expiry(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A11: two 404s from the media host (a CDN lag, a blip) do not settle a paid video for good:
    # the row stays unfinished and the next run downloads it (free); an expired one stays failed
    # and --retry-failed does not pay for it again unless retry_expired is asked for
    out = tmp_path / "out"
    emulator.faults.not_found_next(2, route="GET /media/{name}")
    async with AsyncLumenfall(api_key=KEY, base_url=base_url, max_retries=0) as client:
        first = await client.videos.batch(_rows(1), out=out).summary()
        assert first.exit_code == 4 and first.counts["unfinished"] == 1, first.counts
        again = await client.videos.batch(_rows(1), out=out).summary()
        assert again.exit_code == 0 and emulator.jobs_created == 1
        expired = tmp_path / "expired"
        emulator.script(ttl_seconds=0.0, times=1)
        gone = await client.videos.batch(_rows(1), out=expired).summary()
        assert gone.exit_code == 3 and emulator.jobs_created == 2
        retried = await client.videos.batch(_rows(1), out=expired, retry_failed=1).summary()
        assert retried.exit_code == 3 and emulator.jobs_created == 2  # not paid again
        asked = await client.videos.batch(_rows(1), out=expired, retry_failed=1, retry_expired=True).summary()
    assert asked.exit_code == 0 and emulator.jobs_created == 3


async def test_a_directory_in_place_of_a_saved_file_is_not_reported_downloaded(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A1: a row whose file cannot be read is not "downloaded" in the manifest; the message names
    # the obstacle, and once it is moved away a resume downloads the video again (free)
    out = tmp_path / "out"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        assert (await client.videos.batch(_rows(2), out=out).summary()).exit_code == 0
        (out / "row0.mp4").unlink()
        (out / "row0.mp4").mkdir()
        blocked = await client.videos.batch(_rows(2), out=out).summary()
        assert blocked.exit_code == 4
        records, totals = _manifest(out)
        row0 = next(r for r in records if r["row_id"] == "row0")
        assert row0["status"] != "downloaded" and "row0.mp4 is a directory: move it away" in row0["error_message"]
        assert totals["by_status"].get("downloaded") == 1
        (out / "row0.mp4").rmdir()
        again = await client.videos.batch(_rows(2), out=out).summary()
    assert again.exit_code == 0 and emulator.jobs_created == 2


async def test_a_url_dest_is_made_or_refused_before_anything_is_paid(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A5: a URL DEST whose directory does not exist is made; one that cannot be written is refused
    # before the first paid create (a plain error, nothing created)
    pytest.importorskip("fsspec")
    journal = tmp_path / "j.sqlite"
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        made = await client.videos.batch(_rows(1), out=f"local://{tmp_path}/not/yet/there", journal=journal).summary()
        assert made.exit_code == 0 and (tmp_path / "not/yet/there/row0.mp4").is_file()
        (tmp_path / "a-file").write_text("not a directory")
        with pytest.raises(ValueError, match=r"cannot be written.*Nothing was created"):
            client.videos.batch(_rows(1), out=f"local://{tmp_path}/a-file/sub", journal=tmp_path / "k.sqlite")
    assert emulator.jobs_created == 1


async def test_a_manifest_that_cannot_be_written_is_a_plain_unfinished_run(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A5: the videos are saved and journaled; only the manifest failed: exit 4 with the reason, and
    # the next run (once the obstacle is gone) writes it without paying again
    out = tmp_path / "out"
    (out / "manifest.jsonl").mkdir(parents=True)
    (out / "manifest.jsonl" / "x").write_text("in the way")
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        first = await client.videos.batch(_rows(2), out=out).summary()
        assert first.exit_code == 4 and first.counts["downloaded"] == 2
        assert first.manifest_error is not None and "manifest could not be written" in first.manifest_error
        (out / "manifest.jsonl" / "x").unlink()
        (out / "manifest.jsonl").rmdir()
        again = await client.videos.batch(_rows(2), out=out).summary()
    assert again.exit_code == 0 and emulator.jobs_created == 2 and (out / "manifest.jsonl").is_file()


async def test_a_directory_named_like_a_temp_file_is_left_alone(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A8: cleaning a killed run's temp files never trips on (or removes) a directory of that name
    out = tmp_path / "out"
    (out / ".row0.mp4.part-x").mkdir(parents=True)
    (out / ".manifest.jsonl.y.tmp").mkdir()
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        summary = await client.videos.batch(_rows(1), out=out).summary()
    assert summary.exit_code == 0 and (out / ".row0.mp4.part-x").is_dir()


async def test_a_restore_cut_by_a_kill_finds_the_kept_file_again(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path
) -> None:
    # A7: args1 -> args2 -> args1, the restore killed after its journal step (row0.mp4) and before
    # its move: the video is still at row0~<video id>.mp4 and is put back, even once media expired
    out = tmp_path / "out"
    first, second = _rows(1), _rows(1, negative_prompt="blur")
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client:
        assert (await client.videos.batch(first, out=out).summary()).exit_code == 0
        assert (await client.videos.batch(second, out=out).summary()).exit_code == 0
        journal = Journal(out / ".lumenfall-batch.sqlite", create=False)
        try:
            by_args = {a.args_hash: a for a in journal.attempts()}
            old = by_args[rows_from_mappings(enumerate(first, 1), default_model=None, unit="row")[0].args_hash]
            new = next(a for a in journal.attempts() if a.key != old.key)
            assert old.video_id is not None and new.video_id is not None
            (out / "row0.mp4").rename(out / f"row0~{new.video_id}.mp4")  # the cut restore's first steps
            journal.update(new.key, file=str(out / f"row0~{new.video_id}.mp4"))
            journal.update(old.key, file=str(out / "row0.mp4"))
        finally:
            journal.close()
        emulator.advance(7200)  # no download can save it now
        back = await client.videos.batch(first, out=out).summary()
    assert back.exit_code == 0 and emulator.jobs_created == 2
    assert (out / "row0.mp4").is_file() and not (out / f"row0~{old.video_id}.mp4").exists()

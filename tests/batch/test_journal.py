"""The journal and its keys: deterministic, distinct, durable across reopening."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai.batch import Journal, JournalError, derive_key
from lumenfall_openai.batch._journal import PAID_STATES, STATES, Attempt, counted_cost

values = st.one_of(st.text(max_size=20), st.integers(-5, 5), st.booleans(), st.none())
args_st = st.dictionaries(st.text(min_size=1, max_size=8), values, min_size=1, max_size=6)


@given(args_st, st.randoms())
def test_key_is_stable_under_argument_order(args: dict[str, Any], rnd: Any) -> None:
    items = list(args.items())
    rnd.shuffle(items)
    assert derive_key("b", "row", args, 0) == derive_key("b", "row", dict(items), 0)


@given(args_st, args_st)
def test_key_differs_for_different_arguments(a: dict[str, Any], b: dict[str, Any]) -> None:
    if a != b:
        assert derive_key("b", "row", a, 0) != derive_key("b", "row", b, 0)


@given(args_st)
def test_key_differs_by_batch_row_and_attempt(args: dict[str, Any]) -> None:
    keys = {
        derive_key("b", "row", args, 0),
        derive_key("c", "row", args, 0),
        derive_key("b", "row2", args, 0),
        derive_key("b", "row", args, 1),
    }
    assert len(keys) == 4
    assert all(key.startswith("lfb-") and len(key) <= 256 for key in keys)


def test_steps_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(path)
    batch_id = journal.batch_id()
    journal.begin(key="k1", row_id="a", args_hash="h", args="{}", attempt=0)
    journal.update("k1", state="running", video_id="video_1")
    journal.begin(key="k1", row_id="a", args_hash="h", args="{}", attempt=0)  # idempotent: keeps its state
    journal.close()  # no explicit flush: each step was its own committed transaction

    again = Journal(path, create=False)
    assert again.batch_id() == batch_id
    attempt = again.get("k1")
    assert attempt is not None and attempt.state == "running" and attempt.video_id == "video_1"
    assert list(again.latest()) == [("a", "h")]
    with pytest.raises(ValueError, match="bad journal update"):
        again.update("k1", state="bogus")


def test_refuses_missing_foreign_and_newer_journals(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="No batch journal"):
        Journal(tmp_path / "none.sqlite", create=False)
    (tmp_path / "garbage.sqlite").write_bytes(b"not a database at all, just text" * 10)
    with pytest.raises(JournalError, match="not a usable batch journal"):
        Journal(tmp_path / "garbage.sqlite")
    path = tmp_path / "newer.sqlite"
    Journal(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    with pytest.raises(JournalError, match="another version"):
        Journal(path)


def test_a_second_run_on_one_journal_is_refused_and_a_reader_is_not(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    first = Journal(path, exclusive=True)
    try:
        with pytest.raises(JournalError, match="This process already runs this batch") as caught:
            Journal(path, exclusive=True)  # our own lock is not "another process"
        assert "Another process" not in str(caught.value)
        Journal(path, create=False).close()  # `batch status` reads while a run holds it
    finally:
        first.close()
    Journal(path, exclusive=True).close()  # released on close: the next run goes ahead
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[2])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from lumenfall_openai.batch import Journal; "
         f"j = Journal({str(path)!r}, exclusive=True); print('locked', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": root},
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(JournalError, match=f"Another process is running this batch .*pid {holder.pid}"):
            Journal(path, exclusive=True)
    finally:
        holder.communicate("")


@given(
    st.sampled_from(sorted(STATES)),
    st.one_of(st.none(), st.integers(-(10**12), 10**12)),
    st.one_of(st.none(), st.integers(-(10**12), 10**12)),
)
def test_a_cost_never_counts_below_zero_nor_below_the_estimate_when_unreadable(
    state: str, cost: int | None, estimate: int | None
) -> None:
    attempt = Attempt(
        key="k", row_id="a", args_hash="h", args="{}", attempt=0, state=state, video_id="video_1", status=None,
        error_code=None, error_message=None, estimate_micros=estimate, cost_micros=cost, currency=None, provider=None,
        executed_model=None, file=None, bytes=None, sha256=None, created_at=0.0, updated_at=0.0,
    )  # fmt: skip
    counted = counted_cost(attempt)
    if cost is not None and cost >= 0:
        assert counted == cost  # a readable cost is the bill
    elif cost is not None or state in PAID_STATES:  # paid (or billed negative): the estimate, else unknown
        assert counted == (estimate if estimate is not None and estimate >= 0 else None)
    else:
        assert counted == 0
    assert counted is None or counted >= 0


create_args = st.fixed_dictionaries(
    {"prompt": st.text(min_size=1, max_size=30).filter(str.strip), "model": st.sampled_from(["sora-2", "kling-v3"])},
    optional={
        "seconds": st.sampled_from([4, 8, 12, "4", "8"]),
        "size": st.sampled_from(["1280x720", "720x1280"]),
        "user": st.text(max_size=10),
    },
)


@given(st.lists(create_args, min_size=1, max_size=4), st.randoms())
def test_rows_rebuilt_from_the_journal_keep_their_keys(versions: list[dict[str, Any]], rnd: Any) -> None:
    # F12: a resume without the JOBS file rebuilds each row from the journal's copy of its arguments:
    # the same arguments hash, hence the same idempotency key (a replay, never a second job), and
    # the row as it was last worked on (an edit's earlier arguments are not revived)
    from lumenfall_openai.batch._journal import journal_rows
    from lumenfall_openai.batch._rows import canonical_json, rows_from_mappings

    attempts: list[Attempt] = []
    for number, args in enumerate(versions):
        row = rows_from_mappings([(1, {"id": "a", **args})])[0]
        attempts.append(
            Attempt(
                key=derive_key("b", "a", row.args, 0), row_id="a", args_hash=row.args_hash,
                args=canonical_json(row.args), attempt=0, state=rnd.choice(sorted(STATES)), video_id=None,
                status=None, error_code=None, error_message=None, estimate_micros=None, cost_micros=None,
                currency=None, provider=None, executed_model=None, file=None, bytes=None, sha256=None,
                created_at=float(number), updated_at=float(number),
            )
        )  # fmt: skip
    [(mapping, attempt)] = journal_rows(attempts)
    rebuilt = rows_from_mappings([(1, mapping)])[0]
    assert attempt is attempts[-1] and rebuilt.args_hash == attempts[-1].args_hash
    assert derive_key("b", rebuilt.id, rebuilt.args, 0) == attempts[-1].key


@given(st.text(min_size=1, max_size=200), st.text(min_size=1, max_size=200))
def test_kept_names_are_injective(first: str, second: str) -> None:
    # A4: two videos of a row never share a kept file, however long or odd their ids
    from lumenfall_openai.batch._journal import kept_name

    if first != second:
        assert kept_name("a", first) != kept_name("a", second)
    assert len(kept_name("a", first)) <= len("a~.mp4") + 96


def test_long_ids_differing_only_at_the_end_or_in_cleaned_characters_get_distinct_names() -> None:
    from lumenfall_openai.batch._journal import kept_name

    long = "video_" + "A" * 100
    assert kept_name("a", long + "x1") != kept_name("a", long + "x2")
    assert kept_name("a", "video:1") != kept_name("a", "video/1")
    assert kept_name("a", "video_1") == "a~video_1.mp4"  # plain ids keep their plain name


def test_a_move_never_replaces_a_kept_file(tmp_path: Path) -> None:
    from lumenfall_openai.batch._dest import LocalDestination

    dest = LocalDestination(tmp_path)
    (tmp_path / "a.mp4").write_bytes(b"new")
    (tmp_path / "a~v1.mp4").write_bytes(b"earlier paid video")
    with pytest.raises(FileExistsError):
        dest.move("a.mp4", "a~v1.mp4")
    assert (tmp_path / "a~v1.mp4").read_bytes() == b"earlier paid video"
    assert dest.free_name("a~v1.mp4") == "a~v1-2.mp4"
    dest.move("a.mp4", dest.free_name("a~v1.mp4"))
    assert (tmp_path / "a~v1-2.mp4").read_bytes() == b"new" and not (tmp_path / "a.mp4").exists()

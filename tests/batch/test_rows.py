"""Rows from JSONL/CSV: every bad line reported with its number, before anything is paid."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai.batch import RowsError, parse_rows, read_rows
from lumenfall_openai.batch._rows import rows_from_mappings


def test_jsonl_rows_with_and_without_ids() -> None:
    text = '{"id": "heron", "prompt": "a heron", "model": "sora-2", "seconds": 8}\n\n{"prompt": "a fox"}\n'
    rows = parse_rows(text, fmt="jsonl", default_model="kling-v3")
    assert rows[0].id == "heron"
    assert rows[0].args == {"prompt": "a heron", "model": "sora-2", "seconds": "8"}
    assert rows[1].args == {"prompt": "a fox", "model": "kling-v3"}
    assert rows[1].id.startswith("r") and rows[1].line == 3


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = "\n".join(
        [
            '{"prompt": "ok", "model": "m"}',
            "{not json",
            "[1, 2]",
            '{"prompt": "x", "model": "m", "idempotency_key": "k"}',
            '{"prompt": "", "model": "m"}',
            '{"prompt": "x", "model": "m", "n": 9}',
            '{"prompt": "x"}',
            '{"id": "../etc", "prompt": "x", "model": "m"}',
        ]
    )
    with pytest.raises(RowsError) as caught:
        parse_rows(text, fmt="jsonl", source="jobs.jsonl")
    # JSON errors are reported first (the file is read in two passes), then argument errors
    lines = [line for line, _ in caught.value.problems]
    assert lines == [2, 3]
    fixed = "\n".join(line for i, line in enumerate(text.splitlines(), 1) if i not in (2, 3))
    with pytest.raises(RowsError) as caught:
        parse_rows(fixed, fmt="jsonl", source="jobs.jsonl")
    problems = dict(caught.value.problems)
    assert sorted(problems) == [2, 3, 4, 5, 6]
    assert "idempotency key" in problems[2]
    assert "prompt" in problems[3]
    assert "n must be" in problems[4]
    assert "--model" in problems[5]
    assert "cannot name a file" in problems[6]
    assert "jobs.jsonl: 5 bad row(s); nothing was created" in str(caught.value)


def test_duplicate_ids_are_refused_identical_unnamed_rows_are_numbered() -> None:
    with pytest.raises(RowsError, match="already used on line 1"):
        parse_rows('{"id": "a", "prompt": "x", "model": "m"}\n{"id": "a", "prompt": "y", "model": "m"}', fmt="jsonl")
    rows = parse_rows('{"prompt": "x", "model": "m"}\n{"prompt": "x", "model": "m"}', fmt="jsonl")
    assert rows[1].id == rows[0].id + "-2"


def test_csv_rows(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text('id,prompt,model,seconds,n\nh1,a heron,sora-2,8,2\nh2,"a fox, running",,,\n', encoding="utf-8")
    rows = read_rows(path, default_model="kling-v3")
    assert rows[0].args == {"prompt": "a heron", "model": "sora-2", "seconds": "8", "n": 2}
    assert rows[1].args == {"prompt": "a fox, running", "model": "kling-v3"}
    bad = tmp_path / "bad.csv"
    bad.write_text("text,model\nhi,m\n", encoding="utf-8")
    with pytest.raises(RowsError, match="'prompt' column"):
        read_rows(bad)


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(RowsError, match="cannot read"):
        read_rows(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(RowsError, match="no rows"):
        read_rows(tmp_path / "empty.jsonl")


@given(st.dictionaries(st.sampled_from(["size", "negative_prompt", "user", "resolution"]), st.text(min_size=1)))
def test_default_ids_do_not_depend_on_key_order_or_other_rows(extra: dict[str, str]) -> None:
    row = {"prompt": "a heron", "model": "m", **extra}
    reordered = dict(reversed(list(row.items())))
    first = parse_rows(json.dumps(row), fmt="jsonl")[0]
    other = parse_rows(json.dumps({"prompt": "another", "model": "m"}) + "\n" + json.dumps(reordered), fmt="jsonl")[1]
    assert first.id == other.id
    assert first.args_hash == other.args_hash


def test_csv_unclosed_quote_is_a_line_error_not_swallowed_rows() -> None:
    # F4: the csv module would read every later row into r2's prompt; nothing may be paid for that
    text = 'id,prompt\nr1,a heron\nr2,"12 inch vinyl spinning\nr3,a fox\nr4,a cat\n'
    with pytest.raises(RowsError, match=r"line 3: not valid CSV") as caught:
        parse_rows(text, fmt="csv", default_model="m")
    assert "nothing was created" in str(caught.value)
    with pytest.raises(RowsError, match=r"line 2: not valid CSV"):
        parse_rows('id,prompt\nr1,"a" heron\n', fmt="csv", default_model="m")  # a stray quote
    with pytest.raises(RowsError, match="column twice"):
        parse_rows("id,prompt,prompt\nr1,a,b\n", fmt="csv", default_model="m")


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1,
                        max_size=20).filter(str.strip), min_size=1, max_size=8))  # fmt: skip
def test_csv_written_by_a_csv_writer_reads_back_row_for_row(prompts: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "prompt"])
    writer.writerows([f"r{i}", prompt] for i, prompt in enumerate(prompts))
    rows = parse_rows(buffer.getvalue(), fmt="csv", default_model="m")
    assert [row.args["prompt"] for row in rows] == prompts


@given(
    st.integers(1, 30),
    st.one_of(st.none(), st.integers(-40, 40)),
    st.one_of(st.none(), st.integers(-40, 40)),
)
def test_a_row_selection_is_a_nonempty_zero_based_slice_or_a_usage_error(
    count: int, start: int | None, end: int | None
) -> None:
    # F5: a typo when splitting a batch never runs zero rows and reports "every row done"
    from lumenfall_openai.batch._rows import select_rows

    rows = rows_from_mappings([(i + 1, {"id": f"r{i}", "prompt": "x", "model": "sora-2"}) for i in range(count)])
    negative = (start is not None and start < 0) or (end is not None and end < 0)
    if negative or not rows[start:end]:
        with pytest.raises(ValueError, match="0-based") as caught:
            select_rows(rows, (start, end))
        assert negative or f"none of the {count} rows" in str(caught.value)
    else:
        assert select_rows(rows, (start, end)) == rows[start:end]
    assert select_rows(rows, None) == rows


def test_python_rows_that_are_not_mappings_are_listed_by_row_number() -> None:
    # F13: a clear RowsError naming each bad row (not an AttributeError), in Python's words (no "file")
    from lumenfall_openai.batch._api import _rows  # pyright: ignore[reportPrivateUsage]

    with pytest.raises(RowsError) as caught:
        _rows(["just a prompt", {"prompt": "ok", "model": "sora-2"}, 5, None, ("prompt", "x")], None)  # type: ignore[list-item]
    message = str(caught.value)
    for number, kind in ((1, "str"), (3, "int"), (4, "NoneType"), (5, "tuple")):
        assert f"row {number}: expected a mapping of create arguments, got {kind}" in message
    assert [line for line, _ in caught.value.problems] == [1, 3, 4, 5]
    with pytest.raises(RowsError, match="give at least one mapping") as empty:
        _rows([], None)
    assert "file" not in str(empty.value)
    with pytest.raises(RowsError, match="got one mapping"):
        _rows({"prompt": "x", "model": "sora-2"}, None)  # type: ignore[arg-type]
    with pytest.raises(RowsError, match="line 1: expected a JSON object"):  # a file's rows keep "line"
        parse_rows('"just a prompt"\n', fmt="jsonl")


@given(st.sampled_from(["id", "prompt", "model", "seconds"]), st.booleans())
def test_a_jsonl_key_given_twice_is_a_row_error_not_a_silent_pick(key: str, nested: bool) -> None:
    # a JSON object with a duplicate key: json keeps the last one silently; a batch must not guess
    first = {"id": "a", "prompt": "a heron", "model": "sora-2", "seconds": "4"}
    body = json.dumps(first)[:-1] + f", {json.dumps(key)}: {json.dumps(first[key] + 'x')}}}"
    if nested:
        body = json.dumps({**first, "input_reference": ["https://x/1"]})[:-1] + ', "user": {"k": 1, "k": 2}}'
        key = "k"
    text = '{"prompt": "ok", "model": "sora-2"}\n' + body + "\n"
    with pytest.raises(RowsError, match=f"line 2: the key '{key}' appears twice in one object"):
        parse_rows(text, fmt="jsonl")


def test_ids_equal_but_for_case_are_duplicates() -> None:
    # A10: on a case-insensitive file system Intro.mp4 and intro.mp4 are one file
    with pytest.raises(RowsError, match=r"already used on line 1 .*equal but for case"):
        parse_rows(
            '{"id": "Intro", "prompt": "x", "model": "m"}\n{"id": "intro", "prompt": "y", "model": "m"}', fmt="jsonl"
        )

"""A batch's rows: read from JSONL or CSV (or Python mappings), checked before anything is paid.

Every row is checked the way ``videos.create`` checks its arguments, and every problem is
reported with its line number in one error, so a 2,000-line file is fixed in one pass rather
than discovered at row 1,437 with money already spent on the first 1,436.

Pure: no network; reading the file is the only I/O.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .._compat import Omit
from .._video_requests import build_create_request

omit = Omit()

__all__ = ["BatchRow", "RowsError", "canonical_json", "parse_rows", "read_rows", "rows_from_mappings", "select_rows"]

CREATE_ARGUMENTS = frozenset(
    {
        "prompt", "model", "seconds", "size", "input_reference", "aspect_ratio", "resolution", "n",
        "negative_prompt", "webhook_url", "user",
    }
)  # fmt: skip
ROW_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_ERRORS_SHOWN = 20


class RowsError(ValueError):
    """The JOBS file (or the rows given) has bad lines; ``problems`` lists ``(line, message)``."""

    def __init__(self, source: str, problems: list[tuple[int, str]], *, unit: str = "line") -> None:
        """``unit``: what the numbers count, ``line`` of a file or ``row`` of Python rows (1-based)."""
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  {unit} {line}: {message}" for line, message in problems[:MAX_ERRORS_SHOWN])
        more = len(problems) - MAX_ERRORS_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{source}: {len(problems)} bad row(s); nothing was created. Fix them and run again:\n{shown}{tail}"
        )


@dataclass(frozen=True)
class BatchRow:
    """One row: its id (names the output file) and the ``videos.create`` arguments it sends."""

    id: str
    args: Mapping[str, Any]
    line: int
    """1-based line of the JOBS file (CSV: counting the header), or the index + 1 of a mapping."""

    @property
    def args_hash(self) -> str:
        """sha256 of the canonical arguments: an edited row has another hash, so it is a new row."""
        return hashlib.sha256(canonical_json(self.args).encode()).hexdigest()


def canonical_json(value: object) -> str:
    """One text per value, whatever the order of its keys (the input of keys and hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _check_args(args: Mapping[str, Any]) -> str | None:
    """Why ``videos.create(**args)`` would refuse these arguments, or None."""
    unknown = sorted(set(args) - CREATE_ARGUMENTS)
    if unknown:
        hint = " (the batch derives each row's idempotency key itself)" if "idempotency_key" in unknown else ""
        allowed = ", ".join(sorted(CREATE_ARGUMENTS))
        return f"unknown field(s) {', '.join(map(repr, unknown))}{hint}; allowed: id, {allowed}"
    if "model" not in args:
        return "no model: give the row a 'model', or pass --model (model=) as a default"
    reference = args.get("input_reference")
    if reference is not None and not isinstance(reference, (str, list)):
        return "input_reference must be an https URL or a list of URLs in a batch (files cannot be journaled)"
    try:
        build_create_request(
            prompt=args.get("prompt"), model=args.get("model"), seconds=args.get("seconds", omit),
            size=args.get("size", omit), input_reference=args.get("input_reference", omit),
            aspect_ratio=args.get("aspect_ratio", omit), resolution=args.get("resolution", omit),
            n=args.get("n", omit), negative_prompt=args.get("negative_prompt", omit),
            webhook_url=args.get("webhook_url", omit), idempotency_key=omit, user=args.get("user", omit),
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        return str(error)
    return None


def _normalized(raw: Mapping[str, Any], default_model: str | None) -> dict[str, Any]:
    args = {key: value for key, value in raw.items() if key != "id" and value is not None}
    if "model" not in args and default_model is not None:
        args["model"] = default_model
    if isinstance(args.get("seconds"), int) and not isinstance(args["seconds"], bool):
        args["seconds"] = str(args["seconds"])  # 8 and "8" send the same request: one key
    return args


def rows_from_mappings(
    items: Iterable[tuple[int, object]], *, default_model: str | None = None, source: str = "rows", unit: str = "line"
) -> list[BatchRow]:
    """Check ``(line, mapping)`` pairs; raise :class:`RowsError` listing every bad one (``unit``:
    ``line`` for a file's rows, ``row`` for Python's).

    A row without ``id`` is named ``r<first 12 hex of its arguments' hash>`` (``-2``, ``-3`` for
    identical rows): stable when other rows are added, removed or reordered, unlike a line number.
    """
    rows: list[BatchRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, raw in items:
        if not isinstance(raw, Mapping):
            problems.append((line, f"expected a mapping of create arguments, got {type(raw).__name__}"))
            continue
        mapping = cast("Mapping[str, Any]", raw)
        row_id: object = mapping.get("id")
        args = _normalized(mapping, default_model)
        problem = _check_args(args)
        if problem is None and row_id is not None and (not isinstance(row_id, str) or not ROW_ID_RE.match(row_id)):
            problem = (
                f"id {row_id!r} cannot name a file: use 1-128 letters, digits, '.', '_' or '-', starting with a "
                "letter or digit"
            )
        if problem is not None:
            problems.append((line, problem))
            continue
        if row_id is None:
            base = "r" + hashlib.sha256(canonical_json(args).encode()).hexdigest()[:12]
            row_id, count = base, 1
            while row_id.casefold() in seen:
                count += 1
                row_id = f"{base}-{count}"
        assert isinstance(row_id, str)
        # ids equal but for case would share one file on a case-insensitive file system (macOS, Windows)
        folded = row_id.casefold()
        if folded in seen:
            problems.append(
                (line, f"id {row_id!r} is already used on line {seen[folded]} (ids equal but for case count as one: "
                       "they would name one file on macOS/Windows); ids must be unique")
            )  # fmt: skip
            continue
        seen[folded] = line
        rows.append(BatchRow(id=row_id, args=args, line=line))
    if problems:
        raise RowsError(source, problems, unit=unit)
    if not rows and unit == "row":
        raise RowsError(source, [(0, "no rows: give at least one mapping of create arguments")], unit=unit)
    if not rows:
        raise RowsError(
            source,
            [
                (
                    0,
                    "no rows: the file is empty (JSONL: one JSON object per line; CSV: a header with a "
                    "'prompt' column, then rows)",
                )
            ],
        )
    return rows


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's default keeps the last of two equal keys silently: which "id" or prompt was meant is
    unknown, so the row is an error, at any depth."""
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise _DuplicateKey(key)
        value[key] = item
    return value


def _jsonl(text: str, source: str) -> list[tuple[int, Mapping[str, Any]]]:
    items: list[tuple[int, Mapping[str, Any]]] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value: object = json.loads(line, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            problems.append((number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        except _DuplicateKey as error:
            problems.append((number, f"the key {error.args[0]!r} appears twice in one object: keep one"))
            continue
        if not isinstance(value, dict):
            problems.append((number, f"expected a JSON object of create arguments, got {type(value).__name__}"))
            continue
        items.append((number, value))  # pyright: ignore[reportUnknownArgumentType]
    if problems:
        raise RowsError(source, problems)
    return items


def _csv_value(name: str, text: str) -> object:
    if name == "n":
        try:
            return int(text)
        except ValueError:
            return text  # reported by the check with the create's own message
    if name == "input_reference" and "|" in text:
        return [part.strip() for part in text.split("|") if part.strip()]
    return text


def _csv(text: str, source: str) -> list[tuple[int, Mapping[str, Any]]]:
    # strict: a quote never closed (or a stray one) is an error, not every following row swallowed
    # into one cell and paid as one prompt
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise RowsError(source, [(1, f"the header line is not valid CSV ({error})")]) from None
    if header is None or "prompt" not in [name.strip() for name in header]:
        raise RowsError(source, [(1, "a CSV needs a header line with a 'prompt' column (and any create argument)")])
    names = [name.strip() for name in header]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise RowsError(source, [(1, f"the header names a column twice ({', '.join(twice)}): keep one")])
    items: list[tuple[int, Mapping[str, Any]]] = []
    problems: list[tuple[int, str]] = []
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines: report where the record began
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append((start, f"not valid CSV ({error}): a quoted cell must end with a quote; "
                                    'double a quote inside one ("")'))  # fmt: skip
            break  # the rest cannot be read reliably after this
        number = start
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(names):
            problems.append((number, f"{len(values)} cells for {len(names)} columns"))
            continue
        cells = zip(names, values, strict=True)
        items.append((number, {name: _csv_value(name, value) for name, value in cells if value.strip() != ""}))
    if problems:
        raise RowsError(source, problems)
    return items


def select_rows(rows: list[BatchRow], row_range: tuple[int | None, int | None] | None) -> list[BatchRow]:
    """One machine's share of a batch: rows ``[start, end)``, 0-based. Negative bounds and an empty
    selection are refused: a typo when splitting must not end as "every row done" (pure)."""
    if row_range is None:
        return rows
    start, end = row_range
    shown = f"{'' if start is None else start}:{'' if end is None else end}"
    if (start is not None and start < 0) or (end is not None and end < 0):
        raise ValueError(f"rows {shown}: bounds are 0-based row numbers (>= 0), like 0:500 or 500:")
    selected = rows[start:end]
    if not selected:
        raise ValueError(
            f"rows {shown} select none of the {len(rows)} rows (0-based START:END, END excluded: 0:{len(rows)} "
            "is every row)"
        )
    return selected


def parse_rows(text: str, *, fmt: str, default_model: str | None = None, source: str = "rows") -> list[BatchRow]:
    """Rows from JSONL (``fmt="jsonl"``) or CSV (``fmt="csv"``) text."""
    items = _csv(text, source) if fmt == "csv" else _jsonl(text, source)
    return rows_from_mappings(items, default_model=default_model, source=source)


def read_rows(path: str | os.PathLike[str], *, default_model: str | None = None) -> list[BatchRow]:
    """Rows from a ``.jsonl`` / ``.csv`` file (by extension; anything else is read as JSONL)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RowsError(str(file), [(0, f"cannot read the file: {error.strerror or error}")]) from error
    except UnicodeDecodeError as error:
        raise RowsError(str(file), [(0, f"not UTF-8 text ({error.reason} at byte {error.start})")]) from error
    fmt = "csv" if file.suffix.lower() in (".csv", ".tsv") else "jsonl"
    return parse_rows(text, fmt=fmt, default_model=default_model, source=str(file))

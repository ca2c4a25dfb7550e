"""``manifest.jsonl`` (and ``manifest.csv``): one line per row of the JOBS file, one per earlier
video an edit replaced (status ``superseded``: its kept file and its cost), then a totals line.

Built from the journal (the source of truth) plus this run's results (for why a row is
unfinished); pure, so the engine writes it whole after every run, resumed ones included.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._journal import PAID_STATES, Attempt, counted_cost
from ._results import BatchResult
from ._rows import BatchRow

__all__ = ["FIELDS", "build_manifest", "build_manifest_csv", "manifest_records"]

FIELDS: tuple[str, ...] = (
    "row_id", "video_id", "status", "error_code", "error_message", "cost_micros", "cost", "currency", "provider",
    "executed_model", "file", "bytes", "sha256", "attempts", "idempotency_key", "cost_estimated",
)  # fmt: skip


def _status(attempt: Attempt | None, result: BatchResult | None) -> str:
    if attempt is None:
        return "not_started"
    if attempt.state == "downloaded":
        return "downloaded"
    if attempt.state == "failed":
        return "failed"
    if attempt.state == "refused":
        # not created: the budget or the account's balance (a 402) refused it; a resume creates it
        return "refused" if attempt.error_code in ("budget_exceeded", "insufficient_balance") else "failed"
    if result is not None and result.outcome == "unfinished" and attempt.state == "sending":
        return "unknown"  # the create's answer was lost: resume re-sends it with its key
    return attempt.state  # sending, running, completed (not downloaded yet)


def manifest_records(
    rows: Sequence[BatchRow],
    attempts: Sequence[Attempt | None],
    results: Mapping[str, BatchResult],
    superseded: Sequence[Attempt] = (),
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    pairs: list[tuple[str, Attempt | None, bool]] = [
        (row.id, attempt, False) for row, attempt in zip(rows, attempts, strict=True)
    ]
    pairs += [(attempt.row_id, attempt, True) for attempt in superseded]
    for row_id, attempt, replaced in pairs:
        result = None if replaced else results.get(row_id)
        cost = None if attempt is None else attempt.cost_micros
        estimated = False
        if attempt is not None and (cost is None or cost < 0) and (cost is not None or attempt.state in PAID_STATES):
            # what the budget counts: the estimate for an unreadable or negative cost (None: unknown)
            cost, estimated = counted_cost(attempt), True
        error_message = attempt.error_message if attempt is not None else None
        if result is not None and result.outcome == "unfinished" and result.error_message:
            error_message = result.error_message
        records.append(
            {
                "row_id": row_id,
                "video_id": None if attempt is None else attempt.video_id,
                "status": "superseded" if replaced else _status(attempt, result),
                "error_code": None if attempt is None else attempt.error_code,
                "error_message": error_message,
                "cost_micros": cost,
                "cost": None if cost is None else cost / 1_000_000,
                "currency": None if attempt is None else attempt.currency,
                "provider": None if attempt is None else attempt.provider,
                "executed_model": None if attempt is None else attempt.executed_model,
                "file": None if attempt is None else attempt.file,
                "bytes": None if attempt is None else attempt.bytes,
                "sha256": None if attempt is None else attempt.sha256,
                "attempts": 0 if attempt is None else attempt.attempt + 1,
                "idempotency_key": None if attempt is None else attempt.key,
                "cost_estimated": estimated,
            }
        )
    return records


def _totals(records: list[dict[str, Any]], batch_id: str, all_spent: int | None) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    spent = sum(record["cost_micros"] or 0 for record in records)  # superseded videos were paid too
    return {
        "totals": {
            "batch_id": batch_id,
            "rows": len(records) - counts.get("superseded", 0),
            "by_status": dict(sorted(counts.items())),
            "cost_micros": spent,
            "cost": spent / 1_000_000,
            "bytes": sum(record["bytes"] or 0 for record in records),
            # every cost in the journal: also failed attempts that were billed and rows since edited
            "journal_cost_micros": spent if all_spent is None else all_spent,
        }
    }


def build_manifest(
    rows: Sequence[BatchRow],
    attempts: Sequence[Attempt | None],
    results: Mapping[str, BatchResult],
    *,
    batch_id: str,
    all_spent: int | None = None,
    superseded: Sequence[Attempt] = (),
) -> str:
    records = manifest_records(rows, attempts, results, superseded)
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines.append(json.dumps(_totals(records, batch_id, all_spent)))
    return "\n".join(lines) + "\n"


def build_manifest_csv(
    rows: Sequence[BatchRow],
    attempts: Sequence[Attempt | None],
    results: Mapping[str, BatchResult],
    superseded: Sequence[Attempt] = (),
) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list[str](FIELDS))
    writer.writeheader()
    for record in manifest_records(rows, attempts, results, superseded):
        writer.writerow(record)
    return buffer.getvalue()

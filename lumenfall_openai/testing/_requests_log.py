"""Lumenfall's request history (``/v1/requests``): one record per generation request.

A video request's status and cost are not stored; they are read from its job at listing time,
so the history can never disagree with ``GET /videos/{id}``. Filtering and cursor paging are pure
functions over a newest-first list, Stripe style: ``starting_after`` pages towards older records,
``ending_before`` towards newer ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ._errors import invalid

# Video job status -> the request-history status vocabulary of the API notes.
JOB_TO_REQUEST_STATUS = {
    "queued": "pending",
    "in_progress": "processing",
    "completed": "completed",
    "failed": "upstream_failure",
    "cancelled": "cancelled",
}
REQUEST_STATUSES = frozenset({"completed", "pending", "processing", "upstream_failure", "rejected", "cancelled"})


@dataclass
class RequestRecord:
    id: str
    seq: int  # creation order; ties in created_at are common in tests
    created_at: float
    model: str
    modality: str  # image | video
    endpoint: str
    key_id: str
    user: str | None = None
    job_id: str | None = None  # video requests: status and cost come from the job
    status: str = "completed"
    cost_micros: int | None = None
    currency: str = "USD"
    duration_ms: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    media_ids: list[str] = field(default_factory=list[str])
    purged: bool = False


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(name: str, value: str) -> float:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"'{name}' must be an ISO 8601 date-time, got {value!r}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


def request_json(
    record: RequestRecord,
    *,
    status: str,
    cost_micros: int | None,
    duration_ms: int | None,
    error_code: str | None,
    error_message: str | None,
) -> dict[str, Any]:
    return {
        "id": record.id,
        "object": "request",
        "created_at": iso(record.created_at),
        "model": record.model,
        "modality": record.modality,
        "endpoint": record.endpoint,
        "status": status,
        "cost": None if cost_micros is None else cost_micros / 1_000_000,
        "currency": record.currency,
        "duration_ms": duration_ms,
        "key_id": record.key_id,
        "error_code": error_code,
        "error_message": error_message,
        "user": record.user,
    }


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    has_older: bool  # a next page exists (towards older records)
    has_newer: bool  # a previous page exists


def paginate(
    newest_first: list[dict[str, Any]], *, limit: int, starting_after: str | None, ending_before: str | None
) -> Page:
    ids = [item["id"] for item in newest_first]
    if starting_after is not None and ending_before is not None:
        raise invalid("Pass at most one of 'starting_after' and 'ending_before'.")
    if starting_after is not None:
        if starting_after not in ids:
            raise invalid(f"starting_after {starting_after!r} is not a request in this listing.")
        lo = ids.index(starting_after) + 1
        hi = lo + limit
    elif ending_before is not None:
        if ending_before not in ids:
            raise invalid(f"ending_before {ending_before!r} is not a request in this listing.")
        hi = ids.index(ending_before)
        lo = max(0, hi - limit)
    else:
        lo, hi = 0, limit
    items = newest_first[lo:hi]
    return Page(items=items, has_older=hi < len(newest_first), has_newer=lo > 0)


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return 20
    # fullmatch on ASCII digits: str.isdigit() also accepts "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= 100:
        raise invalid(f"'limit' must be an integer from 1 to 100, got {raw[:40]!r}.")
    return int(raw)

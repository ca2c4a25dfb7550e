"""The query and paths of ``client.requests`` (shared by both twins; no I/O)."""

from __future__ import annotations

import datetime as dt

from .._compat import is_given
from .._ids import id_segment

__all__ = ["list_query", "request_path"]


def request_path(base: str, request_id: str, suffix: str = "") -> str:
    return f"{base}/requests/{id_segment(request_id, what='request id', example='req_abc123')}{suffix}"


def _iso(name: str, value: object) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"{name} is a naive datetime; give it a timezone (e.g. datetime.now(timezone.utc)) "
                "so it means one instant."
            )
        return value.isoformat()
    if isinstance(value, str) and value:
        return value
    raise TypeError(f"{name} must be an ISO 8601 string or an aware datetime, got {value!r}.")


def list_query(
    *,
    limit: object,
    starting_after: object,
    ending_before: object,
    created_after: object,
    created_before: object,
    key_id: object,
    status: object,
    summary: object,
) -> dict[str, object]:
    """The query of ``GET /v1/requests``, checked here so a bad argument fails before a request."""
    query: dict[str, object] = {}
    if is_given(limit):
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ValueError(f"limit must be a whole number from 1 to 100, got {limit!r}.")
        query["limit"] = limit
    if is_given(starting_after) and is_given(ending_before):
        raise ValueError("Pass starting_after (older records) or ending_before (newer records), not both.")
    for name, value in (("starting_after", starting_after), ("ending_before", ending_before),
                        ("key_id", key_id), ("status", status)):  # fmt: skip
        if is_given(value):
            if not isinstance(value, str) or not value:
                raise TypeError(f"{name} must be a non-empty string, got {value!r}.")
            query[name] = value
    for name, value in (("created_after", created_after), ("created_before", created_before)):
        if is_given(value):
            query[name] = _iso(name, value)
    if is_given(summary):
        query["summary"] = bool(summary)
    return query

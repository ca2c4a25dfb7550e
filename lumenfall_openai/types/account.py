"""Lumenfall's native account objects: balance, request history, payload purges.

These live on the native API (``https://api.lumenfall.ai/v1``), not the OpenAI-compatible one.
Fields Lumenfall documents without a guarantee of presence are optional; unknown fields are kept
in ``model_extra`` as everywhere in openai.
"""

from __future__ import annotations

from typing import ClassVar

from ._base import LumenfallModel

__all__ = ["Balance", "BalanceAmount", "PurgeResult", "RequestRecord", "RequestStatus", "RequestsSummary"]


class BalanceAmount(LumenfallModel):
    _numbers_or_none: ClassVar[frozenset[str]] = frozenset({"amount"})
    amount: float | None = None
    """Money available, in ``currency``; None when billing is postpaid or the amount is unknown
    (or not a finite number: ``"abc"`` or ``inf`` is not a balance)."""
    currency: str
    """Lower-case currency code as Lumenfall sends it, e.g. ``"usd"``."""


class Balance(LumenfallModel):
    object: str = "balance"
    billing_type: str
    """``"prepaid"`` or ``"postpaid"``."""
    available: BalanceAmount
    """Always present, so ``balance.available.amount`` type-checks as ``float | None`` without a guard."""


RequestStatus = str
"""``completed``, ``pending``, ``processing``, ``upstream_failure``, ``rejected`` or ``cancelled``
(an open string: a new status must not crash a reader)."""


class RequestRecord(LumenfallModel):
    """One generation request in ``client.requests.list()`` / ``retrieve()``."""

    id: str
    """``req_...``."""
    object: str = "request"
    created_at: str
    """ISO 8601 date-time (a string, as Lumenfall sends it)."""
    model: str | None = None
    modality: str | None = None
    """``image``, ``video``, ``speech`` or ``vision``."""
    endpoint: str | None = None
    status: RequestStatus
    cost: float | None = None
    """Effective cost in ``currency``; None while running."""
    currency: str | None = None
    duration_ms: int | None = None
    key_id: str | None = None
    """The id part of the API key that made the request."""
    error_code: str | None = None
    error_message: str | None = None
    user: str | None = None
    """The ``user`` field sent with the request, if any."""


class RequestsSummary(LumenfallModel):
    """``summary=true`` totals over every request matching the filters (not just this page)."""

    count: int | None = None
    total_cost: float | None = None
    currency: str | None = None


class PurgeResult(LumenfallModel):
    """``DELETE /v1/requests/{id}/payloads``: prompts and media removed (idempotent)."""

    id: str
    purged: bool
    already_purged: bool = False
    """True when an earlier call had purged them already."""
    media_deleted: int = 0
    """Media files deleted by this call."""

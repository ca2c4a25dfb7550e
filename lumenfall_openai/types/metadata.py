"""The ``metadata`` object Lumenfall adds to its answers (videos and images alike)."""

from __future__ import annotations

from ._base import LumenfallModel

__all__ = ["ResponseMetadata"]


class ResponseMetadata(LumenfallModel):
    """How the request ran and what it cost. Every field may be absent."""

    provider_name: str | None = None
    """Provider display name, e.g. ``"Google Vertex AI"``."""
    provider: str | None = None
    """Provider slug, e.g. ``"replicate"``."""
    upstream_id: str | None = None
    """The provider's job or request id, for reconciliation."""
    model: str | None = None
    """The model string sent in the request."""
    executed_model: str | None = None
    """What actually ran, as ``"{provider}/{provider_model}"``."""
    cost: float | None = None
    """Final effective cost (a video's once it is ``completed``; an image request's at once)."""
    cost_estimate: float | None = None
    """Estimated cost (a video's while it is ``queued`` or ``in_progress``)."""
    cost_currency: str | None = None
    """Currency of ``cost`` and ``cost_estimate``, e.g. ``"USD"``."""

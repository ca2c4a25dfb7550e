"""What ``?dryRun=true`` answers: a priced request that was not run and is not billed.

Lumenfall states money here in integer micros (millionths of the currency), so the wire values
are kept as ``int`` and the float conveniences are computed from them, never the reverse.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from typing_extensions import deprecated

from .._money import format_money, micros_to_decimal, micros_to_float
from ._base import LumenfallModel

__all__ = ["CostComponent", "CostEstimate"]


def _micros(value: object) -> int:
    # The wire promises integers; tolerate 2100000.0 from a JSON encoder that only has floats.
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return round(value)
    return 0


class CostComponent(LumenfallModel):
    """One priced line of an estimate, e.g. 10 output seconds at $0.21."""

    type: str
    """What is priced, e.g. ``"output"``."""
    metric: str
    """The unit, e.g. ``"second"`` (video) or ``"image"``."""
    quantity: float
    """Units requested."""
    billable_quantity: float
    """Units billed (may differ from ``quantity``, e.g. a minimum duration)."""
    unit_price: float
    """Price per unit in the estimate's currency (a plain number, not micros)."""
    total_cost_micros: int = Field(alias="total_cost")
    """This line's cost in micros (millionths of the currency); sent as ``total_cost`` on the wire."""

    @property
    def amount(self) -> float:
        """``total_cost_micros`` in the currency (e.g. ``2.1`` for 2 100 000 micros)."""
        return micros_to_float(_micros(self.total_cost_micros))

    @property
    @deprecated("CostComponent.total_cost is in micros; use total_cost_micros (or .amount in the currency).")
    def total_cost(self) -> int:
        """Deprecated: the old name of :attr:`total_cost_micros` (micros, not currency units)."""
        return self.total_cost_micros


class CostEstimate(LumenfallModel):
    """The price of a request before running it (``videos.estimate`` / ``images.estimate``).

    The provider that actually runs the job may differ, so the final ``metadata.cost`` can
    differ from this too; budgets therefore reserve the estimate and settle on the real cost.
    """

    estimated: bool = True
    """Always True: nothing ran and nothing was billed."""
    model: str
    """The model that was priced."""
    provider: str
    """The provider Lumenfall would route to now (it may pick another at run time)."""
    total_cost_micros: int
    """The whole request's cost in micros (millionths of ``currency``). A budget refuses the
    request when this is not a non-negative int (see ``errors.UnusableEstimateError``)."""
    currency: str
    """ISO currency code, e.g. ``"USD"``."""
    components: list[CostComponent] = Field(default_factory=list[CostComponent])
    """How the total breaks down."""

    @property
    @deprecated("CostEstimate.micros is deprecated; use total_cost_micros.")
    def micros(self) -> int:
        """Deprecated: ``total_cost_micros`` read leniently (a float rounded, garbage as 0).
        Budgets never read it: they refuse an estimate whose ``total_cost_micros`` is not an int."""
        return _micros(self.total_cost_micros)

    @property
    def total_cost(self) -> float:
        """The total in the currency (not micros) as a float (``2.1``), computed from the exact micros."""
        return micros_to_float(_micros(self.total_cost_micros))

    @property
    def total_cost_decimal(self) -> Decimal:
        """The total in the currency, exactly (``Decimal("2.1")``)."""
        return micros_to_decimal(_micros(self.total_cost_micros))

    def route_text(self) -> str:
        """``"sora-2 via openai"``, leaving out what the server did not say (neither is promised)."""
        model = self.model if isinstance(self.model, str) and self.model else "an unnamed model"
        return f"{model} via {self.provider}" if isinstance(self.provider, str) and self.provider else model

    def __str__(self) -> str:
        money = format_money(_micros(self.total_cost_micros), self.currency)
        return f"{money} ({self.route_text()}, estimated)"

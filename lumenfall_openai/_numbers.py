"""Numbers from outside (arguments, JSON) checked once: finite floats or nothing."""

from __future__ import annotations

import math

__all__ = ["finite_number"]


def finite_number(value: object) -> float | None:
    """``value`` as a finite float, or None for NaN, infinities, ints too large for a float,
    bools and non-numbers (so a check never raises OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None

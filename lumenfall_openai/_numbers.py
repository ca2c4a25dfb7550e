"""Numbers from outside (arguments, JSON) checked once: finite floats or nothing."""

from __future__ import annotations

import math

__all__ = ["check_durations", "finite_number"]


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


def check_durations(**values: object) -> None:
    """Each value a finite number >= 0 (seconds, or a scale factor), else ValueError naming it.

    A NaN duration compares false with everything, so a schedule built on it never settles
    (the emulator answered 500 to every create); infinity and negatives are no schedule either.
    """
    for name, value in values.items():
        number = finite_number(value)
        if number is None or number < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")

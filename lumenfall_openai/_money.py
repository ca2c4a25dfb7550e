"""Money as integer micros: the one conversion from Lumenfall's float costs, and back for display.

Lumenfall bills in millionths of the currency (``total_cost_micros``) but reports a finished
job's ``metadata.cost`` as a plain JSON number. Adding floats drifts (0.1 + 0.2 != 0.3), which a
bill cannot afford, so every cost is converted *once*, through its shortest decimal form
(``Decimal(str(x))``), to an integer number of micros, and all arithmetic after that is integer.
Pure functions; no I/O.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["MAX_MICROS", "MICROS_PER_UNIT", "format_money", "micros_to_decimal", "micros_to_float", "to_micros"]

MICROS_PER_UNIT = 1_000_000

# A cost beyond a trillion units is garbage, not a bill; refusing it keeps a hostile or broken
# response from making the ledger build million-digit integers.
_MAX_UNITS = Decimal(10) ** 12
MAX_MICROS = 10**12 * MICROS_PER_UNIT


# Float costs already converted: a service reports the same few prices over and over, and the
# decimal conversion is code a request path otherwise never touches (cold, so it cost ~15 us per
# images call in place, against ~1 us in a loop). Bounded: emptied when full.
_FLOAT_MICROS: dict[float, int] = {}
_FLOAT_MICROS_MAX = 4096


def to_micros(value: object) -> int | None:
    """A cost in currency units (number, numeric string or Decimal) as integer micros.

    Rounds half to even at the micro, once. Returns None for anything that is not a finite
    number (None, a bool, NaN, text), so a malformed ``cost`` is skipped rather than
    corrupting a total.
    """
    if type(value) is float:
        micros = _FLOAT_MICROS.get(value)
        if micros is None:
            micros = _to_micros(value)
            if micros is not None:  # NaN, inf and absurd amounts are not kept (NaN could never hit)
                if len(_FLOAT_MICROS) >= _FLOAT_MICROS_MAX:
                    _FLOAT_MICROS.clear()
                _FLOAT_MICROS[value] = micros
        return micros
    return _to_micros(value)


def _to_micros(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            return None
        # str() is the shortest repr that round-trips: 0.21 -> "0.21", not 0.2099999999999999922...
        amount = Decimal(str(value))
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if not amount.is_finite() or abs(amount) > _MAX_UNITS:
        return None
    return int((amount * MICROS_PER_UNIT).to_integral_value(rounding=ROUND_HALF_EVEN))


def micros_to_float(micros: int) -> float:
    """The nearest float to ``micros`` millionths (int / int true division rounds correctly)."""
    return micros / MICROS_PER_UNIT


def micros_to_decimal(micros: int) -> Decimal:
    """Exactly ``micros`` millionths, for display or further exact arithmetic."""
    return Decimal(micros).scaleb(-6)


def format_money(micros: int, currency: str | None) -> str:
    """``2100000, "USD"`` -> ``"$2.10"``; other currencies as ``"2.10 EUR"``; sub-cent digits kept."""
    amount = micros_to_decimal(micros).normalize()
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    text = f"{abs(amount):,.{places}f}"
    sign = "-" if micros < 0 else ""
    code = (currency or "").upper()
    if code in ("USD", ""):
        return f"{sign}${text}"
    return f"{sign}{text} {code}"

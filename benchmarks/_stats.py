"""Shared by the benchmarks: a figure is its median with its spread and n, never a lone number."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def spread(values: Sequence[float], fmt: str = ".3f") -> str:
    """``median [min-max] n=N``: the median is the figure, min and max say how noisy the run was."""
    if not values:
        return "n=0"
    med = statistics.median(values)
    return f"{med:{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}] n={len(values)}"

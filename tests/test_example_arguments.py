"""examples/concurrent_jobs.py refuses job counts it cannot run (F13): 0 in flight waited for ever,
a negative count reported success. The check is argparse's, before any client or emulator starts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("concurrent_jobs_args", ROOT / "examples" / "concurrent_jobs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


EXAMPLE = _example()


@pytest.mark.parametrize("flag", ["--jobs", "--concurrency"])
@pytest.mark.parametrize("value", ["0", "-3", "1.5", "many", ""])
def test_counts_below_one_are_usage_errors(flag: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        EXAMPLE.main([flag, value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert flag in err
    assert "1 or more" in err


@settings(max_examples=50)
@given(st.integers(max_value=0))
def test_any_count_below_one_is_refused(value: int) -> None:
    for flag in ("--jobs", "--concurrency"):
        with pytest.raises(SystemExit):
            EXAMPLE.main([flag, str(value)])


@given(st.integers(min_value=1, max_value=10**6))
def test_counts_of_one_or_more_parse(value: int) -> None:
    assert EXAMPLE._at_least_one(str(value)) == value

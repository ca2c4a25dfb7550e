"""The adapter's own rules: the deviations list and the example's import swap (no openai sdist needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .deviations import matching_deviation, parse_deviations
from .run_example import swap_import

HERE = Path(__file__).resolve().parent
README = HERE.parent.parent / "README.md"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_listed_deviation_quotes_a_readme_sentence() -> None:
    deviations = parse_deviations((HERE / "deviations.txt").read_text(encoding="utf-8"))
    assert deviations, "an empty list is fine, but then this test should say so"
    readme = _words(README.read_text(encoding="utf-8"))
    for deviation in deviations:
        assert _words(deviation.readme_quote) in readme, f"line {deviation.line}: README does not say that"


def test_matching_and_versions() -> None:
    text = """
    # comment
    test_client.py::TestOpenAI::test_copy     | >=2.54,<3 | x (README: "a")
    test_client.py::TestWorkload::*            | *         | y (README: "b")
    """
    exact, prefix = parse_deviations(text)
    assert exact.matches("test_client.py::TestOpenAI::test_copy")
    assert exact.matches("test_client.py::TestOpenAI::test_copy[strict]")
    assert not exact.matches("test_client.py::TestOpenAI::test_copy_default_headers")
    assert prefix.matches("test_client.py::TestWorkload::test_anything")
    assert exact.applies_to("2.54.0") and not exact.applies_to("3.57.0") and not exact.applies_to("2.2.0")
    assert prefix.applies_to("2.2.0")
    assert matching_deviation([exact, prefix], "test_client.py::TestOther::test_copy") is None


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("test_x.py::test_a | * ", "expected 'test id | openai versions"),
        ("test_x.py::test_a | * | no quote", "must quote the README"),
        ('test_x.py::test_a | >=two | x (README: "a")', "two"),
    ],
)
def test_a_malformed_line_names_itself(line: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)) as info:
        parse_deviations(f"# header\n{line}\n")
    if "README" in problem or "expected" in problem:
        assert "deviations.txt:2" in str(info.value)


def test_the_example_gets_only_its_import_swapped() -> None:
    source = "import asyncio\n\nfrom openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
    assert swap_import(source) == source.replace("from openai import", "from lumenfall_openai import")
    for changed in (source.replace("from openai import AsyncOpenAI\n", ""), source + "import openai\n"):
        with pytest.raises(SystemExit, match="exactly one"):
            swap_import(changed)

"""A pytest plugin that runs openai-python's own tests against ``Lumenfall`` / ``AsyncLumenfall``.

Loaded by ``run.py`` (``-p lumenfall_suite_plugin``) inside an unpacked openai sdist; openai's
test bodies are not edited. What it does, and nothing more:

- after collection, every ``OpenAI`` / ``AsyncOpenAI`` name that openai's test modules (and their
  conftest) imported from ``openai`` is replaced by a thin subclass of ``Lumenfall`` /
  ``AsyncLumenfall`` whose only difference is that it drops ``admin_api_key=`` (openai's fixtures
  pass one to every client; Lumenfall refuses it, as documented);
- every test listed in ``deviations.txt`` for this openai version is marked ``xfail(strict=True)``
  with its reason, so an unlisted failure fails the run and a listed test that starts passing
  fails it too (then the line must go: the list only shrinks).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import openai
import pytest
from deviations import Deviation, load_deviations, matching_deviation

import lumenfall_openai

DEVIATIONS_FILE = Path(__file__).with_name("deviations.txt")


class OpenAI(lumenfall_openai.Lumenfall):
    """``Lumenfall`` as openai's tests construct it: ``admin_api_key=`` dropped, nothing else."""

    # wraps: inspect.signature (openai's test_copy_signature) sees Lumenfall's own parameters.
    @functools.wraps(lumenfall_openai.Lumenfall.__init__)
    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("admin_api_key", None)
        super().__init__(**kwargs)


class AsyncOpenAI(lumenfall_openai.AsyncLumenfall):
    """``AsyncLumenfall`` as openai's tests construct it: ``admin_api_key=`` dropped, nothing else."""

    @functools.wraps(lumenfall_openai.AsyncLumenfall.__init__)
    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("admin_api_key", None)
        super().__init__(**kwargs)


SWAPS = {"OpenAI": (openai.OpenAI, OpenAI), "AsyncOpenAI": (openai.AsyncOpenAI, AsyncOpenAI)}


# Fail closed: if openai's tests stop importing the clients by these names, the run would quietly
# test openai's own client; these modules must have been swapped.
MUST_SWAP = ("tests.conftest", "tests.test_client")


def _swap_clients(module: ModuleType) -> bool:
    swapped = False
    for name, (original, replacement) in SWAPS.items():
        if module.__dict__.get(name) is original:
            setattr(module, name, replacement)
            swapped = True
    return swapped


def pytest_report_header() -> list[str]:
    return [
        f"lumenfall-openai suite adapter: openai {openai.__version__}, "
        f"lumenfall_openai from {Path(lumenfall_openai.__file__).parent}"
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # openai's tests are the package `tests` of the sdist (its root is on sys.path, see run.py).
    swapped = {
        name
        for name, module in list(sys.modules.items())
        if module is not None and (name == "tests" or name.startswith("tests.")) and _swap_clients(module)
    }
    missing = [name for name in MUST_SWAP if name in sys.modules and name not in swapped]
    if missing:
        raise pytest.UsageError(
            f"lumenfall-openai: {', '.join(missing)} no longer import(s) OpenAI/AsyncOpenAI from openai by those "
            "names, so the adapter cannot swap in Lumenfall; update tests/openai_suite/lumenfall_suite_plugin.py."
        )
    deviations = load_deviations(DEVIATIONS_FILE, openai_version=openai.__version__)
    used: set[Deviation] = set()
    for item in items:
        deviation = matching_deviation(deviations, _relative_nodeid(item.nodeid))
        if deviation is not None:
            used.add(deviation)
            item.add_marker(pytest.mark.xfail(reason=deviation.reason, strict=True))
    config.stash[_USED] = (deviations, used)


_USED = pytest.StashKey[tuple[list[Deviation], set[Deviation]]]()


def _relative_nodeid(nodeid: str) -> str:
    return nodeid.removeprefix("tests/")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    deviations, used = config.stash.get(_USED, ([], set()))
    unused = [d for d in deviations if d not in used]
    if unused:
        terminalreporter.write_line(
            f"lumenfall-openai: {len(unused)} listed deviation(s) matched no collected test on openai "
            f"{openai.__version__} (fine if that test only exists in other versions):"
        )
        for deviation in unused:
            terminalreporter.write_line(f"  {deviation.pattern}")

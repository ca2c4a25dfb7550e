"""The expected-deviations list for openai's own tests: parsing and matching (pure, no pytest).

``deviations.txt`` holds one deviation a line::

    test id | openai versions | reason (README: "the sentence that documents it")

- test id: a node id relative to openai's ``tests/`` directory. It also matches the test's
  parametrized variants (``id[...]``); a trailing ``*`` makes it a prefix.
- openai versions: ``*`` or a PEP 440 specifier set such as ``>=2.54`` or ``>=2.54,<3``.
- reason: one line, quoting the README sentence that documents the difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

README_QUOTE = re.compile(r'README: "([^"]+)"')


@dataclass(frozen=True)
class Deviation:
    pattern: str
    versions: str
    reason: str
    line: int

    @property
    def readme_quote(self) -> str:
        found = README_QUOTE.search(self.reason)
        return found.group(1) if found else ""

    def applies_to(self, openai_version: str) -> bool:
        return self.versions == "*" or Version(openai_version) in SpecifierSet(self.versions)

    def matches(self, nodeid: str) -> bool:
        if self.pattern.endswith("*"):
            return nodeid.startswith(self.pattern[:-1])
        return nodeid == self.pattern or nodeid.startswith(self.pattern + "[")


def parse_deviations(text: str, *, source: str = "deviations.txt") -> list[Deviation]:
    """Every deviation in ``text``; a malformed line is an error naming the line and the fix."""
    deviations: list[Deviation] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split("|")]
        if len(fields) != 3 or not all(fields):
            raise ValueError(
                f"{source}:{number}: expected 'test id | openai versions | reason (README: \"...\")', got {raw!r}"
            )
        pattern, versions, reason = fields
        if versions != "*":
            SpecifierSet(versions)  # raises InvalidSpecifier, naming the bad text
        deviation = Deviation(pattern, versions, reason, number)
        if not deviation.readme_quote:
            raise ValueError(f'{source}:{number}: the reason must quote the README: add README: "<sentence>"')
        deviations.append(deviation)
    return deviations


def load_deviations(path: Path, *, openai_version: str) -> list[Deviation]:
    """The deviations in ``path`` that apply to ``openai_version``."""
    all_deviations = parse_deviations(path.read_text(encoding="utf-8"), source=str(path))
    return [d for d in all_deviations if d.applies_to(openai_version)]


def matching_deviation(deviations: list[Deviation], nodeid: str) -> Deviation | None:
    return next((d for d in deviations if d.matches(nodeid)), None)

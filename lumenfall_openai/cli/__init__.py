"""The ``lumenfall-openai`` command line.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``handler`` (a function ``(args) -> int``) as a default. Adding a command is adding a
module and one line to :data:`COMMANDS`; heavy imports stay inside the handlers so ``--help``
is fast and a command's extra is only needed when that command runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import _emulator_cmd, _video_cmd

Registrar = Callable[["argparse._SubParsersAction[Any]"], None]

COMMANDS: list[Registrar] = [
    _emulator_cmd.register,
    _video_cmd.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lumenfall-openai",
        description="Lumenfall media generation from the command line.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


__all__ = ["COMMANDS", "build_parser", "main"]

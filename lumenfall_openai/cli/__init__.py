"""The ``lumenfall-openai`` command line.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds its parser
and sets ``handler`` (a function ``(args) -> int``) as a default. Adding a command is adding a
module and one line to :data:`COMMANDS`; heavy imports stay inside the handlers so ``--help``
is fast and a command's extra is only needed when that command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from . import _batch_cmd, _emulator_cmd, _video_cmd

Registrar = Callable[["argparse._SubParsersAction[Any]"], None]

COMMANDS: list[Registrar] = [
    _emulator_cmd.register,
    _video_cmd.register,
    _batch_cmd.register,
]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is raised (not printed and exited), so ``main`` reports it
    like every other failure: with ``--json``, as the one JSON object on stdout. Subcommand
    parsers are built with this class too (argparse uses the parent parser's class)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)


class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lumenfall-openai",
        description="Lumenfall media generation from the command line.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code. Never raises and never prints a traceback: every
    failure becomes a message on stderr, an exit code from the table in ``--help``, and with
    ``--json`` one JSON object on stdout (set ``LUMENFALL_DEBUG=1`` to see a traceback)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in arguments
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(arguments)
        except _UsageError as error:
            error.parser.print_usage(sys.stderr)
            return _fatal(f"{error.parser.prog}: error: {error}", _video_cmd.EXIT_USAGE, "usage", json_mode)
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(sys.stderr)
            return _fatal("a command is required (see above)", _video_cmd.EXIT_USAGE, "usage", json_mode, quiet=True)
        return handler(args)
    except KeyboardInterrupt:
        return _fatal("Interrupted.", _video_cmd.EXIT_INTERRUPTED, "interrupted", json_mode)
    except Exception as error:  # a bug or an unforeseen failure: still a message and an exit code
        if os.environ.get("LUMENFALL_DEBUG"):
            traceback.print_exc()
        return _fatal(unexpected_error_message(error), _video_cmd.EXIT_ERROR, "internal", json_mode)


def unexpected_error_message(error: BaseException) -> str:
    return (
        f"unexpected error: {type(error).__name__}: {error}. If this looks like a bug in "
        "lumenfall-openai, please report it (LUMENFALL_DEBUG=1 shows the traceback)."
    )


def _fatal(message: str, code: int, kind: str, json_mode: bool, *, quiet: bool = False) -> int:
    if not quiet:
        print(message, file=sys.stderr)
    if json_mode:
        payload = _video_cmd.json_payload(code, error={"type": kind, "message": message})
        print(json.dumps(payload, indent=2, default=str), flush=True)
    return code


__all__ = ["COMMANDS", "build_parser", "main"]

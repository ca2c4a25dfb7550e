"""``lumenfall-openai emulator``: serve the local Lumenfall until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import errno
import math
import sys
from typing import Any

# From the CLI's exit code table (``lumenfall-openai video --help``).
EXIT_ERROR = 1


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--port takes a number from 0 to 65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"--port takes a number from 0 to 65535 (0 picks a free one), got {port}")
    return port


def _at_least_zero(flag: str, what: str) -> Any:
    """An argparse type: a finite number >= 0 (NaN, inf and negatives are usage errors, exit 2)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value >= 0):
            raise argparse.ArgumentTypeError(f"{flag} takes {what} (a finite number >= 0), got {text!r}")
        return value

    return parse


def _api_key(text: str) -> str:
    """An argparse type: a key the emulator can ever accept, ``lmnfl_<id>.<secret>`` (exit 2 otherwise)."""
    from ..testing._core import KEY_RE  # the emulator's own rule for a well-formed key

    if not KEY_RE.match(text):
        raise argparse.ArgumentTypeError(
            "--api-key takes a Lumenfall-style key, 'lmnfl_<id>.<secret>' (letters, digits, '_' or '-' on "
            "both sides of the dot, e.g. lmnfl_demo.secret); a client could never send the value given"
        )
    return text


def _webhook_secret(text: str) -> str:
    """An argparse type: a ``whsec_<base64>`` secret, as Lumenfall hands out (exit 2 otherwise)."""
    from .._signing import SECRET_PREFIX, decode_secret
    from ..errors import LumenfallConfigurationError

    try:
        usable = text.startswith(SECRET_PREFIX) and len(decode_secret(text)) > 0
    except LumenfallConfigurationError:
        usable = False
    if not usable:
        raise argparse.ArgumentTypeError(
            "--webhook-secret takes a 'whsec_<base64>' secret (e.g. the value of client.webhooks.secret(), "
            "or leave it out for a random one); the value given is not one"
        )
    return text


def bind_failure_message(host: str, port: int, error: OSError) -> str:
    """What to tell a person whose port could not be bound, and what to do about it."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"Port {port} on {host} is in use (another emulator or server is listening there). "
            "Stop it, choose another --port, or use --port 0 to pick a free one."
        )
    if error.errno == errno.EACCES:
        return f"Not allowed to listen on port {port} on {host} (ports below 1024 need privileges); try --port 0."
    if error.errno == errno.EADDRNOTAVAIL:
        return f"Cannot listen on {host}: it is not an address of this machine. Use --host 127.0.0.1."
    return f"Cannot listen on {host}:{port}: {error.strerror or error}. Try --port 0 or another --host."


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="serve a local Lumenfall emulator (for tests and demos)",
        description=(
            "Serve a local Lumenfall on loopback. Point a client at the printed base URL with any "
            "key of the form lmnfl_<id>.<secret>. The free model 'mock-video' always succeeds."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8765, help="port to listen on; 0 picks a free one")
    parser.add_argument(
        "--balance",
        type=_at_least_zero("--balance", "an amount of USD"),
        default=100.0,
        help="starting prepaid balance in USD",
    )
    parser.add_argument("--postpaid", action="store_true", help="no balance checks (balance amount null)")
    parser.add_argument(
        "--queue-seconds",
        type=_at_least_zero("--queue-seconds", "seconds"),
        default=1.0,
        help="time a job spends queued",
    )
    parser.add_argument(
        "--run-seconds",
        type=_at_least_zero("--run-seconds", "seconds"),
        default=3.0,
        help="time a job spends in_progress",
    )
    parser.add_argument(
        "--time-scale",
        type=_at_least_zero("--time-scale", "a factor"),
        default=1.0,
        help="multiplies every job duration",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        type=_api_key,
        help="accept only this key (repeatable); default: any well-formed lmnfl_ key",
    )
    parser.add_argument(
        "--webhook-secret", type=_webhook_secret, help="whsec_<base64> secret for webhook signatures (default: random)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..testing import LumenfallEmulator  # the [emulator] extra; only needed for this command
    from ..testing._server import BindError

    emulator = LumenfallEmulator(
        balance=None if args.postpaid else args.balance,
        queue_seconds=args.queue_seconds,
        run_seconds=args.run_seconds,
        time_scale=args.time_scale,
        api_keys=args.api_keys,
        webhook_secret=args.webhook_secret,
    )

    def ready(base_url: str) -> None:
        print(f"Lumenfall emulator listening on {base_url}", flush=True)
        print(f"  native API: {emulator.native_base_url}", flush=True)
        key = "<one of your --api-key values>" if args.api_keys else "lmnfl_demo.secret"
        print(f"  e.g. LUMENFALL_BASE_URL={base_url} LUMENFALL_API_KEY={key}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    # uvicorn turns Ctrl-C into a clean shutdown; a second Ctrl-C may still raise here.
    with contextlib.suppress(KeyboardInterrupt):
        try:
            emulator.serve_forever(args.host, args.port, on_ready=ready)
        except BindError as error:
            print(f"lumenfall-openai emulator: {bind_failure_message(args.host, args.port, error)}", file=sys.stderr)
            return EXIT_ERROR
    return 0

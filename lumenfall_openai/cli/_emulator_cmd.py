"""``lumenfall-openai emulator``: serve the local Lumenfall until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any


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
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one")
    parser.add_argument("--balance", type=float, default=100.0, help="starting prepaid balance in USD")
    parser.add_argument("--postpaid", action="store_true", help="no balance checks (balance amount null)")
    parser.add_argument("--queue-seconds", type=float, default=1.0, help="time a job spends queued")
    parser.add_argument("--run-seconds", type=float, default=3.0, help="time a job spends in_progress")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies every job duration")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this key (repeatable); default: any well-formed lmnfl_ key",
    )
    parser.add_argument("--webhook-secret", help="whsec_ secret for webhook signatures (default: random)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..testing import LumenfallEmulator  # the [emulator] extra; only needed for this command

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
        print("  e.g. LUMENFALL_BASE_URL=" + base_url + " LUMENFALL_API_KEY=lmnfl_demo.secret", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    # uvicorn turns Ctrl-C into a clean shutdown; a second Ctrl-C may still raise here.
    with contextlib.suppress(KeyboardInterrupt):
        emulator.serve_forever(args.host, args.port, on_ready=ready)
    return 0

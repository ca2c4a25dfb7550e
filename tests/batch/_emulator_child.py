"""An emulator in its own process, for the batch crash test (the way Lumenfall is a separate
service, so killing the batch never kills the jobs). Prints its base URL, then answers each
``counters`` line on stdin with one JSON line; exits on EOF."""

from __future__ import annotations

import json
import sys

from lumenfall_openai.testing import LumenfallEmulator


def main() -> None:
    queue, run = float(sys.argv[1]), float(sys.argv[2])
    balance = float(sys.argv[3]) if len(sys.argv) > 3 else None  # USD prepaid; none: postpaid
    emulator = LumenfallEmulator(balance=balance, queue_seconds=queue, run_seconds=run)
    with emulator.serve() as url:
        print(url, flush=True)
        for line in sys.stdin:
            if line.strip() == "counters":
                counters = {
                    "jobs_created": emulator.jobs_created,
                    "billed_micros": emulator.billed_micros,
                    "replayed_creates": emulator.replayed_creates,
                }
                print(json.dumps(counters), flush=True)
    emulator.close()


if __name__ == "__main__":
    main()

"""What the drop-in client costs next to a plain ``openai.OpenAI``, measured side by side in one run.

1. ``client.videos.retrieve`` of the seed's completed Video through ``Lumenfall`` vs through a
   plain ``openai.OpenAI`` on the same mock transport (so only client-side work is timed: request
   building, parsing, and on openai 3.1+ the Sora deprecation warning the plain client pays).
   Rounds alternate between the two so machine noise hits both alike; the table shows the median
   of per-round ratios. Target: <= 1.10 (aim <= 1.0).
2. ``import lumenfall_openai`` on top of ``import openai``: fresh interpreters, alternating, median
   wall time of each. Target: adds at most 10%.

Run: ``python benchmarks/bench_client.py`` (``--quick`` for a smoke run in CI).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import openai

from lumenfall_openai import Lumenfall
from lumenfall_openai._compat import http

SEED_COMPLETED: dict[str, Any] = {
    "id": "video_abc123", "object": "video", "created_at": 1702345678, "completed_at": 1702345720,
    "expires_at": 1702432120, "status": "completed", "model": "sora-2",
    "prompt": "A capybara lounging in a hot spring, steam rising gently, slow camera pan",
    "seconds": "10", "size": "1920x1080",
    "output": {"url": "https://media.lumenfall.ai/video_abc123.mp4", "content_type": "video/mp4",
               "size_bytes": 15728640},
    "error": None,
    "metadata": {"model": "sora-2", "executed_model": "openai/sora-2", "provider": "openai",
                 "provider_name": "OpenAI", "cost": 0.21, "cost_currency": "USD"},
}  # fmt: skip
BODY = json.dumps(SEED_COMPLETED).encode()


def _transport() -> Any:
    def answer(request: Any) -> Any:
        return http.Response(200, content=BODY, headers={"content-type": "application/json"})

    return http.MockTransport(answer)


def _time_calls(fn: Any, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def bench_retrieve(rounds: int, calls: int) -> dict[str, float]:
    ours = Lumenfall(api_key="lmnfl_bench.secret", http_client=http.Client(transport=_transport()))
    plain = openai.OpenAI(api_key="lmnfl_bench.secret", base_url="https://api.lumenfall.ai/openai/v1",
                          http_client=http.Client(transport=_transport()))  # fmt: skip

    def ours_call() -> None:
        video = ours.videos.retrieve("video_abc123")
        assert video.output is not None and video.output.url

    def plain_call() -> None:
        plain.videos.retrieve("video_abc123")

    for fn in (ours_call, plain_call):  # warm caches, pydantic schemas, connection setup
        _time_calls(fn, 50)
    ratios, ours_t, plain_t = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # what a user's program sees: warnings on, printed once
        for i in range(rounds):
            pair = (ours_call, plain_call) if i % 2 == 0 else (plain_call, ours_call)
            times = {fn: _time_calls(fn, calls) for fn in pair}
            ours_t.append(times[ours_call])
            plain_t.append(times[plain_call])
            ratios.append(times[ours_call] / times[plain_call])
    return {
        "ours_us": statistics.median(ours_t) * 1e6,
        "plain_us": statistics.median(plain_t) * 1e6,
        "ratio": statistics.median(ratios),
    }


def _import_time(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def bench_import(rounds: int) -> dict[str, float]:
    base, ours = [], []
    for i in range(rounds):
        order = [("base", "import openai"), ("ours", "import openai, lumenfall_openai")]
        if i % 2:
            order.reverse()
        for name, stmt in order:
            (base if name == "base" else ours).append(_import_time(stmt))
    return {
        "openai_ms": statistics.median(base) * 1e3,
        "with_lumenfall_ms": statistics.median(ours) * 1e3,
        "ratio": statistics.median(ours) / statistics.median(base),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, not a measurement")
    args = parser.parse_args(argv)
    rounds, calls, import_rounds = (3, 50, 3) if args.quick else (21, 300, 21)

    r = bench_retrieve(rounds, calls)
    i = bench_import(import_rounds)
    print(f"openai {openai.__version__} ({http.__name__}), python {sys.version.split()[0]}, "
          f"{rounds} rounds x {calls} calls, {import_rounds} import rounds")  # fmt: skip
    print()
    print(f"| {'measure':<44} | {'lumenfall':>11} | {'baseline':>11} | {'ratio':>6} | {'target':>7} |")
    print(f"|{'-' * 46}|{'-' * 13}|{'-' * 13}|{'-' * 8}|{'-' * 9}|")
    print(f"| {'videos.retrieve, median per call (us)':<44} | {r['ours_us']:>11.1f} | {r['plain_us']:>11.1f} "
          f"| {r['ratio']:>6.3f} | {'<= 1.10':>7} |")  # fmt: skip
    print(f"| {'import openai [+ lumenfall_openai] (ms)':<44} | {i['with_lumenfall_ms']:>11.1f} "
          f"| {i['openai_ms']:>11.1f} | {i['ratio']:>6.3f} | {'<= 1.10':>7} |")  # fmt: skip
    ok = r["ratio"] <= 1.10 and i["ratio"] <= 1.10
    print()
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())

"""What each call costs through ``Lumenfall`` next to a plain ``openai`` client, side by side in one run.

Calls: ``videos.retrieve`` (the seed's completed Video), ``images.generate`` and ``images.edit``
(an answer with Lumenfall's ``metadata``) and ``chat.completions.create`` (openai's own resource
through the client), sync and async; plus an A/A row (a second plain client against the first)
that shows what ratio the bench reads when there is no difference. Each pair is one reused ``Lumenfall``
and one reused plain ``openai.OpenAI`` / ``AsyncOpenAI`` on the same mock transport, so only
client-side work is timed (request building, the cost hook, parsing; on openai 3.1+ the Sora
deprecation warning the plain client pays on ``videos``). Rounds alternate which client goes
first; each round times ``calls`` calls of each, and the table shows the per-round ratio as
median [min-max] n=rounds, next to the plain-openai anchor in microseconds per call. Times are
the process's CPU time (``time.process_time``: the calls run on one thread, so this is their CPU
cost, and a busy machine preempting the bench does not count against either side).
Target: every ratio <= 1.00 (issue 12). Import time is ``bench_import.py``.

Run: ``python benchmarks/bench_client.py`` (``--quick`` for a smoke run in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import openai
from _stats import spread

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import http

BASE_URL = "https://api.lumenfall.ai/openai/v1"
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
IMAGES: dict[str, Any] = {
    "created": 1702345678,
    "data": [{"url": "https://media.lumenfall.ai/img_1.png", "revised_prompt": "a red fox in snow"}],
    "metadata": {"model": "gpt-image-1", "executed_model": "openai/gpt-image-1", "provider": "openai",
                 "cost": 0.04, "cost_currency": "USD", "attempts": [{"provider": "openai", "status": "succeeded"}]},
}  # fmt: skip
CHAT: dict[str, Any] = {
    "id": "chatcmpl-abc123", "object": "chat.completion", "created": 1702345678, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "A red fox in snow.", "refusal": None}}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 6, "total_tokens": 18},
}  # fmt: skip
VIDEO_BODY, IMAGES_BODY = json.dumps(SEED_COMPLETED).encode(), json.dumps(IMAGES).encode()
CHAT_BODY = json.dumps(CHAT).encode()
MESSAGES = [{"role": "user", "content": "Describe a red fox in snow."}]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 256


def _answer(request: Any) -> Any:
    url = str(request.url)
    body = VIDEO_BODY if "/videos/" in url else CHAT_BODY if "/chat/" in url else IMAGES_BODY
    return http.Response(200, content=body, headers={"content-type": "application/json"})


def _clients() -> dict[str, Any]:
    transport, atransport = http.MockTransport(_answer), http.MockTransport(_answer)
    key = "lmnfl_bench.secret"
    return {
        "ours": Lumenfall(api_key=key, http_client=http.Client(transport=transport)),
        "plain": openai.OpenAI(api_key=key, base_url=BASE_URL, http_client=http.Client(transport=transport)),
        "aours": AsyncLumenfall(api_key=key, http_client=http.AsyncClient(transport=atransport)),
        "aplain": openai.AsyncOpenAI(
            api_key=key, base_url=BASE_URL, http_client=http.AsyncClient(transport=atransport)
        ),
        # A second plain client: the A/A row (plain against plain) shows the bench's noise floor.
        "plain2": openai.OpenAI(api_key=key, base_url=BASE_URL, http_client=http.Client(transport=transport)),
        "aplain2": openai.AsyncOpenAI(
            api_key=key, base_url=BASE_URL, http_client=http.AsyncClient(transport=atransport)
        ),
    }  # fmt: skip


def _sync_calls(c: Any) -> dict[str, Callable[[], object]]:
    return {
        "videos.retrieve": lambda: c.videos.retrieve("video_abc123"),
        "images.generate": lambda: c.images.generate(model="gpt-image-1", prompt="a red fox in snow"),
        "images.edit": lambda: c.images.edit(model="gpt-image-1", prompt="add a hat", image=("a.png", PNG)),
        "chat.completions.create": lambda: c.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES),
    }


def _async_calls(c: Any) -> dict[str, Callable[[], Awaitable[object]]]:
    return {
        "videos.retrieve": lambda: c.videos.retrieve("video_abc123"),
        "images.generate": lambda: c.images.generate(model="gpt-image-1", prompt="a red fox in snow"),
        "images.edit": lambda: c.images.edit(model="gpt-image-1", prompt="add a hat", image=("a.png", PNG)),
        "chat.completions.create": lambda: c.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES),
    }


def _time_sync(fn: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


async def _time_async(fn: Callable[[], Awaitable[object]], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        await fn()
    return (time.process_time() - start) / calls


def _rounds(
    timer: Callable[[Any, int], float], ours: Any, plain: Any, rounds: int, calls: int
) -> tuple[list[float], list[float]]:
    timer(ours, max(calls // 4, 5))  # warm caches, pydantic schemas, the first-use imports
    timer(plain, max(calls // 4, 5))
    ratios: list[float] = []
    plain_us: list[float] = []
    for i in range(rounds):
        order = (ours, plain) if i % 2 == 0 else (plain, ours)
        times = {id(fn): timer(fn, calls) for fn in order}
        ratios.append(times[id(ours)] / times[id(plain)])
        plain_us.append(times[id(plain)] * 1e6)
    return ratios, plain_us


AA = "images.generate"  # the call of the A/A row


def run(rounds: int, calls: int) -> list[tuple[str, list[float], list[float]]]:
    clients = _clients()
    rows: list[tuple[str, list[float], list[float]]] = []
    ours_calls, plain_calls = _sync_calls(clients["ours"]), _sync_calls(clients["plain"])
    for name in ours_calls:
        rows.append((f"{name} (sync)", *_rounds(_time_sync, ours_calls[name], plain_calls[name], rounds, calls)))
    aa = _rounds(_time_sync, _sync_calls(clients["plain2"])[AA], plain_calls[AA], rounds, calls)
    rows.append((f"A/A: plain {AA} (sync)", *aa))

    async def async_rows() -> None:
        ours_a, plain_a = _async_calls(clients["aours"]), _async_calls(clients["aplain"])
        pairs = [(name, ours_a[name], plain_a[name]) for name in ours_a]
        pairs.append((f"A/A: plain {AA}", _async_calls(clients["aplain2"])[AA], plain_a[AA]))
        for name, ours_fn, plain_fn in pairs:
            ratios: list[float] = []
            plain_us: list[float] = []
            await _time_async(ours_fn, max(calls // 4, 5))
            await _time_async(plain_fn, max(calls // 4, 5))
            for i in range(rounds):
                order = [("ours", ours_fn), ("plain", plain_fn)]
                if i % 2:
                    order.reverse()
                times = {who: await _time_async(fn, calls) for who, fn in order}
                ratios.append(times["ours"] / times["plain"])
                plain_us.append(times["plain"] * 1e6)
            rows.append((f"{name} (async)", ratios, plain_us))

    asyncio.run(async_rows())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run, not a measurement")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    rounds, calls = (3, 20) if args.quick else (args.rounds, args.calls)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # what a user's program sees: warnings on, printed once
        rows = run(rounds, calls)
    print(f"openai {openai.__version__} ({http.__name__}), python {sys.version.split()[0]}; "
          f"{rounds} rounds x {calls} calls of each client per row, alternating order")  # fmt: skip
    print()
    print(f"| {'call':<36} | {'plain openai, us/call':>30} | {'lumenfall / plain':>30} | {'target':>7} |")
    print(f"|{'-' * 38}|{'-' * 32}|{'-' * 32}|{'-' * 9}|")
    ok = True
    for name, ratios, plain_us in rows:
        target = "(noise)" if name.startswith("A/A") else "<= 1.00"
        ok &= name.startswith("A/A") or statistics.median(ratios) <= 1.00
        print(f"| {name:<36} | {spread(plain_us, '.1f'):>30} | {spread(ratios):>30} | {target:>7} |")
    print()
    print("figures: median [min-max] n=rounds; the ratio is taken per round (both clients timed in it)")
    print("within targets" if ok else "OUTSIDE TARGETS")
    print()
    print(retained_table(calls=100 if args.quick else 1000))
    return 0 if ok or args.quick else 1


def retained(fn: Callable[[], object], calls: int) -> float:
    """Bytes still allocated per call after ``calls`` calls (tracemalloc): what a long-running
    process keeps of each call. A ledger keeps one entry per images answer (costs.LedgerEntry)."""
    for _ in range(50):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(calls):
            fn()
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / calls
    finally:
        tracemalloc.stop()


def retained_table(calls: int) -> str:
    """Memory kept per call, sync, each client fresh (n=1 run of ``calls`` calls each)."""
    lines = [
        f"| {'kept per call (bytes), ' + str(calls) + ' calls':<44} | {'plain openai':>12} | {'lumenfall':>10} |",
        f"|{'-' * 46}|{'-' * 14}|{'-' * 12}|",
    ]
    for name in ("images.generate", "videos.retrieve"):
        kept = {who: retained(_sync_calls(_clients()[who])[name], calls) for who in ("plain", "ours")}
        lines.append(f"| {name:<44} | {kept['plain']:>12.0f} | {kept['ours']:>10.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

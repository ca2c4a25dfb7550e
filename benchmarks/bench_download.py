"""``client.videos.download`` next to a bare streaming GET that discards, and its memory next to ``download_content``.

1. Throughput: a 1 GiB emulator file (a synthetic MP4 generated on the fly, never held in the
   server's memory) saved by ``client.videos.download`` (sync and async) vs a bare streaming GET
   with the same HTTP library that discards the bytes (the network alone; sync and async, each
   with one client built before the timed window), and vs the same GET writing each chunk to a
   file (what a careful user would write by hand, without verification, resume, or, on tmpfs,
   fsync). Anchors: a plain ``openai.OpenAI`` user (the video retrieved with plain openai, its
   ``output.url`` streamed to a file with ``openai.DefaultHttpxClient``: Lumenfall has no
   ``/videos/{id}/content``) and this package's openai-shaped
   ``with_streaming_response.download_content(...)`` + ``iter_bytes()`` to a file. Repetitions
   alternate in ABBA order; ratios are taken per repetition. Target: ``download`` >= 0.9x the
   bare read that discards (sync against sync, async against async).
2. CPU: each transfer's own CPU seconds per GiB (the client process, all its threads) and the
   emulator's over the same window. Client and emulator share this machine's cores, so when both
   are busy the wall time follows their summed CPU: ``discard CPU / download CPU`` (both sides)
   is the ratio the machine allows once it is CPU-bound (the "CPU-bound ceiling" row).
3. Memory: the growth of the process's peak RSS (``VmHWM`` from ``/proc/self/status``, minus its
   value right before the transfer) while saving the file: ``download`` and the bare GET stream,
   openai-style ``download_content(...)`` then ``.write_to_file()`` holds the whole body (measured
   on a smaller file). Target: ``download`` grows by < 64 MiB whatever the size.

Each transfer runs in a fresh Python process (so ``VmHWM`` is that transfer's own peak) against
the emulator running in yet another process (as Lumenfall would be), on loopback.

Run: ``python benchmarks/bench_download.py`` (``--quick`` for a smoke run in CI). Runs on both
openai lines (httpx2 with openai 3.x, httpx with 2.x).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import http

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _emulator_proc import cpu_seconds, emulator_child
from _stats import spread

KEY = "lmnfl_bench.secret"
MIB = 1024 * 1024
GIB = 1024 * MIB


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


# -- the child: one transfer, measured ------------------------------------------------------------


def _bare(client: Any, url: str, path: Path, mode: str) -> None:
    with client.stream("GET", url) as response:
        response.raise_for_status()
        if mode == "discard":  # the network alone: what the machine can read
            for _ in response.iter_bytes():
                pass
            return
        with path.open("wb") as file:
            for chunk in response.iter_bytes():
                file.write(chunk)
            if mode == "bare_fsync":  # the same durability `download` pays for before its rename
                file.flush()
                os.fsync(file.fileno())


async def _async_mode(mode: str, base_url: str, video_id: str, url: str, path: Path) -> tuple[float, float]:
    """(wall, CPU) of one async transfer; its clients are built before its timed window."""
    async with AsyncLumenfall(api_key=KEY, base_url=base_url) as client, http.AsyncClient() as bare:
        video = await client.videos.retrieve(video_id)  # outside the timing, as for every mode
        cpu, started = _own_cpu(), time.perf_counter()
        if mode == "download_async":
            await client.videos.download(video, path)
        else:
            async with bare.stream("GET", url) as response:
                response.raise_for_status()
                async for _ in response.aiter_bytes():
                    pass
        return time.perf_counter() - started, _own_cpu() - cpu


def child(mode: str, base_url: str, video_id: str, path: Path, emulator_pid: int) -> dict[str, Any]:
    # Every client is built (and the video looked up) before the timed window opens.
    with (
        Lumenfall(api_key=KEY, base_url=base_url) as client,
        http.Client() as bare,
        openai.OpenAI(api_key=KEY, base_url=base_url) as plain,
        openai.DefaultHttpxClient() as plain_http,
    ):
        video = client.videos.retrieve(video_id)
        assert video.output is not None
        url = video.output.url
        plain_url = plain.videos.retrieve(video_id).model_dump()["output"]["url"]
        hwm_before = _status_kib("VmHWM")
        emulator_cpu = cpu_seconds(emulator_pid)
        cpu, started = _own_cpu(), time.perf_counter()
        if mode == "download":
            client.videos.download(video, path)
        elif mode in ("download_async", "discard_async"):
            seconds, own = asyncio.run(_async_mode(mode, base_url, video_id, url, path))
            started, cpu = time.perf_counter() - seconds, _own_cpu() - own  # its clients: outside
        elif mode in ("discard", "bare", "bare_fsync"):
            _bare(bare, url, path, mode)
        elif mode == "openai_stream":  # a plain-openai user's hand-written save of output.url
            _bare(plain_http, plain_url, path, "bare")
        elif mode == "content_stream":
            with client.videos.with_streaming_response.download_content(video_id) as response, path.open("wb") as f:
                for chunk in response.iter_bytes():
                    f.write(chunk)
        elif mode == "download_content":
            client.videos.download_content(video_id).write_to_file(path)
        else:
            raise ValueError(mode)
        seconds = time.perf_counter() - started
        client_cpu = _own_cpu() - cpu
        emulator_cpu = cpu_seconds(emulator_pid) - emulator_cpu
    discards = mode.startswith("discard")
    size = video.output.size_bytes if discards else path.stat().st_size
    if not discards:
        path.unlink()
    return {
        "mode": mode,
        "seconds": seconds,
        "bytes": size,
        "expected": video.output.size_bytes,
        "client_cpu": client_cpu,
        "emulator_cpu": emulator_cpu,
        "hwm_growth_mib": (_status_kib("VmHWM") - hwm_before) / 1024,
    }


def run_child(mode: str, base_url: str, video_id: str, directory: Path, emulator_pid: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, base_url, video_id, str(directory / f"{mode}.mp4"),
         str(emulator_pid)],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(result.stdout)
    if data["bytes"] != data["expected"]:
        raise AssertionError(f"{mode} saved {data['bytes']} bytes, expected {data['expected']}")
    return data


# -- the parent: jobs, repetitions, table ----------------------------------------------------------


def make_video(client: Lumenfall, size: int) -> str:
    video = client.videos.create_and_poll(model="mock-video", prompt=f"bench [lumenfall:size_bytes={size}]")
    assert video.status == "completed", video
    return video.id


def _places(quick: bool) -> list[tuple[str, Path]]:
    """Where the files go: tmpfs (the client alone: no disk in the way) and a real disk (what a
    user gets, ``download``'s fsync included, against the bare GET with and without an fsync)."""
    places: list[tuple[str, Path]] = []
    if Path("/dev/shm").is_dir():
        places.append(("tmpfs", Path("/dev/shm")))
    disk = Path(os.environ.get("BENCH_DISK_DIR", tempfile.gettempdir()))
    if not quick or not places:
        places.append(("disk", disk))
    return places


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        mode, base_url, video_id, path, emulator_pid = sys.argv[2:7]
        print(json.dumps(child(mode, base_url, video_id, Path(path), int(emulator_pid))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small files, one repetition: a smoke run")
    parser.add_argument("--size-mib", type=int, help="size of the throughput file (default 1024; quick 64)")
    parser.add_argument("--reps", type=int, help="alternating repetitions of each (default 6; quick 1)")
    parser.add_argument("--places", help="comma-separated subset of tmpfs,disk (default both)")
    args = parser.parse_args(argv)
    size = (args.size_mib or (64 if args.quick else 1024)) * MIB
    small = (16 if args.quick else 256) * MIB
    reps = args.reps or (1 if args.quick else 6)
    places = [p for p in _places(args.quick) if not args.places or p[0] in args.places.split(",")]
    load_before = os.getloadavg()

    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with emulator_child("--queue-seconds", "0", "--run-seconds", "0") as (base_url, emulator_pid):
        with Lumenfall(api_key=KEY, base_url=base_url) as client:
            big, little = make_video(client, size), make_video(client, small)
        for place, root in places:
            with tempfile.TemporaryDirectory(dir=root) as tmp:
                run_child("discard", base_url, big, Path(tmp), emulator_pid)  # warm-up, not counted
                for rep in range(reps):
                    # Alternating, in ABBA order: noise, and any cost one run leaves to the next
                    # (freeing the last file's pages), hits all alike.
                    modes = _MODES[place]
                    for mode in modes if rep % 2 == 0 else tuple(reversed(modes)):
                        if place == "disk":
                            os.sync()  # start each from a clean page cache: no write-back of the last
                        result = run_child(mode, base_url, big, Path(tmp), emulator_pid)
                        runs[place, mode] = [*runs.get((place, mode), []), result]
        with tempfile.TemporaryDirectory(dir=places[0][1]) as tmp:
            small_runs = {
                m: run_child(m, base_url, little, Path(tmp), emulator_pid) for m in ("download", "download_content")
            }
    load_after = os.getloadavg()

    def rates(place: str, mode: str) -> list[float]:
        return [r["bytes"] / r["seconds"] / MIB for r in runs[place, mode]]

    def ratios(place: str, mode: str, baseline: str) -> list[float]:
        # Per repetition: each pair ran back to back, so machine noise cancels within a pair.
        return [a / b for a, b in zip(rates(place, mode), rates(place, baseline), strict=True)]

    def per_gib(place: str, mode: str, key: Callable[[dict[str, Any]], float]) -> list[float]:
        return [key(r) / (r["bytes"] / GIB) for r in runs[place, mode]]

    def growth(mode: str) -> float:
        return max(r["hwm_growth_mib"] for (_, m), rs in runs.items() if m == mode for r in rs)

    print(
        f"openai {openai.__version__} ({http.__name__}), python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"{size // MIB} MiB file x {reps} alternating reps, figures median [min-max] n=reps, "
        f"memory = peak RSS growth (VmHWM), fresh process per transfer, emulator in its own process, loopback, "
        f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after"
    )
    print()
    rows: list[tuple[str, str, str, str, str, bool]] = []
    for place, _ in places:
        for mode, baseline, target in _ROWS[place]:
            ours, base, ratio = rates(place, mode), rates(place, baseline), ratios(place, mode, baseline)
            ok = target is None or statistics.median(ratio) >= target
            rows.append((f"{place}: {mode} / {baseline} (MiB/s)", spread(ours, ".0f"), spread(base, ".0f"),
                         spread(ratio, ".2f"), "(info)" if target is None else f">= {target:.2f}", ok))  # fmt: skip
        for mode, baseline in (("download", "discard"), ("download_async", "discard_async")):
            both = [statistics.median(per_gib(place, m, lambda r: r["client_cpu"] + r["emulator_cpu"]))
                    for m in (mode, baseline)]  # fmt: skip
            rows.append((f"{place}: CPU-bound ceiling, {mode} / {baseline}", f"{both[0]:.2f} s/GiB",
                         f"{both[1]:.2f} s/GiB", f"{both[1] / both[0]:.2f}", "(info)", True))  # fmt: skip
    for mode in ("download", "download_async"):
        rows.append((f"peak RSS growth, {mode}, {size // MIB} MiB (MiB)", f"{growth(mode):.1f}",
                     f"{growth('bare'):.1f}", "", "< 64", growth(mode) < 64))  # fmt: skip
    ours_small = small_runs["download"]["hwm_growth_mib"]
    whole_small = small_runs["download_content"]["hwm_growth_mib"]
    rows.append((f"peak RSS growth, download vs download_content, {small // MIB} MiB", f"{ours_small:.1f}",
                 f"{whole_small:.1f}", "", "< 64", ours_small < 64))  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | {'ours':>22} | {'baseline':>22} | {'ratio':>24} | {'target':>7} | ok  |")
    print(f"|{'-' * (width + 2)}|{'-' * 24}|{'-' * 24}|{'-' * 26}|{'-' * 9}|-----|")
    for name, a, b, r, target, ok in rows:
        print(f"| {name:<{width}} | {a:>22} | {b:>22} | {r:>24} | {target:>7} | {'yes' if ok else 'NO':<3} |")
    print()
    print("CPU seconds per GiB, median [min-max] (client: the transfer's process, all threads; emulator: same window)")
    print()
    cpu_width = max(len(f"{place}: {mode}") for place, _ in places for mode in _MODES[place])
    print(f"| {'transfer':<{cpu_width}} | {'client':>22} | {'emulator':>22} | {'client + emulator':>22} |")
    print(f"|{'-' * (cpu_width + 2)}|{'-' * 24}|{'-' * 24}|{'-' * 24}|")
    for place, _ in places:
        for mode in _MODES[place]:
            client_cpu = per_gib(place, mode, lambda r: r["client_cpu"])
            emulator_cpu = per_gib(place, mode, lambda r: r["emulator_cpu"])
            total = per_gib(place, mode, lambda r: r["client_cpu"] + r["emulator_cpu"])
            print(f"| {f'{place}: {mode}':<{cpu_width}} | {spread(client_cpu, '.2f'):>22} | "
                  f"{spread(emulator_cpu, '.2f'):>22} | {spread(total, '.2f'):>22} |")  # fmt: skip
    print()
    print("discard: a bare streaming GET that throws the bytes away (the network alone: the target's baseline);")
    print("bare: the same GET writing each chunk to a file (bare_fsync: plus an fsync at the end, on disk);")
    print("openai_stream: plain openai (retrieve, then output.url streamed to a file with openai.DefaultHttpxClient);")
    print("content_stream: with_streaming_response.download_content(...).iter_bytes() to a file;")
    print("download_content: openai-style download_content(...).write_to_file() (it holds the whole body);")
    print(
        "CPU-bound ceiling: discard's CPU per GiB / download's (client + emulator): the ratio once the cores are full"
    )
    missed = [name for name, *_, ok in rows if not ok]
    if missed and not args.quick:
        print(f"target missed: {', '.join(missed)}")
        return 1
    return 0


_MODES: dict[str, tuple[str, ...]] = {
    "tmpfs": ("discard", "discard_async", "bare", "openai_stream", "content_stream", "download", "download_async"),
    "disk": ("discard", "discard_async", "bare_fsync", "download", "download_async"),
}
# (ours, baseline, target): the target is against the bare read that discards (issue 12, target 5).
_ROWS: dict[str, tuple[tuple[str, str, float | None], ...]] = {
    "tmpfs": (
        ("download", "discard", 0.9),
        ("download_async", "discard_async", 0.9),
        ("download_async", "discard", None),
        ("discard_async", "discard", None),
        ("bare", "discard", None),
        ("download", "bare", None),
        ("openai_stream", "discard", None),
        ("download", "openai_stream", None),
        ("content_stream", "discard", None),
    ),
    "disk": (
        ("download", "discard", 0.9),
        ("download_async", "discard_async", 0.9),
        ("bare_fsync", "discard", None),
        ("download", "bare_fsync", None),
    ),
}


if __name__ == "__main__":
    sys.exit(main())

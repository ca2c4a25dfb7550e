"""Create a video, watch it, download it, and show what it cost.

    python examples/quickstart.py [--model MODEL] [--out video.mp4]

With ``LUMENFALL_API_KEY`` set it talks to Lumenfall (the default model, ``mock-video``, is free;
another ``--model`` spends money). Without it, it starts the built-in local emulator
(``lumenfall_openai.testing.LumenfallEmulator``, needs the ``[emulator]`` extra) and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Generator
from pathlib import Path

from lumenfall_openai import Lumenfall, PollProgress


@contextlib.contextmanager
def lumenfall_client() -> Generator[Lumenfall, None, None]:
    if os.environ.get("LUMENFALL_API_KEY"):
        print(f"Using Lumenfall at {os.environ.get('LUMENFALL_BASE_URL', 'https://api.lumenfall.ai/openai/v1')}")
        with Lumenfall() as client:
            yield client
        return
    from lumenfall_openai.testing import LumenfallEmulator

    emulator = LumenfallEmulator()
    with emulator.serve() as base_url:
        print(f"No LUMENFALL_API_KEY set: running against the built-in local emulator at {base_url}")
        print("(nothing leaves this machine and nothing is billed; set LUMENFALL_API_KEY to use Lumenfall)")
        with Lumenfall(api_key="lmnfl_emulator.local", base_url=base_url) as client:
            yield client


def show(progress: PollProgress) -> None:
    meta = progress.video.metadata
    if meta.cost is not None:
        cost_text = f", cost ${meta.cost:.2f}"
    elif meta.cost_estimate is not None:
        cost_text = f", estimate ${meta.cost_estimate:.2f}"
    else:
        cost_text = ""
    print(f"  {progress.elapsed:5.1f}s  {progress.status}{cost_text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create, watch and download one video.")
    parser.add_argument(
        "--model",
        help="model slug (default: mock-video, which is free, on Lumenfall; sora-2 on the emulator, "
        "where nothing is billed, to show estimates and costs)",
    )
    parser.add_argument("--prompt", default="A capybara lounging in a hot spring, steam rising gently")
    parser.add_argument("--seconds", default="4")
    parser.add_argument("--out", type=Path, default=Path("quickstart.mp4"))
    args = parser.parse_args(argv)

    with lumenfall_client() as client:
        emulated = not os.environ.get("LUMENFALL_API_KEY")
        model = args.model or ("sora-2" if emulated else "mock-video")
        video = client.videos.create(model=model, prompt=args.prompt, seconds=args.seconds)
        print(f"Created {video.id} ({video.status}); waiting for it:")
        video = client.videos.poll(video.id, timeout=600, on_progress=show)
        if video.status != "completed" or video.output is None:
            error = video.error
            print(f"Video {video.id} failed: {error.code if error else '?'}: {error.message if error else ''}")
            return 3
        # Streams to a temporary file and renames it into place once the size is verified.
        path = client.videos.download(video, args.out)
        meta = video.metadata
        print(f"Saved {path} ({path.stat().st_size:,} bytes, {video.output.content_type})")
        print(f"Ran on {meta.executed_model or meta.provider or '?'}; cost {meta.cost} {meta.cost_currency or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

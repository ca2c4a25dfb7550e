"""Regenerate ``lumenfall_openai/testing/media/sample.mp4``, the emulator's video output.

Run once by hand (``.venv/bin/python scripts/make_sample_mp4.py``) and commit the result: the
emulator only reads the bytes, so PyAV is needed here and never at run time. The file is a real,
playable H.264 MP4 (1 s, 64x64, 10 fps, moov first so players can start before the end) and only
a few KB, so it is cheap to ship in the wheel and to serve many times in tests.
"""

from __future__ import annotations

import pathlib
import tempfile
from fractions import Fraction

import av

OUT = pathlib.Path(__file__).resolve().parent.parent / "lumenfall_openai" / "testing" / "media" / "sample.mp4"
WIDTH = HEIGHT = 64
FPS = 10
SECONDS = 1


def _frame_rgb(index: int) -> bytes:
    # A diagonal gradient that slides each frame, so the clip visibly moves when played.
    rows: list[bytes] = []
    for y in range(HEIGHT):
        row = bytearray()
        for x in range(WIDTH):
            v = (x + y + index * 6) % 128 * 2
            row += bytes((v, 255 - v, (x * 4) % 256))
        rows.append(bytes(row))
    return b"".join(rows)


def render() -> bytes:
    # faststart rewrites the file to move moov first, which needs a real file, not a BytesIO.
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "sample.mp4"
        _encode(str(path))
        return path.read_bytes()


def _encode(path: str) -> None:
    # bitexact leaves out the encoder version tag, so reruns give the same bytes.
    options = {"movflags": "faststart", "fflags": "+bitexact"}
    with av.open(path, mode="w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width = WIDTH
        stream.height = HEIGHT
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.options = {"crf": "30", "preset": "veryslow", "tune": "animation"}
        for i in range(FPS * SECONDS):
            frame = av.VideoFrame(WIDTH, HEIGHT, "rgb24")
            frame.planes[0].update(_frame_rgb(i))
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def main() -> None:
    data = render()
    OUT.write_bytes(data)
    with av.open(str(OUT)) as check:
        frames = sum(1 for _ in check.decode(video=0))
    print(f"wrote {OUT} ({len(data)} bytes, {frames} frames)")


if __name__ == "__main__":
    main()

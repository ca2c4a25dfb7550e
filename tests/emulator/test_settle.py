"""Billing happens exactly once per completed job, in clock order, however many jobs are in flight."""

from __future__ import annotations

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator


def test_many_jobs_settle_in_clock_order(api: http.Client, emulator: LumenfallEmulator) -> None:
    start = emulator.balance
    assert start is not None
    # Job i runs i seconds (after the 2 s queue) and costs i cents; every 7th is cancelled.
    ids: dict[int, str] = {}
    for i in range(1, 61):
        prompt = f"p [lumenfall:duration={i}][lumenfall:cost={i / 100}]"
        ids[i] = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": prompt}).json()["id"]
    for i in range(7, 61, 7):
        assert api.delete(f"/openai/v1/videos/{ids[i]}").status_code == 204
    elapsed = 0.0
    for step in (2.5, 3, 10, 0, 20.25, 100):
        emulator.advance(step)
        elapsed += step
        done = [i for i in ids if i % 7 and 2 + i <= elapsed]
        expected = sum(i * 10_000 for i in done)
        assert emulator.billed_micros == expected
        assert round((start - (emulator.balance or 0)) * 1_000_000) == expected
        listing = api.get("/v1/requests", params={"limit": 100, "status": "completed"}).json()
        assert len(listing["data"]) == len(done)

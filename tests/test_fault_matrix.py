"""The fault matrix (issue 8): every fault the emulator injects x every operation, sync and async.

For every cell, right after the faulty call and again once the job's fate is known (the user
resumes the way the error says: the same idempotency key, ``poll(video_id)``, or the download
again):

- jobs: never two jobs for one logical create (``emulator.jobs_created``);
- money: a budget is never exceeded; while a job may exist its estimate stays held or spent; once
  the fate is known the ledger records exactly what the emulator billed and holds nothing;
- files: the destination holds the complete, byte-identical video or nothing, and no temporary
  file is left anywhere in the directory;
- errors: anything raised is an ``openai.OpenAIError`` that carries the ``idempotency_key`` (a
  create) or the ``video_id`` (a wait or a download), so the paid job is never lost.

A wait (``poll``) must ride out every one of these faults: they are all transient (a 404 right
after a create is replication lag within ``not_found_grace``).

One emulator serves the whole module (fast schedule, postpaid so 100 paid jobs fit); each cell
uses its own key and counts by differences, and ends with its job settled, so cells do not mix.
Faults on a create are armed from an httpx request hook at the moment the paid POST goes out
(the emulator's route matcher cannot tell the budget's free dry run from the create).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest

from lumenfall_openai import AsyncLumenfall, DownloadError, Lumenfall, PollPolicy
from lumenfall_openai.testing import Faults, LumenfallEmulator, SyntheticMp4

from .conftest import TEST_KEY
from .hostile import arming_client, async_arming_client

CREATE = "POST /openai/v1/videos"
IMAGES = "POST /openai/v1/images/generations"
READ = "GET /openai/v1/videos/{id}"
MEDIA = "GET /media/{name}"
PRICE = 2_100_000  # the emulator's price of a 10 s sora-2 job, in micros
BUDGET = 3  # USD: room for exactly one such job
SIZE = 150_000
PROMPT = f"a heron at dawn [lumenfall:size_bytes={SIZE}]"
TIMEOUT = 1.5  # every HTTP request's timeout; "slow" delays past it. At 0.5 s, ordinary answers of
# an emulator on a loaded 2-core CI machine (two test legs side by side) timed out now and then.
POLICY = PollPolicy(
    first_interval=0.02, min_interval=0.02, max_interval=0.1, max_error_streak=20.0, not_found_grace=3.0
)


def _not_found(faults: Faults, route: str) -> None:
    if route not in (CREATE, IMAGES):  # a 404 "right after the create" is about reads; the create itself is not lagging
        faults.not_found_next(2, route=route)


FAULTS: dict[str, Callable[[Faults, str], None]] = {
    "5xx-burst": lambda f, route: f.fail_next(3, status=503, code="UPSTREAM_ERROR", route=route),
    "5xx-after-processing": lambda f, route: f.fail_next(1, status=502, route=route, processed=True),
    "drop-at-0": lambda f, route: f.drop_connection_after(0, times=2, route=route),
    "drop-at-1": lambda f, route: f.drop_connection_after(1, times=2, route=route),
    "drop-at-40": lambda f, route: f.drop_connection_after(40, times=2, route=route),
    "drop-at-64KiB": lambda f, route: f.drop_connection_after(65_536, times=2, route=route),
    "truncated": lambda f, route: f.truncate_next(2, route=route),
    "malformed-json": lambda f, route: f.malformed_json_next(2, route=route),
    "slow-past-timeout": lambda f, route: f.delay_next(2 * TIMEOUT, route=route),
    "404-after-create": _not_found,
}

# operation -> (what it calls, routes whose faults it meets, is async, budget, openai's max_retries)
OPERATIONS: dict[str, tuple[str, tuple[str, ...], bool, int | None, int]] = {
    "create": ("create", (CREATE,), False, None, 0),
    "create-async": ("create", (CREATE,), True, None, 0),
    "create+budget": ("create", (CREATE,), False, BUDGET, 0),
    "create+budget-async": ("create", (CREATE,), True, BUDGET, 0),
    "create+budget+retries": ("create", (CREATE,), False, BUDGET, 2),
    "create+budget+retries-async": ("create", (CREATE,), True, BUDGET, 2),
    "retrieve": ("retrieve", (READ,), False, None, 0),
    "retrieve-async": ("retrieve", (READ,), True, None, 0),
    "poll": ("poll", (READ,), False, None, 0),
    "poll-async": ("poll", (READ,), True, None, 0),
    "create_and_poll+budget": ("create_and_poll", (CREATE, READ), False, BUDGET, 0),
    "create_and_poll+budget-async": ("create_and_poll", (CREATE, READ), True, BUDGET, 0),
    "download": ("download", (MEDIA,), False, None, 0),
    "download-async": ("download", (MEDIA,), True, None, 0),
    "download-by-id": ("download_by_id", (READ, MEDIA), False, None, 0),
    "download-by-id-async": ("download_by_id", (READ, MEDIA), True, None, 0),
    "images.generate+budget": ("images", (IMAGES,), False, BUDGET, 0),
    "images.generate+budget-async": ("images", (IMAGES,), True, BUDGET, 0),
    "images.generate+budget+retries": ("images", (IMAGES,), False, BUDGET, 2),
    "images.generate+budget+retries-async": ("images", (IMAGES,), True, BUDGET, 2),
}
# An images cell arms its fault before every paid attempt (so the fault fires on each one, never
# by luck on some): under a budget there must be exactly one, whatever openai's max_retries.
IMAGES_ARMINGS = 3
# Cells where the fault has nothing to act on (a JSON answer is shorter than 64 KiB; a create is
# not a read): they check that the operation is unharmed.
NOTHING_TO_BREAK = {
    ("drop-at-64KiB", CREATE),
    ("drop-at-64KiB", READ),
    ("drop-at-64KiB", IMAGES),
    ("404-after-create", CREATE),
    ("404-after-create", IMAGES),
}
# A media host's self-consistent short 200 (IntegrityError) or its 404 even after a fresh URL
# (the file is gone) end a download at once; every other media fault here is a burst to ride out.
ENDS_A_DOWNLOAD = {"malformed-json", "404-after-create"}

EXPECTED_FILE = hashlib.sha256(SyntheticMp4(SIZE).read()).digest()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[LumenfallEmulator, str]]:
    emulator = LumenfallEmulator(queue_seconds=0.02, run_seconds=0.1, balance=None)
    with emulator.serve() as base_url:
        yield emulator, base_url
    emulator.close()


async def settle(value: Any) -> Any:
    """One body for both twins: await what the async client returns, pass the sync one's result."""
    return await value if inspect.isawaitable(value) else value


def make_client(
    base_url: str,
    is_async: bool,
    budget: int | None,
    retries: int,
    on_paid: Callable[[], None],
    paid_path: str,
    times: int = 1,
) -> Any:
    """A client (``max_retries=0`` lets each fault reach the caller) that calls ``on_paid`` as each
    of the first ``times`` paid requests to a path ending in ``paid_path`` goes out."""
    options: dict[str, Any] = {"api_key": TEST_KEY, "base_url": base_url, "budget": budget, "max_retries": retries}
    if is_async:
        return AsyncLumenfall(**options, timeout=TIMEOUT, http_client=async_arming_client(on_paid, paid_path, times))
    return Lumenfall(**options, timeout=TIMEOUT, http_client=arming_client(on_paid, paid_path, times))


def check_files(directory: Path, complete: bool | None) -> None:
    """The directory holds the complete video or nothing (``complete=None``: either), never a temporary file."""
    names = sorted(p.name for p in directory.iterdir())
    assert names in ([], ["v.mp4"]), names
    if names:
        assert hashlib.sha256((directory / "v.mp4").read_bytes()).digest() == EXPECTED_FILE
    if complete is not None:
        assert bool(names) is complete, names


async def answered(emulator: LumenfallEmulator, since: int) -> list[Any]:
    """The images requests received since ``since``, once the emulator has answered them all: a
    request held past the client's timeout is still processed (and billed) after the call has
    raised, and must be counted in its own cell, not in a later one."""
    for _ in range(400):
        received = [r for r in emulator.requests[since:] if r.route == IMAGES]
        if all(r.status is not None for r in received):
            return received
        await anyio.sleep(0.025)
    raise AssertionError("the emulator never answered an images request")


async def images_cell(client: Any, emulator: LumenfallEmulator, fault: str, events_before: int) -> None:
    """Images have no job to ask about later: their fate is known when the call returns or raises.
    The money recorded is then never below what the emulator billed, and nothing stays reserved.
    Under a budget a paid images POST is sent once (openai's retries are off for it): every
    attempt that may have reached the server may have been billed, with no idempotency key."""
    since = len(emulator.requests)
    billed_before = emulator.billed_micros
    error: BaseException | None = None
    try:
        await settle(client.images.generate(model="flux-1.1-pro", prompt=f"matrix {fault}"))
    except Exception as raised:
        error = raised
    received = await answered(emulator, since)
    emulator.faults.clear()
    assert emulator.faults.events[events_before:] or (fault, IMAGES) in NOTHING_TO_BREAK, "the fault never fired"
    assert error is None or isinstance(error, openai.OpenAIError), repr(error)
    paid = [r for r in received if "dryRun" not in r.query]
    assert len(paid) == 1, [(r.query, r.status) for r in received]
    billed = emulator.billed_micros - billed_before
    ledger = client.ledger
    assert ledger.reserved_micros == 0
    assert billed <= ledger.total_micros <= BUDGET * 1_000_000, (billed, ledger.total_micros, repr(error))


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_fault_matrix(served: tuple[LumenfallEmulator, str], operation: str, fault: str, tmp_path: Path) -> None:
    emulator, base_url = served
    kind, routes, is_async, budget, retries = OPERATIONS[operation]
    key = f"matrix-{operation}-{fault}"
    args: dict[str, Any] = {"model": "sora-2", "prompt": PROMPT, "seconds": 10, "idempotency_key": key}
    dest = tmp_path / "v.mp4"

    def arm() -> None:
        for route in routes:
            FAULTS[fault](emulator.faults, route)

    emulator.faults.clear()
    events_before = len(emulator.faults.events)
    jobs_before, billed_before = emulator.jobs_created, emulator.billed_micros
    creates = kind in ("create", "create_and_poll")
    paid_path = "/images/generations" if kind == "images" else "/videos"

    async def main() -> None:
        client = make_client(
            base_url,
            is_async,
            budget,
            retries,
            arm if creates or kind == "images" else lambda: None,
            paid_path,
            IMAGES_ARMINGS if kind == "images" else 1,
        )
        ledger = client.ledger
        try:
            known_id: str | None = None
            video: Any = None
            if kind == "images":
                return await images_cell(client, emulator, fault, events_before)
            if not creates:  # the job already exists (and finished) before the faults begin
                video = await settle(client.videos.create_and_poll(**args, poll_policy=POLICY))
                known_id = video.id
                arm()
            error: BaseException | None = None
            try:
                if kind == "create":
                    await settle(client.videos.create(**args))
                elif kind == "create_and_poll":
                    await settle(client.videos.create_and_poll(**args, poll_policy=POLICY))
                elif kind == "retrieve":
                    assert (await settle(client.videos.retrieve(video.id))).id == video.id
                elif kind == "poll":
                    await settle(client.videos.poll(video.id, poll_policy=POLICY))
                elif kind == "download":  # a completed Video: straight to the media host
                    await settle(client.videos.download(video, dest))
                else:
                    await settle(client.videos.download(video.id, dest))
            except Exception as raised:
                error = raised
            emulator.faults.clear()
            fired = emulator.faults.events[events_before:]
            assert fired or all((fault, route) in NOTHING_TO_BREAK for route in routes), "the fault never fired"

            # Right after the fault: at most one job, money held for it, the file whole or absent.
            jobs = emulator.jobs_created - jobs_before
            assert jobs <= 1
            held = ledger.reserved_micros + ledger.total_micros
            if budget is not None:
                assert held <= budget * 1_000_000
                assert jobs == 0 or held == PRICE  # a job that may exist keeps its money
            if error is not None:
                assert isinstance(error, openai.OpenAIError), repr(error)
                if kind == "create":
                    assert getattr(error, "idempotency_key", None) == key, repr(error)
                    if getattr(error, "job_may_exist", False):  # the message says how to get the job back
                        assert f"idempotency_key={key!r}" in str(error), str(error)
                elif kind not in ("create_and_poll", "retrieve"):  # a plain retrieve is not a wait
                    assert getattr(error, "video_id", None) == known_id, repr(error)
            if kind == "poll" or (kind == "download" and fault not in ENDS_A_DOWNLOAD):
                assert error is None, f"{kind} must ride out {fault}: {error!r}"  # transient: waited through
            downloads = kind.startswith("download")
            if downloads:
                assert error is None or isinstance(error, DownloadError), repr(error)
            check_files(tmp_path, (error is None) if downloads else False)

            # The fate, reached the way the error (or the result) says.
            if creates:
                final = await settle(client.videos.create_and_poll(**args, poll_policy=POLICY))
            else:
                assert known_id is not None
                final = await settle(client.videos.poll(known_id, poll_policy=POLICY))
                if downloads:
                    await settle(client.videos.download(known_id, dest))
                    check_files(tmp_path, True)
            assert final.status == "completed"
            if error is not None and kind == "create_and_poll":  # the create failed (key) or the wait did (id)
                carried = (getattr(error, "idempotency_key", None), getattr(error, "video_id", None))
                assert carried[0] == key or carried[1] == final.id, repr(error)
            assert emulator.jobs_created - jobs_before == 1  # one logical create, one job
            billed = emulator.billed_micros - billed_before
            assert billed == PRICE
            assert (ledger.reserved_micros, ledger.total_micros) == (0, billed)
        finally:
            await settle(client.close())

    anyio.run(main)

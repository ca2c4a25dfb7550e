"""Cost estimates, the ledger and budgets: against the emulator over real HTTP on loopback."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import os
import pickle
import threading
import tracemalloc
from decimal import Decimal
from typing import Any

import anyio
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, BudgetExceededError, CostLedger, LedgerEntry, Lumenfall, _money
from lumenfall_openai._compat import http
from lumenfall_openai._money import _to_micros, format_money, micros_to_decimal, to_micros
from lumenfall_openai.testing import LumenfallEmulator
from lumenfall_openai.types import CostEstimate, Video

from .conftest import TEST_KEY

CREATE = "POST /openai/v1/videos"


def creates(emulator: LumenfallEmulator) -> list[Any]:
    """Paid create requests the emulator received (dry runs excluded)."""
    return [r for r in emulator.requests if r.route == CREATE and r.query.get("dryRun") != "true"]


def dry_runs(emulator: LumenfallEmulator) -> list[Any]:
    return [r for r in emulator.requests if r.query.get("dryRun") == "true"]


# -- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "micros"),
    [
        (0.21, 210_000),
        (2.1, 2_100_000),
        (1, 1_000_000),
        ("0.04", 40_000),
        (Decimal("12.345678"), 12_345_678),
        (0.0000005, 0),  # half to even at the micro
        (0.0000015, 2),
        (-0.5, -500_000),
        (1e-7, 0),
    ],
)
def test_to_micros_converts_once_through_the_decimal_form(value: object, micros: int) -> None:
    assert to_micros(value) == micros


@pytest.mark.parametrize("value", [None, True, float("nan"), float("inf"), "abc", "", [], {}, "1e400", 10**20])
def test_to_micros_refuses_what_is_not_a_cost(value: object) -> None:
    assert to_micros(value) is None


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_remembered_float_costs_convert_exactly_as_the_decimal_form(costs: list[float]) -> None:
    # to_micros remembers float conversions (the hot path of every images response): a value seen
    # before, a cache emptied when full, NaN, inf and -0.0 all read exactly as the uncached rule.
    for cost in costs + costs[::-1]:
        expected = _to_micros(Decimal(str(cost))) if math.isfinite(cost) else None
        assert to_micros(cost) == _to_micros(cost) == expected


def test_the_remembered_conversions_stay_bounded() -> None:
    for i in range(_money._FLOAT_MICROS_MAX + 10):
        assert to_micros(i / 7) == _to_micros(i / 7)
    assert len(_money._FLOAT_MICROS) <= _money._FLOAT_MICROS_MAX


def test_entries_without_an_id_of_their_own_get_distinct_keys() -> None:
    ledger, other = CostLedger(), CostLedger()
    keys = {ledger.record(0.01, kind="image").key for _ in range(500)}  # type: ignore[union-attr]
    keys |= {other.record(0.01).key for _ in range(500)}  # type: ignore[union-attr]
    assert len(keys) == 1000 and ledger.total_micros == other.total_micros == 5_000_000
    assert all(k.split(":")[0] in ("image", "other") and len(k.split(":")[1]) == 32 for k in keys)


def test_recorded_entries_are_the_dataclass_as_its_constructor_makes_it() -> None:
    # The ledger sets a new entry's slots directly (speed): same fields, equal, hashable, replaceable.
    ledger = CostLedger()
    entry = ledger.record(0.5, kind="image", model="m", provider="p", user="u")
    assert entry is not None
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(LedgerEntry)}
    assert entry == LedgerEntry(**fields) and hash(entry) == hash(LedgerEntry(**fields))
    assert dataclasses.asdict(entry) == fields
    assert dataclasses.replace(entry, cost_micros=1).cost_micros == 1 and entry.cost == 0.5
    assert pickle.loads(pickle.dumps(entry)) == entry
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.cost_micros = 0  # type: ignore[misc]
    assert not hasattr(entry, "__dict__")  # slots: what a ledger keeps per entry stays small


def test_entries_share_their_texts_and_stay_small() -> None:
    """A ledger keeps every entry: 1,000 images answers, each parsed into its own strings, add
    about 300 bytes each (slots, shared texts), not the ~740 they took with a __dict__ and a copy
    of every text."""
    ledger = CostLedger()
    for _ in range(50):  # the shared texts and the lists' first growth, before measuring
        ledger.record(0.04, kind="image", model="gpt-image-1", provider="openai", user="u-1", currency="usd")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(1000):
            # new string objects each time, as json.loads makes them for every answer
            model, provider, user = "".join(["gpt-image-", "1"]), "".join(["open", "ai"]), f"u-{i % 2}"
            ledger.record(0.04 + i * 1e-6, kind="image", model=model, provider=provider, user=user, currency="usd")
        grown = (tracemalloc.get_traced_memory()[0] - before) / 1000
    finally:
        tracemalloc.stop()
    entries = ledger.entries()
    assert len({id(e.model) for e in entries}) == 1  # one "gpt-image-1" for every entry
    assert len({id(e.user) for e in entries[50:]}) == 2  # "u-0" and "u-1"
    assert {e.currency for e in entries} == {"USD"}
    assert grown < 400, f"{grown:.0f} bytes per entry"


def test_float_sums_drift_but_micros_do_not() -> None:
    assert sum([0.1] * 1000) != 100.0
    assert sum(to_micros(0.1) or 0 for _ in range(1000)) == 100_000_000


def test_money_formatting() -> None:
    assert format_money(2_100_000, "USD") == "$2.10"
    assert format_money(4_200, "usd") == "$0.0042"
    assert format_money(-1_500_000, "EUR") == "-1.50 EUR"
    assert micros_to_decimal(2_100_000) == Decimal("2.1")


def test_cost_estimate_conveniences_come_from_the_micros() -> None:
    estimate = CostEstimate.construct(
        **{
            "estimated": True,
            "model": "sora-2",
            "provider": "openai",
            "total_cost_micros": 2100000,
            "currency": "USD",
            "components": [
                {
                    "type": "output",
                    "metric": "second",
                    "quantity": 10,
                    "billable_quantity": 10,
                    "unit_price": 0.21,
                    "total_cost": 2100000,
                },
            ],
        }
    )
    assert estimate.total_cost == 2.1 and estimate.total_cost_decimal == Decimal("2.1")
    (component,) = estimate.components
    assert component.amount == 2.1 and component.total_cost_micros == 2_100_000
    with pytest.deprecated_call():  # the old name of the micros field still reads, with a warning
        assert component.total_cost == 2_100_000
    assert isinstance(component.quantity, float) and component.unit_price == 0.21
    assert str(estimate) == "$2.10 (sora-2 via openai, estimated)"


# -- estimates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "seconds", "size", "n"),
    [("sora-2", 10, "1920x1080", 1), ("kling-v3", 5, "16:9", 2), ("wan-2.6", "15", "1280x720", 1)],
)
def test_estimate_matches_the_later_effective_cost(
    client: Lumenfall, emulator: LumenfallEmulator, model: str, seconds: int | str, size: str, n: int
) -> None:
    args: dict[str, Any] = {"model": model, "prompt": "a heron at dawn", "seconds": seconds, "size": size, "n": n}
    estimate = client.videos.estimate(**args)
    assert estimate.estimated is True and estimate.model == model
    assert sum(c.total_cost_micros for c in estimate.components) == estimate.total_cost_micros
    assert creates(emulator) == []  # nothing ran
    video = client.videos.create_and_poll(**args)
    assert video.status == "completed"
    assert to_micros(video.metadata.cost) == estimate.total_cost_micros
    assert video.metadata.cost_currency == estimate.currency


def test_sora_estimate_reproduces_lumenfalls_documented_example(client: Lumenfall) -> None:
    estimate = client.videos.estimate(model="sora-2", prompt="x", seconds=10)
    assert (estimate.total_cost_micros, estimate.currency, estimate.total_cost) == (2_100_000, "USD", 2.1)
    assert estimate.components[0].unit_price == 0.21


def test_estimate_sends_what_create_would_minus_the_idempotency_key(
    client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    args: dict[str, Any] = {
        "model": "sora-2", "prompt": "p", "seconds": 8, "size": "16:9", "user": "alice",
        "input_reference": {"image_url": "https://example.com/a.png"}, "idempotency_key": "job-42",
    }  # fmt: skip
    client.videos.estimate(**args)
    dry = emulator.last_request(CREATE)
    assert dry.query == {"dryRun": "true"}
    client.videos.create(**args)
    real = emulator.last_request(CREATE)
    assert real.json["idempotency_key"] == "job-42"
    assert {k: v for k, v in real.json.items() if k != "idempotency_key"} == dry.json
    # The estimate did not claim the key: the create made a new job (202), not a replay.
    assert real.status == 202 and len(emulator.video_ids) == 1


def test_estimate_of_a_multipart_create_uploads_the_same_file(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    client.videos.estimate(model="mock-video", prompt="p", input_reference=("ref.png", b"\x89PNG....", "image/png"))
    dry = emulator.last_request(CREATE)
    assert dry.query == {"dryRun": "true"} and len(dry.files) == 1 and dry.files[0].size == 8
    assert "idempotency_key" not in (dry.form or {})


def test_images_estimate_matches_the_effective_cost(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    estimate = client.images.estimate(model="flux-1.1-pro", prompt="a lighthouse", n=3, size="16:9")
    assert isinstance(estimate, CostEstimate)
    dry = emulator.last_request("POST /openai/v1/images/generations")
    response = client.images.generate(model="flux-1.1-pro", prompt="a lighthouse", n=3, size="16:9")
    real = emulator.last_request("POST /openai/v1/images/generations")
    assert dry.json == real.json and dry.query == {"dryRun": "true"}
    assert to_micros(response.metadata.cost) == estimate.total_cost_micros == 120_000


def test_an_estimate_is_refused_like_the_create_would_be(client: Lumenfall) -> None:
    with pytest.raises(openai.NotFoundError, match="Did you mean"):
        client.videos.estimate(model="sora2", prompt="p")


# -- the ledger ------------------------------------------------------------------------------------


def test_ledger_records_each_video_once_however_often_retrieved(base_url: str) -> None:
    ledger = CostLedger()
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, ledger=ledger)
    video = client.videos.create_and_poll(model="sora-2", prompt="p", seconds=4, user="team-a")
    for _ in range(3):
        client.videos.retrieve(video.id)
    client.with_raw_response.videos.retrieve(video.id).parse()
    (entry,) = ledger.entries()
    assert entry.key == f"video:{video.id}" and entry.kind == "video"
    assert (entry.cost_micros, entry.currency, entry.model, entry.provider) == (840_000, "USD", "sora-2", "openai")
    assert entry.user == "team-a"  # the create's `user` field is the tag
    assert entry.executed_model == "openai/sora-2"
    assert ledger.total_micros == 840_000 and ledger.total == 0.84
    assert ledger.by_user() == {"team-a": 840_000} and ledger.by_provider() == {"openai": 840_000}


def test_failed_and_running_videos_cost_nothing(client: Lumenfall, base_url: str) -> None:
    ledger = CostLedger()
    tracked = client.with_options(ledger=ledger)
    running = tracked.videos.create(model="mock-video", prompt="p [lumenfall:duration=30]")
    failed = tracked.videos.create_and_poll(model="mock-video-fail", prompt="p")
    assert failed.status == "failed"
    tracked.videos.retrieve(running.id)
    assert ledger.entries() == [] and ledger.total_micros == 0


def test_copies_share_the_ledger_and_sub_budgets_roll_up(base_url: str) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, ledger=CostLedger())
    assert client.ledger is not None
    assert client.with_options(timeout=5).ledger is client.ledger
    assert client.copy(max_retries=0).ledger is client.ledger
    batch = client.with_budget("1.00")
    assert batch.ledger is not None and batch.ledger.parent is client.ledger and batch.ledger.budget == 1.0
    assert batch.with_options(timeout=9).ledger is batch.ledger
    batch.images.generate(model="gpt-image-1", prompt="p")
    client.images.generate(model="gpt-image-1", prompt="p")
    assert batch.ledger.total_micros == 40_000
    assert client.ledger.total_micros == 80_000
    # Every client has a ledger (no budget unless asked); a copy with ledger=None gets a new one.
    fresh = Lumenfall(api_key=TEST_KEY, base_url=base_url)
    assert isinstance(fresh.ledger, CostLedger) and fresh.ledger.budget is None and fresh.ledger.total_micros == 0
    assert fresh.with_options(ledger=None).ledger is not fresh.ledger


def test_a_job_created_under_a_sub_budget_settles_there_whoever_polls_it(base_url: str) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, ledger=CostLedger())
    batch = client.with_budget(5)
    assert batch.ledger is not None and client.ledger is not None
    video = batch.videos.create(model="sora-2", prompt="p", seconds=4, user="batch-7")
    assert (batch.ledger.reserved_micros, client.ledger.reserved_micros) == (840_000, 840_000)
    client.videos.poll(video.id)  # polled through the parent client
    assert (batch.ledger.reserved_micros, client.ledger.reserved_micros) == (0, 0)
    assert batch.ledger.by_user() == client.ledger.by_user() == {"batch-7": 840_000}


def test_images_responses_are_recorded_with_their_tag(client: Lumenfall) -> None:
    ledger = CostLedger()
    tracked = client.with_options(ledger=ledger)
    tracked.images.generate(model="flux-1.1-pro", prompt="p", user="bob")
    tracked.with_raw_response.images.generate(model="gpt-image-1", prompt="p", n=2).parse()
    tracked.images.generate(model="mock-image", prompt="p [lumenfall:cost=0.013]")
    assert ledger.by_model() == {"flux-1.1-pro": 40_000, "gpt-image-1": 80_000, "mock-image": 13_000}
    assert ledger.by_user() == {"bob": 40_000, None: 93_000}
    assert ledger.totals("kind") == {"image": 133_000}


def test_a_thousand_concurrent_async_calls_add_up_exactly(base_url: str, emulator: LumenfallEmulator) -> None:
    ledger = CostLedger()
    calls = 1000

    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, ledger=ledger) as client:
            limiter = anyio.CapacityLimiter(200)

            async def one(i: int) -> None:
                async with limiter:
                    await client.images.generate(
                        model="mock-image", prompt="p [lumenfall:cost=0.1]", user=f"team-{i % 3}"
                    )

            async with anyio.create_task_group() as tg:
                for i in range(calls):
                    tg.start_soon(one, i)

    anyio.run(main)
    assert len(ledger) == calls
    assert ledger.total_micros == 100_000_000  # float addition of 1000 x 0.1 gives 99.9999999999986
    assert ledger.total_decimal == Decimal(100)
    assert ledger.by_user() == {"team-0": 33_400_000, "team-1": 33_300_000, "team-2": 33_300_000}
    # And it agrees with Lumenfall's own request history.
    assert emulator.balance == pytest.approx(100.0 - 100.0)


def test_ledger_is_thread_safe() -> None:
    ledger = CostLedger()

    def record(i: int) -> None:
        for j in range(200):
            ledger.record(0.000_001 * (j % 7), user=f"u{i % 4}", model="m")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(record, range(16)))
    assert len(ledger) == 16 * 200
    assert ledger.total_micros == 16 * sum(j % 7 for j in range(200))


def test_manual_record_and_keys() -> None:
    ledger = CostLedger()
    assert ledger.record(0.5, key="invoice-1") is not None
    assert ledger.record(0.5, key="invoice-1") is None  # a key counts once
    assert ledger.record(float("nan")) is None
    assert ledger.record("1.25", currency="eur") is not None
    assert ledger.total_micros == 500_000
    assert ledger.totals_by_currency() == {"USD": 500_000, "EUR": 1_250_000}
    assert ledger.totals("model", currency="EUR") == {None: 1_250_000}


# -- budgets ---------------------------------------------------------------------------------------


def test_budget_refuses_the_job_that_would_overrun_it_and_sends_nothing(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=3)
    first = client.videos.create(model="sora-2", prompt="p", seconds=10)  # $2.10
    assert client.ledger is not None and client.ledger.remaining_micros == 900_000
    assert len(creates(emulator)) == 1
    with pytest.raises(BudgetExceededError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10)
    error = info.value
    assert error.estimate is not None and error.estimate.total_cost_micros == 2_100_000
    assert (error.remaining_micros, error.remaining, error.budget) == (900_000, 0.9, 3.0)
    assert "Nothing was sent" in str(error) and "$0.90" in str(error)
    assert len(creates(emulator)) == 1  # the refused job never reached Lumenfall
    assert len(dry_runs(emulator)) == 2
    # A cheaper job still fits; the finished first job settles at its real cost.
    client.videos.create(model="sora-2", prompt="p", seconds=4)  # $0.84
    client.videos.poll(first.id)
    assert client.ledger.total_micros == 2_100_000


def test_the_real_cost_replaces_the_reservation(base_url: str) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=5)
    ledger = client.ledger
    assert ledger is not None
    video = client.videos.create(model="sora-2", prompt="p [lumenfall:cost=1.5]", seconds=10)
    assert (ledger.reserved_micros, ledger.total_micros) == (2_100_000, 0)
    client.videos.poll(video.id)
    assert (ledger.reserved_micros, ledger.total_micros, ledger.remaining_micros) == (0, 1_500_000, 3_500_000)


def test_failed_and_rejected_jobs_release_their_reservation(base_url: str, emulator: LumenfallEmulator) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=1)
    ledger = client.ledger
    assert ledger is not None
    emulator.fail_next_job()
    failed = client.videos.create_and_poll(model="kling-v3", prompt="p", seconds=5)  # $0.56
    assert failed.status == "failed" and ledger.reserved_micros == 0
    emulator.reject_next_create("CONTENT_POLICY_VIOLATION")
    with pytest.raises(openai.BadRequestError):
        client.videos.create(model="kling-v3", prompt="p", seconds=5)
    assert ledger.reserved_micros == 0 and ledger.remaining_micros == 1_000_000
    cancelled = client.videos.create(model="kling-v3", prompt="p [lumenfall:duration=30]", seconds=5)
    client.videos.cancel(cancelled.id)
    assert client.videos.retrieve(cancelled.id).status == "failed"
    assert ledger.reserved_micros == 0 and ledger.total_micros == 0


def test_a_lost_create_response_keeps_its_reservation_for_the_retry(base_url: str, emulator: LumenfallEmulator) -> None:
    transport = LoseNextCreateResponse()
    client = Lumenfall(
        api_key=TEST_KEY, base_url=base_url, budget=3, max_retries=0, http_client=http.Client(transport=transport)
    )
    ledger = client.ledger
    assert ledger is not None
    transport.armed = True
    with pytest.raises(openai.APIConnectionError):
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="job-1")
    # The job may exist (it does here): its $2.10 stays reserved, so a second job cannot overbook.
    assert ledger.reserved_micros == 2_100_000
    with pytest.raises(BudgetExceededError):
        client.videos.create(model="sora-2", prompt="other", seconds=10, idempotency_key="job-2")
    # The retry with the same key reuses the reservation (no second estimate) and gets the job.
    dry_before = len(dry_runs(emulator))
    video = client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="job-1")
    assert len(dry_runs(emulator)) == dry_before and len(emulator.video_ids) == 1
    client.videos.poll(video.id)
    assert (ledger.reserved_micros, ledger.total_micros) == (0, 2_100_000)


class LoseNextCreateResponse(http.HTTPTransport):
    """Sends the request for real, then loses the answer of the next paid create."""

    armed = False

    def handle_request(self, request: http.Request) -> http.Response:
        response = super().handle_request(request)
        paid_create = request.method == "POST" and request.url.path.endswith("/videos")
        if self.armed and paid_create and "dryRun" not in request.url.params:
            self.armed = False
            response.close()
            raise http.ReadError("connection reset by peer", request=request)
        return response


def test_concurrent_async_creates_cannot_both_pass_a_budget_that_fits_one(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    outcomes: list[str] = []

    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, budget="2.50") as client:

            async def one() -> None:
                try:
                    await client.videos.create(model="sora-2", prompt="p", seconds=10)  # $2.10 each
                    outcomes.append("created")
                except BudgetExceededError:
                    outcomes.append("refused")

            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(one)

    anyio.run(main)
    assert sorted(outcomes) == ["created"] + ["refused"] * 19
    assert len(creates(emulator)) == 1 and len(emulator.video_ids) == 1


def test_concurrent_threads_cannot_overbook_either(base_url: str, emulator: LumenfallEmulator) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=5)  # fits 5 jobs of $0.84
    barrier = threading.Barrier(12)

    def one(_: int) -> str:
        barrier.wait()
        try:
            client.videos.create(model="sora-2", prompt="p", seconds=4)
        except BudgetExceededError:
            return "refused"
        return "created"

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        results = list(pool.map(one, range(12)))
    assert results.count("created") == 5 and len(creates(emulator)) == 5


def test_images_respect_the_budget(base_url: str, emulator: LumenfallEmulator) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget="0.10")
    client.images.generate(model="flux-1.1-pro", prompt="p", n=2)  # $0.08
    with pytest.raises(BudgetExceededError, match=r"images\.generate"):
        client.images.generate(model="flux-1.1-pro", prompt="p", n=1)
    generations = [r for r in emulator.requests if r.route == "POST /openai/v1/images/generations"]
    assert [r.query.get("dryRun") for r in generations] == ["true", None, "true"]
    assert client.ledger is not None and client.ledger.total_micros == 80_000
    assert client.ledger.reserved_micros == 0


def test_budgeted_edit_uploads_the_same_bytes_twice(base_url: str, emulator: LumenfallEmulator, tmp_path: Any) -> None:
    image = tmp_path / "in.png"
    image.write_bytes(b"\x89PNG" + b"0" * 96)
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=1)
    with image.open("rb") as handle:
        response = client.images.edit(model="gpt-image-1", prompt="brighter", image=handle)
    assert response.metadata.cost == 0.04
    edits = [r for r in emulator.requests if r.route == "POST /openai/v1/images/edits"]
    assert [r.query.get("dryRun") for r in edits] == ["true", None]
    assert [f.size for r in edits for f in r.files] == [100, 100]


def test_budget_must_be_money() -> None:
    with pytest.raises(ValueError, match="non-negative amount"):
        CostLedger(budget=-1)
    with pytest.raises(ValueError, match="non-negative amount"):
        Lumenfall(api_key=TEST_KEY, budget="lots")


def test_a_video_created_through_the_ledger_is_a_video(client: Lumenfall) -> None:
    tracked = client.with_options(ledger=CostLedger())
    video = tracked.videos.create(model="mock-video", prompt="p")
    assert isinstance(video, Video)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_processes_never_make_the_same_entry_keys() -> None:
    """Keys count up from a random base: a forked child (a multiprocessing pool worker) draws a
    base of its own, so ledgers of workers merged by key keep every entry."""
    from lumenfall_openai.costs import _auto_key  # pyright: ignore[reportPrivateUsage]

    keys: list[str] = []
    for _ in range(3):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its next key, then out without running the parent's cleanup
            os.write(write, _auto_key("image").encode())
            os._exit(0)
        os.close(write)
        keys.append(os.read(read, 100).decode())
        os.close(read)
        os.waitpid(pid, 0)
    keys.append(_auto_key("image"))
    assert len(set(keys)) == 4 and all(len(k) == len("image:") + 32 for k in keys)

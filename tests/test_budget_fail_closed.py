"""Budgets and paid jobs fail closed, whatever the server answers (issue 8, items 1, 2 and 7).

Principles, not examples: a budget is never exceeded; an estimate that is not a non-negative
integer refuses the create before anything is paid; spend never decreases; an outcome that may
have started a job keeps its reservation and its error carries the idempotency key; calls that
share a key are one job and one reservation.

Hostile estimate and video bodies come from a small mock transport (``Recorder``: one request's
shape is the point, and hypothesis needs hundreds of bodies); lost answers, garbled bodies, 5xx
and timeouts come from the real emulator's faults over real HTTP on loopback, armed from an
httpx request hook at the moment the paid request (not its dry run) goes out.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import threading
from collections.abc import Callable
from typing import Any

import anyio
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, BudgetExceededError, CostLedger, Lumenfall
from lumenfall_openai._compat import http
from lumenfall_openai._money import MAX_MICROS, to_micros
from lumenfall_openai.errors import BudgetError, ResponseParseError, UnusableEstimateError
from lumenfall_openai.testing import LumenfallEmulator

from .conftest import TEST_KEY, Recorder
from .hostile import JSON, arming_client, async_arming_client
from .hostile import is_paid as _paid

CREATE_ROUTE = "POST /openai/v1/videos"
FAKE_BASE = "http://lumenfall.test/openai/v1"
SORA_10S = 2_100_000  # the emulator's price of sora-2 for 10 s

MISSING = object()
HYPOTHESIS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def paid_creates(emulator: LumenfallEmulator) -> list[Any]:
    return [r for r in emulator.requests if r.route == CREATE_ROUTE and r.query.get("dryRun") != "true"]


def usable_micros(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_MICROS


# -- hostile estimates (mock transport) -------------------------------------------------------------


def _estimate_body(micros: object = SORA_10S, currency: object = "USD") -> dict[str, Any]:
    body: dict[str, Any] = {"estimated": True, "model": "sora-2", "provider": "openai", "components": []}
    if micros is not MISSING:
        body["total_cost_micros"] = micros
    if currency is not MISSING:
        body["currency"] = currency
    return body


def _queued(video_id: str = "video_1") -> dict[str, Any]:
    return {"id": video_id, "object": "video", "status": "queued", "model": "sora-2", "created_at": 1}


def fake_lumenfall(estimate: Callable[[], http.Response], video: Callable[[], http.Response]) -> Recorder:
    def answer(request: http.Request) -> http.Response:
        if request.method == "POST" and "dryRun" in request.url.params:
            return estimate()
        if request.method == "POST":
            return http.Response(202, json=_queued())
        return video()

    return Recorder(answer)


def _json_response(status: int, body: object) -> http.Response:
    # allow_nan: a hostile server may send NaN/Infinity tokens, which Python's JSON parser accepts.
    return http.Response(status, content=json.dumps(body, allow_nan=True), headers={"content-type": "application/json"})


def budget_client(recorder: Recorder, budget: float = 5) -> Lumenfall:
    return Lumenfall(api_key=TEST_KEY, base_url=FAKE_BASE, budget=budget, max_retries=0, http_client=recorder.client())


def _paid_requests(recorder: Recorder) -> list[http.Request]:
    return [r for r in recorder.requests if _paid(r, "/videos")]


def attempt(call: Callable[[], object]) -> openai.OpenAIError | None:
    """The openai error a call raised (None if it returned): asserted on outside an except block."""
    try:
        call()
    except openai.OpenAIError as error:
        return error
    return None


@HYPOTHESIS
@given(value=JSON | st.just(MISSING))
def test_any_estimate_amount_is_reserved_only_if_it_is_a_usable_integer(value: object) -> None:
    recorder = fake_lumenfall(lambda: _json_response(200, _estimate_body(value)), lambda: _json_response(200, {}))
    client = budget_client(recorder)
    ledger = client.ledger
    error = attempt(lambda: client.videos.create(model="sora-2", prompt="p", seconds=10))
    fits = usable_micros(value) and value <= 5_000_000  # type: ignore[operator]
    if not usable_micros(value):
        assert isinstance(error, UnusableEstimateError) and error.field == "total_cost_micros"
        assert isinstance(error, BudgetError) and "Nothing paid was sent" in str(error)
    elif not fits:
        assert type(error) is BudgetExceededError
    else:
        assert error is None and ledger.reserved_micros == value
    assert len(_paid_requests(recorder)) == (1 if fits else 0)
    assert ledger.total_micros + ledger.reserved_micros <= 5_000_000  # never over budget


@HYPOTHESIS
@given(currency=JSON | st.just(MISSING))
def test_an_estimate_in_no_readable_currency_is_refused(currency: object) -> None:
    body = _estimate_body(currency=currency)
    recorder = fake_lumenfall(lambda: _json_response(200, body), lambda: _json_response(200, {}))
    client = budget_client(recorder)
    error = attempt(lambda: client.videos.create(model="sora-2", prompt="p", seconds=10))
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()):
        assert isinstance(error, UnusableEstimateError) and error.field == "currency"
    elif currency.upper() != "USD":  # readable, but not the budget's currency: cannot be checked
        assert type(error) is BudgetExceededError and "priced in" in str(error)
    else:
        assert error is None
    assert client.ledger.reserved_micros == (0 if error else SORA_10S)
    assert len(_paid_requests(recorder)) == (0 if error else 1)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: http.Response(200, content=b"{not json", headers={"content-type": "application/json"}),
        lambda: _json_response(200, [1, 2]),
        lambda: _json_response(200, "free"),
        lambda: _json_response(200, None),
    ],
    ids=["garbled", "list", "string", "null"],
)
def test_an_unreadable_estimate_body_is_an_openai_error_and_nothing_is_paid(
    answer: Callable[[], http.Response],
) -> None:
    recorder = fake_lumenfall(answer, lambda: _json_response(200, {}))
    client = budget_client(recorder)
    with pytest.raises((ResponseParseError, UnusableEstimateError)) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10)
    assert isinstance(info.value, openai.OpenAIError)
    assert _paid_requests(recorder) == [] and client.ledger.reserved_micros == 0
    with pytest.raises(openai.OpenAIError):  # estimate() alone says the same
        client.videos.estimate(model="sora-2", prompt="p", seconds=10)


def test_an_unusable_estimate_is_refused_on_the_async_twin_too() -> None:
    recorder = fake_lumenfall(lambda: _json_response(200, _estimate_body("2100000")), lambda: _json_response(200, {}))

    async def main() -> None:
        async with AsyncLumenfall(
            api_key=TEST_KEY, base_url=FAKE_BASE, budget=5, max_retries=0, http_client=recorder.async_client()
        ) as client:
            with pytest.raises(UnusableEstimateError, match="total_cost_micros"):
                await client.videos.create(model="sora-2", prompt="p", seconds=10)
            assert client.ledger.reserved_micros == 0

    anyio.run(main)
    assert _paid_requests(recorder) == []


# -- hostile final costs (mock transport) -----------------------------------------------------------

STATUSES = st.sampled_from(["queued", "in_progress", "completed", "failed", "cancelled", "exploded", ""]) | JSON


def _cost_readable(cost: object) -> bool:
    micros = to_micros(cost)
    return micros is not None and micros >= 0


@HYPOTHESIS
@given(observations=st.lists(st.tuples(STATUSES, JSON | st.just(MISSING)), min_size=1, max_size=4))
def test_spend_never_decreases_and_a_held_job_settles_only_on_a_known_fate(
    observations: list[tuple[object, object]],
) -> None:
    answers = iter(observations)

    def video() -> http.Response:
        status, cost = next(answers)
        metadata: dict[str, Any] = {"cost_currency": "USD"}
        if cost is not MISSING:
            metadata["cost"] = cost
        return _json_response(200, {**_queued(), "status": status, "metadata": metadata})

    recorder = fake_lumenfall(lambda: _json_response(200, _estimate_body()), video)
    client = budget_client(recorder)
    ledger = client.ledger
    client.videos.create(model="sora-2", prompt="p", seconds=10)
    assert ledger.reserved_micros == SORA_10S
    for status, cost in observations:
        held, spent = ledger.reserved_micros, ledger.total_micros
        client.videos.retrieve("video_1")  # any JSON in status/cost: never a crash
        assert ledger.total_micros >= spent, "spend decreased"
        assert ledger.reserved_micros <= held
        if not held:
            continue
        finished = isinstance(status, str) and status in ("completed", "failed", "cancelled")
        readable = cost is not MISSING and _cost_readable(cost)
        if readable:  # a readable final cost replaces the reservation
            (entry,) = ledger.entries()
            assert (entry.cost_micros, entry.estimated, ledger.reserved_micros) == (to_micros(cost), False, 0)
        elif not finished:  # still running, or a status nobody knows: keep holding
            assert (ledger.reserved_micros, ledger.total_micros) == (held, spent)
        elif cost in (MISSING, None) and status != "completed":  # failed/cancelled, nothing billed
            assert (ledger.reserved_micros, ledger.total_micros, ledger.entries()) == (0, 0, [])
        else:  # finished, cost missing/unreadable/negative: the reservation counts as spent
            (entry,) = ledger.entries()
            assert entry.estimated and entry.cost_micros == SORA_10S and ledger.reserved_micros == 0


def test_a_negative_final_cost_does_not_shrink_the_total() -> None:
    recorder = fake_lumenfall(
        lambda: _json_response(200, _estimate_body()),
        lambda: _json_response(200, {**_queued(), "status": "completed", "metadata": {"cost": -20}}),
    )
    client = budget_client(recorder, budget=3)
    client.videos.create(model="sora-2", prompt="p", seconds=10)
    client.videos.retrieve("video_1")
    (entry,) = client.ledger.entries()
    assert entry.estimated and entry.cost_micros == SORA_10S
    assert client.ledger.remaining_micros == 3_000_000 - SORA_10S  # not $23


def test_a_manual_record_never_lowers_the_total() -> None:
    ledger = CostLedger()
    ledger.record(1)
    assert ledger.record(-0.5) is None and ledger.record(float("-inf")) is None
    assert ledger.total_micros == 1_000_000


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'"queued"',
        b"{}",
        b'{"id": null, "status": "queued"}',
        b'{"id": ""}',
        b'{"id": "../x", "status": "queued"}',
        b'{"id": "a/b", "status": "queued"}',
    ],
    ids=["garbled", "list", "string", "no-id", "null-id", "empty-id", "dot-dot-id", "separator-id"],
)
def test_a_garbled_create_answer_keeps_the_reservation_and_the_key(body: bytes) -> None:
    def answer(request: http.Request) -> http.Response:
        if "dryRun" in request.url.params:
            return _json_response(200, _estimate_body())
        return http.Response(202, content=body, headers={"content-type": "application/json"})

    recorder = Recorder(answer)
    client = budget_client(recorder)
    with pytest.raises(ResponseParseError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="job-garbled")
    error = info.value
    assert isinstance(error, openai.APIResponseValidationError) and error.status_code == 202
    assert error.idempotency_key == "job-garbled" and error.video_id is None
    assert "idempotency_key='job-garbled'" in str(error)
    assert client.ledger.reserved_micros == SORA_10S  # the job probably exists
    # ...and its hold is listed under the key, so it can be settled or released by hand.
    assert client.ledger.unsettled_creates() == {"job-garbled": SORA_10S}


# -- faults on the real emulator ----------------------------------------------------------------------


def _client(base_url: str, http_client: Any, **options: Any) -> Lumenfall:
    return Lumenfall(api_key=TEST_KEY, base_url=base_url, http_client=http_client, **options)


@pytest.mark.parametrize("budget", [None, 3], ids=["no-budget", "budget"])
def test_a_lost_create_answer_raises_with_the_key_and_the_same_key_gets_the_job(
    base_url: str, emulator: LumenfallEmulator, budget: int | None
) -> None:
    arm = arming_client(lambda: emulator.faults.drop_connection_after(0, route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=budget, max_retries=0)
    with pytest.raises(openai.APIConnectionError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10)
    error = info.value
    key = getattr(error, "idempotency_key", None)
    assert isinstance(key, str) and key and error.job_may_exist is True  # type: ignore[attr-defined]
    assert f"idempotency_key={key!r}" in str(error) and "same job" in str(error)
    assert len(emulator.video_ids) == 1  # the job exists although the answer was lost
    assert client.ledger.reserved_micros == (SORA_10S if budget else 0)
    video = client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key=key)
    assert emulator.video_ids == [video.id]
    client.videos.poll(video.id)
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)


def test_a_lost_create_answer_on_the_async_twin(base_url: str, emulator: LumenfallEmulator) -> None:
    async def main() -> None:
        arm = async_arming_client(lambda: emulator.faults.drop_connection_after(10, route=CREATE_ROUTE))
        async with AsyncLumenfall(
            api_key=TEST_KEY, base_url=base_url, budget=3, max_retries=0, http_client=arm
        ) as client:
            with pytest.raises(openai.APIConnectionError) as info:
                await client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="async-1")
            assert getattr(info.value, "idempotency_key", None) == "async-1"
            assert client.ledger.reserved_micros == SORA_10S
            with pytest.raises(BudgetExceededError):  # the held $2.10 still counts
                await client.videos.create(model="sora-2", prompt="other", seconds=10)
            video = await client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="async-1")
            await client.videos.poll(video.id)
            assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)

    anyio.run(main)
    assert len(emulator.video_ids) == 1


class HookFailed(RuntimeError):
    """What a user's event hook (or a custom http client) raises once the answer is in."""


def _failing_after_the_paid_answer(sync: bool) -> Any:
    # A response hook runs after the request went out and Lumenfall answered: the job exists.
    def hook(response: http.Response) -> None:
        if _paid(response.request, "/videos"):
            raise HookFailed("my logging hook crashed")

    async def async_hook(response: http.Response) -> None:
        hook(response)

    if sync:
        return http.Client(event_hooks={"response": [hook]})
    return http.AsyncClient(event_hooks={"response": [async_hook]})


def _check_kept(error: BaseException, client: Any, key: str) -> None:
    # openai 3 lets the hook's exception through unchanged; openai 2 wraps it (APIConnectionError).
    assert type(error) is HookFailed or isinstance(error.__cause__, HookFailed)
    assert getattr(error, "idempotency_key", None) == key and getattr(error, "job_may_exist", None) is True
    assert f"idempotency_key={key!r}" in str(error)  # says how to get the job back
    assert client.ledger.reserved_micros == SORA_10S and client.ledger.unsettled_creates() == {key: SORA_10S}


def test_a_non_openai_error_after_the_create_was_sent_keeps_the_hold_and_the_key(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    client = _client(base_url, _failing_after_the_paid_answer(sync=True), budget=3, max_retries=0)
    with pytest.raises((HookFailed, openai.APIConnectionError)) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="hook-1")
    assert len(emulator.video_ids) == 1  # the job Lumenfall started (and bills)
    _check_kept(info.value, client, "hook-1")
    with pytest.raises(BudgetExceededError):  # its $2.10 still counts against the $3
        client.videos.create(model="sora-2", prompt="other", seconds=10)
    resumed = _client(base_url, None, ledger=client.ledger)
    video = resumed.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="hook-1")
    assert emulator.video_ids == [video.id]
    resumed.videos.poll(video.id)
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)


def test_a_non_openai_error_after_the_create_was_sent_on_the_async_twin(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    async def main() -> None:
        async with AsyncLumenfall(
            api_key=TEST_KEY,
            base_url=base_url,
            budget=3,
            max_retries=0,
            http_client=_failing_after_the_paid_answer(sync=False),
        ) as client:
            with pytest.raises((HookFailed, openai.APIConnectionError)) as info:
                await client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="hook-2")
            _check_kept(info.value, client, "hook-2")
            with pytest.raises(BudgetExceededError):
                await client.videos.create(model="sora-2", prompt="other", seconds=10)

    anyio.run(main)
    assert len(emulator.video_ids) == 1


@settings(max_examples=200, deadline=None)
@given(
    error=st.sampled_from(
        [RuntimeError, TypeError, ValueError, OSError, KeyError, AttributeError, MemoryError, Exception]
    ).map(lambda cls: cls("x"))
    | st.integers(min_value=100, max_value=599).map(
        lambda status: openai.APIStatusError(
            "x", response=http.Response(status, request=http.Request("POST", FAKE_BASE)), body=None
        )
    )
)
def test_only_a_definite_refusal_says_no_job_was_started(error: BaseException) -> None:
    from lumenfall_openai._create_outcome import may_have_started

    refused = isinstance(error, openai.APIStatusError) and 400 <= error.status_code < 500 and error.status_code != 408
    assert may_have_started(error) is not refused


def test_openai_retries_a_truncated_answer_into_the_same_job(base_url: str, emulator: LumenfallEmulator) -> None:
    arm = arming_client(lambda: emulator.faults.truncate_next(route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3)  # openai's default retries
    video = client.videos.create(model="sora-2", prompt="p", seconds=10)
    assert emulator.video_ids == [video.id] and len(paid_creates(emulator)) == 2  # sent twice, one job
    # One reservation (the replay may already show the job completed, its cost recorded).
    assert client.ledger.reserved_micros + client.ledger.total_micros == SORA_10S


def test_a_malformed_create_body_is_a_response_parse_error_with_the_key(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    arm = arming_client(lambda: emulator.faults.malformed_json_next(route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3)
    with pytest.raises(ResponseParseError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="garbled-1")
    assert info.value.idempotency_key == "garbled-1" and isinstance(info.value.__cause__, ValueError)
    assert len(emulator.video_ids) == 1 and client.ledger.reserved_micros == SORA_10S
    # Another job cannot take the held money; the same key settles it.
    with pytest.raises(BudgetExceededError):
        client.videos.create(model="sora-2", prompt="q", seconds=10)
    video = client.videos.create_and_poll(model="sora-2", prompt="p", seconds=10, idempotency_key="garbled-1")
    assert emulator.video_ids == [video.id]
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)


@pytest.mark.parametrize(
    ("status", "code", "may_exist"),
    [(502, "ALL_PROVIDERS_EXHAUSTED", True), (503, "UPSTREAM_ERROR", True), (400, "INVALID_REQUEST", False),
     (402, "INSUFFICIENT_BALANCE", False), (429, "RATE_LIMITED", False)],
)  # fmt: skip
def test_an_error_status_keeps_or_frees_the_reservation_by_what_it_proves(
    base_url: str, emulator: LumenfallEmulator, status: int, code: str, may_exist: bool
) -> None:
    arm = arming_client(lambda: emulator.faults.fail_next(status=status, code=code, route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3, max_retries=0)
    with pytest.raises(openai.APIStatusError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="k-1")
    error = info.value
    assert error.status_code == status
    assert getattr(error, "idempotency_key", None) == "k-1" and getattr(error, "job_may_exist", None) is may_exist
    assert ("idempotency_key='k-1'" in str(error)) is may_exist
    assert client.ledger.reserved_micros == (SORA_10S if may_exist else 0)
    # Either way, the same key now makes exactly one job with one reservation.
    video = client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="k-1")
    assert emulator.video_ids == [video.id] and client.ledger.reserved_micros == SORA_10S


def test_a_create_that_times_out_keeps_its_reservation(base_url: str, emulator: LumenfallEmulator) -> None:
    arm = arming_client(lambda: emulator.faults.delay_next(1.5, route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3, max_retries=0)
    with pytest.raises(openai.APITimeoutError) as info:
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="slow-1", timeout=0.3)
    assert getattr(info.value, "idempotency_key", None) == "slow-1"
    assert client.ledger.reserved_micros == SORA_10S
    video = client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="slow-1")
    assert emulator.video_ids == [video.id] and client.ledger.reserved_micros == SORA_10S


# -- one key, one job, one reservation ---------------------------------------------------------------


def test_threads_sharing_an_idempotency_key_are_one_job_and_one_reservation(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=base_url, budget=3)  # fits one $2.10 job
    barrier = threading.Barrier(8)

    def one(_: int) -> str:
        barrier.wait()
        return client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="shared").id

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(one, range(8)))  # none refused: they are one job
    assert ids == set(emulator.video_ids) and len(ids) == 1
    assert client.ledger.reserved_micros + client.ledger.total_micros == SORA_10S  # one reservation
    client.videos.poll(ids.pop())
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)


def test_tasks_sharing_an_idempotency_key_are_one_job_and_one_reservation(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    ids: list[str] = []

    async def main() -> None:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, budget=3) as client:

            async def one() -> None:
                video = await client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="shared")
                ids.append(video.id)

            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(one)
            assert client.ledger.reserved_micros + client.ledger.total_micros == SORA_10S  # one reservation
            await client.videos.poll(ids[0])
            assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)

    anyio.run(main)
    assert len(ids) == 8 and set(ids) == set(emulator.video_ids) and len(emulator.video_ids) == 1


def test_a_refused_create_sharing_a_key_with_one_in_flight_does_not_free_its_money() -> None:
    ledger = CostLedger(5)
    estimate = _parse_estimate(_estimate_body())
    first = ledger._start_create("k", estimate, what="first")  # pyright: ignore[reportPrivateUsage]
    second = ledger._join_create("k")  # pyright: ignore[reportPrivateUsage]
    assert second is first and ledger.reserved_micros == SORA_10S
    refusal = openai.BadRequestError(
        "no", response=http.Response(400, request=http.Request("POST", FAKE_BASE)), body=None
    )
    ledger._create_failed(second, refusal)  # pyright: ignore[reportPrivateUsage]
    assert ledger.reserved_micros == SORA_10S  # the first may still start the job
    ledger._create_failed(first, refusal)  # pyright: ignore[reportPrivateUsage]
    assert ledger.reserved_micros == 0  # both refused: nothing can exist


def _parse_estimate(body: dict[str, Any]) -> Any:
    from lumenfall_openai.types import CostEstimate

    return CostEstimate.construct(**body)


# -- images ---------------------------------------------------------------------------------------------


def test_an_images_answer_lost_counts_its_estimate_as_spent(base_url: str, emulator: LumenfallEmulator) -> None:
    arm = arming_client(lambda: emulator.faults.malformed_json_next(route="POST /openai/v1/images/generations"),
                        suffix="/images/generations")  # fmt: skip
    client = _client(base_url, arm, budget="0.10")
    with pytest.raises(ResponseParseError):
        client.images.generate(model="flux-1.1-pro", prompt="p", n=2)  # $0.08, made and billed
    (entry,) = client.ledger.entries()
    assert entry.estimated and entry.cost_micros == 80_000 and client.ledger.reserved_micros == 0
    with pytest.raises(BudgetExceededError):
        client.images.generate(model="flux-1.1-pro", prompt="p", n=1)


def test_an_images_refusal_frees_its_estimate(base_url: str, emulator: LumenfallEmulator) -> None:
    arm = arming_client(
        lambda: emulator.faults.fail_next(status=400, code="CONTENT_POLICY_VIOLATION",
                                          route="POST /openai/v1/images/generations"),
        suffix="/images/generations",
    )  # fmt: skip
    client = _client(base_url, arm, budget="0.10", max_retries=0)
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="flux-1.1-pro", prompt="p", n=2)
    assert (client.ledger.total_micros, client.ledger.reserved_micros) == (0, 0)
    client.images.generate(model="flux-1.1-pro", prompt="p", n=2)
    assert client.ledger.total_micros == 80_000


def test_a_finite_float_is_not_an_estimate() -> None:
    assert not usable_micros(2_100_000.0) and not usable_micros(True) and not math.isnan(0.0)


def test_an_unsettled_create_can_be_listed_and_released_by_hand(base_url: str, emulator: LumenfallEmulator) -> None:
    arm = arming_client(lambda: emulator.faults.fail_next(status=503, code="UPSTREAM_ERROR", route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3, max_retries=0)
    with pytest.raises(openai.InternalServerError):
        client.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="gone-1")
    assert client.ledger.unsettled_creates() == {"gone-1": SORA_10S}
    assert emulator.video_ids == []  # the fault answered before Lumenfall ran anything
    assert client.ledger.release_create("gone-1") == SORA_10S
    assert client.ledger.release_create("gone-1") == 0  # once
    assert (client.ledger.unsettled_creates(), client.ledger.reserved_micros) == ({}, 0)


def test_a_raw_create_is_settled_when_parsed_and_its_errors_carry_the_key(
    base_url: str, emulator: LumenfallEmulator
) -> None:
    arm = arming_client(lambda: emulator.faults.drop_connection_after(0, route=CREATE_ROUTE))
    client = _client(base_url, arm, budget=3, max_retries=0)
    with pytest.raises(openai.APIConnectionError) as info:
        client.with_raw_response.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="raw-1")
    assert getattr(info.value, "idempotency_key", None) == "raw-1"
    raw = client.with_raw_response.videos.create(model="sora-2", prompt="p", seconds=10, idempotency_key="raw-1")
    video = raw.parse()
    assert emulator.video_ids == [video.id]
    client.videos.poll(video.id)
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, SORA_10S)


@pytest.mark.parametrize("micros", ["40000", 40000.0, -1, None, True])
def test_an_images_budget_refuses_an_unusable_estimate(micros: object) -> None:
    def answer(request: http.Request) -> http.Response:
        if "dryRun" in request.url.params:
            return _json_response(200, {**_estimate_body(micros), "model": "flux-1.1-pro"})
        return _json_response(200, {"created": 1, "data": [], "metadata": {"cost": 0.04}})

    recorder = Recorder(answer)
    client = budget_client(recorder, budget=1)
    with pytest.raises(UnusableEstimateError):
        client.images.generate(model="flux-1.1-pro", prompt="p")
    assert [r for r in recorder.requests if _paid(r, "/images/generations")] == []
    assert (client.ledger.reserved_micros, client.ledger.total_micros) == (0, 0)


def test_fifty_concurrent_creates_with_a_missing_estimate_send_nothing() -> None:
    recorder = fake_lumenfall(lambda: _json_response(200, _estimate_body(MISSING)), lambda: _json_response(200, {}))
    client = budget_client(recorder, budget=3)
    barrier = threading.Barrier(50)

    def one(_: int) -> str:
        barrier.wait()
        return type(attempt(lambda: client.videos.create(model="sora-2", prompt="p", seconds=10))).__name__

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        outcomes = set(pool.map(one, range(50)))
    assert outcomes == {"UnusableEstimateError"} and _paid_requests(recorder) == []
    assert client.ledger.reserved_micros == 0


def test_the_explicit_opt_out_reserves_a_chosen_worst_case_for_an_unpriceable_job() -> None:
    recorder = fake_lumenfall(lambda: _json_response(200, _estimate_body("??")), lambda: _json_response(200, {}))
    ledger = CostLedger(5, unpriced_reserve=3)
    client = Lumenfall(api_key=TEST_KEY, base_url=FAKE_BASE, ledger=ledger, http_client=recorder.client())
    client.videos.create(model="sora-2", prompt="p", seconds=10)  # reserves the chosen $3
    assert ledger.reserved_micros == 3_000_000
    with pytest.raises(BudgetExceededError):  # a second $3 does not fit the $5 budget
        client.videos.create(model="sora-2", prompt="p", seconds=10)
    assert len(_paid_requests(recorder)) == 1
    with pytest.raises(ValueError, match="unpriced_reserve"):
        CostLedger(5, unpriced_reserve=-1)

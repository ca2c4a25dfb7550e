"""The emulator's prepaid model (F15): the balance never goes below $0.00, a create whose price
(a ``cost=`` marker's included) is more than what is left is refused with 402 and real numbers, and
no marker can lock other keys out of free jobs. Real HTTP to the served emulator."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import DONE

OTHER = {"Authorization": "Bearer lmnfl_other.secret"}
_MONEY = re.compile(r"^Insufficient balance: \$([\d,]+\.\d\d) required, \$([\d,]+\.\d\d) available\. .*set_balance")


def _numbers(r: http.Response) -> tuple[float, float]:
    assert r.status_code == 402, r.text
    error = r.json()["error"]
    assert error["code"] == "INSUFFICIENT_BALANCE"
    match = _MONEY.match(error["message"])
    assert match, error["message"]
    required, available = (float(g.replace(",", "")) for g in match.groups())
    return required, available


def _video(api: http.Client, cost: float | None = None, headers: dict[str, str] | None = None) -> http.Response:
    prompt = "p" if cost is None else f"p [lumenfall:cost={cost}]"
    return api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": prompt}, headers=headers)


def test_a_marker_dearer_than_the_balance_is_refused_and_locks_no_one_out(
    api: http.Client, emulator: LumenfallEmulator
) -> None:
    r = _video(api, 1_000_000)
    assert _numbers(r) == (1_000_000.0, 100.0)
    assert emulator.jobs_created == 0
    assert _video(api, headers=OTHER).status_code == 202
    assert _video(api).status_code == 202
    emulator.advance(DONE)
    assert api.get("/v1/balance").json()["available"]["amount"] == 100.0


def test_jobs_accepted_together_stop_the_balance_at_zero(api: http.Client, emulator: LumenfallEmulator) -> None:
    assert _video(api, 60).status_code == 202
    assert _video(api, 60, headers=OTHER).status_code == 202  # each fits on its own when created
    emulator.advance(DONE)
    assert api.get("/v1/balance").json()["available"]["amount"] == 0.0
    assert emulator.billed_micros == 120_000_000
    assert _video(api, headers=OTHER).status_code == 202  # free jobs still run
    assert _numbers(_video(api, 0.5)) == (0.5, 0.0)


def test_images_check_the_marker_price_too(api: http.Client, emulator: LumenfallEmulator) -> None:
    body = {"model": "gpt-image-1", "prompt": "p [lumenfall:cost=100.01]"}
    assert _numbers(api.post("/openai/v1/images/generations", json=body)) == (100.01, 100.0)
    body["prompt"] = "p [lumenfall:cost=100]"
    assert api.post("/openai/v1/images/generations", json=body).status_code == 200
    assert emulator.balance == 0.0


@pytest.mark.parametrize("amount", [-0.01, -1e9, math.nan, math.inf, -math.inf])
def test_a_prepaid_balance_below_zero_cannot_be_set(amount: float) -> None:
    with pytest.raises(ValueError, match="never goes below"):
        LumenfallEmulator(balance=amount)
    emulator = LumenfallEmulator()
    with pytest.raises(ValueError, match="set_balance"):
        emulator.set_balance(amount)
    emulator.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(0, 200),
    costs=st.lists(st.tuples(st.booleans(), st.integers(0, 300)), min_size=1, max_size=4),
)
def test_balance_never_negative_and_every_refusal_is_true(
    api: http.Client, emulator: LumenfallEmulator, start: int, costs: list[tuple[bool, int]]
) -> None:
    emulator.set_balance(start)
    for is_image, cost in costs:
        if is_image:
            body = {"model": "gpt-image-1", "prompt": f"p [lumenfall:cost={cost}]"}
            r = api.post("/openai/v1/images/generations", json=body)
        else:
            r = _video(api, cost)
        if r.status_code == 402:
            required, available = _numbers(r)
            assert required > available >= 0
        else:
            assert r.status_code in (200, 202), r.text
    emulator.advance(DONE)
    balance = emulator.balance
    assert balance is not None and balance >= 0
    assert api.get("/v1/balance").json()["available"]["amount"] >= 0

"""Any argument to create/estimate: a clear ValueError/TypeError before any request, or a well-formed one.

Property-based: hypothesis throws strings, floats (NaN, infinities, huge, tiny), ints of any size
and bools at the numeric arguments and at ``extra_body``; a recording transport proves that a
refused call sent nothing and that an accepted call sent strict JSON (no ``NaN``/``Infinity``)
with a finite, positive ``seconds``. OverflowError or any other exception fails the test.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import Omit, http

from .conftest import TEST_KEY, Recorder

ESTIMATE = {"estimated": True, "model": "mock-video", "provider": "lumenfall", "total_cost_micros": 0,
            "currency": "USD", "components": []}  # fmt: skip
QUEUED = {"id": "video_1", "object": "video", "created_at": 1, "status": "queued", "model": "mock-video",
          "seconds": "4", "size": "16:9", "metadata": {}}  # fmt: skip


def _answer(request: http.Request) -> http.Response:
    if request.url.params.get("dryRun") == "true":
        return http.Response(200, json=ESTIMATE)
    return http.Response(202, json=QUEUED)


def _strict_json(content: bytes) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"invalid JSON token {token} was sent")

    return json.loads(content, parse_constant=refuse)


NASTY_NUMBER_TEXT = ["inf", "-inf", "Infinity", "nan", "NaN", "1e400", "-1e400", "1e-400", "0", "-0", "-1", "0.0",
                     "10", " 8 ", "8.0", "1_0", "0x10", "", " ", "ten", "1e308", "4.5"]  # fmt: skip
numbers = st.one_of(
    st.floats(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.booleans(),
    st.sampled_from(NASTY_NUMBER_TEXT),
    st.text(max_size=6),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=4)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["create", "estimate"]),
    seconds=st.one_of(st.just(Omit()), numbers),
    n=st.one_of(st.just(Omit()), numbers),
    extra_body=st.one_of(st.none(), st.dictionaries(st.text(max_size=4), json_values, max_size=3)),
    timeout=st.one_of(st.none(), st.floats(), st.integers(min_value=-5, max_value=100), st.integers(10**300, 10**400)),
    prompt=st.text(st.characters(exclude_categories=()), max_size=8),
    user=st.one_of(st.just(Omit()), st.text(st.characters(exclude_categories=()), max_size=4)),
    model=st.one_of(st.just("mock-video"), st.text(max_size=4), st.integers()),
    size=st.one_of(st.just(Omit()), st.none(), st.text(max_size=5), st.integers(), st.floats()),
)
def test_property_refused_before_sending_or_sent_well_formed(
    method: str,
    seconds: Any,
    n: Any,
    extra_body: Any,
    timeout: Any,
    prompt: str,
    user: Any,
    model: Any,
    size: Any,
) -> None:
    recorder = Recorder(_answer)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), max_retries=0)
    call = getattr(client.videos, method)
    try:
        call(
            prompt=prompt, model=model, seconds=seconds, n=n, user=user, size=size, extra_body=extra_body,
            timeout=timeout,
        )  # fmt: skip
    except (ValueError, TypeError) as error:
        message = str(error)
        assert message and any(w in message for w in ("must", "cannot", "pass", "describe")), message
        assert recorder.requests == []
        return
    [request] = recorder.requests
    body = _strict_json(request.content)
    if not isinstance(seconds, Omit):
        value = float(body["seconds"])
        assert isinstance(body["seconds"], str) and math.isfinite(value) and value > 0
    if not isinstance(n, Omit):
        assert body["n"] in (1, 2, 3, 4) and not isinstance(body["n"], bool)
    assert body["prompt"] == prompt and prompt.strip()
    assert body["model"] == model and isinstance(model, str) and model.strip()
    assert body.get("size") == (size if isinstance(size, str) else None)


@pytest.mark.parametrize("seconds", ["inf", "1e400", float("nan"), float("inf"), -1, 0, "0", True, 10**400, "nan"])
def test_reported_bad_seconds_are_value_errors_saying_what_to_pass(seconds: Any) -> None:
    recorder = Recorder(_answer)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    expected = TypeError if isinstance(seconds, bool) else ValueError
    with pytest.raises(expected, match="seconds"):
        client.videos.create(prompt="a heron", model="mock-video", seconds=seconds)
    with pytest.raises(expected, match="like 10 or '10'"):
        client.videos.estimate(prompt="a heron", model="mock-video", seconds=seconds)
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"extra_body": {"cfg": {"scale": [1.0, float("nan")]}}}, r"extra_body\['cfg'\]\['scale'\]\[1\] is nan"),
        ({"extra_body": {"x": float("-inf")}}, "JSON cannot carry"),
        ({"timeout": float("nan")}, "timeout must be a finite number"),
        ({"timeout": float("inf")}, "or None for no limit"),
        ({"input_reference": {"image_url": "https://x/y.png", "weight": float("nan")}}, "input_reference"),
    ],
)
def test_non_finite_numbers_anywhere_are_refused(kwargs: dict[str, Any], match: str) -> None:
    recorder = Recorder(_answer)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    with pytest.raises(ValueError, match=match):
        client.videos.create(prompt="a heron", model="mock-video", **kwargs)
    with pytest.raises(ValueError, match=match):
        client.videos.create_and_poll(prompt="a heron", model="mock-video", **kwargs)
    assert recorder.requests == []


def test_a_self_containing_extra_body_does_not_hang_the_check() -> None:
    loop: dict[str, Any] = {"a": 1.0}
    loop["self"] = loop
    recorder = Recorder(_answer)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    with pytest.raises(ValueError):  # noqa: PT011  # json refuses the cycle itself, with its own message
        client.videos.create(prompt="a heron", model="mock-video", extra_body=loop)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"timeout": float("inf")}, ValueError, "None to wait indefinitely"),
        ({"timeout": float("nan")}, ValueError, "finite number of seconds"),
        ({"timeout": -1}, ValueError, ">= 0"),
        ({"timeout": "10"}, TypeError, "number of seconds"),
        ({"poll_interval_ms": float("nan")}, ValueError, "finite, positive"),
        ({"poll_interval_ms": float("inf")}, ValueError, "like 1000"),
        ({"poll_interval_ms": 0}, ValueError, "positive"),
        ({"poll_interval_ms": True}, TypeError, "milliseconds"),
    ],
)
def test_poll_arguments_are_checked_before_any_request(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    recorder = Recorder(_answer)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    with pytest.raises(error, match=match):
        client.videos.poll("video_1", **kwargs)
    assert recorder.requests == []


@pytest.mark.anyio
async def test_async_twin_refuses_the_same(tmp_path: Any) -> None:
    recorder = Recorder(_answer)
    client = AsyncLumenfall(api_key=TEST_KEY, http_client=recorder.async_client())
    with pytest.raises(ValueError, match="finite"):
        await client.videos.create(prompt="a heron", model="mock-video", seconds="1e400")
    with pytest.raises(ValueError, match="JSON cannot carry"):
        await client.videos.estimate(prompt="a heron", model="mock-video", extra_body={"x": float("nan")})
    with pytest.raises(ValueError, match="None to wait indefinitely"):
        await client.videos.poll("video_1", timeout=float("inf"))
    with pytest.raises(ValueError, match="finite, positive"):
        await client.videos.create_and_poll(prompt="a heron", model="mock-video", poll_interval_ms=float("nan"))
    assert recorder.requests == []

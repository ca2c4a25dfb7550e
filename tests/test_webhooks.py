"""Webhook verification (Standard Webhooks) and the example receiver, end to end with the emulator."""

from __future__ import annotations

import base64
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook

from lumenfall_openai import AsyncLumenfall, Lumenfall, LumenfallConfigurationError, WebhookVerificationError
from lumenfall_openai._compat import http
from lumenfall_openai._signing import decode_secret, generate_secret, sign, verify
from lumenfall_openai.testing import LumenfallEmulator
from lumenfall_openai.testing._server import serve_in_thread
from lumenfall_openai.types import (
    UnknownWebhookEvent,
    VideoCancelledEvent,
    VideoCompletedEvent,
    VideoFailedEvent,
    WebhookVideoError,
    WebhookVideoOutput,
)

from .conftest import TEST_KEY

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from examples.webhook_receiver import SeenDeliveries, create_app

SECRET = "whsec_" + base64.b64encode(b"lumenfall-test-secret-32-bytes!!").decode()
BODY = json.dumps(
    {"type": "video.completed", "data": {"object": "video.generation", "id": "video_abc", "model": "sora-2",
                                         "status": "completed", "output": {"url": "https://media.lumenfall.ai/x.mp4"}}}
).encode()  # fmt: skip


def signed(
    body: bytes = BODY, *, secret: str = SECRET, msg_id: str = "msg_1", at: float | None = None
) -> dict[str, str]:
    """Headers as the standardwebhooks reference library signs them."""
    stamp = datetime.fromtimestamp(int(time.time() if at is None else at), tz=timezone.utc)
    signature = Webhook(secret).sign(msg_id, stamp, body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(stamp.timestamp())), "webhook-signature": signature}


@pytest.fixture
def offline() -> Lumenfall:
    return Lumenfall(api_key=TEST_KEY, webhook_secret=SECRET)


# -- verification -----------------------------------------------------------------------------------


def test_accepts_what_the_standardwebhooks_library_signs(offline: Lumenfall) -> None:
    headers = signed()
    offline.webhooks.verify_signature(BODY, headers)
    offline.webhooks.verify_signature(BODY.decode(), headers)  # str payloads too
    offline.webhooks.verify_signature(BODY, {k.upper(): v for k, v in headers.items()})  # any header case
    offline.webhooks.verify_signature(BODY, [(k.encode(), v.encode()) for k, v in headers.items()])  # ASGI pairs
    Webhook(SECRET).verify(BODY, headers)  # and the reference agrees with our own signer:
    stamp = int(time.time())
    ours = {"webhook-id": "m", "webhook-timestamp": str(stamp), "webhook-signature": sign(SECRET, "m", stamp, BODY)}
    Webhook(SECRET).verify(BODY, ours)
    offline.webhooks.verify_signature(BODY, ours)


def test_accepts_any_of_several_signatures_during_rotation(offline: Lumenfall) -> None:
    headers = signed()
    old = signed(secret=generate_secret())["webhook-signature"]
    headers["webhook-signature"] = f"v1a,abc {old} {headers['webhook-signature']}"
    offline.webhooks.verify_signature(BODY, headers)


def _reasons() -> list[tuple[str, Any]]:
    # Built at collection time: every lambda reads the clock when the test runs.
    return [
        ("tampered body", lambda: (BODY.replace(b"completed", b"cancelled", 1), signed())),
        ("wrong secret", lambda: (BODY, signed(secret=generate_secret()))),
        ("stale timestamp", lambda: (BODY, signed(at=time.time() - 302))),
        ("future timestamp", lambda: (BODY, signed(at=time.time() + 302))),
        ("missing id", lambda: (BODY, {k: v for k, v in signed().items() if k != "webhook-id"})),
        ("missing timestamp", lambda: (BODY, {k: v for k, v in signed().items() if k != "webhook-timestamp"})),
        ("missing signature", lambda: (BODY, {k: v for k, v in signed().items() if k != "webhook-signature"})),
        ("no headers", lambda: (BODY, {})),
        ("id changed", lambda: (BODY, {**signed(), "webhook-id": "msg_2"})),
        ("timestamp changed", lambda: (BODY, {**signed(), "webhook-timestamp": str(int(time.time()) - 1)})),
        ("not a number", lambda: (BODY, {**signed(), "webhook-timestamp": "soon"})),
        ("unversioned", lambda: (BODY, {**signed(), "webhook-signature": signed()["webhook-signature"][3:]})),
        ("other version", lambda: (BODY, {**signed(), "webhook-signature": "v2," + signed()["webhook-signature"][3:]})),
    ]


@pytest.mark.parametrize(("reason", "make"), _reasons(), ids=[r for r, _ in _reasons()])
def test_rejects(offline: Lumenfall, reason: str, make: Any) -> None:
    body, headers = make()
    with pytest.raises(WebhookVerificationError) as info:
        offline.webhooks.unwrap(body, headers)
    # openai's own exception class catches it too, and the message says what to do.
    assert isinstance(info.value, openai.InvalidWebhookSignatureError)
    assert "400" in str(info.value) or "header" in str(info.value)


def test_tolerance_is_five_minutes_both_ways(offline: Lumenfall) -> None:
    now = time.time()
    offline.webhooks.verify_signature(BODY, signed(at=now - 295))
    offline.webhooks.verify_signature(BODY, signed(at=now + 295))
    offline.webhooks.verify_signature(BODY, signed(at=now - 3600), tolerance=7200)
    with pytest.raises(WebhookVerificationError, match="ago"):
        verify(BODY, signed(at=1_000_000), SECRET, now=1_000_301)
    verify(BODY, signed(at=1_000_000), SECRET, now=1_000_300)
    with pytest.raises(WebhookVerificationError, match="future"):
        verify(BODY, signed(at=1_000_301), SECRET, now=1_000_000)


@settings(max_examples=100, deadline=None)
@given(
    tolerance=st.one_of(
        st.sampled_from([float("nan"), float("inf"), float("-inf"), -1, -0.5, True, 10**400, "300", None]),
        st.floats(max_value=-1e-9),
        st.integers(max_value=-1),
    ),
    age=st.sampled_from([0, 10**9]),
)
def test_a_tolerance_that_is_not_finite_seconds_is_refused_on_both_twins(tolerance: Any, age: int) -> None:
    # NaN used to accept any timestamp (every comparison with NaN is false): replay protection off.
    headers = signed(at=time.time() - age)
    for webhooks in (
        Lumenfall(api_key=TEST_KEY, webhook_secret=SECRET).webhooks,
        AsyncLumenfall(api_key=TEST_KEY, webhook_secret=SECRET).webhooks,
    ):
        for call in (webhooks.verify_signature, webhooks.unwrap):
            with pytest.raises(ValueError, match="tolerance must be a finite number of seconds") as info:
                call(BODY, headers, tolerance=tolerance)
            assert not isinstance(info.value, WebhookVerificationError)  # a bug to fix, not a bad delivery


def test_a_zero_or_float_tolerance_still_works(offline: Lumenfall) -> None:
    verify(BODY, signed(at=1_000_000), SECRET, now=1_000_000, tolerance=0)
    verify(BODY, signed(at=1_000_000), SECRET, now=1_000_000.5, tolerance=0.5)
    with pytest.raises(WebhookVerificationError, match="ago"):
        verify(BODY, signed(at=1_000_000), SECRET, now=1_000_001, tolerance=0.5)


def test_the_secret_comes_from_the_argument_the_client_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    other = generate_secret()
    Lumenfall(api_key=TEST_KEY).webhooks.verify_signature(BODY, signed(), secret=SECRET)
    with pytest.raises(WebhookVerificationError):
        Lumenfall(api_key=TEST_KEY, webhook_secret=other).webhooks.verify_signature(BODY, signed())
    monkeypatch.setenv("LUMENFALL_WEBHOOK_SECRET", SECRET)
    Lumenfall(api_key=TEST_KEY).webhooks.verify_signature(BODY, signed())
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", other)  # never read
    Lumenfall(api_key=TEST_KEY).webhooks.verify_signature(BODY, signed())
    AsyncLumenfall(api_key=TEST_KEY).webhooks.verify_signature(BODY, signed())


@pytest.mark.parametrize("secret", [None, "", "   ", "whsec_", "whsec_not base64!", 42])
def test_a_missing_or_broken_secret_is_a_configuration_error(secret: Any) -> None:
    client = Lumenfall(api_key=TEST_KEY)
    with pytest.raises(LumenfallConfigurationError, match="secret"):
        client.webhooks.verify_signature(BODY, signed(), secret=secret)


def test_unpadded_and_prefixless_secrets_work_as_in_the_spec(offline: Lumenfall) -> None:
    bare = SECRET.removeprefix("whsec_")
    offline.webhooks.verify_signature(BODY, signed(), secret=bare)
    unpadded = generate_secret().rstrip("=")
    offline.webhooks.verify_signature(BODY, signed(secret=unpadded), secret=unpadded)


def _secret_forms(key: bytes) -> list[str]:
    """Every spelling of one key the spec allows: prefixed or bare, padded or not."""
    encoded = base64.b64encode(key).decode()
    return [f"whsec_{encoded}", encoded, f"whsec_{encoded.rstrip('=')}", encoded.rstrip("=")]


def test_an_unpadded_secret_signs_and_verifies_like_the_reference_library() -> None:
    key = b"31 bytes, so base64 pads with =!"[:31]
    padded, _, unpadded, _ = _secret_forms(key)
    assert unpadded != padded and decode_secret(unpadded) == key  # the case that once failed to sign
    stamp = int(time.time())
    ours = {"webhook-id": "m", "webhook-timestamp": str(stamp), "webhook-signature": sign(unpadded, "m", stamp, BODY)}
    assert verify(BODY, ours, unpadded) == ("m", stamp)
    Webhook(unpadded).verify(BODY, ours)
    assert verify(BODY, signed(secret=unpadded), padded)[0] == "msg_1"


@settings(max_examples=200, deadline=None)
@given(
    key=st.binary(min_size=1, max_size=64),
    form=st.integers(min_value=0, max_value=3),
    msg_id=st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=30),
    body=st.text(max_size=200),
    stamp=st.integers(min_value=0, max_value=10**11),
)
def test_signing_and_verifying_agree_with_the_reference_library_for_any_key(
    key: bytes, form: int, msg_id: str, body: str, stamp: int
) -> None:
    secret = _secret_forms(key)[form]
    assert decode_secret(secret) == key
    reference = Webhook(secret)
    at = datetime.fromtimestamp(stamp, tz=timezone.utc)
    ours = sign(secret, msg_id, stamp, body.encode())
    assert ours == reference.sign(msg_id, at, body)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": ours}
    assert verify(body.encode(), headers, secret, now=stamp) == (msg_id, stamp)
    assert verify(body, headers, _secret_forms(key)[(form + 1) % 4], now=stamp) == (msg_id, stamp)


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_", "whsec_A"])
def test_a_secret_that_cannot_verify_cannot_sign_either(secret: str) -> None:
    with pytest.raises(LumenfallConfigurationError, match="secret"):
        sign(secret, "m", 1, BODY)
    with pytest.raises(LumenfallConfigurationError, match="secret"):
        LumenfallEmulator(webhook_secret=secret)


def test_the_emulator_signs_with_an_unpadded_secret_and_the_client_verifies() -> None:
    unpadded = generate_secret().rstrip("=")
    got: list[tuple[bytes, dict[str, str]]] = []

    async def hook(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        got.append((body, {k.decode(): v.decode() for k, v in scope["headers"]}))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    own = LumenfallEmulator(queue_seconds=0.05, run_seconds=0.05, webhook_secret=unpadded)
    with contextlib.closing(own), own.serve() as url, serve_in_thread(hook, "127.0.0.1", 0) as (host, port):
        with Lumenfall(api_key=TEST_KEY, base_url=url, webhook_secret=unpadded) as client:
            video = client.videos.create(model="mock-video", prompt="ok", webhook_url=f"http://{host}:{port}/hook")
            (delivery,) = own.wait_for_webhooks(1, timeout=15)
            assert delivery.state == "succeeded"
            body, headers = got[0]
            event = client.webhooks.unwrap(body, headers)
    assert isinstance(event, VideoCompletedEvent) and event.data.id == video.id
    Webhook(unpadded).verify(body, headers)  # and the reference library agrees


# -- typed events -----------------------------------------------------------------------------------


def _event(body: dict[str, Any], client: Lumenfall | AsyncLumenfall) -> Any:
    raw = json.dumps(body).encode()
    return client.webhooks.unwrap(raw, signed(raw, msg_id="msg_x"))


def test_unwrap_returns_typed_events(offline: Lumenfall) -> None:
    completed = offline.webhooks.unwrap(BODY, signed())
    assert isinstance(completed, VideoCompletedEvent)
    assert completed.data.id == "video_abc" and completed.data.output is not None
    assert completed.data.output.url.endswith(".mp4")
    assert completed.webhook_id == "msg_1" and isinstance(completed.webhook_timestamp, int)
    error = {"code": "UPSTREAM_ERROR", "message": "boom"}
    failed = _event({"type": "video.failed", "data": {"id": "v", "status": "failed", "error": error}}, offline)
    assert isinstance(failed, VideoFailedEvent) and failed.data.error is not None
    assert failed.data.error.code == "UPSTREAM_ERROR"
    cancelled = _event({"type": "video.cancelled", "data": {"id": "v", "status": "failed"}}, offline)
    assert isinstance(cancelled, VideoCancelledEvent)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "video.upscaled", "data": {"id": "v", "factor": 2}},
        {"type": "video.completed", "data": "not an object"},
        {"type": "video.completed"},
        {"data": {"id": "v"}},
        {"type": 7, "data": [1, 2]},
    ],
)
def test_unknown_or_odd_events_are_kept_not_crashed_on(offline: Lumenfall, body: dict[str, Any]) -> None:
    event = _event(body, offline)
    assert isinstance(event, UnknownWebhookEvent)
    assert event.data == body.get("data")


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000])
def test_a_signed_body_that_is_not_an_event_is_rejected_cleanly(offline: Lumenfall, raw: bytes) -> None:
    stamp = int(time.time())
    headers = {"webhook-id": "m", "webhook-timestamp": str(stamp), "webhook-signature": sign(SECRET, "m", stamp, raw)}
    offline.webhooks.verify_signature(raw, headers)  # authentic...
    with pytest.raises(WebhookVerificationError, match="JSON"):
        offline.webhooks.unwrap(raw, headers)  # ...but not an event


# -- properties -------------------------------------------------------------------------------------

# One client for the property tests (building one per example would dominate their run time).
SHARED = Lumenfall(api_key=TEST_KEY, webhook_secret=SECRET)
ASYNC_SHARED = AsyncLumenfall(api_key=TEST_KEY, webhook_secret=SECRET)

header_names = st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "Webhook-Id", "x"])
header_values = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**13), max_value=10**13).map(str),
    st.just(str(int(time.time()))),
    st.lists(st.text(alphabet="v1,=+/abcAB0123 ", max_size=50), max_size=3).map(" ".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=st.one_of(st.binary(max_size=200), st.text(max_size=200)),
    headers=st.dictionaries(header_names, header_values, max_size=4),
)
def test_no_input_crashes_verification_with_anything_but_the_documented_error(
    payload: bytes | str, headers: dict[str, str]
) -> None:
    with contextlib.suppress(WebhookVerificationError):
        SHARED.webhooks.unwrap(payload, headers)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300),
    msg_id=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and s.isprintable()),
    flip=st.integers(min_value=0),
)
def test_sign_then_verify_and_any_flipped_byte_fails(body: bytes, msg_id: str, flip: int) -> None:
    stamp = int(time.time())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(SECRET, msg_id, stamp, body),
    }
    assert verify(body, headers, SECRET) == (msg_id, stamp)
    if body:
        i = flip % len(body)
        tampered = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
        with pytest.raises(WebhookVerificationError):
            verify(tampered, headers, SECRET)


json_values = st.recursive(
    st.none() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


event_types = st.sampled_from(["video.completed", "video.failed", "video.cancelled", "video.new"]) | json_values
event_data = (
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.text(max_size=8) | json_values,
            "status": json_values,
            "output": st.fixed_dictionaries({}, optional={"url": json_values}) | json_values,
            "error": st.fixed_dictionaries({}, optional={"code": json_values, "message": json_values}),
            "model": json_values,
        },
    )
    | json_values
)


@settings(max_examples=300, deadline=None)
@given(body=st.fixed_dictionaries({}, optional={"type": event_types, "data": event_data, "extra": json_values}))
def test_any_signed_json_object_unwraps_to_some_event(body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    headers = signed(raw)
    event = SHARED.webhooks.unwrap(raw, headers)
    assert ASYNC_SHARED.webhooks.unwrap(raw, headers) == event  # the twins parse alike
    if isinstance(event, UnknownWebhookEvent):
        assert event.data == body.get("data")
    else:  # a typed event promises data.id as a str, and every typed field holds its type (or None)
        data = event.data
        assert event.type == body["type"] and isinstance(data.id, str)
        # (a required field the body left out reads as None, as on a Video)
        assert data.output is None or isinstance(data.output, WebhookVideoOutput)
        assert data.output is None or data.output.url is None or isinstance(data.output.url, str)
        assert data.error is None or isinstance(data.error, WebhookVideoError)
        assert all(value is None or isinstance(value, str) for value in (data.status, data.model))


@pytest.mark.parametrize("output", ["x", "https://media.example/x.mp4", ["u"], 5, True, None])
def test_a_signed_event_with_a_non_object_output_reads_it_as_absent(output: Any) -> None:
    # The example receiver's `event.data.output.url` used to raise AttributeError on "x" after the
    # delivery was acknowledged: the event was lost. Fail closed: no usable output, so None.
    body = {"type": "video.completed", "data": {"id": "video_1", "status": "completed", "output": output}}
    for client in (SHARED, ASYNC_SHARED):
        event = _event(body, client)
        assert isinstance(event, VideoCompletedEvent) and event.data.output is None


# -- the secret endpoint ----------------------------------------------------------------------------


def test_secret_is_fetched_from_the_native_api(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    secret = client.webhooks.secret()
    assert secret.key == emulator.webhook_secret and secret.key.startswith("whsec_")
    assert "whsec_" in repr(secret) and secret.key not in repr(secret)
    record = emulator.last_request()
    assert record.path == "/v1/webhooks/secret" and record.sent_key(TEST_KEY)


def test_async_secret(base_url: str, emulator: LumenfallEmulator) -> None:
    async def main() -> str:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            return (await client.webhooks.secret()).key

    assert anyio.run(main) == emulator.webhook_secret


# -- the example receiver, fed by the emulator --------------------------------------------------------


class LoseFirstAnswer:
    """ASGI middleware: the app handles the first delivery, but its 2xx never reaches Lumenfall
    (a timeout, a proxy hiccup), so Lumenfall delivers the same event again."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lost = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.lost:
            await self.app(scope, receive, send)
            return
        self.lost += 1

        async def swallow(message: Any) -> None:
            pass

        await self.app(scope, receive, swallow)
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def receiver(emulator: LumenfallEmulator, base_url: str) -> Iterator[tuple[str, list[Any], LoseFirstAnswer]]:
    handled: list[Any] = []
    client = AsyncLumenfall(api_key=TEST_KEY, base_url=base_url, webhook_secret=emulator.webhook_secret)

    async def on_event(event: Any) -> None:
        handled.append(event)

    app = LoseFirstAnswer(create_app(client, on_event=on_event, seen=SeenDeliveries()))
    with serve_in_thread(app, "127.0.0.1", 0) as (host, port):
        yield f"http://{host}:{port}/webhooks/lumenfall", handled, app


def test_emulator_deliveries_verify_and_redeliveries_are_deduplicated(
    client: Lumenfall, emulator: LumenfallEmulator, receiver: tuple[str, list[Any], LoseFirstAnswer]
) -> None:
    url, handled, lossy = receiver
    done = client.videos.create(model="mock-video", prompt="ok", webhook_url=url)
    emulator.fail_next_job("UPSTREAM_ERROR")
    bad = client.videos.create(model="mock-video", prompt="fails", webhook_url=url)
    running = client.videos.create(model="mock-video", prompt="slow [lumenfall:duration=30]", webhook_url=url)
    client.videos.cancel(running.id)
    deliveries = emulator.wait_for_webhooks(3, timeout=15)
    assert all(d.state == "succeeded" for d in deliveries)
    assert lossy.lost == 1
    assert sum(len(d.attempts) for d in deliveries) == 4  # one answer lost, so one redelivery
    deadline = time.monotonic() + 5
    while len(handled) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    by_id = {e.data.id: e for e in handled}
    assert len(handled) == 3 and set(by_id) == {done.id, bad.id, running.id}  # each handled exactly once
    assert isinstance(by_id[done.id], VideoCompletedEvent)
    assert isinstance(by_id[bad.id], VideoFailedEvent)
    assert isinstance(by_id[running.id], VideoCancelledEvent)


def test_receiver_rejects_forgeries_and_replays(
    emulator: LumenfallEmulator, receiver: tuple[str, list[Any], LoseFirstAnswer]
) -> None:
    url, handled, lossy = receiver
    lossy.lost = 1  # no lost answers in this test
    with http.Client() as plain:
        forged = plain.post(url, content=BODY, headers=signed(secret=generate_secret()))
        assert forged.status_code == 400 and "signature" in forged.json()["detail"]
        headers = signed(BODY, secret=emulator.webhook_secret, msg_id="msg_replay")
        first = plain.post(url, content=BODY, headers=headers)
        again = plain.post(url, content=BODY, headers=headers)
        other_delivery = plain.post(url, content=BODY, headers={**signed(BODY, secret=emulator.webhook_secret,
                                                                           msg_id="msg_new")})  # fmt: skip
    assert (first.status_code, first.json()["duplicate"]) == (200, False)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert (other_delivery.status_code, other_delivery.json()["duplicate"]) == (200, True)  # same data.id
    deadline = time.monotonic() + 5
    while not handled and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(handled) == 1

"""Webhooks: delivered to a real loopback receiver, signed per Standard Webhooks, retried on schedule."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook

from lumenfall_openai._compat import http
from lumenfall_openai._signing import generate_secret, sign
from lumenfall_openai.testing import RETRY_DELAYS, LumenfallEmulator

from .helpers import DONE, QUEUE, WebhookReceiver


def _submit(api: http.Client, url: str, prompt: str = "p", model: str = "mock-video") -> str:
    r = api.post("/openai/v1/videos", json={"model": model, "prompt": prompt, "webhook_url": url})
    assert r.status_code == 202, r.text
    video_id: str = r.json()["id"]
    return video_id


def test_completed_webhook_is_signed_and_verifies(
    api: http.Client, emulator: LumenfallEmulator, receiver: WebhookReceiver
) -> None:
    video_id = _submit(api, receiver.url)
    assert receiver.received == []
    emulator.advance(DONE)  # nobody polls: the emulator notices completion by itself
    (delivery,) = emulator.wait_for_webhooks(1)
    assert delivery.state == "succeeded" and len(delivery.attempts) == 1
    (got,) = receiver.received
    assert got.path == "/hooks/lumenfall"
    secret = api.get("/v1/webhooks/secret").json()["key"]
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload == got.json
    assert got.headers["webhook-id"] == delivery.id
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 60
    video = api.get(f"/openai/v1/videos/{video_id}").json()
    assert got.json == {
        "type": "video.completed",
        "data": {
            "object": "video.generation",
            "id": video_id,
            "model": "mock-video",
            "status": "completed",
            "output": {"url": video["output"]["url"]},
        },
    }
    with pytest.raises(Exception, match="signature"):
        Webhook(generate_secret()).verify(got.body, got.headers)


def test_failed_and_cancelled_webhooks(
    api: http.Client, emulator: LumenfallEmulator, receiver: WebhookReceiver
) -> None:
    failed_id = _submit(api, receiver.url, "[lumenfall:fail=UPSTREAM_ERROR]")
    cancelled_id = _submit(api, receiver.url)
    emulator.advance(QUEUE + 1)
    assert api.delete(f"/openai/v1/videos/{cancelled_id}").status_code == 204
    emulator.advance(DONE)
    emulator.wait_for_webhooks(2)
    by_id = {r.json["data"]["id"]: r.json for r in receiver.received}
    assert by_id[failed_id]["type"] == "video.failed"
    assert by_id[failed_id]["data"]["status"] == "failed"
    assert by_id[failed_id]["data"]["error"]["code"] == "UPSTREAM_ERROR"
    assert by_id[failed_id]["data"]["output"] is None
    assert by_id[cancelled_id]["type"] == "video.cancelled"
    assert by_id[cancelled_id]["data"]["error"]["code"] == "CANCELLED"
    assert len(receiver.received) == 2  # cancelled job sends no later completion event


def test_retries_follow_the_scaled_schedule(api: http.Client, emulator: LumenfallEmulator) -> None:
    receiver = WebhookReceiver(statuses=[500, 503])
    try:
        _submit(api, receiver.url)
        emulator.advance(DONE)
        (delivery,) = emulator.wait_for_webhooks(1)
    finally:
        receiver.close()
    assert delivery.state == "succeeded"
    assert [a.status_code for a in delivery.attempts] == [500, 503, 200]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # same message, retried
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    for gap, delay in zip(gaps, RETRY_DELAYS[:2], strict=True):
        assert gap >= delay * 0.01 * 0.9  # webhook_retry_scale=0.01: 50 ms, 150 ms


def test_gives_up_after_three_retries(api: http.Client, emulator: LumenfallEmulator) -> None:
    receiver = WebhookReceiver(statuses=[500] * 10)
    try:
        _submit(api, receiver.url)
        emulator.advance(DONE)
        (delivery,) = emulator.wait_for_webhooks(1, timeout=5)
        time.sleep(0.1)
    finally:
        receiver.close()
    assert delivery.state == "failed"
    assert [a.number for a in delivery.attempts] == [1, 2, 3, 4]
    assert len(receiver.received) == 4


def test_timeouts_and_refused_connections_are_retried(api: http.Client) -> None:
    emu = LumenfallEmulator(clock=lambda: 0.0, webhook_retry_scale=0.001, webhook_timeout=0.2)
    slow = WebhookReceiver(delay=0.5)
    try:
        with emu.serve(), http.Client(base_url=emu.root_url, headers=api.headers, trust_env=False) as c:
            _submit(c, slow.url)
            _submit(c, "http://127.0.0.1:9/closed")
            emu.advance(DONE)
            deliveries = emu.wait_for_webhooks(2, timeout=10)
    finally:
        slow.close()
    for delivery in deliveries:
        assert delivery.state == "failed" and len(delivery.attempts) == 4
        assert all(a.status_code is None and a.error for a in delivery.attempts)
    assert any("Timeout" in (a.error or "") for d in deliveries for a in d.attempts)


def test_non_loopback_urls_are_accepted_but_not_called(api: http.Client, emulator: LumenfallEmulator) -> None:
    _submit(api, "https://hooks.example.com/lumenfall")
    emulator.advance(DONE)
    (delivery,) = emulator.wait_for_webhooks(1)
    assert delivery.state == "skipped" and delivery.attempts == []
    assert delivery.skipped_reason and "loopback" in delivery.skipped_reason


def test_webhooks_fire_in_real_time_without_polling(receiver: WebhookReceiver) -> None:
    emu = LumenfallEmulator(queue_seconds=0.02, run_seconds=0.05)
    with (
        emu.serve(),
        http.Client(base_url=emu.root_url, headers={"authorization": "Bearer lmnfl_a.b"}, trust_env=False) as c,
    ):
        _submit(c, receiver.url)
        (delivery,) = emu.wait_for_webhooks(1, timeout=5)
    assert delivery.state == "succeeded" and receiver.received[0].json["type"] == "video.completed"


def test_sign_matches_standardwebhooks() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_")
    body = b'{"type":"video.completed"}'
    signature = sign(secret, "msg_1", 1_700_000_000, body)
    assert signature.startswith("v1,")
    expected = Webhook(secret).sign("msg_1", _datetime(1_700_000_000), body.decode())
    assert signature == expected
    assert sign(secret.removeprefix("whsec_"), "msg_1", 1_700_000_000, body) == signature


def _datetime(ts: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)

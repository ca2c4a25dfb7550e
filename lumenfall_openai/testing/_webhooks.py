"""Signed webhook delivery with Lumenfall's retry schedule, and a record of every attempt.

One background thread (the "pump") does two things on a short tick: it asks the emulator to
settle jobs whose clock-derived state became terminal (which queues their events here), and it
sends whatever delivery is due. Nothing about a job's state is decided here; the pump only makes
sure a webhook goes out even when nobody polls.

Deliveries use the HTTP library openai itself uses (``_compat.http``: httpx2 on openai 3.x,
httpx on 2.x), with ``trust_env=False`` so a proxy setting never reroutes a loopback call.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from .._compat import http
from .._signing import decode_secret, sign
from ..errors import LumenfallConfigurationError

DeliveryState = Literal["pending", "succeeded", "failed", "skipped"]

# Lumenfall: up to 3 retries, 5 s, 15 s, 45 s apart; 30 s timeout per attempt.
RETRY_DELAYS: tuple[float, ...] = (5.0, 15.0, 45.0)
_TICK = 0.02


@dataclass(frozen=True)
class WebhookAttempt:
    number: int  # 1 = first try, 2..4 = retries
    sent_at: float  # wall clock (time.time())
    status_code: int | None  # None when the request itself failed (timeout, refused)
    error: str | None
    elapsed: float  # seconds the attempt took

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class WebhookDelivery:
    """One event to one URL, across all its attempts. ``id`` is the ``webhook-id`` header."""

    id: str
    event_type: str
    video_id: str
    url: str
    body: bytes
    created_at: float  # wall clock
    state: DeliveryState = "pending"
    attempts: list[WebhookAttempt] = field(default_factory=list[WebhookAttempt])
    skipped_reason: str | None = None
    due: float = 0.0  # time.monotonic() of the next attempt

    @property
    def payload(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded

    @property
    def finished(self) -> bool:
        return self.state != "pending"


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookDispatcher:
    def __init__(
        self,
        *,
        secret: Callable[[], str],
        settle: Callable[[], None],
        retry_scale: float = 1.0,
        timeout: float = 30.0,
        deliver_external: bool = False,
    ) -> None:
        try:  # a secret that cannot sign fails here, not later in the delivery thread
            decode_secret(secret())
        except LumenfallConfigurationError:
            raise LumenfallConfigurationError(
                "The emulator's webhook_secret is not a 'whsec_<base64>' secret, so it cannot sign "
                "deliveries. Pass one shaped like client.webhooks.secret().key, or leave webhook_secret "
                "out for a fresh one."
            ) from None
        self._secret = secret
        self._settle = settle
        self.retry_scale = retry_scale
        self.timeout = timeout
        self.deliver_external = deliver_external
        self._deliveries: list[WebhookDelivery] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- queueing ---------------------------------------------------------------------------
    def enqueue(self, url: str, event: dict[str, Any], video_id: str) -> WebhookDelivery:
        delivery = WebhookDelivery(
            id="msg_" + secrets.token_hex(12),
            event_type=str(event["type"]),
            video_id=video_id,
            url=url,
            body=json.dumps(event, separators=(",", ":")).encode(),
            created_at=time.time(),
            due=time.monotonic(),
        )
        if not self.deliver_external and not is_loopback_url(url):
            # The emulator never calls out of the machine unless asked to (deliver_external).
            delivery.state = "skipped"
            delivery.skipped_reason = "not a loopback URL and deliver_external_webhooks is off"
        with self._cond:
            self._deliveries.append(delivery)
            self._cond.notify_all()
        self.ensure_running()
        return delivery

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        with self._cond:
            return list(self._deliveries)

    def wait_for(self, count: int, timeout: float) -> list[WebhookDelivery]:
        """Block until ``count`` deliveries have finished (succeeded, failed or skipped)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                done = [d for d in self._deliveries if d.finished]
                if len(done) >= count:
                    return done
                left = deadline - time.monotonic()
                if left <= 0:
                    pending = len(self._deliveries) - len(done)
                    raise TimeoutError(
                        f"{len(done)} of {count} webhook deliveries finished in {timeout} s ({pending} pending)"
                    )
                self._cond.wait(min(left, 0.05))

    # -- the pump ---------------------------------------------------------------------------
    def ensure_running(self) -> None:
        with self._cond:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="lumenfall-emulator-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.timeout + 5)
        with self._cond:
            self._thread = None

    def _next_due(self) -> WebhookDelivery | None:
        now = time.monotonic()
        for delivery in self._deliveries:
            if delivery.state == "pending" and delivery.due <= now:
                return delivery
        return None

    def _run(self) -> None:
        client: http.Client = http.Client(timeout=self.timeout, trust_env=False)
        with client:
            while True:
                self._settle()  # may enqueue events of jobs that just finished
                with self._cond:
                    if self._stopping:
                        return
                    delivery = self._next_due()
                    if delivery is None:
                        self._cond.wait(_TICK)
                        continue
                self._attempt(client, delivery)

    def _attempt(self, client: http.Client, delivery: WebhookDelivery) -> None:
        number = len(delivery.attempts) + 1
        timestamp = int(time.time())  # wall clock: receivers reject timestamps > 5 min off
        headers = {
            "content-type": "application/json",
            "user-agent": "lumenfall-emulator-webhooks/1",
            "webhook-id": delivery.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._secret(), delivery.id, timestamp, delivery.body),
        }
        sent_at = time.time()
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(delivery.url, content=delivery.body, headers=headers)
            status = response.status_code
        except http.HTTPError as exc:  # timeouts, refused connections, resets
            error = f"{type(exc).__name__}: {exc}"
        attempt = WebhookAttempt(number, sent_at, status, error, time.monotonic() - started)
        with self._cond:
            delivery.attempts.append(attempt)
            if attempt.ok:
                delivery.state = "succeeded"
            elif number > len(RETRY_DELAYS):
                delivery.state = "failed"
            else:
                delivery.due = time.monotonic() + RETRY_DELAYS[number - 1] * self.retry_scale
            self._cond.notify_all()

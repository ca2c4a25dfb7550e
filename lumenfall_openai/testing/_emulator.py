"""``LumenfallEmulator``: the public face of the local Lumenfall."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Generator, Iterable
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp

from .._numbers import check_durations
from .._signing import generate_secret
from ._app import ROUTES, build_app
from ._catalog import Catalog, ModelSpec
from ._core import EmulatorConfig, EmulatorCore
from ._faults import Faults, RouteMatcher
from ._middleware import DEFAULT_MAX_BODY_BYTES
from ._outcomes import JobScript
from ._records import DEFAULT_MAX_RECORDS, RecordedRequest, Recorder
from ._server import serve_forever, serve_in_thread, url_host
from ._webhooks import WebhookDelivery, WebhookDispatcher


class LumenfallEmulator:
    """A faithful local Lumenfall: real HTTP, real MP4s, signed webhooks, injectable faults.

    Start it one of three ways::

        with LumenfallEmulator().serve() as base_url:      # uvicorn on 127.0.0.1:<free port>
            client = openai.OpenAI(api_key="lmnfl_test.secret", base_url=base_url)

        transport = httpx2.ASGITransport(app=emulator.app)  # in-process, for async tests

        $ lumenfall-openai emulator --port 8765              # from a shell

    Jobs move ``queued -> in_progress -> completed|failed`` on a schedule computed from the
    clock (``queue_seconds``, then ``run_seconds``, both times ``time_scale``); nothing sleeps.
    ``advance(seconds)`` moves the emulator's clock forward; ``clock=`` injects one.

    Picking outcomes without changing client code (later wins, field by field):

    * model slug: ``mock-video`` (free, succeeds), ``mock-video-fail`` (job fails with
      ``UPSTREAM_ERROR``), ``mock-video-slow`` (30 s run), ``mock-video-disabled`` (404
      ``MODEL_DISABLED``), ``mock-image``; real slugs ``sora-2``, ``kling-v3``, ``wan-2.6``,
      ``veo-3.1-fast``, ``gpt-image-1``, ``flux-1.1-pro`` are priced and validated;
    * ``script(...)`` / ``fail_next_job(...)`` / ``reject_next_create(...)`` for the next requests;
    * prompt markers ``[lumenfall:key=value]``: ``fail=CODE`` (job ends ``failed`` with that
      ``error.code``), ``reject=CODE`` or ``reject=CODE:STATUS`` (the create call itself fails),
      ``message=TEXT``, ``duration=S`` (time in_progress), ``queue=S`` (time queued),
      ``size_bytes=N`` (size of the served MP4), ``cost=USD`` (final cost differs from the
      estimate), ``ttl=S`` (media URL lifetime).

    Behaviour chosen where Lumenfall's docs are silent (documented so clients know):

    * ``DELETE`` on a finished job is a no-op 204 (best effort, nothing refunded or deleted);
      a cancelled job reads ``status="failed"``, ``error.code="CANCELLED"`` (``cancelled_status``
      changes the status string) and fires ``video.cancelled``; an unknown id is 404 ``NOT_FOUND``.
    * A failed job has ``completed_at`` and ``expires_at`` null ("null until completed").
    * Media at ``{root}/media/{video_id}.mp4``: 403 ``MEDIA_EXPIRED`` after ``expires_at`` (what a
      signed-URL CDN answers), 400 ``AUTHORIZATION_NOT_ALLOWED`` for any request carrying an
      ``Authorization`` header (recorded in ``media_auth_attempts``), 404 after a payload purge,
      206/416 for ranges.
    * ``allow_loopback_webhooks`` (default True here, never on the real service) lets
      ``webhook_url`` be http(s) on 127.0.0.0/8, ::1 or localhost at any port. Deliveries only
      go to loopback unless ``deliver_external_webhooks=True``; others are recorded as skipped.
    * Balance is checked against the estimate at submit and debited once, on completion
      (images: at once). ``n`` multiplies the cost; one video is returned.
    * ``/v1/requests`` lists newest first; ``next_page_url``/``previous_page_url`` are absolute
      URLs; ``summary=true`` adds ``{"count", "total_cost", "currency"}``; a Request's
      ``key_id`` is the ``<key_id>`` of ``lmnfl_<key_id>.<secret>``. Rejected submits are listed
      with status ``rejected``; dry runs are not listed.
    * Error ``type`` strings are not documented by Lumenfall; OpenAI's vocabulary is used.
    * Idempotency keys belong to the API key that sent them (another key's ``"k"`` is another
      key). The same key with the same request is a 200 replay of the same job (nothing billed
      again); with a different request it is refused with 409 ``IDEMPOTENCY_KEY_REUSED``. Lumenfall
      is silent on reuse with another body: the 409 is this emulator's guess (Stripe's rule).

    Any request gets a documented status, never a 5xx for bad input: a body over
    ``max_body_bytes`` is 413 ``INVALID_REQUEST``; unreadable JSON, JSON nested deeper than 64
    levels, invalid UTF-8, a form with more than 200 fields, and marker values that are not
    finite or out of range (``nan``, ``inf``, ``-1``, ``duration`` over a year), more than 16
    ``input_reference`` items and a ``webhook_url`` over 2,048 characters (the emulator's own
    limits; Lumenfall documents none) are 400 ``INVALID_REQUEST``. A 5xx comes only from a fault
    or marker that asks for one (or an emulator bug: 500 ``INTERNAL_ERROR``). Memory stays
    bounded: ``requests`` keeps the newest ``max_recorded_requests`` records, long body strings
    are cut in records and jobs, and ``/v1/requests`` keeps the newest ``max_request_history``
    entries. Jobs themselves are kept for the emulator's lifetime.

    Counters for tests: ``jobs_created`` (paid creates that made a job; replays and rejections
    excluded), ``billed_micros`` (everything billed so far, integer micro-USD), ``replayed_creates``
    and ``requests_received`` (every HTTP request, including records dropped from the ring).
    """

    def __init__(
        self,
        *,
        balance: float | None = 100.0,
        queue_seconds: float = 1.0,
        run_seconds: float = 3.0,
        time_scale: float = 1.0,
        media_ttl_seconds: float = 3600.0,
        video_size_bytes: int | None = None,
        api_keys: Iterable[str] | None = None,
        webhook_secret: str | None = None,
        allow_loopback_webhooks: bool = True,
        deliver_external_webhooks: bool = False,
        webhook_retry_scale: float = 1.0,
        webhook_timeout: float = 30.0,
        cancelled_status: str = "failed",
        disabled_models: Iterable[str] = (),
        extra_models: Iterable[ModelSpec] = (),
        clock: Callable[[], float] | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_recorded_requests: int = DEFAULT_MAX_RECORDS,
        max_request_history: int = 10_000,
    ) -> None:
        for name, limit in (
            ("max_body_bytes", max_body_bytes),
            ("max_recorded_requests", max_recorded_requests),
            ("max_request_history", max_request_history),
        ):
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValueError(f"{name} must be a positive int, got {limit!r}")
        _check_balance_argument("balance", balance)
        check_durations(
            queue_seconds=queue_seconds,
            run_seconds=run_seconds,
            time_scale=time_scale,
            media_ttl_seconds=media_ttl_seconds,
            webhook_retry_scale=webhook_retry_scale,
            webhook_timeout=webhook_timeout,
        )
        config = EmulatorConfig(
            balance=balance,
            queue_seconds=queue_seconds,
            run_seconds=run_seconds,
            time_scale=time_scale,
            media_ttl_seconds=media_ttl_seconds,
            video_size_bytes=video_size_bytes,
            api_keys=None if api_keys is None else frozenset(api_keys),
            allow_loopback_webhooks=allow_loopback_webhooks,
            cancelled_status=cancelled_status,
            max_request_history=max_request_history,
        )
        catalog = Catalog(disabled=frozenset(disabled_models))
        for spec in extra_models:
            catalog.add(spec)
        self._core = EmulatorCore(config, catalog, clock or time.time, webhook_secret or generate_secret())
        self.faults = Faults()
        self._recorder = Recorder(max_recorded_requests)
        self.media_auth_attempts: list[RecordedRequest] = []
        self._webhooks = WebhookDispatcher(
            secret=lambda: self._core.webhook_secret,
            settle=self._core.settle,
            retry_scale=webhook_retry_scale,
            timeout=webhook_timeout,
            deliver_external=deliver_external_webhooks,
        )
        self._core.webhook_sink = lambda url, event, video_id: self._deliver(url, event, video_id)
        self._core.on_webhook_job = self._webhooks.ensure_running
        self._app = build_app(
            self._core, self._recorder, self.faults, self.media_auth_attempts, max_body_bytes=max_body_bytes
        )
        self._root_url: str | None = None

    def _deliver(self, url: str, event: dict[str, Any], video_id: str) -> None:
        self._webhooks.enqueue(url, event, video_id)

    def __repr__(self) -> str:
        where = self._root_url or "not serving"
        return f"<LumenfallEmulator {where} jobs={len(self._core.jobs)} requests={len(self._core.requests)}>"

    # -- running ------------------------------------------------------------------------------
    @property
    def app(self) -> ASGIApp:
        """The ASGI app, e.g. for ``httpx2.ASGITransport(app=emulator.app)``."""
        return self._app

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Generator[str, None, None]:
        """Serve over real HTTP in a background thread; yields the OpenAI-compatible base URL.

        ``port=0`` picks a free port. The server and the webhook thread stop, and the port is
        released, when the block ends.
        """
        if self._root_url is not None:
            raise RuntimeError(f"this emulator is already serving at {self._root_url}")
        with serve_in_thread(self._app, host, port) as (bound_host, bound_port):
            self._root_url = f"http://{url_host(bound_host)}:{bound_port}"
            self._webhooks.ensure_running()
            try:
                yield self.base_url
            finally:
                self._root_url = None
                self._webhooks.stop()

    def serve_forever(
        self, host: str = "127.0.0.1", port: int = 8765, on_ready: Callable[[str], None] | None = None
    ) -> None:
        """Serve in the foreground until interrupted (the CLI's ``emulator`` command)."""

        def ready(bound_host: str, bound_port: int) -> None:
            self._root_url = f"http://{url_host(bound_host)}:{bound_port}"
            self._webhooks.ensure_running()
            if on_ready is not None:
                on_ready(self.base_url)

        try:
            serve_forever(self._app, host, port, ready)
        finally:
            self._root_url = None
            self._webhooks.stop()

    def close(self) -> None:
        """Stop the webhook thread (a served emulator stops it itself when ``serve()`` ends)."""
        self._webhooks.stop()

    def __enter__(self) -> LumenfallEmulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` while serving (media URLs live under it)."""
        if self._root_url is None:
            raise RuntimeError("the emulator is not serving; use `with emulator.serve() as base_url:`")
        return self._root_url

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base, ``{root}/openai/v1`` (pass it to ``openai.OpenAI``)."""
        return self.root_url + "/openai/v1"

    @property
    def native_base_url(self) -> str:
        """The native base, ``{root}/v1`` (balance, requests, webhook secret)."""
        return self.root_url + "/v1"

    # -- time ---------------------------------------------------------------------------------
    def now(self) -> float:
        """The emulator's clock (the injected clock, or wall time, plus ``advance()`` offsets)."""
        return self._core.now()

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward: jobs progress, media URLs expire."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._core.lock:
            self._core.offset += seconds
        self._core.settle()

    # -- outcomes -----------------------------------------------------------------------------
    def script(
        self,
        *,
        fail: str | None = None,
        reject: str | None = None,
        reject_status: int | None = None,
        message: str | None = None,
        queue_seconds: float | None = None,
        run_seconds: float | None = None,
        size_bytes: int | None = None,
        cost: float | None = None,
        ttl_seconds: float | None = None,
        video_id: str | None = None,
        times: int = 1,
        model: str | None = None,
    ) -> None:
        """Script the next ``times`` generation requests (only those for ``model``, if given).

        ``video_id`` gives the next job that id instead of a random one, so documentation
        examples that hard-code an id (``"video_abc123"``) run unchanged; use it with ``times=1``.

        ``fail``: the job runs, then ends ``failed`` with that ``error.code``. ``reject``: the
        create call answers that error at once (status from Lumenfall's table, or
        ``reject_status``). The other fields override the schedule, output size, final cost
        and media lifetime. An idempotent replay consumes nothing.
        """
        for name, number in (
            ("queue_seconds", queue_seconds),
            ("run_seconds", run_seconds),
            ("cost", cost),
            ("ttl_seconds", ttl_seconds),
        ):
            if number is not None and not (math.isfinite(number) and number >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {number!r}")
        self._core.push_script(
            JobScript(
                fail=fail,
                reject=reject,
                reject_status=reject_status,
                message=message,
                queue_seconds=queue_seconds,
                run_seconds=run_seconds,
                size_bytes=size_bytes,
                cost=cost,
                ttl_seconds=ttl_seconds,
                video_id=video_id,
            ),
            times,
            model,
        )

    def fail_next_job(
        self, code: str = "UPSTREAM_ERROR", *, message: str | None = None, times: int = 1, model: str | None = None
    ) -> None:
        """The next ``times`` jobs are accepted (202), run, then end ``failed`` with ``code``."""
        self.script(fail=code, message=message, times=times, model=model)

    def reject_next_create(
        self,
        code: str,
        *,
        status: int | None = None,
        message: str | None = None,
        times: int = 1,
        model: str | None = None,
    ) -> None:
        """The next ``times`` create calls fail at submit with ``code`` (no job is created)."""
        self.script(reject=code, reject_status=status, message=message, times=times, model=model)

    @property
    def catalog(self) -> Catalog:
        return self._core.catalog

    def disable_model(self, slug: str) -> None:
        self._core.catalog.disable(slug)

    def enable_model(self, slug: str) -> None:
        self._core.catalog.enable(slug)

    # -- money --------------------------------------------------------------------------------
    @property
    def balance(self) -> float | None:
        """Available balance in USD (None when postpaid)."""
        self._core.settle()
        with self._core.lock:
            micros = self._core.balance_micros
        return None if micros is None else micros / 1_000_000

    def set_balance(self, amount: float | None) -> None:
        """Set the prepaid balance in USD (0 or more), or None for postpaid (no balance checks)."""
        _check_balance_argument("set_balance", amount)
        with self._core.lock:
            self._core.balance_micros = None if amount is None else round(amount * 1_000_000)

    @property
    def billed_micros(self) -> int:
        """Everything billed so far in integer micro-USD (completed videos, images), prepaid or not.

        A video is billed once, when the emulator's clock carries it to ``completed``; failed and
        cancelled jobs, rejected creates, dry runs and idempotent replays bill nothing.
        """
        self._core.settle()
        with self._core.lock:
            return self._core.billed_micros

    @property
    def jobs_created(self) -> int:
        """How many video jobs were created (paid creates); replays and rejections not counted."""
        with self._core.lock:
            return len(self._core.jobs)

    @property
    def replayed_creates(self) -> int:
        """How many creates were answered 200 with an existing job for their idempotency key."""
        with self._core.lock:
            return self._core.replays

    @property
    def requests_received(self) -> int:
        """Every HTTP request received, including those dropped from the ``requests`` ring."""
        return self._recorder.total

    # -- inspection ---------------------------------------------------------------------------
    @property
    def webhook_secret(self) -> str:
        """The organisation's ``whsec_`` secret (what ``GET /v1/webhooks/secret`` returns)."""
        return self._core.webhook_secret

    def video(self, video_id: str) -> dict[str, Any]:
        """The Video JSON ``GET /videos/{id}`` would return now."""
        return self._core.get_video(video_id)[1]

    @property
    def video_ids(self) -> list[str]:
        """Ids of every video job created, oldest first."""
        with self._core.lock:
            return list(self._core.jobs)

    def video_extra_fields(self, video_id: str) -> dict[str, Any]:
        """Unknown create fields of a job, as passed through to the provider."""
        return dict(self._core.get_video(video_id)[0].extra)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The newest ``max_recorded_requests`` HTTP requests, oldest first (secrets masked).

        Strings in recorded bodies longer than 64 KiB are cut (they end with
        ``"...(truncated by the emulator)"``); ``body_size`` is the size received.
        """
        return self._recorder.all()

    def last_request(self, route: str | None = None) -> RecordedRequest:
        """The latest request, or the latest matching ``route`` (``"POST /openai/v1/videos"``)."""
        matcher = RouteMatcher.parse(route)
        for record in reversed(self._recorder.all()):
            if matcher.matches(record.method, record.path):
                return record
        raise LookupError(f"no request matching {route!r} was received")

    def clear_requests(self) -> None:
        self._recorder.clear()

    @property
    def routes(self) -> tuple[str, ...]:
        return ROUTES

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return self._webhooks.deliveries

    def wait_for_webhooks(self, count: int = 1, timeout: float = 5.0) -> list[WebhookDelivery]:
        """Wait until ``count`` deliveries are finished (succeeded, failed after retries, skipped)."""
        self._webhooks.ensure_running()
        return self._webhooks.wait_for(count, timeout)


def _check_balance_argument(name: str, amount: float | None) -> None:
    if amount is not None and not (math.isfinite(amount) and amount >= 0):
        raise ValueError(
            f"{name}={amount!r}: a prepaid balance is a finite amount of USD >= 0 (it never goes below "
            "$0.00); pass None for a postpaid account."
        )

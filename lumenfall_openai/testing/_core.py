"""The emulator's state and its rules: jobs, billing, request history, media, idempotency.

Everything here runs under one lock and takes "now" from the emulator clock. Nothing moves on
its own: :meth:`EmulatorCore.settle` applies the once-only effects (debit the balance, queue the
webhook) of jobs the clock has carried to a terminal state, and every entry point calls it first,
so what any caller sees is consistent with the clock.
"""

from __future__ import annotations

import base64
import collections
import heapq
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._catalog import Catalog, Estimate, estimate
from ._errors import ApiError, invalid
from ._jobs import Job, JobState, error_of, job_state, video_json, webhook_event
from ._media import SyntheticMp4, min_padded_size, sample_mp4, sample_png, valid_video_size
from ._outcomes import JobScript, reject_error
from ._records import shrink
from ._requests_log import (
    JOB_TO_REQUEST_STATUS,
    REQUEST_STATUSES,
    RequestRecord,
    paginate,
    parse_iso,
    parse_limit,
    request_json,
)
from ._validation import ImageCreate, VideoCreate

KEY_RE = re.compile(r"^lmnfl_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$")

WebhookSink = Callable[[str, dict[str, Any], str], None]  # (url, event, video_id)


@dataclass
class EmulatorConfig:
    balance: float | None = 100.0  # USD; None = postpaid (no balance checks, amount null)
    queue_seconds: float = 1.0
    run_seconds: float = 3.0
    time_scale: float = 1.0  # multiplies queue/run times, so 0.01 makes a 30 s job take 0.3 s
    media_ttl_seconds: float = 3600.0  # Lumenfall's default: about one hour
    video_size_bytes: int | None = None  # None = the bare sample MP4
    api_keys: frozenset[str] | None = None  # None = any well-formed lmnfl_<id>.<secret>
    allow_loopback_webhooks: bool = True
    cancelled_status: str = "failed"
    max_request_history: int = 10_000  # /v1/requests keeps the newest this many (a ring)


@dataclass
class ScriptEntry:
    script: JobScript
    remaining: int
    model: str | None = None


@dataclass
class ImageMedia:
    id: str
    request_id: str
    expires_at: float
    purged: bool = False


@dataclass
class Media:
    """What a media URL serves right now."""

    content_type: str
    size: int
    mp4: SyntheticMp4 | None = None
    data: bytes | None = None
    etag: str = ""


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def authenticate(token: str | None, allowed: frozenset[str] | None) -> str:
    """Return the key id of a valid ``lmnfl_<key_id>.<secret>`` token, or raise 401."""
    if token is None:
        raise ApiError(
            "AUTHENTICATION_FAILED", "Missing API key. Send 'Authorization: Bearer lmnfl_<key_id>.<secret>'."
        )
    match = KEY_RE.match(token)
    if match is None:
        hint = " (this looks like an OpenAI key)" if token.startswith("sk-") else ""
        raise ApiError(
            "AUTHENTICATION_FAILED",
            f"Invalid API key{hint}. Lumenfall keys look like 'lmnfl_<key_id>.<secret>'.",
        )
    if allowed is not None and token not in allowed:
        raise ApiError("AUTHENTICATION_FAILED", "Invalid API key: this key is not known to this emulator.")
    return match.group(1)


def _money(micros: int) -> str:
    return f"${micros / 1_000_000:,.2f}"


class EmulatorCore:
    def __init__(
        self,
        config: EmulatorConfig,
        catalog: Catalog,
        clock: Callable[[], float],
        webhook_secret: str,
    ) -> None:
        self.config = config
        self.catalog = catalog
        self._clock = clock
        self.offset = 0.0
        self.webhook_secret = webhook_secret
        self.lock = threading.RLock()
        self.jobs: dict[str, Job] = {}
        self._unsettled: set[str] = set()
        # (finish_at, job_id), soonest first: settle() looks only at jobs that are due, so a
        # request costs the same with 10 or 10,000 jobs in flight.
        self._due: list[tuple[float, str]] = []
        # (key_id, idempotency_key) -> (job_id, request fingerprint): a key is the caller's own.
        self._idempotency: dict[tuple[str, str], tuple[str, str]] = {}
        self.requests: collections.deque[RequestRecord] = collections.deque()
        self._requests_by_id: dict[str, RequestRecord] = {}
        self._request_seq = 0
        self.billed_micros = 0  # everything ever billed (completed videos, images), prepaid or not
        self.replays = 0  # creates answered 200 from an idempotency key
        self.images: dict[str, ImageMedia] = {}
        self.scripts: list[ScriptEntry] = []
        self.balance_micros: int | None = None if config.balance is None else round(config.balance * 1e6)
        self.webhook_sink: WebhookSink | None = None
        self.on_webhook_job: Callable[[], None] | None = None  # starts the pump

    # -- time ---------------------------------------------------------------------------------
    def now(self) -> float:
        return self._clock() + self.offset

    def _state(self, job: Job, now: float) -> JobState:
        """A job's state at ``now`` as this emulator shows it (its ``cancelled_status`` setting)."""
        return job_state(job, now, cancelled_status=self.config.cancelled_status)

    def settle(self) -> None:
        """Apply the once-only effects of jobs that reached a terminal state by the clock."""
        events: list[tuple[str, dict[str, Any], str]] = []
        with self.lock:
            now = self.now()
            while self._due and self._due[0][0] <= now:
                _, job_id = heapq.heappop(self._due)
                if job_id not in self._unsettled:
                    continue  # cancelled before it finished
                job = self.jobs[job_id]
                state = self._state(job, now)
                if state.outcome is None:  # pragma: no cover - finish_at <= now means terminal
                    heapq.heappush(self._due, (job.finish_at, job_id))
                    break
                self._unsettled.discard(job_id)
                if state.outcome == "completed":
                    self._bill(job.final_cost_micros)
                if job.webhook_url:
                    events.append((job.webhook_url, webhook_event(job, state), job.id))
        self._emit(events)

    def _emit(self, events: list[tuple[str, dict[str, Any], str]]) -> None:
        sink = self.webhook_sink
        if sink is not None:
            for url, event, video_id in events:
                sink(url, event, video_id)

    # -- scripting ----------------------------------------------------------------------------
    def push_script(self, script: JobScript, times: int, model: str | None) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self.lock:
            self.scripts.append(ScriptEntry(script, times, model))

    def _next_script(self, model_slug: str) -> ScriptEntry | None:
        for entry in self.scripts:
            if entry.remaining > 0 and entry.model in (None, model_slug):
                return entry
        return None

    def _consume(self, entry: ScriptEntry | None) -> None:
        if entry is not None:
            entry.remaining -= 1
            self.scripts = [e for e in self.scripts if e.remaining > 0]

    def _plan(self, model_slug: str, markers: JobScript) -> tuple[JobScript, ScriptEntry | None]:
        """Model defaults, then the next scripted outcome, then prompt markers (most local wins).

        The scripted entry is only looked at here; the caller consumes it once the request has
        got as far as the script matters (created, or rejected by the script itself), so a
        request refused for another reason (balance...) does not use up a test's script.
        """
        spec = self.catalog.get(model_slug)
        base = JobScript(
            fail=spec.fail_code if spec else None,
            run_seconds=spec.run_seconds if spec else None,
        )
        entry = self._next_script(model_slug)
        scripted = entry.script if entry is not None else JobScript()
        return base.merged(scripted).merged(markers), entry

    # -- request history ----------------------------------------------------------------------
    def _log(
        self, record_id: str, *, model: str, modality: str, endpoint: str, key_id: str, user: str | None
    ) -> RequestRecord:
        record = RequestRecord(
            id=record_id,
            seq=self._request_seq,
            created_at=self.now(),
            model=model[:200],
            modality=modality,
            endpoint=endpoint,
            key_id=key_id,
            user=None if user is None else user[:200],
        )
        self._request_seq += 1
        self.requests.append(record)
        self._requests_by_id[record.id] = record
        while len(self.requests) > self.config.max_request_history:
            del self._requests_by_id[self.requests.popleft().id]
        return record

    def log_rejection(
        self,
        request_id: str,
        error: ApiError,
        *,
        model: str,
        modality: str,
        endpoint: str,
        key_id: str,
        user: str | None,
    ) -> None:
        with self.lock:
            if request_id in self._requests_by_id:
                return
            record = self._log(request_id, model=model, modality=modality, endpoint=endpoint, key_id=key_id, user=user)
            record.status = "rejected"
            record.cost_micros = 0
            record.duration_ms = 0
            record.error_code = error.code
            record.error_message = error.message

    # -- videos -------------------------------------------------------------------------------
    def estimate_video(self, req: VideoCreate) -> Estimate:
        return estimate(req.spec, req.provider, seconds=req.seconds, n=req.n)

    def estimate_image(self, req: ImageCreate) -> Estimate:
        return estimate(req.spec, req.provider, seconds=0, n=req.n)

    def _check_balance(self, required_micros: int) -> None:
        """402 unless a prepaid balance covers the job's whole price (a ``cost=`` marker's too).

        The emulator's prepaid model: the balance is one account's and never goes below $0.00.
        A create is refused when its price is more than what is left; jobs accepted together
        can still cost more than the balance between them, and then it stops at $0.00 (see
        :meth:`_bill`), so one marker can never lock every key out with a negative balance.
        """
        if self.balance_micros is not None and required_micros > self.balance_micros:
            raise ApiError(
                "INSUFFICIENT_BALANCE",
                f"Insufficient balance: {_money(required_micros)} required, "
                f"{_money(self.balance_micros)} available. Top up the account (in the emulator: "
                "set_balance(...) or balance=None for postpaid), or ask for a cheaper job.",
            )

    def _bill(self, micros: int) -> None:
        """Record a charge; a prepaid balance stops at $0.00 rather than going negative."""
        self.billed_micros += micros
        if self.balance_micros is not None:
            self.balance_micros = max(0, self.balance_micros - micros)

    def _replay(self, req: VideoCreate, key_id: str) -> dict[str, Any] | None:
        """The existing job for this caller's idempotency key, or None; 409 for another body.

        Keys are scoped to the API key (another key's ``"k"`` is a different key). Reusing a key
        for a different request is refused rather than silently answered with the old job:
        Lumenfall does not document this case, and this is the emulator's guess (Stripe's rule).
        """
        if req.idempotency_key is None:
            return None
        known = self._idempotency.get((key_id, req.idempotency_key))
        if known is None:
            return None
        job_id, fingerprint = known
        if fingerprint != req.fingerprint:
            raise ApiError(
                "IDEMPOTENCY_KEY_REUSED",
                f"idempotency_key {req.idempotency_key[:80]!r} was already used for a different request "
                f"(video {job_id}). Send the same request to get that job again, or use a new key for "
                "a new request.",
            )
        self.replays += 1
        job = self.jobs[job_id]
        return video_json(job, self._state(job, self.now()))

    def create_video(
        self, req: VideoCreate, markers: JobScript, *, request_id: str, key_id: str, media_base: str
    ) -> tuple[dict[str, Any], bool]:
        """Create a job; returns (Video JSON, replayed). Raises ApiError on a rejection.

        A replay of a known idempotency key returns the existing job before anything else is
        looked at: it consumes no scripted outcome, needs no balance and bills nothing.
        """
        self.settle()
        with self.lock:
            replay = self._replay(req, key_id)
            if replay is not None:
                return replay, True
            plan, entry = self._plan(req.spec.slug, markers)
            rejection = reject_error(plan)
            if rejection is not None:
                self._consume(entry)
                raise rejection
            if plan.video_id is not None and plan.video_id in self.jobs:
                raise invalid(f"A video with id '{plan.video_id}' already exists in this emulator.")
            cost = self.estimate_video(req)
            final_cost = cost.total_cost_micros if plan.cost is None else round(plan.cost * 1e6)
            self._check_balance(max(cost.total_cost_micros, final_cost))
            size_bytes = plan.size_bytes or self.config.video_size_bytes or len(sample_mp4())
            if not valid_video_size(size_bytes):
                raise invalid(f"[lumenfall:size_bytes=N] must be {len(sample_mp4())} or at least {min_padded_size()}.")
            scale = self.config.time_scale
            job = Job(
                id=plan.video_id or _new_id("video_"),
                request_id=request_id,
                model=req.model,
                model_slug=req.spec.slug,
                provider=req.provider,
                prompt=req.prompt,
                seconds=str(req.seconds),
                size=req.size,
                created_at=self.now(),
                queue_seconds=(plan.queue_seconds if plan.queue_seconds is not None else self.config.queue_seconds)
                * scale,
                run_seconds=(plan.run_seconds if plan.run_seconds is not None else self.config.run_seconds) * scale,
                estimate=cost,
                final_cost_micros=final_cost,
                size_bytes=size_bytes,
                ttl_seconds=plan.ttl_seconds if plan.ttl_seconds is not None else self.config.media_ttl_seconds,
                upstream_id=f"{req.provider.slug}-{secrets.token_hex(10)}",
                media_base=media_base,
                key_id=key_id,
                fail_code=plan.fail,
                fail_message=plan.message,
                webhook_url=req.webhook_url,
                idempotency_key=req.idempotency_key,
                user=shrink(req.user),
                n=req.n,
                input_references=req.input_references,
                extra=shrink(req.extra),  # kept for the job's lifetime: a huge unknown field is cut
            )
            self._consume(entry)
            self.jobs[job.id] = job
            self._unsettled.add(job.id)
            heapq.heappush(self._due, (job.finish_at, job.id))
            if req.idempotency_key is not None:
                self._idempotency[(key_id, req.idempotency_key)] = (job.id, req.fingerprint)
            record = self._log(
                request_id,
                model=req.model,
                modality="video",
                endpoint="/openai/v1/videos",
                key_id=key_id,
                user=req.user,
            )
            record.job_id = job.id
            state = self._state(job, self.now())
            body = video_json(job, state)
        if job.webhook_url and self.on_webhook_job is not None:
            self.on_webhook_job()
        return body, False

    def _job(self, video_id: str) -> Job:
        job = self.jobs.get(video_id)
        if job is None:
            raise ApiError("NOT_FOUND", f"No video with id '{video_id}'.")
        return job

    def get_video(self, video_id: str) -> tuple[Job, dict[str, Any]]:
        self.settle()
        with self.lock:
            job = self._job(video_id)
            return job, video_json(job, self._state(job, self.now()))

    def cancel_video(self, video_id: str) -> tuple[Job, bool]:
        """Cancel an in-flight job. A finished job is left as it is (204 all the same)."""
        self.settle()
        events: list[tuple[str, dict[str, Any], str]] = []
        with self.lock:
            job = self._job(video_id)
            now = self.now()
            if job_state(job, now).outcome is not None:
                return job, False
            job.cancelled_at = now
            self._unsettled.discard(job.id)
            if job.webhook_url:
                state = self._state(job, now)
                events.append((job.webhook_url, webhook_event(job, state), job.id))
        self._emit(events)
        return job, True

    # -- images -------------------------------------------------------------------------------
    def generate_images(
        self, req: ImageCreate, markers: JobScript, *, request_id: str, key_id: str, media_base: str
    ) -> dict[str, Any]:
        self.settle()
        with self.lock:
            plan, entry = self._plan(req.spec.slug, markers)
            rejection = reject_error(plan)
            if rejection is None and plan.fail is not None:
                # Images answer synchronously, so a scripted failure is an error at once (with the
                # same status rule as reject=: a code without a documented status is a 400).
                rejection = reject_error(JobScript(reject=plan.fail, message=plan.message))
            if rejection is not None:
                self._consume(entry)
                raise rejection
            cost = self.estimate_image(req)
            final = cost.total_cost_micros if plan.cost is None else round(plan.cost * 1e6)
            self._check_balance(max(cost.total_cost_micros, final))
            self._consume(entry)
            self._bill(final)
            now = self.now()
            record = self._log(
                request_id,
                model=req.model,
                modality="image",
                endpoint="/openai/v1/images/generations",
                key_id=key_id,
                user=req.user,
            )
            record.status = "completed"
            record.cost_micros = final
            record.duration_ms = 0
            data: list[dict[str, Any]] = []
            ttl = plan.ttl_seconds if plan.ttl_seconds is not None else self.config.media_ttl_seconds
            for _ in range(req.n):
                image = ImageMedia(_new_id("img_"), request_id, now + ttl)
                self.images[image.id] = image
                record.media_ids.append(image.id)
                if req.response_format == "url":
                    data.append({"url": f"{media_base}/media/{image.id}.png"})
                else:
                    data.append({"b64_json": base64.b64encode(sample_png()).decode()})
            executed = f"{req.provider.slug}/{req.provider.model}"
            return {
                "created": int(now),
                "data": data,
                "metadata": {
                    "model": req.model,
                    "executed_model": executed,
                    "provider": req.provider.slug,
                    "provider_name": req.provider.name,
                    "upstream_id": f"{req.provider.slug}-{secrets.token_hex(10)}",
                    "cost": final / 1_000_000,
                    "cost_currency": cost.currency,
                    "attempts": [{"provider": req.provider.slug, "executed_model": executed, "status": "succeeded"}],
                },
            }

    # -- balance, history ---------------------------------------------------------------------
    def balance_json(self) -> dict[str, Any]:
        self.settle()
        with self.lock:
            amount = None if self.balance_micros is None else self.balance_micros / 1_000_000
        return {
            "object": "balance",
            "billing_type": "postpaid" if self.balance_micros is None else "prepaid",
            "available": {"amount": amount, "currency": "usd"},
        }

    def _record_json(self, record: RequestRecord, now: float) -> dict[str, Any]:
        if record.job_id is None:
            return request_json(
                record,
                status=record.status,
                cost_micros=record.cost_micros,
                duration_ms=record.duration_ms,
                error_code=record.error_code,
                error_message=record.error_message,
            )
        job = self.jobs[record.job_id]
        state = self._state(job, now)
        status = JOB_TO_REQUEST_STATUS[state.outcome or state.status]
        cost: int | None = None
        if state.outcome == "completed":
            cost = job.final_cost_micros
        elif state.outcome is not None:
            cost = 0
        duration = None if state.ended_at is None else round((state.ended_at - job.created_at) * 1000)
        error = error_of(job, state)
        return request_json(
            record,
            status=status,
            cost_micros=cost,
            duration_ms=duration,
            error_code=error["code"] if error else None,
            error_message=error["message"] if error else None,
        )

    def list_requests(self, query: dict[str, str]) -> tuple[list[dict[str, Any]], bool, bool, dict[str, Any]]:
        limit = parse_limit(query.get("limit"))
        after = parse_iso("created_after", query["created_after"]) if "created_after" in query else None
        before = parse_iso("created_before", query["created_before"]) if "created_before" in query else None
        status = query.get("status")
        if status is not None and status not in REQUEST_STATUSES:
            raise invalid(f"'status' must be one of {', '.join(sorted(REQUEST_STATUSES))}.")
        key_id = query.get("key_id")
        self.settle()
        with self.lock:
            now = self.now()
            rows: list[dict[str, Any]] = []
            for record in reversed(self.requests):
                if after is not None and record.created_at <= after:
                    continue
                if before is not None and record.created_at >= before:
                    continue
                if key_id is not None and record.key_id != key_id:
                    continue
                row = self._record_json(record, now)
                if status is not None and row["status"] != status:
                    continue
                rows.append(row)
        page = paginate(
            rows, limit=limit, starting_after=query.get("starting_after"), ending_before=query.get("ending_before")
        )
        summary = {
            "count": len(rows),
            "total_cost": sum(r["cost"] or 0 for r in rows),
            "currency": "USD",
        }
        return page.items, page.has_older, page.has_newer, summary

    def get_request(self, request_id: str) -> dict[str, Any]:
        self.settle()
        with self.lock:
            record = self._requests_by_id.get(request_id)
            if record is None:
                raise ApiError("NOT_FOUND", f"No request with id '{request_id}'.")
            return self._record_json(record, self.now())

    def purge_payloads(self, request_id: str) -> dict[str, Any]:
        self.settle()
        with self.lock:
            record = self._requests_by_id.get(request_id)
            if record is None:
                raise ApiError("NOT_FOUND", f"No request with id '{request_id}'.")
            if record.purged:
                return {"id": request_id, "purged": True, "already_purged": True, "media_deleted": 0}
            record.purged = True
            deleted = 0
            if record.job_id is not None:
                job = self.jobs[record.job_id]
                job.purged = True
                if job_state(job, self.now()).outcome == "completed":
                    deleted += 1
            for media_id in record.media_ids:
                self.images[media_id].purged = True
                deleted += 1
            return {"id": request_id, "purged": True, "already_purged": False, "media_deleted": deleted}

    # -- media --------------------------------------------------------------------------------
    def media(self, name: str) -> Media:
        """What ``/media/{name}`` serves, or the error a signed-URL CDN would give."""
        self.settle()
        stem, _, ext = name.rpartition(".")
        with self.lock:
            now = self.now()
            if ext == "mp4" and stem in self.jobs:
                job = self.jobs[stem]
                state = self._state(job, now)
                if state.outcome != "completed" or job.purged:
                    raise ApiError("NOT_FOUND", "No such media object.")
                assert state.expires_at is not None
                if now >= state.expires_at:
                    raise ApiError(
                        "MEDIA_EXPIRED",
                        "This media URL has expired; fetch the video again or download media before expires_at.",
                    )
                return Media(
                    "video/mp4", job.size_bytes, mp4=SyntheticMp4(job.size_bytes), etag=f'"{job.id}-{job.size_bytes}"'
                )
            if ext == "png" and stem in self.images:
                image = self.images[stem]
                if image.purged:
                    raise ApiError("NOT_FOUND", "No such media object.")
                if now >= image.expires_at:
                    raise ApiError("MEDIA_EXPIRED", "This media URL has expired.")
                png = sample_png()
                return Media("image/png", len(png), data=png, etag=f'"{image.id}"')
        raise ApiError("NOT_FOUND", "No such media object.")

"""Video jobs: what was asked for, and where in its life a job is at a given instant.

No thread moves a job along. A job stores when it was created and its schedule; its status at
any instant is a pure function of that and the clock (:func:`job_state`). Side effects that must
happen once (billing, the webhook) are applied by whoever first observes the job finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ._catalog import Estimate, Provider
from ._errors import DEFAULT_MESSAGES

Outcome = Literal["completed", "failed", "cancelled"]

# Messages a failed job carries when a test forces a code without a message.
FAILURE_MESSAGES: dict[str, str] = {
    "CONTENT_POLICY_VIOLATION": "The provider rejected the generated content under its content policy.",
    "UPSTREAM_ERROR": "The provider failed to generate the video.",
    "ALL_PROVIDERS_EXHAUSTED": "Every provider for this model failed to generate the video.",
    "RATE_LIMITED": "Every provider for this model was rate limited.",
}


@dataclass
class Job:
    id: str
    request_id: str
    model: str  # as sent (may be "provider/slug")
    model_slug: str
    provider: Provider
    prompt: str
    seconds: str
    size: str
    created_at: float  # emulator clock
    queue_seconds: float  # already scaled
    run_seconds: float  # already scaled
    estimate: Estimate
    final_cost_micros: int
    size_bytes: int
    ttl_seconds: float
    upstream_id: str
    media_base: str  # scheme://host the job was created through; output.url is under it
    key_id: str
    fail_code: str | None = None
    fail_message: str | None = None
    webhook_url: str | None = None
    idempotency_key: str | None = None
    user: str | None = None
    n: int = 1
    input_references: list[Any] = field(default_factory=list[Any])
    extra: dict[str, Any] = field(default_factory=dict[str, Any])  # unknown fields, passed through
    cancelled_at: float | None = None
    purged: bool = False  # DELETE /v1/requests/{id}/payloads ran

    @property
    def finish_at(self) -> float:
        return self.created_at + self.queue_seconds + self.run_seconds


@dataclass(frozen=True)
class JobState:
    status: str
    outcome: Outcome | None  # None while queued / in_progress
    completed_at: float | None  # set only for completed jobs
    expires_at: float | None
    ended_at: float | None  # when the job reached its terminal state, whatever it is


def job_state(job: Job, now: float, *, cancelled_status: str = "failed") -> JobState:
    """Where ``job`` is at ``now``. Pure: same job and instant, same answer."""
    if job.cancelled_at is not None and job.cancelled_at < job.finish_at:
        return JobState(cancelled_status, "cancelled", None, None, job.cancelled_at)
    if now < job.created_at + job.queue_seconds:
        return JobState("queued", None, None, None, None)
    if now < job.finish_at:
        return JobState("in_progress", None, None, None, None)
    if job.fail_code is not None:
        return JobState("failed", "failed", None, None, job.finish_at)
    return JobState("completed", "completed", job.finish_at, job.finish_at + job.ttl_seconds, job.finish_at)


def media_path(job: Job) -> str:
    return f"/media/{job.id}.mp4"


def error_of(job: Job, state: JobState) -> dict[str, str] | None:
    if state.outcome == "cancelled":
        return {"code": "CANCELLED", "message": DEFAULT_MESSAGES["CANCELLED"]}
    if state.outcome == "failed" and job.fail_code is not None:
        message = job.fail_message or FAILURE_MESSAGES.get(job.fail_code) or DEFAULT_MESSAGES.get(job.fail_code)
        return {"code": job.fail_code, "message": message or job.fail_code}
    return None


def video_json(job: Job, state: JobState) -> dict[str, Any]:
    """The Video object, key for key as in Lumenfall's "Get video" page.

    ``output`` only when completed, ``error`` only when failed, ``cost_estimate`` while running
    and ``cost`` once completed; no ``progress`` (Lumenfall does not send it).
    """
    metadata: dict[str, Any] = {
        "model": job.model,
        "executed_model": f"{job.provider.slug}/{job.provider.model}",
        "provider": job.provider.slug,
        "provider_name": job.provider.name,
    }
    if state.outcome is None:
        metadata["cost_estimate"] = job.estimate.cost
    elif state.outcome == "completed":
        metadata["cost"] = job.final_cost_micros / 1_000_000
    metadata["cost_currency"] = job.estimate.currency
    metadata["upstream_id"] = job.upstream_id
    output = None
    if state.outcome == "completed":
        output = {
            "url": job.media_base + media_path(job),
            "content_type": "video/mp4",
            "size_bytes": job.size_bytes,
        }
    return {
        "id": job.id,
        "object": "video",
        "created_at": int(job.created_at),
        "completed_at": None if state.completed_at is None else int(state.completed_at),
        "expires_at": None if state.expires_at is None else int(state.expires_at),
        "status": state.status,
        "model": job.model,
        "prompt": job.prompt,
        "seconds": job.seconds,
        "size": job.size,
        "output": output,
        "error": error_of(job, state),
        "metadata": metadata,
    }


def webhook_event(job: Job, state: JobState) -> dict[str, Any]:
    """The webhook body for a finished job. Note: ``data`` is not the polled Video object."""
    assert state.outcome is not None
    data: dict[str, Any] = {
        "object": "video.generation",
        "id": job.id,
        "model": job.model,
        "status": state.status,
        "output": {"url": job.media_base + media_path(job)} if state.outcome == "completed" else None,
    }
    error = error_of(job, state)
    if error is not None:
        data["error"] = error
    return {"type": f"video.{state.outcome}", "data": data}

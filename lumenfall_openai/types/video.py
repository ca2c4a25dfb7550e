"""The Video object as Lumenfall sends it (see Lumenfall's "Get video" page).

Owned here rather than taken from ``openai.types.video``: OpenAI retired Sora, its Video types
Lumenfall's sizes and seconds as errors, and a later openai will delete the module.
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

from pydantic import Field, model_validator
from typing_extensions import Self

from ..errors import VideoFailedError
from ._base import LumenfallModel
from .metadata import ResponseMetadata

__all__ = [
    "FINISHED_STATUSES",
    "TYPICAL_RUN_SECONDS",
    "Video",
    "VideoDeleted",
    "VideoError",
    "VideoMetadata",
    "VideoOutput",
    "VideoStatus",
]

VideoStatus = Literal["queued", "in_progress", "completed", "failed"]
"""The statuses Lumenfall documents. ``Video.status`` is a plain ``str``: treat any other value
as "not finished yet" (a new status must not crash a running program)."""

FINISHED_STATUSES: frozenset[str] = frozenset({"completed", "failed"})

TYPICAL_RUN_SECONDS = 120.0
"""The time scale of :attr:`Video.progress`'s estimate: about how long a video job runs. One
figure for every model (Lumenfall publishes none per model), so the estimate is a rough guide."""


def estimate_progress(status: object, created_at: object, sent: object, *, now: float) -> int:
    """``Video.progress``: what the server sent when it is a usable percentage, else an estimate.

    Lumenfall sends no progress; OpenAI's Sora did, and code written for it draws bars with
    ``video.progress / 100``. The estimate: ``0`` while ``queued``; ``100`` once the job has ended
    (``completed``, and ``failed`` too: it will not move again, ``status`` says how it ended);
    otherwise (``in_progress`` or a status we do not know, which means "still going") a value
    from 1 to 99 that grows with the time since ``created_at``, ``1 - exp(-elapsed / 120 s)``,
    so it never claims completion early and never goes down from one poll to the next.

    A percentage the server sends is kept, clamped to 0..99 while the job has not ended (a
    running job is never "100% done") and to 0..100 once it has.
    """
    ended = isinstance(status, str) and status in FINISHED_STATUSES  # the wire may send any JSON value
    top = 100 if ended else 99
    if isinstance(sent, int) and not isinstance(sent, bool):
        return min(top, max(0, sent))  # no float(): an int too large for one is still just "over 100"
    if isinstance(sent, float) and math.isfinite(sent):
        return min(top, max(0, int(sent)))
    if status == "queued":
        return 0
    if ended:
        return 100
    started = now
    if isinstance(created_at, (int, float)) and not isinstance(created_at, bool):
        try:
            started = float(created_at)
        except OverflowError:  # an int too big for a float: no usable start time
            started = now
    elapsed = max(0.0, now - started) if math.isfinite(started) else 0.0
    return min(99, 1 + int(99 * (1 - math.exp(-elapsed / TYPICAL_RUN_SECONDS))))


class VideoOutput(LumenfallModel):
    """The finished file. Download it before ``Video.expires_at``: media URLs are short-lived."""

    url: str
    """Where to fetch the file (on Lumenfall's media host; it needs no key and must get none)."""
    content_type: str
    """MIME type, e.g. ``video/mp4``."""
    size_bytes: int
    """Exact size of the file in bytes."""


class VideoError(LumenfallModel):
    code: str
    """Lumenfall error code, e.g. ``CONTENT_POLICY_VIOLATION``."""
    message: str
    """Human-readable reason."""


class VideoMetadata(ResponseMetadata):
    """How the job ran and what it cost. Every field may be absent: ``cost_estimate`` is sent
    while the job is ``queued`` or ``in_progress``, ``cost`` once it is ``completed``."""


class Video(LumenfallModel):
    id: str
    object: str = "video"
    created_at: int
    """Unix seconds."""
    completed_at: int | None = None
    """Unix seconds; None until completed."""
    expires_at: int | None = None
    """Unix seconds when ``output.url`` stops working; None until completed."""
    status: str
    """``queued``, ``in_progress``, ``completed`` or ``failed`` (see :data:`VideoStatus`)."""
    model: str
    """Model slug as requested, e.g. ``sora-2``, ``kling-v3``, ``wan-2.6``."""
    prompt: str | None = None
    seconds: str
    """Duration as a string, e.g. ``"10"`` (Lumenfall's values are not limited to OpenAI's 4/8/12)."""
    size: str
    """``"WIDTHxHEIGHT"`` (``"1920x1080"``) or an aspect ratio (``"16:9"``)."""
    output: VideoOutput | None = None
    """Set when ``status == "completed"``."""
    error: VideoError | None = None
    """Set when ``status == "failed"``."""
    metadata: VideoMetadata = Field(default_factory=VideoMetadata)
    """Always present (empty when the server sent none), so ``video.metadata.cost`` needs no guard."""
    progress: int = 0
    """Percent complete, as OpenAI's Sora reported it: 0 while ``queued``, 100 once ``completed``
    (or ``failed``). Lumenfall does not send it, so while the job runs it is an estimate from the
    time since ``created_at``, fixed when the answer arrived (see :func:`estimate_progress`): it
    rises from poll to poll but is not a measurement. A value the server sends is kept, clamped
    to 0..99 until the job has ended (100 only then)."""
    remixed_from_video_id: str | None = None
    """OpenAI Sora's remix source. Lumenfall has no remix; kept for code that reads it."""

    @classmethod
    def construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
        # openai's loose parsing path, where no validator runs.
        video = super().construct(_fields_set, **values)
        video._settle_progress()
        return video

    model_construct = construct

    @model_validator(mode="after")
    def _progress_after_validation(self) -> Self:
        self._settle_progress()
        return self

    def _settle_progress(self) -> None:
        """Fix ``progress`` at parse time; an estimate is not marked as sent (``exclude_unset`` dumps
        stay what the server sent)."""
        fields: dict[str, Any] = vars(self)
        sent = fields.get("progress") if "progress" in self.model_fields_set else None
        fields["progress"] = estimate_progress(fields.get("status"), fields.get("created_at"), sent, now=time.time())

    @property
    def is_finished(self) -> bool:
        """True once the job is ``completed`` or ``failed``; any other status means "still going"."""
        return isinstance(self.status, str) and self.status in FINISHED_STATUSES

    def raise_for_status(self) -> Self:
        """Raise :class:`~lumenfall_openai.errors.VideoFailedError` if the job failed; else return self.

        ``client.videos.create_and_poll(...).raise_for_status()`` is the one-call form for code
        that prefers exceptions to checking ``status``.
        """
        if self.status == "failed":
            raise VideoFailedError(self)
        return self


class VideoDeleted(LumenfallModel):
    """What ``videos.delete`` returns, shaped like OpenAI's ``VideoDeleteResponse``.

    On Lumenfall, DELETE cancels an in-flight job (best effort, no refund promised).
    """

    id: str
    deleted: bool = True
    object: str = "video.deleted"

"""The Video object as Lumenfall sends it (see Lumenfall's "Get video" page).

Owned here rather than taken from ``openai.types.video``: OpenAI retired Sora, its Video types
Lumenfall's sizes and seconds as errors, and a later openai will delete the module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from typing_extensions import Self

from ..errors import VideoFailedError
from ._base import LumenfallModel
from .metadata import ResponseMetadata

__all__ = [
    "FINISHED_STATUSES",
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
    progress: int | None = None
    """OpenAI Sora's percent complete. Lumenfall does not send it; kept for code that reads it."""
    remixed_from_video_id: str | None = None
    """OpenAI Sora's remix source. Lumenfall has no remix; kept for code that reads it."""

    @property
    def is_finished(self) -> bool:
        """True once the job is ``completed`` or ``failed``; any other status means "still going"."""
        return self.status in FINISHED_STATUSES

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

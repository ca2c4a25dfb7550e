"""Response types owned by this package (all ``openai.BaseModel`` subclasses; unknown fields kept).

Each submodule is imported when one of its names is first used (PEP 562): parsing a Video does
not pay for the webhook and account models, and ``import lumenfall_openai`` stays near the cost
of ``import openai``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .account import Balance as Balance
    from .account import BalanceAmount as BalanceAmount
    from .account import PurgeResult as PurgeResult
    from .account import RequestRecord as RequestRecord
    from .account import RequestsSummary as RequestsSummary
    from .cost import CostComponent as CostComponent
    from .cost import CostEstimate as CostEstimate
    from .images import ImageAttempt as ImageAttempt
    from .images import ImageMetadata as ImageMetadata
    from .images import ImagesResponse as ImagesResponse
    from .metadata import ResponseMetadata as ResponseMetadata
    from .video import FINISHED_STATUSES as FINISHED_STATUSES
    from .video import Video as Video
    from .video import VideoDeleted as VideoDeleted
    from .video import VideoError as VideoError
    from .video import VideoMetadata as VideoMetadata
    from .video import VideoOutput as VideoOutput
    from .video import VideoStatus as VideoStatus
    from .webhooks import LumenfallWebhookEvent as LumenfallWebhookEvent
    from .webhooks import UnknownWebhookEvent as UnknownWebhookEvent
    from .webhooks import VideoCancelledEvent as VideoCancelledEvent
    from .webhooks import VideoCompletedEvent as VideoCompletedEvent
    from .webhooks import VideoFailedEvent as VideoFailedEvent
    from .webhooks import WebhookSecret as WebhookSecret
    from .webhooks import WebhookVideoData as WebhookVideoData
    from .webhooks import WebhookVideoError as WebhookVideoError
    from .webhooks import WebhookVideoOutput as WebhookVideoOutput

_SUBMODULE_OF = {
    "Balance": "account",
    "BalanceAmount": "account",
    "PurgeResult": "account",
    "RequestRecord": "account",
    "RequestsSummary": "account",
    "CostComponent": "cost",
    "CostEstimate": "cost",
    "ImageAttempt": "images",
    "ImageMetadata": "images",
    "ImagesResponse": "images",
    "ResponseMetadata": "metadata",
    "FINISHED_STATUSES": "video",
    "Video": "video",
    "VideoDeleted": "video",
    "VideoError": "video",
    "VideoMetadata": "video",
    "VideoOutput": "video",
    "VideoStatus": "video",
    "LumenfallWebhookEvent": "webhooks",
    "UnknownWebhookEvent": "webhooks",
    "VideoCancelledEvent": "webhooks",
    "VideoCompletedEvent": "webhooks",
    "VideoFailedEvent": "webhooks",
    "WebhookSecret": "webhooks",
    "WebhookVideoData": "webhooks",
    "WebhookVideoError": "webhooks",
    "WebhookVideoOutput": "webhooks",
}

__all__ = sorted(_SUBMODULE_OF)  # pyright: ignore[reportUnsupportedDunderAll]


def __getattr__(name: str) -> object:
    module = _SUBMODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULE_OF})

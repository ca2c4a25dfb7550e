"""Response types owned by this package (all ``openai.BaseModel`` subclasses; unknown fields kept)."""

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
from .video import (
    FINISHED_STATUSES as FINISHED_STATUSES,
)
from .video import (
    Video as Video,
)
from .video import (
    VideoDeleted as VideoDeleted,
)
from .video import (
    VideoError as VideoError,
)
from .video import (
    VideoMetadata as VideoMetadata,
)
from .video import (
    VideoOutput as VideoOutput,
)
from .video import (
    VideoStatus as VideoStatus,
)
from .webhooks import LumenfallWebhookEvent as LumenfallWebhookEvent
from .webhooks import UnknownWebhookEvent as UnknownWebhookEvent
from .webhooks import VideoCancelledEvent as VideoCancelledEvent
from .webhooks import VideoCompletedEvent as VideoCompletedEvent
from .webhooks import VideoFailedEvent as VideoFailedEvent
from .webhooks import WebhookSecret as WebhookSecret
from .webhooks import WebhookVideoData as WebhookVideoData
from .webhooks import WebhookVideoError as WebhookVideoError
from .webhooks import WebhookVideoOutput as WebhookVideoOutput

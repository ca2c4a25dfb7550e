"""Response types owned by this package (all ``openai.BaseModel`` subclasses; unknown fields kept)."""

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

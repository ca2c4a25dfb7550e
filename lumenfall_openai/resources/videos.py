"""``client.videos``: :class:`Videos` and :class:`AsyncVideos`.

The code is written once, as async, in ``_async/videos.py``; ``_sync/videos.py`` is generated
from it by ``scripts/unasync.py`` (``--check`` in CI fails when it is stale). This module keeps
the public import path.
"""

from ._async.videos import AsyncVideos, AsyncVideosWithRawResponse, AsyncVideosWithStreamingResponse
from ._sync.videos import Videos, VideosWithRawResponse, VideosWithStreamingResponse

__all__ = [
    "AsyncVideos",
    "AsyncVideosWithRawResponse",
    "AsyncVideosWithStreamingResponse",
    "Videos",
    "VideosWithRawResponse",
    "VideosWithStreamingResponse",
]

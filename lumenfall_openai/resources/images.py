"""``client.images``: :class:`Images` and :class:`AsyncImages` (openai's images, typed metadata, budgets).

The code is written once, as async, in ``_async/images.py``; ``_sync/images.py`` is generated
from it by ``scripts/unasync.py``. This module keeps the public import path.
"""

from ._async.images import AsyncImages
from ._sync.images import Images

__all__ = ["AsyncImages", "Images"]

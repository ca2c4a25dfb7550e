"""``client.images``: openai's images resource, answering with Lumenfall's typed ``metadata``.

Images is not retired, so this *is* openai's resource (every parameter of the installed openai,
its request building, its raw and streaming wrappers), with three changes:

- ``generate`` / ``edit`` are typed to return this package's
  :class:`~lumenfall_openai.types.ImagesResponse`, whose ``metadata`` (cost, provider, attempts)
  is typed and always present. At run time the client's response hook swaps the parse target
  (see ``_cost_tracking``), so nothing of openai's request code is copied here;
- ``estimate`` prices a ``generate`` call with ``?dryRun=true`` (same arguments, same body);
- with a budget, a call is estimated and reserved first, like a video create.

The retyping borrows openai's own signatures through a ParamSpec, so the parameters a type
checker sees are exactly those of the installed openai, on every supported version.

The code is written once, as async, in ``_async/images.py``; ``_sync/images.py`` is generated
from it by ``scripts/unasync.py``. This module keeps the public import path.
"""

from ._async.images import AsyncImages
from ._sync.images import Images

__all__ = ["AsyncImages", "Images"]

"""What type checkers see as ``_compat.http``; never imported at run time.

Every name a public signature uses comes from a place that names the installed openai's HTTP
library on both openai lines (``openai.Timeout``, ``openai.DefaultHttpxClient`` is statically
``httpx.Client`` / ``httpx2.Client``, ...). So a user's type checker, which knows nothing of
our ``OPENAI_2_TYPES`` constant and has only one of the two libraries installed, sees concrete
types, never ``Unknown``. Only names no public signature uses may depend on the constant.
"""

from openai import DefaultAsyncHttpxClient as AsyncClient
from openai import DefaultHttpxClient as Client
from openai import Timeout as Timeout
from openai._types import URL as URL  # type: ignore[attr-defined, unused-ignore]  # pyright: ignore[reportPrivateImportUsage]
from openai._types import Response as Response  # type: ignore[attr-defined, unused-ignore]  # pyright: ignore[reportPrivateImportUsage]

# Set by CI's openai 2.x legs, as in _compat.py.
OPENAI_2_TYPES = False

if not OPENAI_2_TYPES:
    from httpx2 import AsyncByteStream as AsyncByteStream
    from httpx2 import HTTPError as HTTPError
    from httpx2 import Limits as Limits
    from httpx2 import SyncByteStream as SyncByteStream
else:
    from httpx import AsyncByteStream as AsyncByteStream  # type: ignore[no-redef, import-not-found, unused-ignore]
    from httpx import HTTPError as HTTPError  # type: ignore[no-redef, import-not-found, unused-ignore]
    from httpx import Limits as Limits  # type: ignore[no-redef, import-not-found, unused-ignore]
    from httpx import SyncByteStream as SyncByteStream  # type: ignore[no-redef, import-not-found, unused-ignore]

__all__ = [
    "URL",
    "AsyncByteStream",
    "AsyncClient",
    "Client",
    "HTTPError",
    "Limits",
    "Response",
    "SyncByteStream",
    "Timeout",
]

"""``Lumenfall`` and ``AsyncLumenfall``: openai clients that talk to Lumenfall and only to Lumenfall.

They are ``openai.OpenAI`` / ``openai.AsyncOpenAI`` subclasses, so every resource openai keeps
(images, chat, models, ...) works as before, retries and timeouts included. What changes:

- settings come from ``LUMENFALL_*`` (see ``_settings``), never from ``OPENAI_*``: openai's own
  ``__init__`` reads ``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``, ``OPENAI_CUSTOM_HEADERS``, ... and
  would send them to a third party, so what it read is reset right after it ran;
- ``client.videos`` is this package's own resource (OpenAI retired Sora's);
- HTTP errors become Lumenfall's error classes (``errors``);
- ``copy()`` / ``with_options()`` rebuild a Lumenfall client, not an OpenAI one;
- ``client.images`` answers with typed ``metadata`` (cost, provider) and can ``estimate``;
  ``client.webhooks`` verifies Lumenfall's deliveries; ``client.account`` / ``client.requests``
  reach the native API;
- a :class:`~lumenfall_openai.costs.CostLedger` (its own, or ``ledger=`` / ``budget=``) sees every
  cost the client parses, through one hook on ``get``/``post`` (``_cost_tracking``), and is shared
  by copies.
"""

from ._async.client import AsyncLumenfall, AsyncLumenfallWithRawResponse, AsyncLumenfallWithStreamedResponse
from ._client_base import Money
from ._sync.client import Lumenfall, LumenfallWithRawResponse, LumenfallWithStreamedResponse

__all__ = [
    "AsyncLumenfall",
    "AsyncLumenfallWithRawResponse",
    "AsyncLumenfallWithStreamedResponse",
    "Lumenfall",
    "LumenfallWithRawResponse",
    "LumenfallWithStreamedResponse",
    "Money",
]

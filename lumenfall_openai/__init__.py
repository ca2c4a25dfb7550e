"""Lumenfall's image and video models from code written for the openai SDK.

Migrating from OpenAI is one line::

    from lumenfall_openai import OpenAI   # was: from openai import OpenAI

``OpenAI`` / ``AsyncOpenAI`` here are :class:`Lumenfall` / :class:`AsyncLumenfall`.
"""

from typing import TYPE_CHECKING

from . import costs as costs
from . import errors as errors
from . import types as types
from ._client import AsyncLumenfall as AsyncLumenfall
from ._client import Lumenfall as Lumenfall
from ._version import __version__ as __version__
from .costs import CostLedger as CostLedger
from .costs import LedgerEntry as LedgerEntry
from .errors import (
    AllProvidersExhaustedError as AllProvidersExhaustedError,
)
from .errors import (
    AuthenticationFailedError as AuthenticationFailedError,
)
from .errors import (
    BudgetError as BudgetError,
)
from .errors import (
    BudgetExceededError as BudgetExceededError,
)
from .errors import (
    ContentPolicyViolationError as ContentPolicyViolationError,
)
from .errors import (
    DownloadError as DownloadError,
)
from .errors import (
    InsufficientBalanceError as InsufficientBalanceError,
)
from .errors import (
    IntegrityError as IntegrityError,
)
from .errors import (
    InvalidRequestError as InvalidRequestError,
)
from .errors import (
    LumenfallAPIError as LumenfallAPIError,
)
from .errors import (
    LumenfallConfigurationError as LumenfallConfigurationError,
)
from .errors import (
    LumenfallError as LumenfallError,
)
from .errors import (
    ModelDisabledError as ModelDisabledError,
)
from .errors import (
    ModelNotFoundError as ModelNotFoundError,
)
from .errors import (
    RateLimitedError as RateLimitedError,
)
from .errors import (
    ResponseParseError as ResponseParseError,
)
from .errors import (
    UnsupportedOperationError as UnsupportedOperationError,
)
from .errors import (
    UnusableEstimateError as UnusableEstimateError,
)
from .errors import (
    UpstreamError as UpstreamError,
)
from .errors import (
    VideoFailedError as VideoFailedError,
)
from .errors import (
    WaitInterruptedError as WaitInterruptedError,
)
from .errors import (
    WaitTimeoutError as WaitTimeoutError,
)
from .errors import (
    WebhookVerificationError as WebhookVerificationError,
)

if TYPE_CHECKING:
    from ._download_plan import DownloadProgress as DownloadProgress
    from ._polling import PollPolicy as PollPolicy
    from ._polling import PollProgress as PollProgress
    from .types import CostEstimate as CostEstimate
    from .types import ImagesResponse as ImagesResponse
    from .types import LumenfallWebhookEvent as LumenfallWebhookEvent
    from .types import Video as Video

# What only videos, images, waiting, downloading or webhooks need is imported when first used (PEP 562), so
# ``import lumenfall_openai`` costs about what ``import openai`` costs.
_LAZY = {
    "DownloadProgress": "._download_plan",
    "PollPolicy": "._polling",
    "PollProgress": "._polling",
    "LumenfallWebhookEvent": ".types",
    "CostEstimate": ".types",
    "ImagesResponse": ".types",
    "Video": ".types",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# The one-line migration: `from lumenfall_openai import OpenAI` keeps `OpenAI(...)` calls as they are.
OpenAI = Lumenfall
AsyncOpenAI = AsyncLumenfall

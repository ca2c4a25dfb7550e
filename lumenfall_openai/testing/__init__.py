"""A local Lumenfall for tests, demos and benchmarks (``pip install 'lumenfall-openai[emulator]'``).

``LumenfallEmulator`` serves Lumenfall's HTTP API over real HTTP on loopback (or in-process as
an ASGI app): video jobs on a clock-driven schedule, real playable MP4s with Range support,
Standard Webhooks deliveries with retries, cost estimates and billing, and fault injection.
"""

from __future__ import annotations

try:
    from ._catalog import Catalog, Estimate, ModelSpec, Provider
    from ._emulator import LumenfallEmulator
    from ._errors import DOCUMENTED_CODES
    from ._faults import Fault, FaultEvent, Faults
    from ._media import SyntheticMp4
    from ._middleware import ConnectionDropped
    from ._outcomes import MARKERS, JobScript
    from ._records import RecordedRequest
    from ._validation import UploadedFile
    from ._webhooks import RETRY_DELAYS, WebhookAttempt, WebhookDelivery
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installed extras
    # Say which extra is missing, instead of a bare "No module named 'starlette'".
    if exc.name in ("starlette", "uvicorn", "multipart", "python_multipart"):
        raise ImportError(
            f"lumenfall_openai.testing needs {exc.name!r} from the emulator extra: "
            "pip install 'lumenfall-openai[emulator]'"
        ) from exc
    raise

__all__ = [
    "DOCUMENTED_CODES",
    "MARKERS",
    "RETRY_DELAYS",
    "Catalog",
    "ConnectionDropped",
    "Estimate",
    "Fault",
    "FaultEvent",
    "Faults",
    "JobScript",
    "LumenfallEmulator",
    "ModelSpec",
    "Provider",
    "RecordedRequest",
    "SyntheticMp4",
    "UploadedFile",
    "WebhookAttempt",
    "WebhookDelivery",
]

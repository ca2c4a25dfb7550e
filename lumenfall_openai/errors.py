"""Lumenfall's errors as exception classes that still satisfy ``except openai.XxxError``.

Every HTTP error is built by :func:`status_error_for`: the openai class for the status (what a
plain ``openai.OpenAI`` raises) combined with the Lumenfall class for the envelope's ``code``.
So ``except openai.BadRequestError`` keeps working and ``except ContentPolicyViolationError``
becomes possible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import openai

if TYPE_CHECKING:
    from ._compat import http
    from .types.cost import CostEstimate
    from .types.video import Video

__all__ = [
    "AllProvidersExhaustedError",
    "AuthenticationFailedError",
    "BudgetError",
    "BudgetExceededError",
    "ContentPolicyViolationError",
    "DownloadError",
    "InsufficientBalanceError",
    "IntegrityError",
    "InvalidRequestError",
    "LumenfallAPIError",
    "LumenfallConfigurationError",
    "LumenfallError",
    "ModelDisabledError",
    "ModelNotFoundError",
    "RateLimitedError",
    "ResponseParseError",
    "UnsupportedOperationError",
    "UnusableEstimateError",
    "UpstreamError",
    "VideoFailedError",
    "WaitInterruptedError",
    "WaitTimeoutError",
    "WebhookVerificationError",
]

REQUEST_ID_HEADER = "x-lumenfall-request-id"


def _envelope(body: object) -> Mapping[str, Any]:
    """The inner ``{"message", "type", "code"}`` object (openai already unwrapped ``"error"``)."""
    return cast("Mapping[str, Any]", body) if isinstance(body, Mapping) else {}


class LumenfallError(openai.OpenAIError):
    """Base of every error this package raises itself."""


class LumenfallConfigurationError(LumenfallError):
    """The client was set up in a way that cannot work (missing key, OpenAI-only option, ...)."""


class LumenfallAPIError(openai.APIStatusError):
    """An HTTP error answered by Lumenfall, with its ``code`` and ``request_id``.

    ``request_id`` is Lumenfall's ``X-Lumenfall-Request-Id`` (openai only reads ``x-request-id``):
    quote it to Lumenfall support.
    """

    code: str | None
    error_type: str | None

    def __init__(self, message: str, *, response: http.Response, body: object | None) -> None:
        super().__init__(message, response=response, body=body)
        envelope = _envelope(body)
        code = envelope.get("code")
        self.code = None if code is None else str(code)  # as openai 3.x: a numeric code reads "404"
        kind = envelope.get("type")
        self.error_type = kind if isinstance(kind, str) else None
        self.request_id = response.headers.get(REQUEST_ID_HEADER) or self.request_id


class AuthenticationFailedError(LumenfallAPIError, openai.AuthenticationError):
    """AUTHENTICATION_FAILED (401): the key is wrong, revoked, or not a Lumenfall key."""


class InsufficientBalanceError(LumenfallAPIError):
    """INSUFFICIENT_BALANCE (402): top up the prepaid balance, or lower the cost of the request."""


class InvalidRequestError(LumenfallAPIError, openai.BadRequestError):
    """INVALID_REQUEST (400): a parameter is missing or not accepted by this model."""


class ContentPolicyViolationError(LumenfallAPIError, openai.BadRequestError):
    """CONTENT_POLICY_VIOLATION (400): the provider refused the prompt or an input image."""


class ModelNotFoundError(LumenfallAPIError, openai.NotFoundError):
    """MODEL_NOT_FOUND (404): no such model slug; the message often suggests the right one."""


class ModelDisabledError(LumenfallAPIError, openai.NotFoundError):
    """MODEL_DISABLED (404): the model exists but is switched off for now."""


class RateLimitedError(LumenfallAPIError, openai.RateLimitError):
    """RATE_LIMITED (429)."""


class AllProvidersExhaustedError(LumenfallAPIError, openai.InternalServerError):
    """ALL_PROVIDERS_EXHAUSTED (502): every provider for the model failed; retry later."""


class UpstreamError(LumenfallAPIError):
    """UPSTREAM_ERROR (any status): the provider answered with an error Lumenfall passed on."""


CODE_TO_CLASS: dict[str, type[LumenfallAPIError]] = {
    "AUTHENTICATION_FAILED": AuthenticationFailedError,
    "INSUFFICIENT_BALANCE": InsufficientBalanceError,
    "INVALID_REQUEST": InvalidRequestError,
    "CONTENT_POLICY_VIOLATION": ContentPolicyViolationError,
    "MODEL_NOT_FOUND": ModelNotFoundError,
    "MODEL_DISABLED": ModelDisabledError,
    "RATE_LIMITED": RateLimitedError,
    "ALL_PROVIDERS_EXHAUSTED": AllProvidersExhaustedError,
    "UPSTREAM_ERROR": UpstreamError,
}

_combined: dict[tuple[type[LumenfallAPIError], type[openai.APIStatusError]], type[LumenfallAPIError]] = {}


def _with_status_class(
    lumenfall_cls: type[LumenfallAPIError], openai_cls: type[openai.APIStatusError]
) -> type[LumenfallAPIError]:
    """The Lumenfall class, also a subclass of the openai class for the actual status.

    A code can arrive with a status other than its documented one (UPSTREAM_ERROR varies; a proxy
    may rewrite). The combined class keeps both promises: ``except UpstreamError`` and
    ``except openai.InternalServerError`` each catch a 503 UPSTREAM_ERROR.
    """
    if issubclass(lumenfall_cls, openai_cls):
        return lumenfall_cls
    key = (lumenfall_cls, openai_cls)
    cls = _combined.get(key)
    if cls is None:
        cls = type(lumenfall_cls.__name__, (lumenfall_cls, openai_cls), {"__module__": __name__})
        _combined[key] = cls
    return cls


def status_error_for(
    openai_error: openai.APIStatusError, *, message: str, body: object, response: http.Response
) -> openai.APIStatusError:
    """Turn the error openai built for a response into its Lumenfall class."""
    code = _envelope(body).get("code")
    lumenfall_cls = CODE_TO_CLASS.get(code, LumenfallAPIError) if isinstance(code, str) else LumenfallAPIError
    cls = _with_status_class(lumenfall_cls, type(openai_error))
    return cls(message, response=response, body=body)


class VideoFailedError(LumenfallError):
    """A video job ended in ``failed``. ``video`` is the final Video (``video.error`` says why).

    Video generation fails often (roughly 4 in 10 jobs in production), so plan for this.
    """

    def __init__(self, video: Video) -> None:
        self.video = video
        self.video_id = video.id
        error = video.error
        self.code = error.code if error is not None else None
        detail = f"{error.code}: {error.message}" if error is not None else "no error details"
        super().__init__(f"Video {video.id} failed ({detail}).")


class WaitInterruptedError(LumenfallError):
    """A wait for a job ended before the job did. The job goes on: resume with ``poll(video_id)``.

    Raised as is when checking failed for too long in a row (Lumenfall unreachable, repeated
    5xx); ``last_error`` (also ``__cause__``) is the last failure. ``video`` is the last Video
    seen (None if every check failed); ``video_id`` is always set, so the job is never lost.
    """

    def __init__(
        self,
        video: Video | None,
        *,
        video_id: str,
        waited_seconds: float,
        last_error: BaseException | None = None,
        message: str | None = None,
    ) -> None:
        self.video = video
        self.video_id = video_id
        self.waited_seconds = waited_seconds
        self.last_error = last_error
        if message is None:
            message = (
                f"Gave up waiting for video {video_id} after {waited_seconds:.1f}s: checking it kept "
                f"failing ({last_error!r}). The job may still be running on Lumenfall; resume with "
                f"client.videos.poll({video_id!r}) once Lumenfall is reachable."
            )
        super().__init__(message)


class WaitTimeoutError(WaitInterruptedError):
    """Waiting for a job passed its deadline. The job goes on: resume with ``poll(video_id)``.

    ``video`` is the last Video seen (None if every check failed), ``video_id`` always set.
    """

    def __init__(
        self,
        video: Video | None,
        *,
        video_id: str,
        waited_seconds: float,
        last_error: BaseException | None = None,
    ) -> None:
        state = f"still {video.status!r}" if video is not None else "not reachable"
        super().__init__(
            video,
            video_id=video_id,
            waited_seconds=waited_seconds,
            last_error=last_error,
            message=(
                f"Video {video_id} is {state} after {waited_seconds:.1f}s. The job keeps running on "
                f"Lumenfall; resume with client.videos.poll({video_id!r}) or cancel it with "
                f"client.videos.cancel({video_id!r})."
            ),
        )


class DownloadError(LumenfallError):
    """A video could not be downloaded; nothing was left at the destination path.

    ``video_id`` and ``path`` are set when known; ``bytes_done`` is how far the transfer got.
    ``media_gone`` is True when the media itself is gone for good (expired, removed or revoked,
    still refused after a fresh retrieve): retrying cannot help, only generating it again.
    """

    def __init__(
        self,
        message: str,
        *,
        video_id: str | None = None,
        path: str | None = None,
        bytes_done: int = 0,
        media_gone: bool = False,
    ) -> None:
        super().__init__(message)
        self.video_id = video_id
        self.path = path
        self.bytes_done = bytes_done
        self.media_gone = media_gone


class IntegrityError(DownloadError):
    """The downloaded bytes do not match what the Video promised (size or content type)."""


class UnsupportedOperationError(LumenfallError, NotImplementedError):
    """An OpenAI video operation that Lumenfall does not offer; the message says what to use."""


class BudgetError(LumenfallError):
    """A budget refused a request before anything paid was sent (base of the two reasons below)."""


class BudgetExceededError(BudgetError):
    """A job's estimate exceeds what is left of the client's budget; nothing was sent.

    Raised before the paid request, after a free ``?dryRun=true`` estimate. ``estimate`` is
    that :class:`~lumenfall_openai.types.CostEstimate` (None when the refusal needed none);
    the amounts are integer micros (millionths of ``currency``) with float twins.
    """

    def __init__(
        self,
        message: str,
        *,
        estimate: CostEstimate | None,
        estimate_micros: int,
        remaining_micros: int,
        budget_micros: int,
        currency: str,
    ) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.estimate_micros = estimate_micros
        self.remaining_micros = remaining_micros
        self.budget_micros = budget_micros
        self.currency = currency

    @property
    def remaining(self) -> float:
        """What was left of the budget, in ``currency``."""
        return self.remaining_micros / 1_000_000

    @property
    def budget(self) -> float:
        return self.budget_micros / 1_000_000


class UnusableEstimateError(BudgetError):
    """The free estimate that a budget needs could not be read as money; nothing paid was sent.

    A budget can only be kept if every job is priced first. An estimate whose
    ``total_cost_micros`` is not a non-negative integer (missing, text, a float, NaN, negative,
    absurdly large) or whose ``currency`` is not a currency code prices nothing, so the job is
    refused rather than taken as free. ``estimate`` is what came back (None if it was not even
    an estimate object), ``field`` the unreadable field and ``value`` what it held.
    """

    def __init__(self, message: str, *, estimate: CostEstimate | None, field: str, value: object) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.field = field
        self.value = value


class ResponseParseError(LumenfallError, openai.APIResponseValidationError):
    """A 2xx answer whose body could not be read as what was asked for (not JSON, wrong shape).

    Raised instead of the raw ``JSONDecodeError`` / ``TypeError`` / pydantic error, so
    ``except openai.OpenAIError`` (and ``except openai.APIResponseValidationError``) catches it;
    the original is ``__cause__``. After a video create, a 2xx means the job probably exists:
    ``idempotency_key`` is set and the message says how to get the job back without paying twice.
    """

    idempotency_key: str | None = None
    video_id: str | None = None
    other_video_id: str | None = None
    """Set when the answer was about another job than ``video_id`` (a proxy or gateway mix-up)."""


# What a create error carries so the job it may have started is never lost. Set as attributes on
# the exception openai raised (its class is kept, so `except openai.APIConnectionError` still
# works) by `attach_create_context`; read them with `getattr(error, "idempotency_key", None)`.
CREATE_CONTEXT_ATTRS = ("idempotency_key", "video_id", "job_may_exist")


def attach_create_context(
    error: BaseException, *, idempotency_key: str, video_id: str | None, job_may_exist: bool
) -> BaseException:
    """Give ``error`` the create's ``idempotency_key`` / ``video_id`` and, when a job may exist,
    append to its message how to resume. Returns ``error`` itself (once; idempotent)."""
    if getattr(error, "idempotency_key", None) is not None:
        return error
    try:
        for name, value in zip(CREATE_CONTEXT_ATTRS, (idempotency_key, video_id, job_may_exist), strict=True):
            setattr(error, name, value)
    except (AttributeError, TypeError):  # an exception type with __slots__: leave it as it is
        return error
    if job_may_exist and isinstance(error, Exception):
        hint = resume_hint(idempotency_key, video_id)
        first: object = error.args[0] if error.args else None
        error.args = (f"{first} {hint}", *error.args[1:]) if isinstance(first, str) else (hint, *error.args)
        message: object = getattr(error, "message", None)
        if isinstance(message, str):
            setattr(error, "message", f"{message} {hint}")  # noqa: B010  (openai's APIError.message)
    return error


def resume_hint(idempotency_key: str, video_id: str | None) -> str:
    where = f"video {video_id}" if video_id else "a video job"
    return (
        f"Lumenfall may have started {where} (and may bill it) although this call failed. Do not "
        f"start a new job: call client.videos.create(...) again with idempotency_key={idempotency_key!r} "
        "and the same arguments; Lumenfall answers with the same job instead of starting (and "
        "billing) a second one."
    )


class WebhookVerificationError(LumenfallError, openai.InvalidWebhookSignatureError):
    """A webhook's signature, timestamp or headers did not verify; do not trust its body.

    Also an ``openai.InvalidWebhookSignatureError``, so ``except openai.InvalidWebhookSignatureError``
    written for openai's webhooks catches it. Answer such a request with a 400 and do not act on it.
    """

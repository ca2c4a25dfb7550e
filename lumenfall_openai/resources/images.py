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
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from openai.resources.images import AsyncImages as _OpenAIAsyncImages
from openai.resources.images import Images as _OpenAIImages
from typing_extensions import ParamSpec

from .._compat import RAW_RESPONSE_HEADER
from .._cost_tracking import IMAGE_HOLD, dry_run_options, rereadable
from .._create_outcome import caller_wants_raw, may_have_started, parse_answer
from .._video_requests import check_http_timeout, check_json_value
from ..errors import UnsupportedOperationError
from ..types.cost import CostEstimate
from ..types.images import ImagesResponse

if TYPE_CHECKING:
    from .._client import AsyncLumenfall, Lumenfall
    from ..costs import CostLedger, Reservation

__all__ = ["AsyncImages", "Images"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Arguments of openai's image methods that may hold an upload (edit's image, mask, markup).
_FILE_ARGUMENTS = ("image", "mask", "markup")


def _returning(source: Callable[_P, object], result: type[_R]) -> Callable[[Callable[..., Any]], Callable[_P, _R]]:
    """Give the decorated method ``source``'s parameters and ``result`` as its return type."""

    def retype(method: Callable[..., Any]) -> Callable[_P, _R]:
        return method

    return retype


def _async_returning(
    source: Callable[_P, object], result: type[_R]
) -> Callable[[Callable[..., Any]], Callable[_P, Coroutine[Any, Any, _R]]]:
    def retype(method: Callable[..., Any]) -> Callable[_P, Coroutine[Any, Any, _R]]:
        return method

    return retype


def _refuse_streaming(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs.get("stream"):
        raise UnsupportedOperationError(
            f"images.{name}(stream=True) is not available on Lumenfall: image requests are answered at "
            "once, in one response (with their cost in `metadata`). Drop `stream=True` (and "
            "`partial_images`)."
        )


def _check_numbers(kwargs: dict[str, Any]) -> None:
    """Refuse a NaN/inf anywhere in the body (``extra_body`` included) or in ``timeout`` before
    anything is sent, by the rules ``videos.create`` uses (openai would send the token ``NaN``)."""
    for name, value in kwargs.items():
        if name == "timeout":
            check_http_timeout(value)
        elif name not in (*_FILE_ARGUMENTS, "extra_headers"):
            check_json_value(name, value)


def _dry_run_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    # openai's edit sets its own multipart Content-Type, so no multipart flag here.
    headers, query = dry_run_options(kwargs.get("extra_headers"), kwargs.get("extra_query"), multipart=False)
    return {**kwargs, "extra_headers": headers, "extra_query": query}


def _raw_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments asking openai for the raw response, which ``_call`` parses itself
    (so an unreadable body raises ResponseParseError, an ``openai.OpenAIError``)."""
    return {**kwargs, "extra_headers": {**(kwargs.get("extra_headers") or {}), RAW_RESPONSE_HEADER: "true"}}


def _what(method: Callable[..., Any]) -> str:
    return f"images.{getattr(method, '__name__', 'request')}"


def _settle_failed(ledger: CostLedger, hold: Reservation | None, error: BaseException) -> None:
    """An images call raised: a definite refusal frees its reservation. Any other outcome (lost
    answer, 5xx, unreadable body) may have made and billed the images, and there is no job to ask
    later, so the reservation is recorded as spent (an ``estimated`` ledger entry)."""
    if hold is None:
        return
    if may_have_started(error):
        ledger._spend_hold(hold, kind="image")  # pyright: ignore[reportPrivateUsage]
    else:
        hold.release()


def _rereadable_uploads(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Open files read into bytes, so the budget's dry run and the real call send the same upload."""
    return {k: (rereadable(v) if k in _FILE_ARGUMENTS else v) for k, v in kwargs.items()}


class Images(_OpenAIImages):
    """openai's ``client.images`` with typed Lumenfall metadata, ``estimate``, and budgets."""

    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @_returning(_OpenAIImages.generate, ImagesResponse)
    def generate(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Generate images (openai's arguments); ``.metadata.cost`` says what it cost."""
        _refuse_streaming("generate", kwargs)
        _check_numbers(kwargs)
        hold = self._reserve("generate", _OpenAIImages.generate, args, kwargs)
        return self._call(_OpenAIImages.generate, hold, args, kwargs)

    @_returning(_OpenAIImages.edit, ImagesResponse)
    def edit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Edit images (openai's arguments); ``.metadata.cost`` says what it cost."""
        _refuse_streaming("edit", kwargs)
        _check_numbers(kwargs)
        if self._budgeted():
            kwargs = _rereadable_uploads(kwargs)
        hold = self._reserve("edit", _OpenAIImages.edit, args, kwargs)
        return self._call(_OpenAIImages.edit, hold, args, kwargs)

    @_returning(_OpenAIImages.generate, CostEstimate)
    def estimate(self, *args: Any, **kwargs: Any) -> Any:
        """What ``generate`` with these arguments would cost (free ``?dryRun=true``; nothing runs)."""
        _refuse_streaming("estimate", kwargs)
        _check_numbers(kwargs)
        return self._dry_run(_OpenAIImages.generate, args, kwargs)

    def _budgeted(self) -> bool:
        return self._client.ledger.has_budget

    def _dry_run(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> CostEstimate:
        raw: Any = method(self, *args, **_dry_run_kwargs(kwargs))
        return parse_answer(raw, CostEstimate, what="the images estimate (?dryRun=true)")

    def _reserve(
        self, name: str, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Reservation | None:
        ledger = self._client.ledger
        if not ledger.has_budget:
            return None
        estimate = self._dry_run(method, args, kwargs)
        micros, currency = ledger._price(estimate)  # pyright: ignore[reportPrivateUsage]
        return ledger.reserve(micros, currency=currency, estimate=estimate, what=f"This images.{name} request")

    def _call(
        self, method: Callable[..., Any], hold: Reservation | None, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        raw = not caller_wants_raw(kwargs.get("extra_headers"))
        token = IMAGE_HOLD.set(hold)
        try:
            answer = method(self, *args, **(_raw_kwargs(kwargs) if raw else kwargs))
            return parse_answer(answer, ImagesResponse, what=_what(method)) if raw else answer
        except BaseException as error:
            _settle_failed(self._client.ledger, hold, error)
            raise
        finally:
            IMAGE_HOLD.reset(token)


class AsyncImages(_OpenAIAsyncImages):
    """The async twin of :class:`Images`."""

    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @_async_returning(_OpenAIAsyncImages.generate, ImagesResponse)
    async def generate(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Generate images (openai's arguments); ``.metadata.cost`` says what it cost."""
        _refuse_streaming("generate", kwargs)
        _check_numbers(kwargs)
        hold = await self._reserve("generate", _OpenAIAsyncImages.generate, args, kwargs)
        return await self._call(_OpenAIAsyncImages.generate, hold, args, kwargs)

    @_async_returning(_OpenAIAsyncImages.edit, ImagesResponse)
    async def edit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Edit images (openai's arguments); ``.metadata.cost`` says what it cost."""
        _refuse_streaming("edit", kwargs)
        _check_numbers(kwargs)
        if self._budgeted():
            kwargs = _rereadable_uploads(kwargs)
        hold = await self._reserve("edit", _OpenAIAsyncImages.edit, args, kwargs)
        return await self._call(_OpenAIAsyncImages.edit, hold, args, kwargs)

    @_async_returning(_OpenAIAsyncImages.generate, CostEstimate)
    async def estimate(self, *args: Any, **kwargs: Any) -> Any:
        """What ``generate`` with these arguments would cost; see :meth:`Images.estimate`."""
        _refuse_streaming("estimate", kwargs)
        _check_numbers(kwargs)
        return await self._dry_run(_OpenAIAsyncImages.generate, args, kwargs)

    def _budgeted(self) -> bool:
        return self._client.ledger.has_budget

    async def _dry_run(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> CostEstimate:
        raw: Any = await method(self, *args, **_dry_run_kwargs(kwargs))
        return parse_answer(raw, CostEstimate, what="the images estimate (?dryRun=true)")

    async def _reserve(
        self, name: str, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Reservation | None:
        ledger = self._client.ledger
        if not ledger.has_budget:
            return None
        estimate = await self._dry_run(method, args, kwargs)
        micros, currency = ledger._price(estimate)  # pyright: ignore[reportPrivateUsage]
        return ledger.reserve(micros, currency=currency, estimate=estimate, what=f"This images.{name} request")

    async def _call(
        self, method: Callable[..., Any], hold: Reservation | None, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        raw = not caller_wants_raw(kwargs.get("extra_headers"))
        token = IMAGE_HOLD.set(hold)
        try:
            answer = await method(self, *args, **(_raw_kwargs(kwargs) if raw else kwargs))
            return parse_answer(answer, ImagesResponse, what=_what(method)) if raw else answer
        except BaseException as error:
            _settle_failed(self._client.ledger, hold, error)
            raise
        finally:
            IMAGE_HOLD.reset(token)

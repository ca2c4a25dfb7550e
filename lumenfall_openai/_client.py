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

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import openai
from typing_extensions import Self, override

from . import _http_pool, _settings
from ._compat import (
    AMBIENT_AUTHORIZATIONS_ATTR,
    CUSTOM_HEADERS_ATTR,
    HTTP_CLIENT_ATTR,
    AsyncOpenAIWithRawResponse,
    AsyncOpenAIWithStreamedResponse,
    NotGiven,
    OpenAIWithRawResponse,
    OpenAIWithStreamedResponse,
    http,
)
from ._cost_tracking import observe
from ._create_outcome import checked_answer, unreadable_answer
from ._error_context import add_connection_detail
from .costs import CostLedger
from .errors import REQUEST_ID_HEADER, status_error_for

# The resources are imported when first used (``client.videos``, ...): ``import lumenfall_openai``
# then costs about what ``import openai`` costs (on openai 2.x ``openai.resources.images`` alone
# loads every openai resource, as openai itself does only when ``client.images`` is first used).
if TYPE_CHECKING:
    from .resources.account import (
        Account,
        AccountWithRawResponse,
        AccountWithStreamingResponse,
        AsyncAccount,
        AsyncAccountWithRawResponse,
        AsyncAccountWithStreamingResponse,
        AsyncRequests,
        AsyncRequestsWithRawResponse,
        AsyncRequestsWithStreamingResponse,
        Requests,
        RequestsWithRawResponse,
        RequestsWithStreamingResponse,
    )
    from .resources.images import AsyncImages, Images
    from .resources.videos import (
        AsyncVideos,
        AsyncVideosWithRawResponse,
        AsyncVideosWithStreamingResponse,
        Videos,
        VideosWithRawResponse,
        VideosWithStreamingResponse,
    )
    from .resources.webhooks import (
        AsyncWebhooks,
        AsyncWebhooksWithRawResponse,
        AsyncWebhooksWithStreamingResponse,
        Webhooks,
        WebhooksWithRawResponse,
        WebhooksWithStreamingResponse,
    )

__all__ = ["AsyncLumenfall", "Lumenfall"]

not_given = NotGiven()

Money = float | int | str | Decimal
"""An amount in the ledger's currency: ``5``, ``12.5``, ``"12.50"`` or ``Decimal("12.50")``."""


def _ledger_for(ledger: CostLedger | None, budget: Money | None) -> CostLedger:
    """The ledger a client records into: ``ledger`` or a new one; ``budget`` makes a budgeted
    sub-ledger of it. Always a ledger, so ``client.ledger.total_micros`` works for everyone."""
    if budget is None:
        return ledger if ledger is not None else CostLedger()
    return CostLedger(budget, parent=ledger, currency=ledger.currency if ledger is not None else "USD")


async def _with_connection_detail(pending: Any) -> Any:
    try:
        return await pending
    except openai.APIConnectionError as error:
        add_connection_detail(error)
        raise


async def _with_readable_answer(pending: Any, cast_to: object, response: Any) -> Any:
    try:
        result = await pending
    except openai.OpenAIError:
        raise
    except Exception as error:
        parse_error = unreadable_answer(cast_to, response, error)
        if parse_error is None:
            raise
        raise parse_error from error
    return checked_answer(result, cast_to, response)


class _LumenfallClientMixin:
    """What the sync and async clients share: settings, scrubbing, errors, repr, cost hook."""

    api_key: str
    _lumenfall: _settings.ResolvedSettings
    _lumenfall_key_provider: Callable[[], Any] | None
    _ledger: CostLedger

    @property
    def ledger(self) -> CostLedger:
        """The :class:`~lumenfall_openai.costs.CostLedger` this client records costs into, shared
        with its copies: a new, unbudgeted one unless ``ledger=`` or ``budget=`` was passed."""
        return self._ledger

    if not TYPE_CHECKING:
        # Run time only: to type checkers these stay openai's precisely typed get/post. Every
        # resource sends through them, so this one hook sees every Video and images response
        # (see _cost_tracking.observe); anything else passes through untouched.
        def get(self, path, **kwargs):
            return super().get(path, **observe(self._ledger, "get", path, kwargs))

        def post(self, path, **kwargs):
            return super().post(path, **observe(self._ledger, "post", path, kwargs))

        # Every call ends here: a connection failure says which host and why, not just
        # "Connection error." (same exception object and class; see _error_context).
        def request(self, *args, **kwargs):
            try:
                result = super().request(*args, **kwargs)
            except openai.APIConnectionError as error:
                add_connection_detail(error)
                raise
            return _with_connection_detail(result) if inspect.iscoroutine(result) else result

        # openai fills `._request_id` (and a raw response's `.request_id`) from x-request-id;
        # Lumenfall names its id X-Lumenfall-Request-Id. Give openai that name too, unless the
        # server sent an x-request-id of its own (nothing it sent is overwritten).
        def _process_response(self, **kwargs):
            headers = kwargs["response"].headers
            if "x-request-id" not in headers and REQUEST_ID_HEADER in headers:
                headers["x-request-id"] = headers[REQUEST_ID_HEADER]
            # A garbled 2xx body (bad JSON, wrong shape) raises openai's parser's raw error
            # (JSONDecodeError, TypeError, ...): every call of this package turns it into
            # ResponseParseError, an openai.OpenAIError (openai's own endpoints stay as in openai).
            try:
                result = super()._process_response(**kwargs)
            except openai.OpenAIError:
                raise
            except Exception as error:
                parse_error = unreadable_answer(kwargs["cast_to"], kwargs["response"], error)
                if parse_error is None:
                    raise
                raise parse_error from error
            if inspect.iscoroutine(result):
                return _with_readable_answer(result, kwargs["cast_to"], kwargs["response"])
            return checked_answer(result, kwargs["cast_to"], kwargs["response"])

    def _setup(
        self,
        *,
        api_key: str | Callable[[], Any] | None,
        base_url: str | http.URL | None,
        webhook_secret: str | None,
        ledger: CostLedger | None,
        budget: Money | None,
    ) -> None:
        """Resolve a constructor's settings: the rules both twins share."""
        # A callable key is kept as given (copies reuse it, not a token it once returned); openai
        # gets it wrapped by _checked_api_key so that every token is checked before it is sent.
        self._lumenfall_key_provider = api_key if callable(api_key) else None
        self._lumenfall = _settings.resolve_settings(
            api_key=api_key,
            base_url=None if base_url is None else str(base_url),
            webhook_secret=webhook_secret,
            environ=os.environ,
        )
        self._ledger = _ledger_for(ledger, budget)

    def _scrub_openai_environment(self, default_headers: Mapping[str, str] | None) -> None:
        """Undo what openai's __init__ read from OPENAI_* variables.

        Resetting after the fact (rather than hiding the variables while openai reads them) is
        thread-safe and keeps working when openai learns to read a new variable into one of these.
        """
        client: Any = self
        client.organization = None
        client.project = None
        if hasattr(client, "admin_api_key"):
            client.admin_api_key = None
        client.webhook_secret = self._lumenfall.webhook_secret
        setattr(client, CUSTOM_HEADERS_ATTR, dict(default_headers or {}))
        if hasattr(client, AMBIENT_AUTHORIZATIONS_ATTR):
            setattr(client, AMBIENT_AUTHORIZATIONS_ATTR, frozenset())

    @property
    def native_base_url(self) -> str:
        """Lumenfall's native API base (balance, requests, webhook secret), e.g. ``https://api.lumenfall.ai/v1``."""
        return self._lumenfall.native_base_url

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self._lumenfall.base_url!r}, "
            f"api_key={_settings.redact_key(self.api_key)!r})"
        )

    def _make_status_error(self, err_msg: str, *, body: object, response: http.Response) -> openai.APIStatusError:
        parent: Any = super()
        error: openai.APIStatusError = parent._make_status_error(err_msg, body=body, response=response)
        envelope: object = error.body
        return status_error_for(error, message=err_msg, body=envelope, response=response)


class Lumenfall(_LumenfallClientMixin, openai.OpenAI):
    """A synchronous client for Lumenfall, usable wherever an ``openai.OpenAI`` is.

    Key: ``api_key=`` or ``LUMENFALL_API_KEY`` (``OPENAI_API_KEY`` is never read). Base URL:
    ``base_url=`` or ``LUMENFALL_BASE_URL`` or ``https://api.lumenfall.ai/openai/v1``. OpenAI-only
    options (``organization``, ``data_residency``, ``provider``, ...) are refused with a reason.
    """

    def __init__(
        self,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
        ledger: CostLedger | None = None,
        budget: Money | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
        max_retries: int = openai.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: http.Client | None = None,
        _strict_response_validation: bool = False,
        # OpenAI-only options: typed None so a type checker flags them; refused at run time.
        organization: None = None,
        project: None = None,
        admin_api_key: None = None,
        workload_identity: None = None,
        data_residency: None = None,
        provider: None = None,
        websocket_base_url: None = None,
    ) -> None:
        _settings.reject_openai_only_options(
            organization=organization,
            project=project,
            admin_api_key=admin_api_key,
            workload_identity=workload_identity,
            data_residency=data_residency,
            provider=provider,
            websocket_base_url=websocket_base_url,
        )
        self._setup(api_key=api_key, base_url=base_url, webhook_secret=webhook_secret, ledger=ledger, budget=budget)
        super().__init__(
            api_key=self._checked_api_key(),
            base_url=self._lumenfall.base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            http_client=http_client or _http_pool.default_http_client(),  # pyright: ignore[reportArgumentType]
            _strict_response_validation=_strict_response_validation,
        )
        self._scrub_openai_environment(default_headers)

    def _checked_api_key(self) -> str | Callable[[], str]:
        """The key for openai's __init__: a string as resolved, or the caller's callable wrapped so that
        each token it returns is checked (:func:`~lumenfall_openai._settings.check_provided_key`)."""
        provider = self._lumenfall_key_provider
        if provider is None:
            return self._lumenfall.api_key

        def checked() -> str:
            token = provider()
            return _settings.check_provided_key(token)

        return checked

    @cached_property
    def videos(self) -> Videos:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Lumenfall's video jobs (this package's own resource, not openai's retired Sora one)."""
        from .resources.videos import Videos

        return Videos(self)

    @cached_property
    def images(self) -> Images:  # pyright: ignore[reportIncompatibleMethodOverride]
        """openai's images resource, answering with typed Lumenfall ``metadata``; plus ``estimate``."""
        from .resources.images import Images

        return Images(self)

    @cached_property
    def webhooks(self) -> Webhooks:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Verify and parse Lumenfall's signed webhook deliveries; fetch the signing secret."""
        from .resources.webhooks import Webhooks

        return Webhooks(self)

    @cached_property
    def account(self) -> Account:
        """The account on Lumenfall's native API (``balance()``)."""
        from .resources.account import Account

        return Account(self)

    @cached_property
    def requests(self) -> Requests:
        """Your request history on Lumenfall's native API (``list``, ``retrieve``, ``purge_payloads``)."""
        from .resources.account import Requests

        return Requests(self)

    def with_budget(self, budget: Money) -> Self:
        """A copy that refuses, before sending, any job whose estimate exceeds what is left of ``budget``.

        Its costs are recorded in a new budgeted sub-ledger of this client's ledger (so they still
        count there), shared by its own copies. See :class:`~lumenfall_openai.costs.CostLedger`.
        """
        return self.copy(budget=budget)

    @cached_property
    def with_raw_response(self) -> LumenfallWithRawResponse:  # pyright: ignore[reportIncompatibleMethodOverride]
        return LumenfallWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> LumenfallWithStreamedResponse:  # pyright: ignore[reportIncompatibleMethodOverride]
        return LumenfallWithStreamedResponse(self)

    @override
    def copy(  # type: ignore[override]
        self,
        *,
        api_key: str | Callable[[], str] | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
        ledger: CostLedger | NotGiven | None = not_given,
        budget: Money | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
        http_client: http.Client | None = None,
        max_retries: int | NotGiven = not_given,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
        organization: None = None,
        project: None = None,
        admin_api_key: None = None,
        workload_identity: None = None,
        data_residency: None = None,
        provider: None = None,
        websocket_base_url: None = None,
        _extra_kwargs: Mapping[str, Any] = {},
    ) -> Self:
        """A new client with the same settings, some overridden. The key and base URL stay Lumenfall's.

        The copy records into the same ledger (``ledger=`` replaces it, ``ledger=None`` with a new
        empty one; ``budget=`` gives the copy a budgeted sub-ledger of it, as :meth:`with_budget` does).
        """
        _settings.reject_openai_only_options(
            organization=organization,
            project=project,
            admin_api_key=admin_api_key,
            workload_identity=workload_identity,
            data_residency=data_residency,
            provider=provider,
            websocket_base_url=websocket_base_url,
        )
        headers = _settings.copied_defaults(
            getattr(self, CUSTOM_HEADERS_ATTR), default_headers, set_default_headers, kind="headers"
        )
        query = _settings.copied_defaults(self.default_query, default_query, set_default_query, kind="query")
        return self.__class__(
            api_key=api_key or self._lumenfall_key_provider or self.api_key,
            base_url=base_url or self._lumenfall.base_url,
            webhook_secret=webhook_secret if webhook_secret is not None else self._lumenfall.webhook_secret,
            ledger=_ledger_for(self._ledger if isinstance(ledger, NotGiven) else ledger, budget),
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or getattr(self, HTTP_CLIENT_ATTR),
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            default_query=query,
            **_extra_kwargs,
        )

    # openai binds `with_options = copy` in its own class body, so it would still build an
    # OpenAI-style copy: bind it again to ours.
    with_options = copy  # type: ignore[assignment]


class AsyncLumenfall(_LumenfallClientMixin, openai.AsyncOpenAI):
    """The asynchronous twin of :class:`Lumenfall`; same settings, same rules."""

    def __init__(
        self,
        *,
        api_key: str | Callable[[], Awaitable[str]] | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
        ledger: CostLedger | None = None,
        budget: Money | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
        max_retries: int = openai.DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        http_client: http.AsyncClient | None = None,
        _strict_response_validation: bool = False,
        organization: None = None,
        project: None = None,
        admin_api_key: None = None,
        workload_identity: None = None,
        data_residency: None = None,
        provider: None = None,
        websocket_base_url: None = None,
    ) -> None:
        _settings.reject_openai_only_options(
            organization=organization,
            project=project,
            admin_api_key=admin_api_key,
            workload_identity=workload_identity,
            data_residency=data_residency,
            provider=provider,
            websocket_base_url=websocket_base_url,
        )
        self._setup(api_key=api_key, base_url=base_url, webhook_secret=webhook_secret, ledger=ledger, budget=budget)
        super().__init__(
            api_key=self._checked_api_key(),
            base_url=self._lumenfall.base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            http_client=http_client or _http_pool.default_async_http_client(),  # pyright: ignore[reportArgumentType]
            _strict_response_validation=_strict_response_validation,
        )
        self._scrub_openai_environment(default_headers)

    def _checked_api_key(self) -> str | Callable[[], Awaitable[str]]:
        """The key for openai's __init__; see :meth:`Lumenfall._checked_api_key`. A plain (not async)
        callable is accepted too (openai's AsyncOpenAI would fail on its first request)."""
        provider = self._lumenfall_key_provider
        if provider is None:
            return self._lumenfall.api_key

        async def checked() -> str:
            token = provider()
            return _settings.check_provided_key(await token if inspect.isawaitable(token) else token)

        return checked

    @cached_property
    def videos(self) -> AsyncVideos:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Lumenfall's video jobs (this package's own resource, not openai's retired Sora one)."""
        from .resources.videos import AsyncVideos

        return AsyncVideos(self)

    @cached_property
    def images(self) -> AsyncImages:  # pyright: ignore[reportIncompatibleMethodOverride]
        """openai's images resource, answering with typed Lumenfall ``metadata``; plus ``estimate``."""
        from .resources.images import AsyncImages

        return AsyncImages(self)

    @cached_property
    def webhooks(self) -> AsyncWebhooks:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Verify and parse Lumenfall's signed webhook deliveries; fetch the signing secret."""
        from .resources.webhooks import AsyncWebhooks

        return AsyncWebhooks(self)

    @cached_property
    def account(self) -> AsyncAccount:
        """The account on Lumenfall's native API (``balance()``)."""
        from .resources.account import AsyncAccount

        return AsyncAccount(self)

    @cached_property
    def requests(self) -> AsyncRequests:
        """Your request history on Lumenfall's native API (``list``, ``retrieve``, ``purge_payloads``)."""
        from .resources.account import AsyncRequests

        return AsyncRequests(self)

    def with_budget(self, budget: Money) -> Self:
        """A copy with a budget; see :meth:`Lumenfall.with_budget`."""
        return self.copy(budget=budget)

    @cached_property
    def with_raw_response(self) -> AsyncLumenfallWithRawResponse:  # pyright: ignore[reportIncompatibleMethodOverride]
        return AsyncLumenfallWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncLumenfallWithStreamedResponse:  # pyright: ignore[reportIncompatibleMethodOverride]
        return AsyncLumenfallWithStreamedResponse(self)

    @override
    def copy(  # type: ignore[override]
        self,
        *,
        api_key: str | Callable[[], Awaitable[str]] | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
        ledger: CostLedger | NotGiven | None = not_given,
        budget: Money | None = None,
        timeout: float | http.Timeout | NotGiven | None = not_given,
        http_client: http.AsyncClient | None = None,
        max_retries: int | NotGiven = not_given,
        default_headers: Mapping[str, str] | None = None,
        set_default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, object] | None = None,
        set_default_query: Mapping[str, object] | None = None,
        organization: None = None,
        project: None = None,
        admin_api_key: None = None,
        workload_identity: None = None,
        data_residency: None = None,
        provider: None = None,
        websocket_base_url: None = None,
        _extra_kwargs: Mapping[str, Any] = {},
    ) -> Self:
        """A new client with the same settings, some overridden; see :meth:`Lumenfall.copy`."""
        _settings.reject_openai_only_options(
            organization=organization,
            project=project,
            admin_api_key=admin_api_key,
            workload_identity=workload_identity,
            data_residency=data_residency,
            provider=provider,
            websocket_base_url=websocket_base_url,
        )
        headers = _settings.copied_defaults(
            getattr(self, CUSTOM_HEADERS_ATTR), default_headers, set_default_headers, kind="headers"
        )
        query = _settings.copied_defaults(self.default_query, default_query, set_default_query, kind="query")
        return self.__class__(
            api_key=api_key or self._lumenfall_key_provider or self.api_key,
            base_url=base_url or self._lumenfall.base_url,
            webhook_secret=webhook_secret if webhook_secret is not None else self._lumenfall.webhook_secret,
            ledger=_ledger_for(self._ledger if isinstance(ledger, NotGiven) else ledger, budget),
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or getattr(self, HTTP_CLIENT_ATTR),
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            default_headers=headers,
            default_query=query,
            **_extra_kwargs,
        )

    with_options = copy  # type: ignore[assignment]


class LumenfallWithRawResponse(OpenAIWithRawResponse):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> VideosWithRawResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.videos.with_raw_response

    @cached_property
    def webhooks(self) -> WebhooksWithRawResponse:  # type: ignore[override, unused-ignore]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.webhooks.with_raw_response

    @cached_property
    def account(self) -> AccountWithRawResponse:
        return self._client.account.with_raw_response

    @cached_property
    def requests(self) -> RequestsWithRawResponse:
        return self._client.requests.with_raw_response


class AsyncLumenfallWithRawResponse(AsyncOpenAIWithRawResponse):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> AsyncVideosWithRawResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.videos.with_raw_response

    @cached_property
    def webhooks(self) -> AsyncWebhooksWithRawResponse:  # type: ignore[override, unused-ignore]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.webhooks.with_raw_response

    @cached_property
    def account(self) -> AsyncAccountWithRawResponse:
        return self._client.account.with_raw_response

    @cached_property
    def requests(self) -> AsyncRequestsWithRawResponse:
        return self._client.requests.with_raw_response


class LumenfallWithStreamedResponse(OpenAIWithStreamedResponse):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> VideosWithStreamingResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.videos.with_streaming_response

    @cached_property
    def webhooks(self) -> WebhooksWithStreamingResponse:  # type: ignore[override, unused-ignore]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.webhooks.with_streaming_response

    @cached_property
    def account(self) -> AccountWithStreamingResponse:
        return self._client.account.with_streaming_response

    @cached_property
    def requests(self) -> RequestsWithStreamingResponse:
        return self._client.requests.with_streaming_response


class AsyncLumenfallWithStreamedResponse(AsyncOpenAIWithStreamedResponse):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> AsyncVideosWithStreamingResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.videos.with_streaming_response

    @cached_property
    def webhooks(self) -> AsyncWebhooksWithStreamingResponse:  # type: ignore[override, unused-ignore]  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._client.webhooks.with_streaming_response

    @cached_property
    def account(self) -> AsyncAccountWithStreamingResponse:
        return self._client.account.with_streaming_response

    @cached_property
    def requests(self) -> AsyncRequestsWithStreamingResponse:
        return self._client.requests.with_streaming_response

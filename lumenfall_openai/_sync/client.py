# Generated from lumenfall_openai/_async/client.py by scripts/unasync.py; do not edit.
"""``Lumenfall``: the ``openai.OpenAI`` subclass that talks to Lumenfall and only to it.

Written once, as async; ``scripts/unasync.py`` generates the sync client (``_sync/client.py``)
from it. What both share beyond these signatures (settings, scrubbing, errors, the cost hook)
is in ``_client_base.py``; ``_client.py`` keeps the public import path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import openai
from typing_extensions import Self, override

from .. import _http_pool, _settings
from .._client_base import Money, _ledger_for, _LumenfallClientMixin
from .._compat import (
    CUSTOM_HEADERS_ATTR,
    HTTP_CLIENT_ATTR,
    NotGiven,
    OpenAIWithRawResponse,
    OpenAIWithStreamedResponse,
    http,
)
from .._io_shims import resolved
from ..costs import CostLedger

# The resources are imported when first used (``client.videos``, ...): ``import lumenfall_openai``
# then costs about what ``import openai`` costs (on openai 2.x ``openai.resources.images`` alone
# loads every openai resource, as openai itself does only when ``client.images`` is first used).
if TYPE_CHECKING:
    from ..resources.account import (
        Account,
        AccountWithRawResponse,
        AccountWithStreamingResponse,
        Requests,
        RequestsWithRawResponse,
        RequestsWithStreamingResponse,
    )
    from ..resources.images import Images
    from ..resources.videos import (
        Videos,
        VideosWithRawResponse,
        VideosWithStreamingResponse,
    )
    from ..resources.webhooks import (
        Webhooks,
        WebhooksWithRawResponse,
        WebhooksWithStreamingResponse,
    )

__all__ = ["Lumenfall", "LumenfallWithRawResponse", "LumenfallWithStreamedResponse"]

not_given = NotGiven()


class Lumenfall(_LumenfallClientMixin, openai.OpenAI):
    """A client for Lumenfall, usable wherever an ``openai.OpenAI`` is.

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
        each token it returns is checked (:func:`~lumenfall_openai._settings.check_provided_key`).
        The async client takes a plain (not async) callable too: openai's own async client would
        fail on its first request with one."""
        provider = self._lumenfall_key_provider
        if provider is None:
            return self._lumenfall.api_key

        def checked() -> str:
            token = provider()
            return _settings.check_provided_key(resolved(token))

        return checked

    @cached_property
    def videos(self) -> Videos:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Lumenfall's video jobs (this package's own resource, not openai's retired Sora one)."""
        from ..resources.videos import Videos

        return Videos(self)

    @cached_property
    def images(self) -> Images:  # pyright: ignore[reportIncompatibleMethodOverride]
        """openai's images resource, answering with typed Lumenfall ``metadata``; plus ``estimate``."""
        from ..resources.images import Images

        return Images(self)

    @cached_property
    def webhooks(self) -> Webhooks:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Verify and parse Lumenfall's signed webhook deliveries; fetch the signing secret."""
        from ..resources.webhooks import Webhooks

        return Webhooks(self)

    @cached_property
    def account(self) -> Account:
        """The account on Lumenfall's native API (``balance()``)."""
        from ..resources.account import Account

        return Account(self)

    @cached_property
    def requests(self) -> Requests:
        """Your request history on Lumenfall's native API (``list``, ``retrieve``, ``purge_payloads``)."""
        from ..resources.account import Requests

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
            base_url=base_url or self.base_url,  # as openai: the base set last, `client.base_url = ...` too
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

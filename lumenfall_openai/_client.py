"""``Lumenfall`` and ``AsyncLumenfall``: openai clients that talk to Lumenfall and only to Lumenfall.

They are ``openai.OpenAI`` / ``openai.AsyncOpenAI`` subclasses, so every resource openai keeps
(images, chat, models, ...) works as before, retries and timeouts included. What changes:

- settings come from ``LUMENFALL_*`` (see ``_settings``), never from ``OPENAI_*``: openai's own
  ``__init__`` reads ``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``, ``OPENAI_CUSTOM_HEADERS``, ... and
  would send them to a third party, so what it read is reset right after it ran;
- ``client.videos`` is this package's own resource (OpenAI retired Sora's);
- HTTP errors become Lumenfall's error classes (``errors``);
- ``copy()`` / ``with_options()`` rebuild a Lumenfall client, not an OpenAI one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import openai
from openai._client import (
    AsyncOpenAIWithRawResponse,
    AsyncOpenAIWithStreamedResponse,
    OpenAIWithRawResponse,
    OpenAIWithStreamedResponse,
)
from typing_extensions import Self, override

from . import _settings
from ._compat import AMBIENT_AUTHORIZATIONS_ATTR, CUSTOM_HEADERS_ATTR, NotGiven, http
from .errors import status_error_for
from .resources.videos import (
    AsyncVideos,
    AsyncVideosWithRawResponse,
    AsyncVideosWithStreamingResponse,
    Videos,
    VideosWithRawResponse,
    VideosWithStreamingResponse,
)

__all__ = ["AsyncLumenfall", "Lumenfall"]

not_given = NotGiven()


class _LumenfallClientMixin:
    """What the sync and async clients share: settings, scrubbing, errors, repr."""

    api_key: str
    _lumenfall: _settings.ResolvedSettings

    def _resolve(
        self,
        *,
        api_key: str | None,
        base_url: str | http.URL | None,
        webhook_secret: str | None,
        openai_only: Mapping[str, Any],
    ) -> _settings.ResolvedSettings:
        _settings.reject_openai_only_options(openai_only)
        return _settings.resolve_settings(
            api_key=api_key,
            base_url=None if base_url is None else str(base_url),
            webhook_secret=webhook_secret,
            environ=os.environ,
        )

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

    def _copy_settings(
        self,
        *,
        api_key: str | None,
        base_url: str | http.URL | None,
        webhook_secret: str | None,
        default_headers: Mapping[str, str] | None,
        set_default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, object] | None,
        set_default_query: Mapping[str, object] | None,
    ) -> dict[str, Any]:
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("Pass `default_headers` (to add) or `set_default_headers` (to replace), not both.")
        if default_query is not None and set_default_query is not None:
            raise ValueError("Pass `default_query` (to add) or `set_default_query` (to replace), not both.")
        client: Any = self
        headers: Mapping[str, str] = getattr(client, CUSTOM_HEADERS_ATTR)
        if default_headers is not None:
            headers = {**headers, **default_headers}
        elif set_default_headers is not None:
            headers = set_default_headers
        query: Mapping[str, object] = client._custom_query
        if default_query is not None:
            query = {**query, **default_query}
        elif set_default_query is not None:
            query = set_default_query
        return {
            "api_key": api_key or self.api_key,
            "base_url": base_url or self._lumenfall.base_url,
            "webhook_secret": webhook_secret if webhook_secret is not None else self._lumenfall.webhook_secret,
            "default_headers": headers,
            "default_query": query,
        }

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
        api_key: str | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
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
        self._lumenfall = self._resolve(
            api_key=api_key,
            base_url=base_url,
            webhook_secret=webhook_secret,
            openai_only={
                "organization": organization, "project": project, "admin_api_key": admin_api_key,
                "workload_identity": workload_identity, "data_residency": data_residency,
                "provider": provider, "websocket_base_url": websocket_base_url,
            },
        )  # fmt: skip
        super().__init__(
            api_key=self._lumenfall.api_key,
            base_url=self._lumenfall.base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            http_client=http_client,  # pyright: ignore[reportArgumentType]
            _strict_response_validation=_strict_response_validation,
        )
        self._scrub_openai_environment(default_headers)

    @cached_property
    def videos(self) -> Videos:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Lumenfall's video jobs (this package's own resource, not openai's retired Sora one)."""
        return Videos(self)

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
        api_key: str | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
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
        """A new client with the same settings, some overridden. The key and base URL stay Lumenfall's."""
        _settings.reject_openai_only_options(
            {
                "organization": organization, "project": project, "admin_api_key": admin_api_key,
                "workload_identity": workload_identity, "data_residency": data_residency,
                "provider": provider, "websocket_base_url": websocket_base_url,
            }
        )  # fmt: skip
        settings = self._copy_settings(
            api_key=api_key,
            base_url=base_url,
            webhook_secret=webhook_secret,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        return self.__class__(
            **settings,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or self._client,  # pyright: ignore[reportArgumentType]
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
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
        api_key: str | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
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
        self._lumenfall = self._resolve(
            api_key=api_key,
            base_url=base_url,
            webhook_secret=webhook_secret,
            openai_only={
                "organization": organization, "project": project, "admin_api_key": admin_api_key,
                "workload_identity": workload_identity, "data_residency": data_residency,
                "provider": provider, "websocket_base_url": websocket_base_url,
            },
        )  # fmt: skip
        super().__init__(
            api_key=self._lumenfall.api_key,
            base_url=self._lumenfall.base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            default_query=default_query,
            http_client=http_client,  # pyright: ignore[reportArgumentType]
            _strict_response_validation=_strict_response_validation,
        )
        self._scrub_openai_environment(default_headers)

    @cached_property
    def videos(self) -> AsyncVideos:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        """Lumenfall's video jobs (this package's own resource, not openai's retired Sora one)."""
        return AsyncVideos(self)

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
        api_key: str | None = None,
        base_url: str | http.URL | None = None,
        webhook_secret: str | None = None,
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
            {
                "organization": organization, "project": project, "admin_api_key": admin_api_key,
                "workload_identity": workload_identity, "data_residency": data_residency,
                "provider": provider, "websocket_base_url": websocket_base_url,
            }
        )  # fmt: skip
        settings = self._copy_settings(
            api_key=api_key,
            base_url=base_url,
            webhook_secret=webhook_secret,
            default_headers=default_headers,
            set_default_headers=set_default_headers,
            default_query=default_query,
            set_default_query=set_default_query,
        )
        return self.__class__(
            **settings,
            timeout=self.timeout if isinstance(timeout, NotGiven) else timeout,
            http_client=http_client or self._client,  # pyright: ignore[reportArgumentType]
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            **_extra_kwargs,
        )

    with_options = copy  # type: ignore[assignment]


class LumenfallWithRawResponse(OpenAIWithRawResponse):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> VideosWithRawResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return VideosWithRawResponse(self._client.videos)


class AsyncLumenfallWithRawResponse(AsyncOpenAIWithRawResponse):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> AsyncVideosWithRawResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return AsyncVideosWithRawResponse(self._client.videos)


class LumenfallWithStreamedResponse(OpenAIWithStreamedResponse):
    _client: Lumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> VideosWithStreamingResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return VideosWithStreamingResponse(self._client.videos)


class AsyncLumenfallWithStreamedResponse(AsyncOpenAIWithStreamedResponse):
    _client: AsyncLumenfall  # pyright: ignore[reportIncompatibleVariableOverride]

    @cached_property
    def videos(self) -> AsyncVideosWithStreamingResponse:  # type: ignore[override]  # pyright: ignore[reportIncompatibleMethodOverride]
        return AsyncVideosWithStreamingResponse(self._client.videos)

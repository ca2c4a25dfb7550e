"""What the sync and async clients share, written once: settings, environment scrubbing, error
classes, repr, and the cost hook on ``get``/``post`` (see ``_client.py`` for the clients)."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import openai

from . import _settings
from ._compat import (
    AMBIENT_AUTHORIZATIONS_ATTR,
    CUSTOM_HEADERS_ATTR,
    NotGiven,
    http,
)
from ._cost_tracking import observe
from ._create_outcome import checked_answer, unreadable_answer
from .costs import CostLedger
from .errors import REQUEST_ID_HEADER, status_error_for

__all__ = ["Money", "_LumenfallClientMixin", "_ledger_for"]

not_given = NotGiven()

PREPARED_URLS = 256
"""Paths whose full URL a client keeps (cleared when full: polling many ids must not grow it)."""
KEPT_PATH_CHARS = 1024
"""Longer paths are not kept: the table stays under about a megabyte whatever the paths."""

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
        from ._error_context import add_connection_detail  # only ever needed on a failure

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


class _AtBase:
    """A stand-in client for openai's ``_prepare_url``: only the ``base_url`` it reads."""

    __slots__ = ("base_url",)

    def __init__(self, base_url: http.URL) -> None:
        self.base_url = base_url


class _LumenfallClientMixin:
    """What the sync and async clients share: settings, scrubbing, errors, repr, cost hook."""

    api_key: str
    _lumenfall: _settings.ResolvedSettings
    _lumenfall_key_provider: Callable[[], Any] | None
    _ledger: CostLedger
    _prepared_urls: tuple[http.URL | None, dict[str, http.URL]]
    """``_prepare_url``'s answers: the base_url they were made from, and path -> full URL."""

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
                from ._error_context import add_connection_detail  # only ever needed on a failure

                add_connection_detail(error)
                raise
            return _with_connection_detail(result) if inspect.iscoroutine(result) else result

        # openai parses base_url + path with the HTTP library's URL parser on every request: about
        # 30 us, 6% of an images.generate. The result depends only on the path and base_url (an
        # immutable URL object; the base_url setter makes a new one unless given one), so the
        # client keeps it per path, in a table that belongs to one base_url object.
        def _prepare_url(self, url, *args, **kwargs):
            if args or kwargs or type(url) is not str or len(url) > KEPT_PATH_CHARS:
                return super()._prepare_url(url, *args, **kwargs)  # openai's own answer, not kept
            base = self.base_url  # the property: openai 3.x routes it through its auth module
            kept_base, kept = self._prepared_urls
            if kept_base is not base:  # base_url was set: start a table for the new base
                kept = {}
                self._prepared_urls = (base, kept)  # one assignment: a table never mixes bases
            prepared = kept.get(url)
            if prepared is not None:
                return prepared
            # openai's own code, run on the base read above: another thread setting base_url
            # meanwhile must not get its URL kept in this base's table (a red-team race).
            try:
                prepared = super()._prepare_url.__func__(_AtBase(base), url)
            except AttributeError:  # an openai whose _prepare_url reads more of the client
                return super()._prepare_url(url)
            if len(kept) >= PREPARED_URLS:
                kept.clear()  # e.g. polling many /videos/{id}: bounded, not a leak
            kept[url] = prepared
            return prepared

        # openai fills `._request_id` (and a raw response's `.request_id`) from x-request-id;
        # Lumenfall names its id X-Lumenfall-Request-Id. Give openai that name too, unless the
        # server sent an x-request-id of its own (nothing it sent is overwritten).
        def _process_response(self, **kwargs):
            headers = kwargs["response"].headers
            if REQUEST_ID_HEADER in headers and "x-request-id" not in headers:  # one lookup when absent
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
        self._prepared_urls = (None, {})

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

    def _current_base_url(self) -> str:
        """openai's ``base_url`` as set last (``client.base_url = ...`` too), without its final slash."""
        client: Any = self
        return str(client.base_url).rstrip("/")

    @property
    def native_base_url(self) -> str:
        """Lumenfall's native API base (balance, requests, webhook secret), e.g. ``https://api.lumenfall.ai/v1``."""
        return _settings.native_base_url(self._current_base_url())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={_settings.redact_url(self._current_base_url())!r}, "
            f"api_key={_settings.redact_key(self.api_key)!r})"
        )

    def _make_status_error(self, err_msg: str, *, body: object, response: http.Response) -> openai.APIStatusError:
        parent: Any = super()
        error: openai.APIStatusError = parent._make_status_error(err_msg, body=body, response=response)
        envelope: object = error.body
        return status_error_for(error, message=err_msg, body=envelope, response=response)

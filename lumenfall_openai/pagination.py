"""Lumenfall's cursor pages, on openai's own paging machinery.

``client.requests.list()`` returns what openai's list methods return (a ``SyncPage``-like page
you can iterate across pages, ``.data``, ``.has_next_page()``, ``.get_next_page()``,
``.iter_pages()``; ``async for`` on the async twin), so code written against openai's lists works
unchanged. Only the cursor differs: Lumenfall pages with ``starting_after`` / ``ending_before``
(Stripe style) and says where the next page is in ``next_page_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

from typing_extensions import override

from ._compat import OPTIONS_ATTR, BaseAsyncPage, BasePage, BaseSyncPage, PageInfo
from .types.account import RequestsSummary

__all__ = ["AsyncCursorURLPage", "SyncCursorURLPage"]

_T = TypeVar("_T")

_CURSORS = ("starting_after", "ending_before")


def next_page_params(
    next_page_url: str | None, last_id: object, sent: Mapping[str, object] | None = None
) -> dict[str, object] | None:
    """The query for the page after this one, or None at the end.

    Follows ``next_page_url``'s cursor (whichever of the two it names) and clears the other, so
    a listing that began with ``ending_before`` does not send both. Without a URL there is no
    next page; a URL that names no cursor falls back to ``starting_after=<last id>``. The URL's
    other filters are the ones already sent, so they are kept from the first request, and the
    request stays on the native host the first one went to.

    ``sent`` is the query of the request that fetched this page: a next page that would repeat
    that cursor is the same request again, so the listing ends there instead of looping for ever.
    """
    if not next_page_url:
        return None
    params: dict[str, object] | None = None
    query = parse_qs(urlsplit(next_page_url).query)
    for name in _CURSORS:
        values = query.get(name)
        if values:
            params = {name: values[-1], **{other: None for other in _CURSORS if other != name}}
            break
    if params is None and isinstance(last_id, str) and last_id:
        params = {"starting_after": last_id, "ending_before": None}
    if params is not None and sent is not None and _same_cursor(params, sent):
        return None
    return params


def _same_cursor(params: Mapping[str, object], sent: Mapping[str, object]) -> bool:
    return all(sent.get(name) == params.get(name) for name in _CURSORS)


class _CursorURLPage(BasePage[_T], Generic[_T]):
    """What both twins share: the list envelope and how to find the next page."""

    object: str = "list"
    data: list[_T]
    next_page_url: str | None = None
    previous_page_url: str | None = None
    summary: RequestsSummary | None = None
    """Totals over all matching requests, present when listed with ``summary=True``."""

    @override
    def _get_page_items(self) -> list[_T]:
        return self.data or []

    @override
    def next_page_info(self) -> PageInfo | None:
        last = getattr(self.data[-1], "id", None) if self.data else None
        options: Any = getattr(self, OPTIONS_ATTR, None)  # unset on a page built by hand
        sent: Any = getattr(options, "params", None)
        query = cast("Mapping[str, object]", sent) if isinstance(sent, Mapping) else None
        params = next_page_params(self.next_page_url, last, query)
        return None if params is None else PageInfo(params=params)


class SyncCursorURLPage(BaseSyncPage[_T], _CursorURLPage[_T], Generic[_T]):
    """A page of a sync listing; iterate it to walk every following page too."""


class AsyncCursorURLPage(BaseAsyncPage[_T], _CursorURLPage[_T], Generic[_T]):
    """A page of an async listing; ``async for`` walks every following page too."""

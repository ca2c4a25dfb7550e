"""The emulator's account routes: balance and the request history (``/v1/balance``, ``/v1/requests``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._routing import Json, base_of, state_of


async def balance(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    return Json(state.core.balance_json())


async def list_requests(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    query = dict(request.query_params)
    items, has_older, has_newer, summary = state.core.list_requests(query)
    kept = {k: v for k, v in query.items() if k not in ("starting_after", "ending_before")}

    def page_url(cursor: str, value: str) -> str:
        return f"{base_of(request)}/v1/requests?{urlencode({**kept, cursor: value})}"

    body: dict[str, Any] = {
        "object": "list",
        "data": items,
        "next_page_url": page_url("starting_after", items[-1]["id"]) if items and has_older else None,
        "previous_page_url": page_url("ending_before", items[0]["id"]) if items and has_newer else None,
    }
    if query.get("summary", "").lower() == "true":
        body["summary"] = summary
    return Json(body)


async def get_request(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    return Json(state.core.get_request(request.path_params["request_id"]))


async def purge_payloads(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    return Json(state.core.purge_payloads(request.path_params["request_id"]))


ROUTES = [
    Route("/v1/balance", balance, methods=["GET"]),
    Route("/v1/requests", list_requests, methods=["GET"]),
    Route("/v1/requests/{request_id}", get_request, methods=["GET"]),
    Route("/v1/requests/{request_id}/payloads", purge_payloads, methods=["DELETE"]),
]

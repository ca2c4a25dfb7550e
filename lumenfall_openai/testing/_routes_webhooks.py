"""The emulator's webhook route: the account's signing secret (``/v1/webhooks/secret``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._routing import Json, state_of


async def webhook_secret(request: Request) -> Response:
    state = state_of(request)
    state.authorize(request)
    return Json({"key": state.core.webhook_secret})


ROUTES = [Route("/v1/webhooks/secret", webhook_secret, methods=["GET"])]

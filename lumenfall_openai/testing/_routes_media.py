"""The emulator's media host (``/media/{name}``): a signed-URL CDN serving whole files or byte ranges."""

from __future__ import annotations

import json

import anyio
import anyio.lowlevel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ._core import Media
from ._errors import ApiError, envelope
from ._media import RangeNotSatisfiable, parse_range
from ._routing import record_of, state_of

# Media requests that carried an Authorization header kept for inspection (oldest dropped).
MAX_MEDIA_AUTH_ATTEMPTS = 1000


class MediaResponse(Response):
    """Streams a (possibly huge, synthetic) media object, whole or one byte range.

    A plain ASGI sender rather than StreamingResponse: 1 MiB chunks straight from the generator,
    so a 1 GiB download is limited by the client, and it stops when the client disconnects.
    """

    def __init__(self, media: Media, status: int, start: int, end: int, headers: dict[str, str], head: bool) -> None:
        super().__init__(status_code=status, headers=headers)
        self._media = media
        self._start = start
        self._end = end
        self._head = head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if self._head:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        # After a client disconnects, uvicorn's send() returns at once without yielding, so a
        # plain loop would generate the rest of a 1 TiB file on the event loop and starve every
        # other request. A watcher on receive() cancels the stream on http.disconnect, and a
        # checkpoint per chunk lets the loop notice the lost connection at all.
        failure: BaseException | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope)
            try:
                await self._send_body(send)
            except anyio.get_cancelled_exc_class():
                raise
            except OSError:
                pass  # an ASGI 2.4 server's way of saying the client is gone: nothing left to do
            except BaseException as exc:  # e.g. an injected ConnectionDropped: re-raised ungrouped
                failure = exc
            group.cancel_scope.cancel()
        if failure is not None:
            raise failure

    async def _send_body(self, send: Send) -> None:
        if self._media.mp4 is not None:
            for chunk in self._media.mp4.iter_bytes(self._start, self._end):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await anyio.lowlevel.checkpoint()
        elif self._media.data is not None:
            body = self._media.data[self._start : self._end]
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


async def media(request: Request) -> Response:
    state = state_of(request)
    if "authorization" in request.headers:
        # The media host is a signed-URL CDN: it never needs a key, and one sent here has
        # leaked out of the API client. Refuse it loudly, like S3 refuses a second auth.
        state.media_auth_attempts.append(record_of(request))
        del state.media_auth_attempts[:-MAX_MEDIA_AUTH_ATTEMPTS]
        raise ApiError(
            "AUTHORIZATION_NOT_ALLOWED",
            "The media host never needs an API key: do not send an Authorization header to "
            "output.url (it leaks your Lumenfall key). Fetch media URLs without credentials.",
        )
    item = state.core.media(request.path_params["name"])
    headers = {
        "content-type": item.content_type,
        "accept-ranges": "bytes",
        "etag": item.etag,
        "cache-control": "private, max-age=3600",
    }
    head = request.method == "HEAD"
    if_range = request.headers.get("if-range")
    range_header = request.headers.get("range") if if_range in (None, item.etag) else None
    try:
        span = parse_range(range_header, item.size)
    except RangeNotSatisfiable:
        body = json.dumps(envelope("RANGE_NOT_SATISFIABLE", f"The object is {item.size} bytes long.")).encode()
        return Response(
            body, status_code=416, media_type="application/json", headers={"content-range": f"bytes */{item.size}"}
        )
    if span is None:
        headers["content-length"] = str(item.size)
        return MediaResponse(item, 200, 0, item.size, headers, head)
    start, end = span
    headers["content-length"] = str(end - start)
    headers["content-range"] = f"bytes {start}-{end - 1}/{item.size}"
    return MediaResponse(item, 206, start, end, headers, head)


ROUTES = [Route("/media/{name}", media, methods=["GET", "HEAD"])]

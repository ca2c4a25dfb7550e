"""A listing always ends (F16): a server whose next page would repeat the request just sent (the
same cursor again, or a next_page_url without a cursor while it keeps answering the same page)
ends the listing instead of being asked for ever. Real HTTP to a loopback server."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai.pagination import next_page_params

KEY = "lmnfl_test.secret"
NextUrl = Callable[[str, str], str]  # (server root, request path) -> next_page_url


class _Server:
    def __init__(self) -> None:
        self.next_url: NextUrl = lambda root, path: ""
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                body = json.dumps(
                    {
                        "object": "list",
                        "data": [{"id": "req_1", "object": "request"}],
                        "next_page_url": server.next_url(server.root, self.path),
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


REPEATS: dict[str, NextUrl] = {
    "same url": lambda root, path: root + path,
    "fixed cursor": lambda root, path: root + "/v1/requests?limit=1&starting_after=req_1",
    "no cursor, other host": lambda root, path: "http://127.0.0.1:1/steal",
    "no cursor, file": lambda root, path: "file:///etc/passwd",
}


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_sync_listing_ends_when_the_next_page_repeats(server: _Server, name: str) -> None:
    server.next_url = REPEATS[name]
    client = Lumenfall(api_key=KEY, base_url=server.root + "/openai/v1", max_retries=0)
    ids = [r.id for r in itertools.islice(client.requests.list(limit=1), 50)]
    assert ids in (["req_1"], ["req_1", "req_1"])
    assert len(server.paths) == len(ids)
    assert all(urlsplit(p).path == "/v1/requests" for p in server.paths)


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_async_listing_ends_when_the_next_page_repeats(server: _Server, name: str) -> None:
    server.next_url = REPEATS[name]

    async def main() -> list[str]:
        async with AsyncLumenfall(api_key=KEY, base_url=server.root + "/openai/v1", max_retries=0) as client:
            ids: list[str] = []
            async for r in client.requests.list(limit=1):
                ids.append(r.id)
                if len(ids) >= 50:
                    break
            return ids

    ids = anyio.run(main)
    assert ids in (["req_1"], ["req_1", "req_1"])
    assert len(server.paths) == len(ids)


def test_a_new_cursor_is_still_followed(server: _Server) -> None:
    def next_url(root: str, path: str) -> str:
        sent = parse_qs(urlsplit(path).query).get("starting_after", ["req_0"])[0]
        step = int(sent.removeprefix("req_")) + 1
        return "" if step > 3 else f"{root}/v1/requests?starting_after=req_{step}"

    server.next_url = next_url
    client = Lumenfall(api_key=KEY, base_url=server.root + "/openai/v1", max_retries=0)
    assert len(list(client.requests.list(limit=1))) == 4  # first page + req_1..req_3


CURSOR = st.sampled_from(["starting_after", "ending_before"])
VALUE = st.one_of(st.none(), st.sampled_from(["req_1", "req_2", ""]))


@given(
    url=st.one_of(
        st.none(),
        st.just("https://x/v1/requests"),
        st.builds(lambda n, v: f"https://x/v1/requests?{n}={v}", CURSOR, st.sampled_from(["req_1", "req_2"])),
    ),
    last=VALUE,
    sent=st.dictionaries(CURSOR, VALUE),
)
def test_the_next_request_never_repeats_the_one_sent(
    url: str | None, last: str | None, sent: dict[str, object]
) -> None:
    params = next_page_params(url, last, sent)
    if params is not None:
        assert any(params.get(name) != sent.get(name) for name in ("starting_after", "ending_before"))

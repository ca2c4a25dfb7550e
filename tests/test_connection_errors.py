"""A connection failure names the host and the cause, and is still the openai exception it was.

Real sockets: a loopback port nothing listens on (refused), and a loopback server that accepts
and never answers (timeout).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import http
from lumenfall_openai._error_context import add_connection_detail, connection_failure_message

from .conftest import TEST_KEY


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_refused_names_host_port_and_errno(closed_port: int) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url=f"http://127.0.0.1:{closed_port}/openai/v1", max_retries=1)
    with pytest.raises(openai.APIConnectionError) as info:
        client.videos.retrieve("video_1")
    error = info.value
    assert type(error) is openai.APIConnectionError  # same class: `except openai.APIConnectionError` works
    assert str(error).startswith(f"Could not connect to 127.0.0.1:{closed_port}: [Errno 111] Connection refused.")
    assert "LUMENFALL_BASE_URL" in str(error) and error.message == str(error)
    assert error.__cause__ is not None  # the original cause stays chained
    with pytest.raises(openai.APIConnectionError, match=r"Could not connect to 127\.0\.0\.1"):
        client.requests.list()  # every call goes through the same hook (native API too)


@pytest.mark.anyio
async def test_async_twin_names_host_and_cause(closed_port: int) -> None:
    client = AsyncLumenfall(api_key=TEST_KEY, base_url=f"http://127.0.0.1:{closed_port}/openai/v1", max_retries=0)
    with pytest.raises(openai.APIConnectionError) as info:
        await client.videos.create(prompt="x", model="mock-video")
    assert f"Could not connect to 127.0.0.1:{closed_port}: [Errno 111]" in str(info.value)


def test_timeouts_name_the_host_and_stay_timeouts(silent_port: int) -> None:
    client = Lumenfall(
        api_key=TEST_KEY, base_url=f"http://127.0.0.1:{silent_port}/openai/v1", max_retries=0, timeout=0.2
    )
    with pytest.raises(openai.APITimeoutError) as info:
        client.videos.retrieve("video_1")
    assert str(info.value).startswith(f"Request to 127.0.0.1:{silent_port} timed out")
    assert "timeout=" in str(info.value)


def test_message_without_a_cause_or_a_port() -> None:
    request = http.Request("GET", "https://api.lumenfall.ai/openai/v1/videos/v")
    bare = openai.APIConnectionError(request=request)
    assert connection_failure_message(bare).startswith("Could not connect to api.lumenfall.ai:443: no further detail")
    error = openai.APIConnectionError(request=request)
    wrapper = RuntimeError("wrapped")
    wrapper.__context__ = ConnectionResetError(104, "Connection reset by peer")
    error.__cause__ = wrapper
    assert add_connection_detail(error) is error
    assert "api.lumenfall.ai:443: [Errno 104] Connection reset by peer" in str(error)
    assert add_connection_detail(error).message == error.message  # applied once, not stacked


SECRET = "lmnfl_abc.SUPERSECRET123"


@pytest.mark.parametrize(
    "bad", [f" {SECRET} ", f"{SECRET}\n", f"{SECRET}\r\nX-Evil: 1", "lmnfl_a.b\x00c", "lmnfl_ä.b", f"{SECRET}\t"]
)
def test_a_key_with_whitespace_or_control_characters_is_refused_without_showing_it(bad: str) -> None:
    from lumenfall_openai import LumenfallConfigurationError

    with pytest.raises(LumenfallConfigurationError) as caught:
        Lumenfall(api_key=bad, base_url="http://127.0.0.1:1/openai/v1")
    assert "SUPERSECRET" not in str(caught.value) and "whitespace" in str(caught.value)
    with pytest.raises(LumenfallConfigurationError):  # a callable's token is checked the same way
        Lumenfall(api_key=lambda: bad, base_url="http://127.0.0.1:1/openai/v1").models.list()


def test_an_inner_space_is_a_legal_header_character_and_is_accepted() -> None:
    """openai's own client tests construct clients with api_key="My API Key"."""
    client = Lumenfall(api_key="My API Key", base_url="http://127.0.0.1:1/openai/v1")
    assert client.api_key == "My API Key"


def test_an_illegal_header_is_named_as_such_and_its_value_is_never_shown(silent_port: int) -> None:
    """The HTTP library quotes an illegal header value in its error; a header may carry a secret."""
    with Lumenfall(api_key=TEST_KEY, base_url=f"http://127.0.0.1:{silent_port}/openai/v1", max_retries=0) as client:
        with pytest.raises(openai.APIConnectionError) as caught:
            client.videos.retrieve("video_1", extra_headers={"X-Token": f"Bearer {SECRET}\nX-Evil: 1"})
    message = str(caught.value)
    assert "SUPERSECRET" not in message and "s3cr3t" not in message, message
    assert "header" in message.lower() and "LUMENFALL_BASE_URL" not in message, message


def test_redaction_of_causes_that_quote_headers() -> None:
    request = http.Request("GET", "https://api.example/openai/v1/videos/x")
    error = openai.APIConnectionError(request=request)
    error.__cause__ = ValueError(f"Illegal header value b'Bearer {SECRET} '")
    assert "SUPERSECRET" not in connection_failure_message(error)
    error.__cause__ = ValueError(f"proxy said: Authorization: Bearer {SECRET}")
    assert "SUPERSECRET" not in connection_failure_message(error)

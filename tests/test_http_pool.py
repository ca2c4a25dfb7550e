"""The HTTP client a Lumenfall client builds for itself: openai's, with a 64-connection pool;
the caller's own client (openai's DefaultHttpxClient included) is used exactly as given."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai._compat import HTTP_CLIENT_ATTR

KEY = "lmnfl_test.secret"


def _pool_limits(http_client: Any) -> tuple[int, int]:
    pool = http_client._transport._pool
    return pool._max_connections, pool._max_keepalive_connections


def test_the_default_pool_is_64_connections_and_a_given_client_wins() -> None:
    with Lumenfall(api_key=KEY, base_url="http://127.0.0.1:9/openai/v1") as client:
        own = getattr(client, HTTP_CLIENT_ATTR)
        assert _pool_limits(own) == (64, 64)
        assert own.timeout == openai.DefaultHttpxClient().timeout  # openai's other defaults kept
        assert getattr(client.with_options(max_retries=0), HTTP_CLIENT_ATTR) is own
    mine = openai.DefaultHttpxClient()
    with Lumenfall(api_key=KEY, base_url="http://127.0.0.1:9/openai/v1", http_client=mine) as client:
        assert getattr(client, HTTP_CLIENT_ATTR) is mine
        assert _pool_limits(mine) == (1000, 100)  # openai's settings, untouched


@pytest.mark.anyio
async def test_the_async_default_pool_is_64_connections_and_a_given_client_wins() -> None:
    async with AsyncLumenfall(api_key=KEY, base_url="http://127.0.0.1:9/openai/v1") as client:
        assert _pool_limits(getattr(client, HTTP_CLIENT_ATTR)) == (64, 64)
    mine = openai.DefaultAsyncHttpxClient()
    async with AsyncLumenfall(api_key=KEY, base_url="http://127.0.0.1:9/openai/v1", http_client=mine) as client:
        assert getattr(client, HTTP_CLIENT_ATTR) is mine
        assert _pool_limits(mine) == (1000, 100)

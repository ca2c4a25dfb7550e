"""The HTTP client a Lumenfall client builds when the caller passes none: openai's, with a smaller pool.

openai's default pool allows 1000 connections (100 kept alive). The HTTP library scans every
pooled connection for each request it places, so a client with hundreds of jobs in flight pays
for that scan on every check, and past 100 connections it closes and reopens them. Measured
(``benchmarks/bench_many_jobs.py``, 1,000 concurrent jobs, see benchmarks/RESULTS.md): client CPU
per job 9.3 ms with 64 connections against 11.8 (default) and 12.0 (128); polls never need more,
since one client runs at most 32 checks at once (``_polling.DEFAULT_CHECK_SLOTS``). A caller's own
``http_client=`` (``openai.DefaultHttpxClient(...)`` included) is used as given.
"""

from __future__ import annotations

import asyncio
import contextlib

import openai

from ._compat import http

__all__ = ["DEFAULT_LIMITS", "async_default_http_client", "default_http_client"]

CONNECTIONS = 64  # 2 x _polling.DEFAULT_CHECK_SLOTS: room for the caller's own requests beside the checks
DEFAULT_LIMITS = http.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)


class _SyncClient(openai.DefaultHttpxClient):
    # Closed with the client that made it, like openai's own default (its wrapper is private).
    def __del__(self) -> None:
        if not self.is_closed:
            with contextlib.suppress(Exception):
                self.close()


class _AsyncClient(openai.DefaultAsyncHttpxClient):
    def __del__(self) -> None:
        if not self.is_closed:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().create_task(self.aclose())


def default_http_client() -> http.Client:
    return _SyncClient(limits=DEFAULT_LIMITS)


def async_default_http_client() -> http.AsyncClient:
    return _AsyncClient(limits=DEFAULT_LIMITS)

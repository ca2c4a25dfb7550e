"""Run an ASGI app under uvicorn: in a background thread (tests) or in the foreground (CLI).

The listening socket is bound here, before uvicorn starts, so the port is known (port 0 picks a
free one) and nothing races for it; uvicorn serves on that socket and the thread is joined on
exit, so the port is free again when ``serve()`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Generator

import uvicorn
from starlette.types import ASGIApp

from ._middleware import install_log_filter


class BindError(OSError):
    """The emulator could not listen on ``host:port`` (in use, not allowed, no such address).

    An ``OSError`` with the original ``errno``, so existing ``except OSError`` code still works;
    the CLI turns it into a one-line message instead of a traceback.
    """

    def __init__(self, host: str, port: int, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.host = host
        self.port = port


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:  # includes socket.gaierror for a host name that does not resolve
        sock.close()
        raise BindError(host, port, exc) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's Server, woken at once by :meth:`stop` instead of at its next 0.1 s tick.

    Test suites start and stop an emulator per test; the saved tick adds up. Only
    ``main_loop`` is replaced, and it still calls uvicorn's own ``on_tick`` as often as before.
    """

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(wake.set)


def _config(app: ASGIApp, host: str, port: int, log_level: str) -> uvicorn.Config:
    install_log_filter()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",  # the emulator's state lives in the object, not in a lifespan
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=2,  # an unfinished 1 GiB download must not hold up a test
    )


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@contextlib.contextmanager
def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
) -> Generator[tuple[str, int], None, None]:
    """Serve ``app`` until the block ends; yields ``(host, port)`` once it accepts connections."""
    sock = bind(host, port)
    actual_port: int = sock.getsockname()[1]
    server = _Server(_config(app, host, actual_port, log_level))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"lumenfall-emulator-{actual_port}", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"the emulator's server failed to start: {failure[:1]}")
            thread.join(0.01)
        yield host, actual_port
    finally:
        server.stop()
        thread.join(timeout=10)
        sock.close()


def serve_forever(
    app: ASGIApp, host: str, port: int, on_ready: Callable[[str, int], None], log_level: str = "info"
) -> None:
    """Serve in the foreground until Ctrl-C/SIGTERM (uvicorn handles the signals)."""
    sock = bind(host, port)
    try:
        actual_port: int = sock.getsockname()[1]
        on_ready(host, actual_port)
        uvicorn.Server(_config(app, host, actual_port, log_level)).run(sockets=[sock])
    finally:
        sock.close()

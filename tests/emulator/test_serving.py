"""The three ways to start the emulator, and what it records."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.cli import build_parser, main
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import AUTH, KEY

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _port_is_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_serve_starts_and_stops_cleanly() -> None:
    emulator = LumenfallEmulator()
    threads_before = set(threading.enumerate())
    with emulator.serve() as base_url:
        assert base_url == emulator.base_url == emulator.root_url + "/openai/v1"
        assert emulator.native_base_url == emulator.root_url + "/v1"
        port = int(emulator.root_url.rsplit(":", 1)[1])
        client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
        assert client.models.list().data
        with pytest.raises(RuntimeError, match="already serving"), emulator.serve():
            pass
    assert _port_is_closed(port)
    with pytest.raises(RuntimeError, match="not serving"):
        _ = emulator.base_url
    assert set(threading.enumerate()) <= threads_before
    # The port is free: serve again on exactly that port (closed keep-alive connections linger in
    # TIME_WAIT, which SO_REUSEADDR allows, as for any server).
    with emulator.serve(port=port) as again:
        assert again == base_url
        assert http.get(again + "/models", headers=AUTH, trust_env=False).status_code == 200


def test_serve_on_a_chosen_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with LumenfallEmulator().serve(port=port) as base_url:
        assert base_url == f"http://127.0.0.1:{port}/openai/v1"


@pytest.mark.anyio
async def test_in_process_asgi_app() -> None:
    emulator = LumenfallEmulator(clock=lambda: 0.0)
    transport = http.ASGITransport(app=emulator.app)
    async with http.AsyncClient(transport=transport, base_url="http://emulator.test", headers=AUTH) as c:
        r = await c.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"})
        assert r.status_code == 202 and r.headers["x-lumenfall-model"] == "mock-video"
        emulator.advance(10)
        done = (await c.get(f"/openai/v1/videos/{r.json()['id']}")).json()
        assert done["output"]["url"].startswith("http://emulator.test/media/")
        media = await c.get(done["output"]["url"], headers={"authorization": ""})
        assert media.status_code == 400  # even an empty Authorization header is refused
        async with http.AsyncClient(transport=transport) as bare:
            video = await bare.get(done["output"]["url"])
        assert video.status_code == 200 and len(video.content) == done["output"]["size_bytes"]
    emulator.close()


@pytest.mark.anyio
async def test_async_openai_over_asgi() -> None:
    emulator = LumenfallEmulator()
    http_client = http.AsyncClient(transport=http.ASGITransport(app=emulator.app))
    client = openai.AsyncOpenAI(api_key=KEY, base_url="http://emulator.test/openai/v1", http_client=http_client)
    video = await client.videos.create(model="mock-video", prompt="p")
    assert (await client.videos.retrieve(video.id)).id == video.id
    await client.close()


def test_emulator_as_context_manager_stops_webhook_thread() -> None:
    with LumenfallEmulator() as emulator:
        emulator.wait_for_webhooks(0)
        assert any(t.name == "lumenfall-emulator-webhooks" for t in threading.enumerate())
    time.sleep(0.05)
    assert not any(t.name == "lumenfall-emulator-webhooks" for t in threading.enumerate())


def test_records_are_safe_and_useful(api: http.Client, emulator: LumenfallEmulator) -> None:
    api.post("/openai/v1/videos?dryRun=true", json={"model": "sora-2", "prompt": "p", "extra": [1]})
    record = emulator.last_request("POST /openai/v1/videos")
    assert record.method == "POST" and record.query == {"dryRun": "true"} and record.json["extra"] == [1]
    assert record.headers["authorization"] == "Bearer lmnfl_test.***"
    assert record.key_id == "test" and record.status == 200 and record.body_size > 0
    assert record.route == "POST /openai/v1/videos"
    assert "secret" not in repr(emulator.requests) and record.sent_key(KEY)
    with pytest.raises(LookupError):
        emulator.last_request("DELETE /v1/requests/{id}/payloads")
    emulator.clear_requests()
    assert emulator.requests == []
    assert "lumenfall" in repr(emulator).lower()


def test_cli_parser_has_the_emulator_command() -> None:
    args = build_parser().parse_args(["emulator", "--port", "0", "--balance", "5", "--api-key", "lmnfl_a.b"])
    assert args.command == "emulator" and args.port == 0 and args.balance == 5 and args.api_keys == ["lmnfl_a.b"]
    assert main([]) == 2


def test_cli_emulator_serves_until_interrupted() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LUMENFALL_", "OPENAI_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lumenfall_openai.cli", "emulator", "--port", "0", "--balance", "7.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Lumenfall emulator listening on http://127.0.0.1:"), line
        base_url = line.split()[-1]
        r = http.get(base_url.replace("/openai/v1", "/v1/balance"), headers=AUTH, trust_env=False)
        assert r.json()["available"]["amount"] == 7.5
        client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
        assert client.videos.create(model="mock-video", prompt="p").status == "queued"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=10)
        finally:
            proc.kill()
    assert code == 0, proc.stderr.read() if proc.stderr else ""
    port = int(base_url.split(":")[2].split("/")[0])
    assert _port_is_closed(port)


def test_emulator_needs_no_pyav_at_run_time() -> None:
    code = "import sys, lumenfall_openai.testing, lumenfall_openai.cli; assert 'av' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_wheel_ships_the_sample_video(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = z.read("lumenfall_openai/testing/media/sample.mp4")
    assert shipped == (root / "lumenfall_openai" / "testing" / "media" / "sample.mp4").read_bytes()

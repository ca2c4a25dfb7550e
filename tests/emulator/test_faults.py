"""Fault injection: every kind of fault observably happens, once per arming, on the chosen route."""

from __future__ import annotations

import json
import socket
import time

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import DONE, KEY

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MiB = 1024 * 1024


def _video(api: http.Client, emulator: LumenfallEmulator, size: int | None = None) -> dict[str, object]:
    prompt = f"[lumenfall:size_bytes={size}]" if size else "p"
    video = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": prompt}).json()
    emulator.advance(DONE)
    done: dict[str, object] = api.get(f"/openai/v1/videos/{video['id']}").json()
    return done


def test_fail_next_only_on_its_route(api: http.Client, emulator: LumenfallEmulator) -> None:
    video = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).json()
    emulator.faults.fail_next(2, route="GET /openai/v1/videos/{id}")
    assert api.get("/v1/balance").status_code == 200  # other routes untouched
    for _ in range(2):
        r = api.get(f"/openai/v1/videos/{video['id']}")
        assert r.status_code == 502 and r.json()["error"]["code"] == "ALL_PROVIDERS_EXHAUSTED"
        assert r.headers["x-lumenfall-request-id"].startswith("req_")
    assert api.get(f"/openai/v1/videos/{video['id']}").status_code == 200
    assert [e.kind for e in emulator.faults.events] == ["fail", "fail"]
    assert emulator.faults.pending == []


def test_fail_next_custom_status_and_any_route(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.fail_next(status=503, code="UPSTREAM_ERROR", message="maintenance")
    r = api.get("/v1/balance")
    assert r.status_code == 503 and r.json()["error"] == {
        "message": "maintenance",
        "type": "upstream_error",
        "code": "UPSTREAM_ERROR",
    }


def test_failed_create_creates_nothing(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.fail_next(route="POST /openai/v1/videos")
    assert api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).status_code == 502
    assert emulator.video_ids == []
    assert emulator.last_request("POST /openai/v1/videos").faults == ["fail"]


def test_openai_retries_through_injected_502s(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=2)
    emulator.faults.fail_next(1, route="GET /openai/v1/models")
    assert client.with_options(timeout=5).models.list().data
    statuses = [r.status for r in emulator.requests if r.path == "/openai/v1/models"]
    assert statuses == [502, 200]


def test_dropped_create_response_then_idempotent_retry(base_url: str, emulator: LumenfallEmulator) -> None:
    """The job exists but the 202 never arrives; the retried create with the same key finds it."""
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=2)
    emulator.faults.drop_connection_after(0, route="POST /openai/v1/videos")
    video = client.videos.create(model="mock-video", prompt="p", extra_body={"idempotency_key": "once"})
    assert emulator.video_ids == [video.id]  # one job, although two creates were processed
    posts = [r for r in emulator.requests if r.route == "POST /openai/v1/videos"]
    assert len(posts) == 2 and posts[0].faults == ["drop"] and posts[1].status == 200


def test_drop_connection_mid_download(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _video(api, emulator, 3 * MiB)
    url = str(done["output"]["url"])  # type: ignore[index]
    emulator.faults.drop_connection_after(MiB + 5, route="GET /media/{name}")
    received = bytearray()

    def download() -> None:
        with media.stream("GET", url) as r:
            assert r.status_code == 200 and r.headers["content-length"] == str(3 * MiB)
            for chunk in r.iter_raw():
                received.extend(chunk)

    with pytest.raises(http.TransportError):
        download()
    assert len(received) == MiB + 5
    assert emulator.faults.events[-1].kind == "drop"
    full = media.get(url).content  # the fault fired once; the next download is whole
    assert len(full) == 3 * MiB and full[: MiB + 5] == bytes(received)


def test_drop_then_resume_with_range(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    done = _video(api, emulator, 2 * MiB)
    url = str(done["output"]["url"])  # type: ignore[index]
    emulator.faults.drop_connection_after(700_000, route="GET /media/{name}")
    part = bytearray()

    def download() -> None:
        with media.stream("GET", url) as r:
            for chunk in r.iter_raw():
                part.extend(chunk)

    with pytest.raises(http.TransportError):
        download()
    rest = media.get(url, headers={"range": f"bytes={len(part)}-"})
    assert rest.status_code == 206
    assert bytes(part) + rest.content == media.get(url).content


def test_delay_next(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.delay_next(0.3, route="GET /v1/balance")
    started = time.monotonic()
    assert api.get("/v1/balance").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    api.get("/v1/balance")
    assert time.monotonic() - started < 0.3


def test_delay_trips_a_client_timeout(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0, timeout=0.1)
    emulator.faults.delay_next(0.5)
    with pytest.raises(openai.APITimeoutError):
        client.models.list()


def test_malformed_json(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.malformed_json_next(route="GET /v1/balance")
    r = api.get("/v1/balance")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert api.get("/v1/balance").json()["object"] == "balance"


def test_malformed_json_reaches_openai(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    emulator.faults.malformed_json_next(route="GET /openai/v1/models")
    with pytest.raises((openai.APIError, ValueError)):
        client.models.list()


def test_truncated_body_announces_more_than_it_sends(emulator: LumenfallEmulator, base_url: str) -> None:
    emulator.faults.truncate_next(route="GET /v1/balance")
    host, port = emulator.root_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET /v1/balance HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk  # the server closes the connection after the partial body
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    assert head.startswith(b"HTTP/1.1 200") and 0 < len(body) < length
    assert len(body) == length // 2
    assert emulator.faults.events[-1].kind == "truncate"


def test_truncate_with_openai_client(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0)
    emulator.faults.truncate_next(keep_bytes=10, route="GET /openai/v1/models")
    with pytest.raises(openai.APIConnectionError):
        client.models.list()


def test_bad_route_spec_is_refused(emulator: LumenfallEmulator) -> None:
    with pytest.raises(ValueError, match="route"):
        emulator.faults.fail_next(route="videos")
    with pytest.raises(ValueError, match="at least one"):
        emulator.faults.delay_next(1, n=0)


def test_not_found_next_models_replication_lag(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.not_found_next(2)  # armed before the create, as a fault matrix does
    created = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"})
    assert created.status_code == 202  # the create itself is not affected
    video_id = created.json()["id"]
    for _ in range(2):
        r = api.get(f"/openai/v1/videos/{video_id}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
        assert video_id in r.json()["error"]["message"]
        assert r.headers["x-lumenfall-request-id"].startswith("req_")
    assert api.get(f"/openai/v1/videos/{video_id}").status_code == 200
    assert [e.kind for e in emulator.faults.events] == ["not_found", "not_found"]
    assert emulator.jobs_created == 1 and emulator.faults.pending == []


def test_not_found_next_for_one_video_only(api: http.Client, emulator: LumenfallEmulator) -> None:
    a = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "a"}).json()["id"]
    b = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "b"}).json()["id"]
    emulator.faults.not_found_next(1, video_id=b)
    assert api.get(f"/openai/v1/videos/{a}").status_code == 200
    assert api.delete(f"/openai/v1/videos/{b}").status_code == 204  # only reads are lagging
    assert api.get(f"/openai/v1/videos/{b}").status_code == 404
    assert api.get(f"/openai/v1/videos/{b}").status_code == 200
    with pytest.raises(ValueError, match="not both"):
        emulator.faults.not_found_next(video_id=a, route="GET /v1/balance")


def test_not_found_and_fail_fire_one_per_request(api: http.Client, emulator: LumenfallEmulator) -> None:
    video_id = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).json()["id"]
    emulator.faults.not_found_next(1)
    emulator.faults.fail_next(1, status=503, code="UPSTREAM_ERROR", route="GET /openai/v1/videos/{id}")
    statuses = [api.get(f"/openai/v1/videos/{video_id}").status_code for _ in range(3)]
    assert statuses == [404, 503, 200]


@pytest.mark.parametrize("offset", [0, 1, 40, 100_000])
def test_dropped_create_at_any_offset_still_made_the_job(
    api: http.Client, emulator: LumenfallEmulator, offset: int
) -> None:
    emulator.faults.drop_connection_after(offset, route="POST /openai/v1/videos")
    try:
        r = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "idempotency_key": "k"})
    except http.TransportError:
        pass  # the answer was lost (any offset shorter than the body)
    else:
        assert offset >= len(r.content)  # the whole body fitted before the cut
    assert emulator.jobs_created == 1  # fail closed: the job exists, the money will be spent
    again = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "idempotency_key": "k"})
    assert again.status_code == 200 and emulator.jobs_created == 1 and emulator.replayed_creates == 1


def test_delayed_create_still_runs_after_the_client_gave_up(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=base_url, max_retries=0, timeout=0.2)
    emulator.faults.delay_next(1.0, route="POST /openai/v1/videos")
    with pytest.raises(openai.APITimeoutError):
        client.post("/videos", body={"model": "mock-video", "prompt": "p"}, cast_to=object)
    deadline = time.monotonic() + 10
    while emulator.jobs_created == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emulator.jobs_created == 1  # the server had the body: a timeout is not "nothing happened"


def test_billing_counters(api: http.Client, emulator: LumenfallEmulator) -> None:
    assert (emulator.jobs_created, emulator.billed_micros) == (0, 0)
    ok = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "seconds": "4"}).json()
    api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p [lumenfall:fail=UPSTREAM_ERROR]"})
    cancelled = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}).json()
    api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "seconds": "7"})  # 400: no job
    api.post("/openai/v1/videos?dryRun=true", json={"model": "sora-2", "prompt": "p"})  # estimate: no job
    api.delete(f"/openai/v1/videos/{cancelled['id']}")
    assert emulator.jobs_created == 3 and emulator.billed_micros == 0  # billed on completion only
    emulator.advance(DONE)
    assert emulator.billed_micros == 840_000  # only the completed sora-2 4 s job
    assert emulator.balance == pytest.approx(100 - 0.84)
    assert api.get(f"/openai/v1/videos/{ok['id']}").json()["metadata"]["cost"] == 0.84


def test_bad_fault_arguments_are_refused(emulator: LumenfallEmulator) -> None:
    with pytest.raises(ValueError, match="finite"):
        emulator.faults.delay_next(float("nan"))
    with pytest.raises(ValueError, match="4xx or 5xx"):
        emulator.faults.fail_next(status=200)
    with pytest.raises(ValueError, match="at least one"):
        emulator.faults.not_found_next(0)
    with pytest.raises(ValueError, match="finite"):
        emulator.script(cost=float("inf"))


def test_fail_after_processing_keeps_the_job(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.fail_next(2, status=504, code="UPSTREAM_ERROR", route="POST /openai/v1/videos", processed=True)
    body = {"model": "sora-2", "prompt": "p", "seconds": "4", "idempotency_key": "k"}
    first = api.post("/openai/v1/videos", json=body)
    assert first.status_code == 504 and first.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert emulator.jobs_created == 1  # the answer was an error, the job exists all the same
    again = api.post("/openai/v1/videos", json=body)  # a retry: processed (a replay), answer lost again
    assert again.status_code == 504 and emulator.jobs_created == 1 and emulator.replayed_creates == 1
    third = api.post("/openai/v1/videos", json=body)
    assert third.status_code == 200 and emulator.jobs_created == 1
    emulator.advance(DONE)
    assert emulator.billed_micros == 840_000
    assert [e.detail for e in emulator.faults.events] == [
        "504 UPSTREAM_ERROR after a 202",
        "504 UPSTREAM_ERROR after a 200",
    ]


def test_processed_fail_on_a_download_sends_no_media(
    api: http.Client, media: http.Client, emulator: LumenfallEmulator
) -> None:
    done = _video(api, emulator, 2 * MiB)
    emulator.faults.fail_next(status=503, code="UPSTREAM_ERROR", route="GET /media/{name}", processed=True)
    r = media.get(str(done["output"]["url"]))  # type: ignore[index]
    assert r.status_code == 503 and r.json()["error"]["code"] == "UPSTREAM_ERROR"
    assert len(media.get(str(done["output"]["url"])).content) == 2 * MiB  # type: ignore[index]

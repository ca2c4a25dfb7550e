"""The videos API: seed conformance, lifecycle, idempotency, cancel, dryRun, billing, outcomes."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from ..conftest import seed_examples
from .helpers import DONE, KEY, QUEUE

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # openai's Sora notice

# Documented metadata fields (the seed's Metadata object); the examples show a subset.
DOCUMENTED_METADATA = {
    "provider_name",
    "provider",
    "upstream_id",
    "model",
    "executed_model",
    "cost",
    "cost_estimate",
    "cost_currency",
}


def _shape(value: Any) -> Any:
    """Key set and value types, recursively: what "validates field for field" compares."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__


def _create_seed_job(client: openai.OpenAI) -> str:
    example = seed_examples()["Completed"]
    video = client.videos.create(
        model=example["model"],
        prompt=example["prompt"],
        seconds=example["seconds"],
        size=example["size"],
    )
    return video.id


def test_retrieve_completed_matches_seed_field_for_field(client: openai.OpenAI, emulator: LumenfallEmulator) -> None:
    video_id = _create_seed_job(client)
    emulator.advance(DONE)
    raw = client.videos.with_raw_response.retrieve(video_id)
    body = raw.http_response.json()
    seed = seed_examples()["Completed"]

    assert body.keys() == seed.keys()
    top = {k: v for k, v in _shape(body).items() if k != "metadata"}
    assert top == {k: v for k, v in _shape(seed).items() if k != "metadata"}
    assert isinstance(body["seconds"], str) and body["seconds"] == "10"
    assert body["output"].keys() == {"url", "content_type", "size_bytes"}
    assert body["error"] is None and "progress" not in body
    # metadata: every key of the example with the same type, plus only documented fields.
    assert seed["metadata"].keys() <= body["metadata"].keys() <= DOCUMENTED_METADATA
    for key in seed["metadata"]:
        assert _shape(body["metadata"][key]) == _shape(seed["metadata"][key]), key
    assert "cost_estimate" not in body["metadata"]
    assert body["id"].startswith("video_") and body["object"] == "video"
    assert body["metadata"]["executed_model"] == "openai/sora-2"
    assert body["completed_at"] >= body["created_at"] and body["expires_at"] > body["completed_at"]
    assert body["output"]["url"].startswith(emulator.root_url + "/media/")

    video = client.videos.retrieve(video_id)  # openai's own parse still works
    assert video.status == "completed" and video.id == video_id


def test_in_progress_matches_seed(client: openai.OpenAI, emulator: LumenfallEmulator) -> None:
    video_id = _create_seed_job(client)
    emulator.advance(QUEUE + 0.5)
    body = client.videos.with_raw_response.retrieve(video_id).http_response.json()
    seed = seed_examples()["In progress"]
    assert body.keys() == seed.keys()
    assert body["status"] == "in_progress"
    assert body["output"] is None and body["completed_at"] is None and body["expires_at"] is None
    assert seed["metadata"].keys() <= body["metadata"].keys() <= DOCUMENTED_METADATA
    assert "cost" not in body["metadata"]


def test_lifecycle_on_the_clock_bills_once(api: http.Client, emulator: LumenfallEmulator) -> None:
    start = emulator.balance
    r = api.post("/openai/v1/videos", json={"model": "wan-2.6", "prompt": "waves", "seconds": 10})
    assert r.status_code == 202
    video = r.json()
    assert video["status"] == "queued" and video["metadata"]["cost_estimate"] == pytest.approx(1.0)

    emulator.advance(QUEUE - 0.1)
    assert api.get(f"/openai/v1/videos/{video['id']}").json()["status"] == "queued"
    emulator.advance(0.2)
    running = api.get(f"/openai/v1/videos/{video['id']}").json()
    assert running["status"] == "in_progress" and running["metadata"]["cost_estimate"] == pytest.approx(1.0)
    assert emulator.balance == start  # nothing billed before completion

    emulator.advance(DONE)
    done = api.get(f"/openai/v1/videos/{video['id']}").json()
    assert done["status"] == "completed" and done["metadata"]["cost"] == pytest.approx(1.0)
    assert done["completed_at"] - done["created_at"] == 10
    for _ in range(3):
        api.get(f"/openai/v1/videos/{video['id']}")
    assert emulator.balance == pytest.approx(start - 1.0)  # debited exactly once
    assert api.get("/v1/balance").json()["available"]["amount"] == pytest.approx(start - 1.0)


def test_real_time_default_clock_completes(api: http.Client) -> None:
    emu = LumenfallEmulator(queue_seconds=0.05, run_seconds=0.4)
    with emu.serve(), http.Client(base_url=emu.root_url, headers=api.headers, trust_env=False) as c:
        video = c.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "a cat"}).json()
        seen = [video["status"]]
        deadline = time.monotonic() + 5
        while seen[-1] not in ("completed", "failed") and time.monotonic() < deadline:
            time.sleep(0.01)
            seen.append(c.get(f"/openai/v1/videos/{video['id']}").json()["status"])
    assert seen[0] == "queued" and "in_progress" in seen and seen[-1] == "completed"
    emu.close()


def test_time_scale_shrinks_the_schedule(api: http.Client) -> None:
    emu = LumenfallEmulator(clock=lambda: 0.0, queue_seconds=10, run_seconds=100, time_scale=0.01)
    with emu.serve(), http.Client(base_url=emu.root_url, headers=api.headers, trust_env=False) as c:
        video = c.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "x"}).json()
        emu.advance(0.11)
        assert c.get(f"/openai/v1/videos/{video['id']}").json()["status"] == "in_progress"
        emu.advance(1.0)
        assert c.get(f"/openai/v1/videos/{video['id']}").json()["status"] == "completed"


def test_idempotent_replay_returns_same_job_and_bills_once(api: http.Client, emulator: LumenfallEmulator) -> None:
    body = {"model": "sora-2", "prompt": "p", "seconds": "4", "idempotency_key": "order-42"}
    first = api.post("/openai/v1/videos", json=body)
    second = api.post("/openai/v1/videos", json=body)
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    emulator.advance(DONE)
    third = api.post("/openai/v1/videos", json=body)
    assert third.status_code == 200 and third.json()["status"] == "completed"
    assert emulator.balance == pytest.approx(100 - 0.84)
    assert len(api.get("/v1/requests").json()["data"]) == 1
    other = api.post("/openai/v1/videos", json={**body, "idempotency_key": "order-43"})
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]


def test_replay_works_even_when_balance_is_gone(api: http.Client, emulator: LumenfallEmulator) -> None:
    body = {"model": "sora-2", "prompt": "p", "idempotency_key": "k1"}
    assert api.post("/openai/v1/videos", json=body).status_code == 202
    emulator.set_balance(0)
    assert api.post("/openai/v1/videos", json=body).status_code == 200


def test_cancel_in_flight_job(api: http.Client, emulator: LumenfallEmulator) -> None:
    video = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}).json()
    emulator.advance(QUEUE + 1)
    r = api.delete(f"/openai/v1/videos/{video['id']}")
    assert r.status_code == 204 and r.content == b""
    emulator.advance(DONE)
    got = api.get(f"/openai/v1/videos/{video['id']}")
    assert got.status_code == 200
    body = got.json()
    assert body["status"] == "failed" and body["error"]["code"] == "CANCELLED"
    assert body["output"] is None and body["completed_at"] is None
    assert "cost" not in body["metadata"]
    assert emulator.balance == 100  # a cancelled job is never billed
    assert api.get(f"/v1/requests/{got.headers['x-lumenfall-request-id']}").status_code == 404
    listed = api.get("/v1/requests").json()["data"]
    assert listed[0]["status"] == "cancelled"


def test_cancelled_status_can_be_the_other_reading(api: http.Client) -> None:
    emu = LumenfallEmulator(clock=lambda: 0.0, cancelled_status="cancelled")
    with emu.serve(), http.Client(base_url=emu.root_url, headers=api.headers, trust_env=False) as c:
        video = c.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "x"}).json()
        c.delete(f"/openai/v1/videos/{video['id']}")
        assert c.get(f"/openai/v1/videos/{video['id']}").json()["status"] == "cancelled"


def test_cancel_finished_job_is_a_no_op(api: http.Client, emulator: LumenfallEmulator) -> None:
    video = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}).json()
    emulator.advance(DONE)
    assert api.delete(f"/openai/v1/videos/{video['id']}").status_code == 204
    body = api.get(f"/openai/v1/videos/{video['id']}").json()
    assert body["status"] == "completed" and body["output"] is not None
    assert emulator.balance == pytest.approx(100 - 0.84)


def test_cancel_and_get_unknown_video_are_404(api: http.Client) -> None:
    for method in ("GET", "DELETE"):
        r = api.request(method, "/openai/v1/videos/video_nope")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def test_dry_run_matches_documented_example_and_creates_nothing(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post("/openai/v1/videos?dryRun=true", json={"model": "sora-2", "prompt": "p", "seconds": 10})
    assert r.status_code == 200
    assert r.json() == {
        "estimated": True,
        "model": "sora-2",
        "provider": "openai",
        "total_cost_micros": 2100000,
        "currency": "USD",
        "components": [
            {
                "type": "output",
                "metric": "second",
                "quantity": 10,
                "billable_quantity": 10,
                "unit_price": 0.21,
                "total_cost": 2100000,
            }
        ],
    }
    assert emulator.balance == 100
    assert api.get("/v1/requests").json()["data"] == []
    assert emulator.last_request("POST /openai/v1/videos").query == {"dryRun": "true"}


@pytest.mark.parametrize(
    ("model", "seconds", "n"),
    [("sora-2", 12, 1), ("kling-v3", 10, 2), ("wan-2.6", 15, 1), ("veo-3.1-fast", 6, 4), ("mock-video", 3, 1)],
)
def test_estimate_equals_effective_cost(
    api: http.Client, emulator: LumenfallEmulator, model: str, seconds: int, n: int
) -> None:
    body = {"model": model, "prompt": "p", "seconds": seconds, "n": n}
    estimate = api.post("/openai/v1/videos?dryRun=true", json=body).json()
    video = api.post("/openai/v1/videos", json=body).json()
    assert video["metadata"]["cost_estimate"] == estimate["total_cost_micros"] / 1e6
    emulator.advance(DONE)
    done = api.get(f"/openai/v1/videos/{video['id']}").json()
    assert done["metadata"]["cost"] == estimate["total_cost_micros"] / 1e6
    assert emulator.balance == pytest.approx(100 - estimate["total_cost_micros"] / 1e6)
    assert estimate["components"][0]["quantity"] == seconds * n


def test_multipart_with_file_and_passthrough_fields(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post(
        "/openai/v1/videos",
        data={"model": "mock-video", "prompt": "from a still", "seconds": "4", "camera_motion": "dolly"},
        files={"input_reference": ("still.png", b"\x89PNG" + b"0" * 96, "image/png")},
    )
    assert r.status_code == 202
    record = emulator.last_request("POST /openai/v1/videos")
    assert record.form is not None and record.form["camera_motion"] == "dolly"
    assert [(f.field, f.filename, f.size, f.content_type) for f in record.files] == [
        ("input_reference", "still.png", 100, "image/png")
    ]
    assert emulator.video_extra_fields(r.json()["id"]) == {"camera_motion": "dolly"}


def test_json_body_with_aliases_references_and_unknown_fields(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post(
        "/openai/v1/videos",
        json={
            "model": "kling-v3",
            "prompt": "p",
            "duration": 10,
            "aspect_ratio": "9:16",
            "resolution": "1080p",
            "input_reference": [{"image_url": "https://example.com/a.png"}],
            "seed": 7,
        },
    )
    assert r.status_code == 202
    body = r.json()
    assert body["seconds"] == "10" and body["size"] == "9:16"
    assert emulator.last_request().json["seed"] == 7
    assert emulator.video_extra_fields(body["id"]) == {"seed": 7}


def test_openai_client_create_is_accepted(client: openai.OpenAI, emulator: LumenfallEmulator) -> None:
    video = client.videos.create(model="sora-2", prompt="p", seconds="8", size="1280x720")
    assert video.status == "queued"
    record = emulator.last_request("POST /openai/v1/videos")
    # openai's own create sends multipart from 2.27 on, JSON before: the emulator takes both.
    assert record.headers["content-type"].startswith(("multipart/form-data", "application/json"))
    assert (record.form or {}).get("prompt") == "p" or (record.json or {}).get("prompt") == "p"
    assert record.sent_key(KEY) and not record.sent_key("lmnfl_test.other")
    assert KEY not in repr(record) and "secret" not in repr(emulator.requests)


def test_provider_prefix_forces_provider(api: http.Client) -> None:
    r = api.post("/openai/v1/videos", json={"model": "fal/wan-2.6", "prompt": "p"})
    assert r.status_code == 202
    assert r.json()["metadata"]["provider"] == "fal" and r.json()["model"] == "fal/wan-2.6"
    assert r.headers["x-lumenfall-provider"] == "fal"


# -- picking outcomes ----------------------------------------------------------------------------


def _finish(
    api: http.Client, emulator: LumenfallEmulator, body: dict[str, Any], advance: float = DONE
) -> dict[str, Any]:
    r = api.post("/openai/v1/videos", json=body)
    assert r.status_code == 202, r.text
    emulator.advance(advance)
    got = api.get(f"/openai/v1/videos/{r.json()['id']}")
    assert got.status_code == 200
    result: dict[str, Any] = got.json()
    return result


def test_mock_video_is_free_and_succeeds(api: http.Client, emulator: LumenfallEmulator) -> None:
    done = _finish(api, emulator, {"model": "mock-video", "prompt": "p"})
    assert done["status"] == "completed" and done["metadata"]["cost"] == 0
    assert emulator.balance == 100


def test_fail_marker_makes_a_failed_job(api: http.Client, emulator: LumenfallEmulator) -> None:
    done = _finish(api, emulator, {"model": "sora-2", "prompt": "x [lumenfall:fail=CONTENT_POLICY_VIOLATION]"})
    assert done["status"] == "failed" and done["error"]["code"] == "CONTENT_POLICY_VIOLATION"
    assert done["error"]["message"] and done["output"] is None
    assert "cost" not in done["metadata"] and "cost_estimate" not in done["metadata"]
    assert done["completed_at"] is None
    assert emulator.balance == 100  # failed jobs are not billed


def test_duration_and_queue_markers(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post(
        "/openai/v1/videos", json={"model": "mock-video", "prompt": "[lumenfall:queue=1][lumenfall:duration=30]"}
    )
    video_id = r.json()["id"]
    emulator.advance(1.5)
    assert api.get(f"/openai/v1/videos/{video_id}").json()["status"] == "in_progress"
    emulator.advance(29)  # 30.5 s in: 1 s queued + 30 s running is not over yet
    assert api.get(f"/openai/v1/videos/{video_id}").json()["status"] == "in_progress"
    emulator.advance(0.6)
    assert api.get(f"/openai/v1/videos/{video_id}").json()["status"] == "completed"


def test_model_slugs_pick_outcomes(api: http.Client, emulator: LumenfallEmulator) -> None:
    failed = _finish(api, emulator, {"model": "mock-video-fail", "prompt": "p"})
    assert failed["status"] == "failed" and failed["error"]["code"] == "UPSTREAM_ERROR"
    slow = _finish(api, emulator, {"model": "mock-video-slow", "prompt": "p"})
    assert slow["status"] == "in_progress"


def test_scripted_outcomes(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.fail_next_job("ALL_PROVIDERS_EXHAUSTED", message="nobody home")
    failed = _finish(api, emulator, {"model": "mock-video", "prompt": "p"})
    assert failed["error"] == {"code": "ALL_PROVIDERS_EXHAUSTED", "message": "nobody home"}
    assert _finish(api, emulator, {"model": "mock-video", "prompt": "p"})["status"] == "completed"

    emulator.script(run_seconds=100, model="sora-2")  # only for sora-2
    assert _finish(api, emulator, {"model": "mock-video", "prompt": "p"})["status"] == "completed"
    assert _finish(api, emulator, {"model": "sora-2", "prompt": "p"})["status"] == "in_progress"

    emulator.reject_next_create("RATE_LIMITED", times=2)
    for _ in range(2):
        r = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "RATE_LIMITED"
    assert api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}).status_code == 202


def test_cost_marker_changes_effective_cost(api: http.Client, emulator: LumenfallEmulator) -> None:
    done = _finish(api, emulator, {"model": "sora-2", "prompt": "p [lumenfall:cost=0.5]", "seconds": 4})
    assert done["metadata"]["cost"] == 0.5
    assert emulator.balance == pytest.approx(99.5)


def test_unknown_marker_is_a_clear_400(api: http.Client) -> None:
    r = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "[lumenfall:fial=X]"})
    assert r.status_code == 400 and "fial" in r.json()["error"]["message"]


def test_every_response_has_lumenfall_headers(api: http.Client, emulator: LumenfallEmulator) -> None:
    video = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"})
    responses = [
        video,
        api.get(f"/openai/v1/videos/{video.json()['id']}"),
        api.post("/openai/v1/videos", json={"model": "sora2", "prompt": "p"}),
        api.get("/openai/v1/models"),
        api.get("/v1/balance"),
        api.get("/v1/requests"),
        api.get("/v1/webhooks/secret"),
        api.get("/openai/v1/nope"),
        api.get("/openai/v1/videos/x", headers={"authorization": "Bearer nope"}),
    ]
    for r in responses:
        assert r.headers["x-lumenfall-request-id"].startswith("req_"), r.url
        assert "x-lumenfall-provider" in r.headers and "x-lumenfall-model" in r.headers
    assert video.headers["x-lumenfall-provider"] == "openai" and video.headers["x-lumenfall-model"] == "sora-2"
    assert len({r.headers["x-lumenfall-request-id"] for r in responses}) == len(responses)


def test_a_script_survives_requests_refused_for_other_reasons(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.fail_next_job("UPSTREAM_ERROR")
    emulator.set_balance(0)
    assert api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}).status_code == 402
    assert api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "size": "1x1"}).status_code == 400
    failed = _finish(api, emulator, {"model": "mock-video", "prompt": "p"})
    assert failed["error"]["code"] == "UPSTREAM_ERROR"

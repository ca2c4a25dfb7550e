"""Images, models, and the native API: balance, request history and paging, payload purge, secret."""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import DONE


def test_images_generate_with_plain_openai(client: openai.OpenAI, emulator: LumenfallEmulator) -> None:
    raw = client.images.with_raw_response.generate(model="gpt-image-1", prompt="a fox", n=2, size="1024x1024")
    body = raw.http_response.json()
    assert body.keys() == {"created", "data", "metadata"}
    assert len(body["data"]) == 2
    png = base64.b64decode(body["data"][0]["b64_json"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    meta = body["metadata"]
    assert meta["cost"] == pytest.approx(0.08) and meta["cost_currency"] == "USD"
    assert meta["provider"] == "openai" and meta["executed_model"] == "openai/gpt-image-1"
    assert isinstance(meta["attempts"], list) and meta["attempts"][0]["provider"] == "openai"
    assert raw.http_response.headers["x-lumenfall-model"] == "gpt-image-1"
    assert emulator.balance == pytest.approx(100 - 0.08)
    images = client.images.generate(model="mock-image", prompt="free")
    assert images.data and images.data[0].b64_json
    assert emulator.balance == pytest.approx(100 - 0.08)


def test_images_dry_run_and_errors(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post("/openai/v1/images/generations?dryRun=true", json={"model": "flux-1.1-pro", "prompt": "p", "n": 3})
    assert r.status_code == 200
    estimate = r.json()
    assert estimate["total_cost_micros"] == 120000 and estimate["components"][0]["metric"] == "image"
    assert emulator.balance == 100 and api.get("/v1/requests").json()["data"] == []
    bad = api.post("/openai/v1/images/generations", json={"model": "gpt-image-1", "prompt": "p", "size": "9x9"})
    assert bad.status_code == 400
    policy = api.post(
        "/openai/v1/images/generations",
        json={"model": "mock-image", "prompt": "[lumenfall:fail=CONTENT_POLICY_VIOLATION]"},
    )
    assert policy.status_code == 400 and policy.json()["error"]["code"] == "CONTENT_POLICY_VIOLATION"
    video_model = api.post("/openai/v1/images/generations", json={"model": "sora-2", "prompt": "p"})
    assert video_model.status_code == 400


def test_images_edits_multipart(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post(
        "/openai/v1/images/edits",
        data={"model": "mock-image", "prompt": "add a hat"},
        files={"image": ("in.png", b"\x89PNG" + b"1" * 20, "image/png")},
    )
    assert r.status_code == 200 and r.json()["data"][0]["b64_json"]
    assert emulator.last_request().files[0].filename == "in.png"


def test_models_list_in_openai_shape(client: openai.OpenAI) -> None:
    ids = {m.id for m in client.models.list()}
    assert {"sora-2", "kling-v3", "wan-2.6", "veo-3.1-fast", "mock-video", "gpt-image-1", "mock-image"} <= ids
    assert "mock-video-disabled" not in ids
    model = client.models.retrieve("sora-2")
    assert model.id == "sora-2" and model.object == "model"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("sora2")


def test_webhook_secret(api: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.get("/v1/webhooks/secret")
    assert r.json() == {"key": emulator.webhook_secret} and emulator.webhook_secret.startswith("whsec_")


def test_balance_shape(api: http.Client) -> None:
    assert api.get("/v1/balance").json() == {
        "object": "balance",
        "billing_type": "prepaid",
        "available": {"amount": 100.0, "currency": "usd"},
    }


def _make_requests(api: http.Client, emulator: LumenfallEmulator, count: int) -> list[str]:
    ids = []
    for i in range(count):
        r = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": f"p{i}"})
        ids.append(r.headers["x-lumenfall-request-id"])
        emulator.advance(0.01)
    return ids


def test_request_history_shape(api: http.Client, emulator: LumenfallEmulator) -> None:
    (request_id,) = _make_requests(api, emulator, 1)
    record = api.get(f"/v1/requests/{request_id}").json()
    assert record["id"] == request_id and record["object"] == "request"
    assert record["status"] == "pending" and record["cost"] is None and record["modality"] == "video"
    assert record["created_at"].endswith("Z") and record["key_id"] == "test"
    emulator.advance(3)
    assert api.get(f"/v1/requests/{request_id}").json()["status"] == "processing"
    emulator.advance(DONE)
    done = api.get(f"/v1/requests/{request_id}").json()
    assert done["status"] == "completed" and done["cost"] == 0 and done["duration_ms"] == 10000
    assert api.get("/v1/requests/req_nope").status_code == 404


def _follow(api: http.Client, url: str | None) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    while url is not None:
        page = api.get(url).json()
        pages.append(page)
        url = page["next_page_url"]
    return pages


def test_request_paging_forward_and_back(api: http.Client, emulator: LumenfallEmulator) -> None:
    ids = _make_requests(api, emulator, 7)
    newest_first = ids[::-1]
    pages = _follow(api, "/v1/requests?limit=3")
    assert [[r["id"] for r in p["data"]] for p in pages] == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]
    assert pages[0]["previous_page_url"] is None and pages[-1]["next_page_url"] is None
    assert pages[1]["next_page_url"].startswith(emulator.root_url + "/v1/requests?")
    back = api.get(pages[2]["previous_page_url"]).json()
    assert [r["id"] for r in back["data"]] == newest_first[3:6]
    before = api.get(f"/v1/requests?limit=2&ending_before={newest_first[1]}").json()
    assert [r["id"] for r in before["data"]] == newest_first[0:1] and before["previous_page_url"] is None
    assert api.get("/v1/requests?limit=100").json()["next_page_url"] is None


def test_request_filters(api: http.Client, emulator: LumenfallEmulator) -> None:
    ids = _make_requests(api, emulator, 3)
    api.post(
        "/openai/v1/videos",
        json={"model": "mock-video", "prompt": "p"},
        headers={"authorization": "Bearer lmnfl_other.x"},
    )
    assert [r["id"] for r in api.get("/v1/requests?key_id=test").json()["data"]] == ids[::-1]
    assert len(api.get("/v1/requests?key_id=other").json()["data"]) == 1
    emulator.advance(DONE)
    assert len(api.get("/v1/requests?status=completed").json()["data"]) == 4
    assert api.get("/v1/requests?status=pending").json()["data"] == []
    first = api.get(f"/v1/requests/{ids[0]}").json()["created_at"]
    after = api.get("/v1/requests", params={"created_after": first}).json()["data"]
    assert ids[0] not in {r["id"] for r in after} and len(after) == 3
    before = api.get("/v1/requests", params={"created_before": "2000-01-01T00:00:00Z"}).json()["data"]
    assert before == []
    summary = api.get("/v1/requests?summary=true").json()["summary"]
    assert summary["count"] == 4


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=x",
        "status=done",
        "created_after=yesterday",
        "starting_after=req_nope",
        "starting_after=a&ending_before=b",
    ],
)
def test_request_listing_rejects_bad_queries(api: http.Client, query: str) -> None:
    r = api.get(f"/v1/requests?{query}")
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_REQUEST"


def test_payload_purge_is_idempotent(api: http.Client, media: http.Client, emulator: LumenfallEmulator) -> None:
    r = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"})
    emulator.advance(DONE)
    url = api.get(f"/openai/v1/videos/{r.json()['id']}").json()["output"]["url"]
    assert media.get(url).status_code == 200
    request_id = r.headers["x-lumenfall-request-id"]
    first = api.delete(f"/v1/requests/{request_id}/payloads")
    assert first.status_code == 200
    assert first.json() == {"id": request_id, "purged": True, "already_purged": False, "media_deleted": 1}
    second = api.delete(f"/v1/requests/{request_id}/payloads")
    assert second.json() == {"id": request_id, "purged": True, "already_purged": True, "media_deleted": 0}
    assert media.get(url).status_code == 404
    assert api.delete("/v1/requests/req_nope/payloads").status_code == 404


def test_image_payload_purge_counts_images(api: http.Client, media: http.Client) -> None:
    r = api.post(
        "/openai/v1/images/generations", json={"model": "mock-image", "prompt": "p", "n": 3, "response_format": "url"}
    )
    purge = api.delete(f"/v1/requests/{r.headers['x-lumenfall-request-id']}/payloads").json()
    assert purge["media_deleted"] == 3
    assert media.get(r.json()["data"][0]["url"]).status_code == 404

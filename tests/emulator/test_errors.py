"""Every error code of the API notes can be produced, with its status and Lumenfall's envelope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from lumenfall_openai._compat import http
from lumenfall_openai.testing import DOCUMENTED_CODES, LumenfallEmulator

from .helpers import AUTH, DONE, T0

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STATUS = {
    "AUTHENTICATION_FAILED": 401,
    "INSUFFICIENT_BALANCE": 402,
    "INVALID_REQUEST": 400,
    "CONTENT_POLICY_VIOLATION": 400,
    "MODEL_NOT_FOUND": 404,
    "MODEL_DISABLED": 404,
    "RATE_LIMITED": 429,
    "ALL_PROVIDERS_EXHAUSTED": 502,
    "UPSTREAM_ERROR": 502,
}


def assert_error(r: http.Response, code: str, status: int | None = None, message: str | None = None) -> None:
    assert r.status_code == (status or STATUS[code]), r.text
    body = r.json()
    assert body.keys() == {"error"}
    assert body["error"].keys() == {"message", "type", "code"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["type"], str) and body["error"]["type"]
    assert body["error"]["message"]
    if message is not None:
        assert re.search(message, body["error"]["message"]), body["error"]["message"]
    assert r.headers["x-lumenfall-request-id"].startswith("req_")


def test_table_covers_every_documented_code() -> None:
    assert set(STATUS) == set(DOCUMENTED_CODES)


# (what to send, expected code, status override, message pattern)
CASES: list[tuple[str, dict[str, Any], str, int | None, str | None]] = [
    ("missing prompt", {"model": "sora-2"}, "INVALID_REQUEST", None, "prompt"),
    ("empty prompt", {"model": "sora-2", "prompt": "  "}, "INVALID_REQUEST", None, "prompt"),
    ("missing model", {"prompt": "p"}, "INVALID_REQUEST", None, "model"),
    ("bad size", {"model": "sora-2", "prompt": "p", "size": "1000x1000"}, "INVALID_REQUEST", None, "size"),
    ("bad seconds", {"model": "sora-2", "prompt": "p", "seconds": "7"}, "INVALID_REQUEST", None, "4, 8, 10, 12"),
    ("seconds not a number", {"model": "sora-2", "prompt": "p", "seconds": "ten"}, "INVALID_REQUEST", None, None),
    ("bad aspect ratio", {"model": "sora-2", "prompt": "p", "aspect_ratio": "4:3"}, "INVALID_REQUEST", None, None),
    ("bad resolution", {"model": "kling-v3", "prompt": "p", "resolution": "4K"}, "INVALID_REQUEST", None, None),
    ("n = 0", {"model": "sora-2", "prompt": "p", "n": 0}, "INVALID_REQUEST", None, "between 1 and 4"),
    ("n = 5", {"model": "sora-2", "prompt": "p", "n": 5}, "INVALID_REQUEST", None, "between 1 and 4"),
    ("long key", {"model": "sora-2", "prompt": "p", "idempotency_key": "k" * 257}, "INVALID_REQUEST", None, "256"),
    ("prompt too long", {"model": "kling-v3", "prompt": "p" * 2501}, "INVALID_REQUEST", None, "2500"),
    (
        "bad reference",
        {"model": "sora-2", "prompt": "p", "input_reference": {"image_url": "ftp://x"}},
        "INVALID_REQUEST",
        None,
        "input_reference",
    ),
    (
        "webhook http",
        {"model": "sora-2", "prompt": "p", "webhook_url": "http://hooks.example.com/x"},
        "INVALID_REQUEST",
        None,
        "https",
    ),
    (
        "webhook port",
        {"model": "sora-2", "prompt": "p", "webhook_url": "https://hooks.example.com:8080/x"},
        "INVALID_REQUEST",
        None,
        "443 or 8443",
    ),
    (
        "webhook bare ip",
        {"model": "sora-2", "prompt": "p", "webhook_url": "https://203.0.113.7/x"},
        "INVALID_REQUEST",
        None,
        "IP",
    ),
    (
        "webhook private ip",
        {"model": "sora-2", "prompt": "p", "webhook_url": "http://10.0.0.1/x"},
        "INVALID_REQUEST",
        None,
        None,
    ),
    ("unknown model", {"model": "sora2", "prompt": "p"}, "MODEL_NOT_FOUND", None, "Did you mean 'sora-2'\\?"),
    ("unknown model 2", {"model": "wan-2.5", "prompt": "p"}, "MODEL_NOT_FOUND", None, "Did you mean 'wan-2.6'\\?"),
    ("unknown provider", {"model": "nope/sora-2", "prompt": "p"}, "MODEL_NOT_FOUND", None, None),
    ("image model", {"model": "gpt-image-1", "prompt": "p"}, "INVALID_REQUEST", None, "image"),
    ("disabled model", {"model": "mock-video-disabled", "prompt": "p"}, "MODEL_DISABLED", None, None),
    (
        "policy",
        {"model": "sora-2", "prompt": "p [lumenfall:reject=CONTENT_POLICY_VIOLATION]"},
        "CONTENT_POLICY_VIOLATION",
        None,
        None,
    ),
    ("rate limited", {"model": "sora-2", "prompt": "[lumenfall:reject=RATE_LIMITED]"}, "RATE_LIMITED", None, None),
    (
        "exhausted",
        {"model": "sora-2", "prompt": "[lumenfall:reject=ALL_PROVIDERS_EXHAUSTED]"},
        "ALL_PROVIDERS_EXHAUSTED",
        None,
        None,
    ),
    ("upstream", {"model": "sora-2", "prompt": "[lumenfall:reject=UPSTREAM_ERROR]"}, "UPSTREAM_ERROR", None, None),
    (
        "upstream 503",
        {"model": "sora-2", "prompt": "[lumenfall:reject=UPSTREAM_ERROR:503]"},
        "UPSTREAM_ERROR",
        503,
        None,
    ),
    (
        "custom message",
        {"model": "sora-2", "prompt": "[lumenfall:reject=UPSTREAM_ERROR][lumenfall:message=boom]"},
        "UPSTREAM_ERROR",
        None,
        "^boom$",
    ),
]


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[LumenfallEmulator, http.Client]]:
    """One server for the many submit-error cases: none of them may create or bill anything."""
    emu = LumenfallEmulator(clock=lambda: T0)
    with emu.serve(), http.Client(base_url=emu.root_url, headers=AUTH, trust_env=False) as c:
        yield emu, c
    emu.close()


@pytest.mark.parametrize(("name", "body", "code", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_submit_errors(
    shared: tuple[LumenfallEmulator, http.Client],
    name: str,
    body: dict[str, Any],
    code: str,
    status: int | None,
    message: str | None,
) -> None:
    emulator, api = shared
    r = api.post("/openai/v1/videos", json=body)
    assert_error(r, code, status, message)
    assert emulator.balance == 100 and not emulator.video_ids
    logged = api.get(f"/v1/requests/{r.headers['x-lumenfall-request-id']}").json()
    assert logged["status"] == "rejected" and logged["error_code"] == code


def test_rejections_are_in_the_request_history(api: http.Client) -> None:
    r = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "size": "1x1"})
    listed = api.get("/v1/requests").json()["data"]
    assert listed[0]["id"] == r.headers["x-lumenfall-request-id"]
    assert listed[0]["status"] == "rejected" and listed[0]["error_code"] == "INVALID_REQUEST"


def test_invalid_json_body(api: http.Client) -> None:
    r = api.post("/openai/v1/videos", content=b"{not json", headers={"content-type": "application/json"})
    assert_error(r, "INVALID_REQUEST", message="JSON")
    assert_error(api.post("/openai/v1/videos", json=[1, 2]), "INVALID_REQUEST", message="object")


def test_disable_model_at_run_time(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.disable_model("wan-2.6")
    assert_error(api.post("/openai/v1/videos", json={"model": "wan-2.6", "prompt": "p"}), "MODEL_DISABLED")
    assert "wan-2.6" not in {m["id"] for m in api.get("/openai/v1/models").json()["data"]}
    emulator.enable_model("wan-2.6")
    assert api.post("/openai/v1/videos", json={"model": "wan-2.6", "prompt": "p"}).status_code == 202


def test_loopback_webhooks_only_when_allowed(api: http.Client) -> None:
    body = {"model": "mock-video", "prompt": "p", "webhook_url": "http://127.0.0.1:9/hook"}
    assert api.post("/openai/v1/videos", json=body).status_code == 202
    strict = LumenfallEmulator(allow_loopback_webhooks=False)
    with strict.serve(), http.Client(base_url=strict.root_url, headers=AUTH, trust_env=False) as c:
        for url in ("http://127.0.0.1:9/hook", "https://localhost/hook", "https://[::1]/hook"):
            assert_error(c.post("/openai/v1/videos", json={**body, "webhook_url": url}), "INVALID_REQUEST")
        ok = c.post("/openai/v1/videos", json={**body, "webhook_url": "https://hooks.example.com:8443/x"})
        assert ok.status_code == 202


@pytest.mark.parametrize(
    ("headers", "pattern"),
    [
        ({}, "Missing API key"),
        ({"authorization": "Bearer sk-proj-abc"}, "OpenAI key"),
        ({"authorization": "Bearer lmnfl_nodot"}, "lmnfl_"),
        ({"authorization": "Basic bG1uZmxfYS5i"}, "Missing"),
    ],
)
def test_authentication_failed(
    emulator: LumenfallEmulator, base_url: str, headers: dict[str, str], pattern: str
) -> None:
    with http.Client(base_url=emulator.root_url, trust_env=False) as c:
        for method, path in (
            ("POST", "/openai/v1/videos"),
            ("GET", "/v1/balance"),
            ("GET", "/openai/v1/models"),
            ("GET", "/v1/webhooks/secret"),
        ):
            r = c.request(method, path, headers=headers, json={"model": "sora-2", "prompt": "p"})
            assert_error(r, "AUTHENTICATION_FAILED", message=pattern)


def test_only_configured_keys(api: http.Client) -> None:
    emu = LumenfallEmulator(api_keys=["lmnfl_ci.right"])
    with emu.serve(), http.Client(base_url=emu.root_url, trust_env=False) as c:
        wrong = c.get("/v1/balance", headers={"authorization": "Bearer lmnfl_ci.wrong"})
        assert_error(wrong, "AUTHENTICATION_FAILED")
        assert c.get("/v1/balance", headers={"authorization": "Bearer lmnfl_ci.right"}).status_code == 200


def test_openai_client_sees_authentication_error(base_url: str) -> None:
    bad = openai.OpenAI(api_key="sk-not-lumenfall", base_url=base_url, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        bad.models.list()
    assert info.value.status_code == 401
    assert isinstance(info.value.body, dict) and info.value.body["code"] == "AUTHENTICATION_FAILED"  # pyright: ignore


def test_insufficient_balance(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.set_balance(0.02)
    r = api.post("/openai/v1/videos", json={"model": "wan-2.6", "prompt": "p", "seconds": 5})
    assert_error(r, "INSUFFICIENT_BALANCE", message=r"^Insufficient balance: \$0\.50 required, \$0\.02 available")
    free = api.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"})
    assert free.status_code == 202  # the free model needs no balance
    img = api.post("/openai/v1/images/generations", json={"model": "gpt-image-1", "prompt": "p"})
    assert_error(img, "INSUFFICIENT_BALANCE", message=r"\$0\.04 required")


def test_postpaid_never_runs_out(api: http.Client) -> None:
    emu = LumenfallEmulator(balance=None)
    with emu.serve(), http.Client(base_url=emu.root_url, headers=AUTH, trust_env=False) as c:
        assert c.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p", "n": 4}).status_code == 202
        assert c.get("/v1/balance").json() == {
            "object": "balance",
            "billing_type": "postpaid",
            "available": {"amount": None, "currency": "usd"},
        }


def test_rate_limited_and_exhausted_via_faults(api: http.Client, emulator: LumenfallEmulator) -> None:
    emulator.faults.fail_next(status=429, code="RATE_LIMITED", route="POST /openai/v1/videos")
    emulator.faults.fail_next(route="POST /openai/v1/videos")
    assert_error(api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}), "RATE_LIMITED")
    second = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"})
    assert_error(second, "ALL_PROVIDERS_EXHAUSTED")
    assert api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "p"}).status_code == 202


@pytest.mark.parametrize(
    "code", ["CONTENT_POLICY_VIOLATION", "UPSTREAM_ERROR", "ALL_PROVIDERS_EXHAUSTED", "RATE_LIMITED"]
)
def test_job_failures_are_200_with_error(api: http.Client, emulator: LumenfallEmulator, code: str) -> None:
    r = api.post("/openai/v1/videos", json={"model": "sora-2", "prompt": f"[lumenfall:fail={code}]"})
    assert r.status_code == 202  # accepted at submit...
    emulator.advance(DONE)
    got = api.get(f"/openai/v1/videos/{r.json()['id']}")
    assert got.status_code == 200  # ...and the failure is in the body
    assert got.json()["status"] == "failed" and got.json()["error"]["code"] == code
    listed = api.get(f"/v1/requests/{r.headers['x-lumenfall-request-id']}").json()
    assert listed["status"] == "upstream_failure" and listed["error_code"] == code and listed["cost"] == 0


def test_openai_client_maps_statuses(client: openai.OpenAI, emulator: LumenfallEmulator) -> None:
    with pytest.raises(openai.NotFoundError):
        client.videos.create(model="sora2", prompt="p")
    with pytest.raises(openai.BadRequestError):
        client.videos.create(model="sora-2", prompt="p", seconds="7")  # type: ignore[arg-type]
    emulator.reject_next_create("ALL_PROVIDERS_EXHAUSTED")
    with pytest.raises(openai.InternalServerError) as info:
        client.videos.create(model="sora-2", prompt="p")
    assert info.value.status_code == 502


def test_unknown_route_and_method(api: http.Client) -> None:
    assert_error(api.get("/openai/v1/videos/x/content"), "NOT_FOUND", 404)
    assert_error(api.put("/openai/v1/videos/x"), "INVALID_REQUEST", 405)

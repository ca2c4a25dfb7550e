"""Hostile traffic: every request gets a documented status, never a 5xx, and poisons nothing.

Each test serves its own emulator over real HTTP, throws random or oversized requests at it
(hypothesis), and then checks that a normal key still gets the whole normal flow: create,
poll, download and ``/v1/requests``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai._compat import http
from lumenfall_openai.testing import MARKERS, LumenfallEmulator
from lumenfall_openai.testing._app import MAX_MEDIA_AUTH_ATTEMPTS, json_depth_exceeds
from lumenfall_openai.testing._errors import ERROR_CODES

from .helpers import DONE, T0

NORMAL = {"Authorization": "Bearer lmnfl_normal.secret"}
HOSTILE = {"Authorization": "Bearer lmnfl_hostile.secret"}
# Every status the emulator documents for a request that is not a fault it was asked for.
DOCUMENTED_STATUSES = {200, 202, 204, 206, 400, 401, 402, 403, 404, 405, 409, 413, 416, 429}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
VIDEO_KEYS = st.sampled_from(
    ["prompt", "model", "seconds", "duration", "size", "aspect_ratio", "resolution", "n", "input_reference",
     "webhook_url", "idempotency_key", "user", "negative_prompt", "metadata", "extra"]
)  # fmt: skip
MODELS = st.sampled_from(["mock-video", "sora-2", "kling-v3", "mock-video-fail", "nope", "mock-image", ""])


@pytest.fixture
def served() -> Iterator[tuple[LumenfallEmulator, http.Client]]:
    emulator = LumenfallEmulator(clock=lambda: T0, queue_seconds=2, run_seconds=8)
    with emulator.serve(), http.Client(base_url=emulator.root_url, trust_env=False, timeout=30) as client:
        yield emulator, client
    emulator.close()


def assert_documented(response: http.Response) -> None:
    """A documented status; an error is Lumenfall's envelope with a code and a message."""
    assert response.status_code in DOCUMENTED_STATUSES, (response.status_code, response.text[:300])
    if response.status_code >= 400 and response.request.method != "HEAD":
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"] and error["code"] != "INTERNAL_ERROR"
        assert isinstance(error["message"], str) and error["message"]


def asked_status(marker_value: str) -> int:
    """The status a reject=/fail= marker value asks for: its explicit status, else its code's."""
    code, _, status = marker_value.partition(":")
    if status.strip().isascii() and status.strip().isdigit():
        return int(status.strip())
    return ERROR_CODES.get(code.strip().upper(), (400, ""))[0]


def assert_normal_flow_works(emulator: LumenfallEmulator, client: http.Client) -> None:
    created = client.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "a calm sea"}, headers=NORMAL)
    assert created.status_code == 202, created.text
    video_id = created.json()["id"]
    emulator.advance(DONE)
    video = client.get(f"/openai/v1/videos/{video_id}", headers=NORMAL)
    assert video.status_code == 200 and video.json()["status"] == "completed"
    output = video.json()["output"]
    with http.Client(trust_env=False, timeout=30) as media:
        body = media.get(output["url"])
    assert body.status_code == 200 and len(body.content) == output["size_bytes"]
    listing = client.get("/v1/requests", params={"limit": 100, "key_id": "normal"}, headers=NORMAL)
    assert listing.status_code == 200, listing.text
    assert listing.json()["data"][0]["status"] == "completed"  # newest first: the video above
    assert client.get("/v1/balance", headers=NORMAL).status_code == 200


def check_everyone_can_still_read(emulator: LumenfallEmulator, client: http.Client) -> None:
    for video_id in emulator.video_ids[-3:]:
        assert client.get(f"/openai/v1/videos/{video_id}", headers=NORMAL).status_code == 200
    listing = client.get("/v1/requests", params={"limit": 100, "summary": "true"}, headers=NORMAL)
    assert listing.status_code == 200, listing.text


def test_random_json_bodies(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    bodies = json_values | st.dictionaries(VIDEO_KEYS, json_values | MODELS, max_size=6)

    @SETTINGS
    @given(body=bodies, path=st.sampled_from(["/openai/v1/videos", "/openai/v1/images/generations"]))
    def run(body: Any, path: str) -> None:
        raw = json.dumps(body, allow_nan=True)
        response = client.post(path, content=raw, headers={**HOSTILE, "content-type": "application/json"})
        assert_documented(response)
        check_everyone_can_still_read(emulator, client)

    run()
    assert_normal_flow_works(emulator, client)


def test_markers_with_any_value_never_break_a_later_read(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    # Postpaid: cost= markers really spend, and the balance is shared by every key of the account.
    emulator.set_balance(None)
    edge_values = st.sampled_from(
        ["nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "1e308", "99999999999999999999999", "²", "1_000", "", " ",
         "0x10", "3.5", "UPSTREAM_ERROR", "INVALID_REQUEST:418", "X:99999", "a" * 500, "ABC", "nope_x:503",
         "INTERNAL_ERROR", "RATE_LIMITED:200", "5", "4096", "0.01"]
    )  # fmt: skip
    # Edge values twice as often as random text: one bad marker refuses the whole prompt, so
    # valid combinations must be common for the interesting ones (accepted, then read) to occur.
    values = st.one_of(edge_values, edge_values, st.text(alphabet=st.characters(blacklist_characters="]"), max_size=20))
    keys = st.one_of(st.sampled_from(sorted(MARKERS)), st.sampled_from(sorted(MARKERS)), st.text("abz_", max_size=6))

    @SETTINGS
    @given(
        markers=st.lists(st.tuples(keys, values), min_size=1, max_size=3),
        model=st.sampled_from(["mock-video", "sora-2", "mock-image"]),
    )
    def run(markers: list[tuple[str, str]], model: str) -> None:
        prompt = "x " + " ".join(f"[lumenfall:{key}={value}]" for key, value in markers)
        path = "/openai/v1/images/generations" if model == "mock-image" else "/openai/v1/videos"
        body = json.dumps({"model": model, "prompt": prompt})  # \u escapes: lone surrogates can be sent
        response = client.post(path, content=body, headers={**HOSTILE, "content-type": "application/json"})
        asked = [value for key, value in markers if key == "reject"]
        if model == "mock-image":  # images answer at once, so fail= is an error answer too
            asked += [value.partition(":")[0] for key, value in markers if key == "fail"]
        if response.status_code not in {asked_status(value) for value in asked}:
            # Only a marker may ask for another status (reject=CODE:418, a code whose status is 5xx).
            assert_documented(response)
        if response.status_code == 202:
            for _ in range(3):
                emulator.advance(400 * 24 * 3600)  # past any accepted duration, queue or ttl
                got = client.get(f"/openai/v1/videos/{response.json()['id']}", headers=NORMAL)
                assert got.status_code == 200, got.text
        check_everyone_can_still_read(emulator, client)

    run()
    assert_normal_flow_works(emulator, client)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e400", "1e308"])
@pytest.mark.parametrize("key", ["duration", "queue", "ttl", "cost", "size_bytes"])
def test_impossible_marker_values_are_refused_at_submit(
    served: tuple[LumenfallEmulator, http.Client], key: str, value: str
) -> None:
    emulator, client = served
    response = client.post(
        "/openai/v1/videos", json={"model": "mock-video", "prompt": f"x [lumenfall:{key}={value}]"}, headers=HOSTILE
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_REQUEST"
    assert f"[lumenfall:{key}=" in response.json()["error"]["message"]
    assert emulator.jobs_created == 0
    assert_normal_flow_works(emulator, client)


def test_random_bytes_content_types_paths_and_methods(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    content_types = st.sampled_from(
        ["application/json", "text/plain", "multipart/form-data", "multipart/form-data; boundary=x",
         "application/x-www-form-urlencoded", "application/octet-stream", "", "application/json; charset=latin-1"]
    )  # fmt: skip
    paths = st.sampled_from(
        ["/openai/v1/videos", "/openai/v1/videos/%ff", "/openai/v1/videos/..", "/openai/v1/images/edits",
         "/v1/requests", "/v1/requests/x/payloads", "/media/x.mp4", "/media/", "/", "/openai/v1/models/%00",
         "/v1/requests?limit=%C2%B2", "/v1/requests?created_after=%ff", "/v1/requests?starting_after=x"]
    ) | st.text(alphabet="/abc%.?=&", max_size=20).map(lambda s: "/" + s.lstrip("/"))  # fmt: skip
    # (one leading slash: "//x" is no path to the HTTP client, which refuses it before sending)

    @SETTINGS
    @given(
        method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]),
        path=paths,
        content_type=content_types,
        body=st.binary(max_size=300),
        authorized=st.booleans(),
    )
    def run(method: str, path: str, content_type: str, body: bytes, authorized: bool) -> None:
        headers = {"content-type": content_type, **(HOSTILE if authorized else {})}
        response = client.request(method, path, content=body, headers=headers)
        assert_documented(response)

    run()
    check_everyone_can_still_read(emulator, client)
    assert_normal_flow_works(emulator, client)


def test_deeply_nested_json_is_a_400(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    for raw in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        headers = {**HOSTILE, "content-type": "application/json"}
        response = client.post("/openai/v1/videos", content=raw, headers=headers)
        assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_REQUEST"
        assert "nest" in response.json()["error"]["message"]
    # Brackets inside strings are text, not nesting.
    deep_text = {"model": "mock-video", "prompt": "[" * 1000}
    assert client.post("/openai/v1/videos", json=deep_text, headers=HOSTILE).status_code == 202
    assert_normal_flow_works(emulator, client)


def test_invalid_utf8_and_lone_surrogates(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    bad = client.post(
        "/openai/v1/videos", content=b'{"model":"mock-video","prompt":"\xff\xfe"}',
        headers={**HOSTILE, "content-type": "application/json"},
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_REQUEST"
    surrogate = client.post(
        "/openai/v1/videos", content=b'{"model":"mock-video","prompt":"a \\ud800 b"}',
        headers={**HOSTILE, "content-type": "application/json"},
    )  # fmt: skip
    assert surrogate.status_code == 202, surrogate.text
    assert client.get(f"/openai/v1/videos/{surrogate.json()['id']}", headers=NORMAL).status_code == 200
    unknown_model = client.post(
        "/openai/v1/videos", content=b'{"model":"\\udfff","prompt":"p"}',
        headers={**HOSTILE, "content-type": "application/json"},
    )  # fmt: skip
    assert unknown_model.status_code == 404
    assert_normal_flow_works(emulator, client)


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_five_thousand_form_fields_are_a_clear_400(
    served: tuple[LumenfallEmulator, http.Client], encoding: str
) -> None:
    emulator, client = served
    fields = {f"f{i}": "x" for i in range(5000)}
    if encoding == "multipart":
        response = client.post("/openai/v1/videos", files={k: (None, v) for k, v in fields.items()}, headers=HOSTILE)
    else:
        response = client.post("/openai/v1/videos", data=fields, headers=HOSTILE)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST" and "fields" in error["message"]
    assert_normal_flow_works(emulator, client)


def test_oversized_bodies_are_413_and_not_held() -> None:
    emulator = LumenfallEmulator(clock=lambda: T0, max_body_bytes=1024 * 1024)
    with emulator.serve(), http.Client(base_url=emulator.root_url, trust_env=False, timeout=60) as client:
        prompt = "p" * (3 * 1024 * 1024)
        for _ in range(3):
            response = client.post("/openai/v1/videos", json={"model": "mock-video", "prompt": prompt}, headers=HOSTILE)
            assert response.status_code == 413, response.text[:300]
            error = response.json()["error"]
            assert error["code"] == "INVALID_REQUEST" and "max_body_bytes" in error["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
            yield b'{"model":"mock-video","prompt":"'
            for _ in range(40):
                yield b"q" * 65536
            yield b'"}'

        chunked = client.post(
            "/openai/v1/videos", content=chunks(), headers={**HOSTILE, "content-type": "application/json"}
        )
        assert chunked.status_code == 413
        posts = [r for r in emulator.requests if r.method == "POST"]
        assert len(posts) == 4 and all(r.json is None and r.status == 413 for r in posts)
        assert all(r.body_size > 1024 * 1024 for r in posts)
        assert emulator.jobs_created == 0
        assert_normal_flow_works(emulator, client)
    emulator.close()


def test_recorded_bodies_are_truncated(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    prompt = "p" * 500_000  # under the body limit, over every model's prompt limit
    for _ in range(3):
        response = client.post("/openai/v1/videos", json={"model": "sora-2", "prompt": prompt}, headers=HOSTILE)
        assert response.status_code == 400
        assert len(response.json()["error"]["message"]) < 2000  # the message does not echo it back
    for record in emulator.requests:
        assert record.body_size > 500_000
        assert record.json is not None and len(record.json["prompt"]) < 70_000
        assert record.json["prompt"].endswith("(truncated by the emulator)")
    small = client.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "kept whole"}, headers=HOSTILE)
    assert small.status_code == 202 and emulator.last_request().json == {"model": "mock-video", "prompt": "kept whole"}


def test_records_and_history_are_rings() -> None:
    emulator = LumenfallEmulator(clock=lambda: T0, max_recorded_requests=40, max_request_history=25)
    with emulator.serve(), http.Client(base_url=emulator.root_url, trust_env=False, timeout=30) as client:
        first = client.post("/openai/v1/videos", json={"model": "nope", "prompt": "p"}, headers=HOSTILE)
        first_id = first.headers["x-lumenfall-request-id"]
        for i in range(120):
            body = {"model": "mock-video", "prompt": "p"} if i % 3 else {"model": "sora-2", "prompt": "p", "n": 9}
            client.post("/openai/v1/videos", json=body, headers=HOSTILE)
        assert len(emulator.requests) == 40 and emulator.requests_received == 121
        listing = client.get("/v1/requests", params={"limit": 100, "summary": "true"}, headers=NORMAL).json()
        assert listing["summary"]["count"] == 25 and len(listing["data"]) == 25
        gone = client.get(f"/v1/requests/{first_id}", headers=NORMAL)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "NOT_FOUND"
        assert emulator.jobs_created == 80  # the ring forgets records, never jobs
        assert len(emulator.requests) == 40  # the listing calls above rolled the ring, no growth
    emulator.close()


def test_media_auth_attempts_are_bounded(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    assert client.get("/media/x.mp4", headers=HOSTILE).status_code == 400
    emulator.media_auth_attempts.extend([emulator.media_auth_attempts[0]] * MAX_MEDIA_AUTH_ATTEMPTS)
    for _ in range(3):
        assert client.get("/media/y.mp4", headers=HOSTILE).status_code == 400
    assert len(emulator.media_auth_attempts) == MAX_MEDIA_AUTH_ATTEMPTS
    assert [r.path for r in emulator.media_auth_attempts[-3:]] == ["/media/y.mp4"] * 3


def test_random_query_strings_on_every_read(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    created = client.post("/openai/v1/videos", json={"model": "mock-video", "prompt": "p"}, headers=NORMAL).json()
    reads = [f"/openai/v1/videos/{created['id']}", "/v1/requests", "/v1/balance", "/openai/v1/models", "/media/x.mp4"]
    names = st.sampled_from(
        ["limit", "created_after", "created_before", "status", "key_id", "starting_after", "ending_before",
         "summary", "dryRun", "x"]
    )  # fmt: skip
    values = st.text(max_size=30) | st.sampled_from(["0", "100", "101", "²", "2026-01-01", "9999-12-31T23:59:59Z", ""])

    @SETTINGS
    @given(path=st.sampled_from(reads), query=st.lists(st.tuples(names, values), max_size=4))
    def run(path: str, query: list[tuple[str, str]]) -> None:
        headers = {} if path.startswith("/media") else HOSTILE
        assert_documented(client.get(path, params=query, headers=headers))

    run()
    assert_normal_flow_works(emulator, client)


@pytest.mark.parametrize("path", ["/openai/v1/images/generations", "/openai/v1/videos"])
def test_an_unknown_error_code_in_a_marker_is_a_4xx(served: tuple[LumenfallEmulator, http.Client], path: str) -> None:
    _, client = served
    marker = "fail" if "images" in path else "reject"
    body = {"model": "mock-image" if "images" in path else "mock-video", "prompt": f"x [lumenfall:{marker}=NAN]"}
    response = client.post(path, json=body, headers=HOSTILE)
    assert response.status_code == 400
    assert response.json()["error"] == {"message": "NAN", "type": "invalid_request_error", "code": "NAN"}


def test_a_created_job_holds_no_huge_field(served: tuple[LumenfallEmulator, http.Client]) -> None:
    emulator, client = served
    body = {"model": "mock-video", "prompt": "p", "user": "u" * 1_000_000, "notes": ["n" * 1000] * 5000}
    created = client.post("/openai/v1/videos", json=body, headers=HOSTILE)
    assert created.status_code == 202
    extra = emulator.video_extra_fields(created.json()["id"])
    assert len(extra["notes"]) == 1000  # cut, like a record
    too_many = {"model": "mock-video", "prompt": "p", "input_reference": [{"image_url": "data:,"}] * 10_000}
    refused = client.post("/openai/v1/videos", json=too_many, headers=HOSTILE)
    assert refused.status_code == 400 and "at most 16" in refused.json()["error"]["message"]
    long_hook = {"model": "mock-video", "prompt": "p", "webhook_url": "https://h.example/" + "a" * 10_000}
    refused = client.post("/openai/v1/videos", json=long_hook, headers=HOSTILE)
    assert refused.status_code == 400 and "webhook_url" in refused.json()["error"]["message"]
    assert_normal_flow_works(emulator, client)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)  # pyright: ignore[reportUnknownVariableType]
    return 0


@settings(max_examples=300, deadline=None, database=None)
@given(
    value=st.recursive(
        st.text(alphabet='[]{}"\\ab', max_size=6) | st.integers(),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text('[]{}"\\', max_size=3), children),
        max_leaves=30,
    ),
    limit=st.integers(0, 8),
    ensure_ascii=st.booleans(),
)
def test_json_depth_check_matches_the_parsed_depth(value: Any, limit: int, ensure_ascii: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ensure_ascii).encode()
    assert json_depth_exceeds(raw, limit) == (_depth(value) > limit)

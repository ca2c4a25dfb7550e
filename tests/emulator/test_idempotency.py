"""Idempotency keys belong to one API key; a key reused for another request is refused (409)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator

from .helpers import DONE

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ALICE = {"Authorization": "Bearer lmnfl_alice.secret"}
BOB = {"Authorization": "Bearer lmnfl_bob.other"}


def _create(api: http.Client, headers: dict[str, str], **body: Any) -> http.Response:
    return api.post("/openai/v1/videos", json={"model": "sora-2", "seconds": "4", **body}, headers=headers)


def test_another_api_key_gets_its_own_job_and_cannot_read_the_prompt(
    api: http.Client, emulator: LumenfallEmulator
) -> None:
    first = _create(api, ALICE, prompt="alice's secret storyboard", idempotency_key="order-1")
    second = _create(api, BOB, prompt="bob's idea", idempotency_key="order-1")
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["prompt"] == "bob's idea" and "alice" not in second.text
    # Bob sending exactly Alice's body still gets his own job (and pays for it himself).
    third = _create(api, BOB, prompt="alice's secret storyboard", idempotency_key="order-2")
    assert third.status_code == 202 and emulator.jobs_created == 3
    # Each key's replay still finds its own job.
    assert (
        _create(api, ALICE, prompt="alice's secret storyboard", idempotency_key="order-1").json()["id"]
        == (first.json()["id"])
    )
    assert _create(api, BOB, prompt="bob's idea", idempotency_key="order-1").json()["id"] == second.json()["id"]
    assert emulator.replayed_creates == 2 and emulator.jobs_created == 3


def test_same_key_different_body_is_409_and_creates_nothing(api: http.Client, emulator: LumenfallEmulator) -> None:
    first = _create(api, ALICE, prompt="p", idempotency_key="k")
    assert first.status_code == 202
    for change in ({"prompt": "q"}, {"seconds": "8"}, {"model": "mock-video"}, {"user": "u"}, {"camera": "dolly"}):
        body: dict[str, Any] = {"model": "sora-2", "seconds": "4", "prompt": "p", "idempotency_key": "k", **change}
        response = api.post("/openai/v1/videos", json=body, headers=ALICE)
        assert response.status_code == 409, (change, response.text)
        error = response.json()["error"]
        assert error["code"] == "IDEMPOTENCY_KEY_REUSED" and error["type"] == "invalid_request_error"
        assert "'k'" in error["message"] and "new key" in error["message"]
        assert first.json()["id"] in error["message"]
        assert response.headers["x-lumenfall-request-id"].startswith("req_")
    assert emulator.jobs_created == 1
    emulator.advance(DONE)
    assert emulator.billed_micros == 840_000  # one sora-2 4 s job, nothing for the refusals
    # The original body still replays the original job.
    replay = _create(api, ALICE, prompt="p", idempotency_key="k")
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]


def test_equal_requests_in_other_spellings_replay(api: http.Client, emulator: LumenfallEmulator) -> None:
    first = api.post(
        "/openai/v1/videos",
        json={"model": "sora-2", "prompt": "p", "seconds": "4", "n": 1, "idempotency_key": "k"},
        headers=ALICE,
    )
    same = api.post(
        "/openai/v1/videos",
        json={"idempotency_key": "k", "n": "1", "seconds": 4, "prompt": "p", "model": "sora-2"},
        headers=ALICE,
    )
    multipart = api.post(
        "/openai/v1/videos",
        files={
            k: (None, v) for k, v in {"model": "sora-2", "prompt": "p", "seconds": "4", "idempotency_key": "k"}.items()
        },
        headers=ALICE,
    )
    assert (first.status_code, same.status_code, multipart.status_code) == (202, 200, 200), multipart.text
    assert first.json()["id"] == same.json()["id"] == multipart.json()["id"]


def test_openai_client_sees_a_conflict_error(base_url: str, emulator: LumenfallEmulator) -> None:
    client = openai.OpenAI(api_key="lmnfl_alice.secret", base_url=base_url, max_retries=0)
    client.post("/videos", body={"model": "mock-video", "prompt": "p", "idempotency_key": "k"}, cast_to=object)
    with pytest.raises(openai.ConflictError) as caught:
        client.post("/videos", body={"model": "mock-video", "prompt": "q", "idempotency_key": "k"}, cast_to=object)
    assert caught.value.status_code == 409
    assert emulator.jobs_created == 1


def test_concurrent_sends_of_one_key_make_one_job(emulator: LumenfallEmulator, base_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def send(_: int) -> tuple[int, str]:
        with http.Client(base_url=emulator.root_url, headers=ALICE, trust_env=False, timeout=30) as c:
            r = _create(c, ALICE, prompt="p", idempotency_key="burst")
            return r.status_code, r.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(16)))
    assert sorted(status for status, _ in results) == [200] * 15 + [202]
    assert len({video_id for _, video_id in results}) == 1 and emulator.jobs_created == 1


def test_key_scoping_principle(emulator: LumenfallEmulator, base_url: str) -> None:
    """Any sequence of (API key, idempotency key, prompt) sends: one job per (API key, key)."""
    with http.Client(base_url=emulator.root_url, trust_env=False, timeout=30) as api:

        @settings(max_examples=40, deadline=None, database=None)
        @given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("xy"), st.sampled_from("pq")), max_size=12))
        def run(sends: list[tuple[str, str, str]]) -> None:
            scope = f"run{emulator.jobs_created}-"  # fresh idempotency keys for every example
            first_body: dict[tuple[str, str], str] = {}
            job_of: dict[tuple[str, str], str] = {}
            before = emulator.jobs_created
            for api_key, key, prompt in sends:
                headers = {"Authorization": f"Bearer lmnfl_{api_key}.s"}
                r = api.post(
                    "/openai/v1/videos",
                    json={"model": "mock-video", "prompt": prompt, "idempotency_key": scope + key},
                    headers=headers,
                )
                slot = (api_key, key)
                if slot not in first_body:
                    assert r.status_code == 202
                    first_body[slot] = prompt
                    job_of[slot] = r.json()["id"]
                elif first_body[slot] == prompt:
                    assert r.status_code == 200 and r.json()["id"] == job_of[slot]
                else:
                    assert r.status_code == 409 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
            assert emulator.jobs_created - before == len(first_body)
            assert len(set(job_of.values())) == len(job_of)

        run()

"""client.account and client.requests: Lumenfall's native API, over real HTTP to the emulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall
from lumenfall_openai.pagination import SyncCursorURLPage, next_page_params
from lumenfall_openai.testing import LumenfallEmulator
from lumenfall_openai.types import Balance, PurgeResult, RequestRecord

from .conftest import TEST_KEY


def make_requests(client: Lumenfall, count: int, *, user: str | None = None) -> None:
    for i in range(count):
        if user is None:
            client.images.generate(model="gpt-image-1", prompt=f"p{i}")
        else:
            client.images.generate(model="gpt-image-1", prompt=f"p{i}", user=user)


def test_balance_is_typed_and_goes_to_the_native_base_with_the_key(
    client: Lumenfall, emulator: LumenfallEmulator
) -> None:
    before = client.account.balance()
    assert isinstance(before, Balance) and before.object == "balance"
    assert (before.billing_type, before.available.amount, before.available.currency) == ("prepaid", 100.0, "usd")
    client.images.generate(model="gpt-image-1", prompt="p")
    assert client.account.balance().available.amount == pytest.approx(99.96)
    record = emulator.last_request()
    assert record.path == "/v1/balance" and record.sent_key(TEST_KEY)
    assert client.native_base_url == emulator.native_base_url


def test_postpaid_balance_has_no_amount(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    emulator.set_balance(None)
    balance = client.account.balance()
    assert balance.billing_type == "postpaid" and balance.available.amount is None


def test_requests_list_pages_through_everything(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    make_requests(client, 5)
    page = client.requests.list(limit=2)
    assert isinstance(page, SyncCursorURLPage) and len(page.data) == 2
    assert all(isinstance(r, RequestRecord) for r in page.data)
    assert page.has_next_page() and page.next_page_url
    second = page.get_next_page()
    assert second.data[0].id != page.data[0].id
    everything = list(client.requests.list(limit=2))
    assert len(everything) == 5 and len({r.id for r in everything}) == 5
    assert [len(p.data) for p in client.requests.list(limit=2).iter_pages()] == [2, 2, 1]
    listings = [r for r in emulator.requests if r.path == "/v1/requests"]
    assert all(r.sent_key(TEST_KEY) and r.query.get("limit") == "2" for r in listings)
    newest = everything[0]
    assert (newest.object, newest.modality, newest.status, newest.cost) == ("request", "image", "completed", 0.04)


def test_requests_list_filters_and_summary(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    make_requests(client, 2, user="alice")
    video = client.videos.create(model="mock-video", prompt="queued [lumenfall:queue=30]")
    assert video.id
    page = client.requests.list(status="pending", summary=True)
    assert [r.modality for r in page.data] == ["video"]
    assert page.summary is not None and page.summary.count == 1
    completed = client.requests.list(status="completed", summary=True)
    assert completed.summary is not None and completed.summary.total_cost == pytest.approx(0.08)
    assert {r.user for r in completed.data} == {"alice"}
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert client.requests.list(created_after=future).data == []
    assert len(client.requests.list(created_before=future.isoformat()).data) == 3
    key_id = TEST_KEY.split(".")[0].removeprefix("lmnfl_")
    assert len(client.requests.list(key_id=key_id).data) == 3
    assert client.requests.list(key_id="someone-else").data == []


def test_paging_backwards_follows_the_cursor_it_is_given(client: Lumenfall) -> None:
    make_requests(client, 4)
    ids = [r.id for r in client.requests.list()]
    newer = client.requests.list(ending_before=ids[3], limit=2)
    assert [r.id for r in newer.data] == ids[1:3]


def test_next_page_params_clear_the_other_cursor() -> None:
    assert next_page_params(None, "req_1") is None
    assert next_page_params("https://x/v1/requests?limit=2&starting_after=req_9", "req_1") == {
        "starting_after": "req_9",
        "ending_before": None,
    }
    assert next_page_params("/v1/requests?ending_before=req_3", None) == {
        "ending_before": "req_3",
        "starting_after": None,
    }
    assert next_page_params("https://x/v1/requests?page=2", "req_1") == {
        "starting_after": "req_1",
        "ending_before": None,
    }
    assert next_page_params("https://x/v1/requests", None) is None


def test_retrieve_and_purge(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    client.images.generate(model="gpt-image-1", prompt="secret prompt", n=2, response_format="url")
    (record,) = client.requests.list().data
    fetched = client.requests.retrieve(record.id)
    assert fetched.id == record.id and fetched.endpoint == "/openai/v1/images/generations"
    purged = client.requests.purge_payloads(record.id)
    assert isinstance(purged, PurgeResult)
    assert (purged.purged, purged.already_purged, purged.media_deleted) == (True, False, 2)
    again = client.requests.purge_payloads(record.id)
    assert (again.purged, again.already_purged, again.media_deleted) == (True, True, 0)
    assert emulator.last_request().method == "DELETE" and emulator.last_request().path.endswith("/payloads")
    with pytest.raises(openai.NotFoundError):
        client.requests.retrieve("req_missing")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"limit": 101}, ValueError),
        ({"limit": True}, ValueError),
        ({"starting_after": "a", "ending_before": "b"}, ValueError),
        ({"created_after": dt.datetime(2026, 1, 1)}, ValueError),  # naive: which instant?
        ({"created_after": 5}, TypeError),
        ({"status": ""}, TypeError),
    ],
)
def test_bad_list_arguments_fail_before_a_request(
    client: Lumenfall, emulator: LumenfallEmulator, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.requests.list(**kwargs)
    with pytest.raises(ValueError, match="request id"):
        client.requests.retrieve("")
    assert emulator.requests == []


def test_raw_responses(client: Lumenfall) -> None:
    raw = client.with_raw_response.account.balance()
    assert raw.http_request.url.path == "/v1/balance" and raw.parse().available.currency == "usd"


def test_async_twins(base_url: str, emulator: LumenfallEmulator) -> None:
    async def main() -> tuple[float | None, list[str], int]:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            for i in range(3):
                await client.images.generate(model="gpt-image-1", prompt=f"p{i}")
            balance = await client.account.balance()
            ids = [r.id async for r in client.requests.list(limit=1)]
            first = await client.requests.list(limit=2)
            record = await client.requests.retrieve(ids[0])
            purge = await client.requests.purge_payloads(record.id)
            assert purge.purged
            return balance.available.amount, ids, len(first.data)

    amount, ids, first_page = anyio.run(main)
    assert amount == pytest.approx(99.88) and len(ids) == 3 and first_page == 2

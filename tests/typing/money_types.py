"""Checked by mypy --strict and pyright strict in CI (not run by pytest): what a type checker sees.

Costs, balances and events are typed without guards: ``metadata`` and ``available`` are always
present, so their optional fields are ``float | None`` straight away.
"""

from __future__ import annotations

from decimal import Decimal

from typing_extensions import assert_type

from lumenfall_openai import AsyncLumenfall, BudgetExceededError, CostLedger, Lumenfall, OpenAI
from lumenfall_openai.pagination import SyncCursorURLPage
from lumenfall_openai.types import (
    Balance,
    CostEstimate,
    ImageAttempt,
    ImageMetadata,
    ImagesResponse,
    LumenfallWebhookEvent,
    RequestRecord,
    VideoCompletedEvent,
    WebhookSecret,
)


def images(client: Lumenfall) -> None:
    # (A `size` like "16:9" type-checks from openai 2.x releases whose `size` parameter is `str`;
    # openai 2.2.0 lists only OpenAI's sizes there. The response's `size` is `str | None` always.)
    response = client.images.generate(model="flux-1.1-pro", prompt="a lighthouse", size="1024x1024")
    assert_type(response, ImagesResponse)
    assert_type(response.size, "str | None")
    cost: float | None = response.metadata.cost
    assert_type(response.metadata.cost, "float | None")
    assert_type(response.metadata, ImageMetadata)
    assert_type(response.metadata.attempts, list[ImageAttempt])
    edited = client.images.edit(model="gpt-image-1", prompt="brighter", image=b"...")
    assert_type(edited.metadata.cost_currency, "str | None")
    estimate = client.images.estimate(model="flux-1.1-pro", prompt="a lighthouse", n=2)
    assert_type(estimate, CostEstimate)
    del cost


def estimates_and_budgets(client: OpenAI) -> None:
    estimate = client.videos.estimate(model="sora-2", prompt="p", seconds=10, size="16:9")
    assert_type(estimate.total_cost_micros, int)
    assert_type(estimate.total_cost, float)
    assert_type(estimate.total_cost_decimal, Decimal)
    assert_type(estimate.components[0].total_cost_micros, int)
    ledger = client.with_budget(5).ledger
    assert ledger is not None
    assert_type(ledger.total_micros, int)
    assert_type(ledger.remaining_micros, "int | None")
    assert_type(ledger.by_user(), "dict[str | None, int]")
    try:
        client.videos.create(model="sora-2", prompt="p")
    except BudgetExceededError as error:
        assert_type(error.estimate, "CostEstimate | None")
        assert_type(error.remaining, float)
    assert_type(Lumenfall(ledger=CostLedger(), budget="2.50").ledger, CostLedger)
    assert_type(Lumenfall().ledger.total_micros, int)  # every client has a ledger


def account(client: Lumenfall) -> None:
    balance = client.account.balance()
    assert_type(balance, Balance)
    amount: float | None = balance.available.amount
    assert_type(balance.available.amount, "float | None")
    page = client.requests.list(limit=10, status="completed")
    assert_type(page, SyncCursorURLPage[RequestRecord])
    for record in page:
        assert_type(record, RequestRecord)
        assert_type(record.cost, "float | None")
    del amount


def webhooks(client: Lumenfall, body: bytes, headers: dict[str, str]) -> None:
    event = client.webhooks.unwrap(body, headers)
    assert_type(event, LumenfallWebhookEvent)
    if isinstance(event, VideoCompletedEvent):
        assert_type(event.data.id, str)
        if event.data.output is not None:
            assert_type(event.data.output.url, str)
    assert_type(client.webhooks.secret(), WebhookSecret)


async def async_twins(client: AsyncLumenfall) -> None:
    response = await client.images.generate(model="gpt-image-1", prompt="p")
    assert_type(response.metadata.cost, "float | None")
    balance = await client.account.balance()
    assert_type(balance.available.amount, "float | None")
    async for record in client.requests.list():
        assert_type(record, RequestRecord)
    estimate = await client.videos.estimate(model="sora-2", prompt="p")
    assert_type(estimate, CostEstimate)

"""An application using lumenfall-openai, as a user writes it (checked, never run)."""

from __future__ import annotations

from pathlib import Path

import openai

from lumenfall_openai import (
    AsyncLumenfall,
    BudgetExceededError,
    CostEstimate,
    CostLedger,
    DownloadError,
    DownloadProgress,
    ImagesResponse,
    InsufficientBalanceError,
    LedgerEntry,
    Lumenfall,
    OpenAI,
    PollPolicy,
    PollProgress,
    UnsupportedOperationError,
    Video,
    VideoFailedError,
    WaitInterruptedError,
    WaitTimeoutError,
    WebhookVerificationError,
)
from lumenfall_openai.errors import ContentPolicyViolationError, LumenfallAPIError
from lumenfall_openai.testing import LumenfallEmulator
from lumenfall_openai.types import (
    Balance,
    PurgeResult,
    RequestRecord,
    VideoCompletedEvent,
    VideoDeleted,
    VideoFailedEvent,
    WebhookSecret,
)


def show(progress: PollProgress) -> None:
    print(progress.status, progress.elapsed, progress.cost_estimate, progress.video.progress)


def saved(progress: DownloadProgress) -> None:
    print(progress.bytes_done, progress.bytes_total)


def videos(client: Lumenfall) -> None:
    timeout = openai.Timeout(30.0, connect=5.0)
    estimate: CostEstimate = client.videos.estimate(model="kling-v3", prompt="a heron", seconds=5)
    print(estimate.total_cost_micros, estimate.currency)
    video: Video = client.videos.create(
        model="kling-v3", prompt="a heron", seconds=5, size="16:9", idempotency_key="k1", timeout=timeout
    )
    video = client.videos.retrieve(video.id, timeout=10.0)
    progress: int = video.progress
    print(progress / 100, video._request_id)  # pyright: ignore[reportPrivateUsage]  (openai names it so)
    try:
        video = client.videos.poll(video.id, timeout=600, on_progress=show, poll_policy=PollPolicy())
    except WaitTimeoutError as exc:
        print("still running", exc.video_id, exc.video)
    except WaitInterruptedError as exc:
        print("interrupted", exc.video_id)
    video = client.videos.create_and_poll(model="sora-2", prompt="p", poll_timeout=900, on_progress=show)
    try:
        video.raise_for_status()
    except VideoFailedError as exc:
        print(exc.video.error.message if exc.video.error else "?")
    if video.output is not None:
        url: str = video.output.url
        print(url, video.output.size_bytes, video.metadata.cost)
    client.videos.download_content(video.id).write_to_file("video.mp4")
    with client.videos.with_streaming_response.download_content(video.id) as streamed:
        streamed.stream_to_file("video.mp4")
        for chunk in streamed.iter_bytes():
            print(len(chunk))
    raw = client.videos.with_raw_response.retrieve(video.id)
    print(raw.headers.get("x-lumenfall-request-id"), raw.parse().status)
    try:
        client.videos.download(video, "out/", on_progress=saved, overwrite=False)
    except DownloadError as exc:
        print(exc)
    client.videos.cancel(video.id)
    deleted: VideoDeleted = client.videos.delete(video.id)
    print(deleted.deleted, client.videos.with_raw_response.delete(video.id).parse().id)
    try:
        client.videos.list()
    except UnsupportedOperationError as exc:
        print(exc)


def images(client: Lumenfall) -> None:
    response: ImagesResponse = client.images.generate(model="flux-1.1-pro", prompt="a lighthouse", n=2)
    print(response.metadata.cost, response.metadata.provider, response._request_id)  # pyright: ignore[reportPrivateUsage]
    edited = client.images.edit(model="gpt-image-1", prompt="brighter", image=Path("in.png"))
    print(edited.metadata.cost)
    estimate = client.images.estimate(model="flux-1.1-pro", prompt="a lighthouse", n=2)
    print(estimate.total_cost)


def errors(client: Lumenfall) -> None:
    try:
        client.videos.create(model="kling-v3", prompt="p")
    except ContentPolicyViolationError as exc:
        print(exc.code, exc.request_id)
    except InsufficientBalanceError as exc:
        print(exc.status_code)
    except BudgetExceededError as exc:
        print(exc.remaining)
    except LumenfallAPIError as exc:
        print(exc.code)
    except openai.BadRequestError as exc:
        print(exc.message)


def webhooks(client: Lumenfall, body: bytes, headers: dict[str, str]) -> None:
    secret: WebhookSecret = client.webhooks.secret()
    print(secret.key)
    try:
        client.webhooks.verify_signature(body, headers)
        event = client.webhooks.unwrap(body, headers, secret=secret.key)
    except WebhookVerificationError:
        return
    if isinstance(event, VideoCompletedEvent):
        print(event.data.id, event.webhook_id)
    elif isinstance(event, VideoFailedEvent):
        print(event.data.id)


def ledger_and_account() -> None:
    ledger = CostLedger()
    client = Lumenfall(ledger=ledger, timeout=openai.Timeout(20.0), max_retries=3)
    budgeted = client.with_budget(5).with_options(timeout=60.0)
    print(budgeted.ledger.remaining if budgeted.ledger else None)
    total: int = ledger.total_micros
    entries: list[LedgerEntry] = ledger.entries()
    print(total, entries, ledger.by_user(), ledger.by_model())
    balance: Balance = client.account.balance()
    print(balance.available.amount if balance.available else None)
    for record in client.requests.list(status="completed"):
        same: RequestRecord = client.requests.retrieve(record.id)
        print(same.cost)
    purged: PurgeResult = client.requests.purge_payloads("req_1")
    print(purged.purged)
    copied = client.copy(max_retries=1)
    print(copied.native_base_url, OpenAI is Lumenfall)


async def async_twin(client: AsyncLumenfall) -> None:
    async def show_async(progress: PollProgress) -> None:
        print(progress.status)

    video = await client.videos.create(model="wan-2.6", prompt="p", seconds="5", timeout=openai.Timeout(9.0))
    video = await client.videos.retrieve(video.id)
    video = await client.videos.poll(video.id, on_progress=show_async)
    video = await client.videos.create_and_poll(model="wan-2.6", prompt="p", on_progress=show)
    print(video.progress, (await client.videos.estimate(model="wan-2.6", prompt="p")).total_cost)
    content = await client.videos.download_content(video.id)
    content.write_to_file("v.mp4")
    async with client.videos.with_streaming_response.download_content(video.id) as streamed:
        await streamed.stream_to_file("v.mp4")
        async for chunk in streamed.iter_bytes():
            print(len(chunk))
    print((await client.videos.with_raw_response.create(model="wan-2.6", prompt="p")).parse().id)
    print(await client.videos.download(video, "out/"))
    await client.videos.cancel(video.id)
    print((await client.videos.delete(video.id)).deleted)
    print((await client.images.generate(model="gpt-image-1", prompt="p")).metadata.cost)
    print((await client.account.balance()).billing_type)
    async for record in client.requests.list():
        print(record.id)
    print((await client.webhooks.secret()).key)


def constructed() -> tuple[Lumenfall, AsyncLumenfall]:
    return (
        Lumenfall(api_key="lmnfl_x.y", http_client=openai.DefaultHttpxClient(timeout=openai.Timeout(5.0))),
        AsyncLumenfall(http_client=openai.DefaultAsyncHttpxClient(), budget=10),
    )


def test_with_the_emulator() -> None:
    emulator = LumenfallEmulator(queue_seconds=0.1, run_seconds=0.2)
    emulator.fail_next_job("UPSTREAM_ERROR")
    emulator.faults.fail_next(2, status=502)
    with emulator.serve() as base_url:
        client = Lumenfall(api_key="lmnfl_test.key", base_url=base_url)
        video = client.videos.create_and_poll(model="mock-video", prompt="x")
        print(video.status, emulator.last_request("POST /openai/v1/videos").json, emulator.requests)
        print(emulator.media_auth_attempts, emulator.webhook_deliveries)
    emulator.close()

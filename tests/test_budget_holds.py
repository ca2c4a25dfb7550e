"""The one budget module: a paid request's hold is settled by its own post_parser, and the client's
get/post hook reads request types and options only, never bodies."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai import CostLedger
from lumenfall_openai._budget import IMAGES_CALL, join_create, reserve_images, start_create
from lumenfall_openai._compat import REQUEST_OPTIONS_MAX_RETRIES_KEY, REQUEST_OPTIONS_POST_PARSER_KEY, Omit
from lumenfall_openai._cost_tracking import observe
from lumenfall_openai._video_requests import build_create_request
from lumenfall_openai.types.cost import CostEstimate
from lumenfall_openai.types.images import ImagesResponse
from lumenfall_openai.types.video import Video

omit = Omit()


class Untouchable(dict[str, Any]):
    """A request body that fails the test if anything reads it."""

    def __getitem__(self, key: str) -> Any:
        raise AssertionError(f"the hook read the body ({key!r})")

    def get(self, key: str, default: Any = None) -> Any:
        raise AssertionError(f"the hook read the body ({key!r})")

    def items(self) -> Any:
        raise AssertionError("the hook read the body")


def _create(key: str) -> Any:
    unset: dict[str, Any] = dict.fromkeys(
        ("seconds", "size", "input_reference", "aspect_ratio", "resolution", "n", "negative_prompt", "webhook_url"),
        omit,
    )
    return build_create_request(prompt="p", model="sora-2", idempotency_key=key, user=None, **unset)


def estimate(micros: int) -> CostEstimate:
    return CostEstimate.construct(total_cost_micros=micros, currency="USD")  # pyright: ignore[reportDeprecated]


def test_the_hook_never_reads_a_request_body() -> None:
    ledger = CostLedger()
    for method, path, cast_to in [
        ("post", "/videos", Video),
        ("get", "/videos/v1", Video),
        ("post", "/images/generations", ImagesResponse),
    ]:
        adjusted = observe(ledger, method, path, {"cast_to": cast_to, "body": Untouchable(), "options": {}})
        assert callable(adjusted["options"][REQUEST_OPTIONS_POST_PARSER_KEY])


def test_a_create_brings_its_own_hold_and_the_hook_adds_no_second_recording() -> None:
    ledger = CostLedger(10)
    unset: dict[str, Any] = dict.fromkeys(
        ("seconds", "size", "input_reference", "aspect_ratio", "resolution", "n", "negative_prompt", "webhook_url"),
        omit,
    )
    request = build_create_request(prompt="p", model="sora-2", idempotency_key="k1", user="ann", **unset)
    assert join_create(ledger, request) is None
    hold = start_create(ledger, request, estimate(2_000_000))
    assert ledger.reserved_micros == 2_000_000
    parser = hold.post_parser()
    adjusted = observe(
        ledger, "post", "/videos", {"cast_to": Video, "options": {REQUEST_OPTIONS_POST_PARSER_KEY: parser}}
    )
    assert adjusted["options"][REQUEST_OPTIONS_POST_PARSER_KEY] is parser
    assert join_create(ledger, request) is not None  # a second call with the key shares the hold
    assert ledger.reserved_micros == 2_000_000


def test_an_images_call_under_a_budget_is_one_attempt_and_without_one_keeps_openais_retries() -> None:
    budgeted = CostLedger(10)
    hold = reserve_images(budgeted, estimate(40_000), what="This images.generate request", user="bob")
    token = IMAGES_CALL.set(hold)
    try:
        options = observe(budgeted, "post", "/images/generations", {"cast_to": ImagesResponse, "options": {}})[
            "options"
        ]
    finally:
        IMAGES_CALL.reset(token)
    assert options[REQUEST_OPTIONS_MAX_RETRIES_KEY] == 0
    free = CostLedger()
    token = IMAGES_CALL.set(reserve_images(free, None, what="x"))
    try:
        options = observe(free, "post", "/images/generations", {"cast_to": ImagesResponse, "options": {}})["options"]
    finally:
        IMAGES_CALL.reset(token)
    assert REQUEST_OPTIONS_MAX_RETRIES_KEY not in options


# -- F12: a later higher final cost, and one key answered with two videos ----------------------


def _video(video_id: str, status: str = "completed", cost: object = None, currency: str = "USD") -> Video:
    meta: dict[str, Any] = {} if cost is None else {"cost": cost, "cost_currency": currency}
    return Video.construct(id=video_id, object="video", status=status, model="m", metadata=meta)  # pyright: ignore[reportDeprecated]


_costs = st.one_of(st.integers(0, 10**4), st.none(), st.just(-1), st.just(float("nan")))


@given(costs=st.lists(_costs, min_size=1, max_size=8))
def test_a_videos_recorded_cost_is_the_highest_final_cost_seen(costs: list[object]) -> None:
    parent = CostLedger()
    ledger = CostLedger(100, parent=parent)
    hold = start_create(ledger, _create("k"), estimate(3_000_000))
    hold.post_parser()(_video("video_1", "in_progress"))
    for cost in costs:
        (parent if len(parent) % 2 else ledger).record_video(_video("video_1", cost=cost))
    readable = [c * 1_000_000 for c in costs if isinstance(c, int) and c >= 0]
    first_is_readable = isinstance(costs[0], int) and costs[0] >= 0
    expected = max(readable) if first_is_readable else max([3_000_000, *readable])
    assert ledger.total_micros == parent.total_micros == expected  # never lowered, raised to the highest
    assert len(ledger.entries()) == len(parent.entries()) == 1 and ledger.reserved_micros == 0
    assert ledger.entries()[0].cost_micros == expected


def test_one_key_answered_with_two_videos_is_two_jobs_each_held() -> None:
    ledger = CostLedger(10)
    first = start_create(ledger, _create("K"), estimate(2_000_000))
    first.post_parser()(_video("video_a", "queued"))
    replay = join_create(ledger, _create("K"))
    assert replay is not None and ledger.reserved_micros == 2_000_000
    replay.post_parser()(_video("video_a", "in_progress"))  # a true replay: still one hold
    assert ledger.reserved_micros == 2_000_000
    other = join_create(ledger, _create("K"))
    assert other is not None
    other.post_parser()(_video("video_b", "queued"))  # another job under the same key
    assert ledger.reserved_micros == 4_000_000
    ledger.record_video(_video("video_a", cost=1))
    assert ledger.reserved_micros == 2_000_000 and ledger.total_micros == 1_000_000
    ledger.record_video(_video("video_b"))  # completed, cost unreadable: its own hold is spent
    assert ledger.reserved_micros == 0 and ledger.total_micros == 3_000_000

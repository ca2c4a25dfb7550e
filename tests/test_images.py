"""client.images: openai's resource, answering with typed Lumenfall metadata."""

from __future__ import annotations

import json
import warnings
from typing import Any

import anyio
import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, UnsupportedOperationError
from lumenfall_openai._compat import http
from lumenfall_openai.testing import LumenfallEmulator
from lumenfall_openai.types import ImageAttempt, ImageMetadata, ImagesResponse

from .conftest import TEST_KEY, Recorder

GENERATIONS = "POST /openai/v1/images/generations"


def test_generate_returns_typed_metadata(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    response = client.images.generate(model="flux-1.1-pro", prompt="a lighthouse", size="16:9", n=2)
    assert isinstance(response, ImagesResponse) and isinstance(response, openai.types.ImagesResponse)
    assert response.data is not None and len(response.data) == 2 and response.data[0].b64_json
    meta = response.metadata
    assert isinstance(meta, ImageMetadata)
    assert meta.cost == 0.08 and isinstance(meta.cost, float)
    assert (meta.cost_currency, meta.provider, meta.model) == ("USD", "replicate", "flux-1.1-pro")
    assert meta.executed_model == "replicate/black-forest-labs/flux-1.1-pro"
    assert [type(a) for a in meta.attempts] == [ImageAttempt] and meta.attempts[0].status == "succeeded"
    assert emulator.last_request(GENERATIONS).json["size"] == "16:9"


def test_free_mock_model_reports_zero_as_a_float(client: Lumenfall) -> None:
    response = client.images.generate(model="mock-image", prompt="p", response_format="url")
    assert response.metadata.cost == 0.0 and isinstance(response.metadata.cost, float)
    assert response.data and response.data[0].url and response.data[0].url.endswith(".png")


def test_edit_returns_typed_metadata(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    response = client.images.edit(model="gpt-image-1", prompt="brighter", image=("in.png", b"\x89PNG", "image/png"))
    assert isinstance(response, ImagesResponse) and response.metadata.cost == 0.04
    record = emulator.last_request("POST /openai/v1/images/edits")
    assert record.files and record.files[0].filename == "in.png"


def test_raw_and_streaming_responses_parse_to_the_typed_response(client: Lumenfall) -> None:
    raw = client.with_raw_response.images.generate(model="gpt-image-1", prompt="p")
    assert raw.headers["x-lumenfall-provider"] == "openai"
    assert isinstance(raw.parse(), ImagesResponse) and raw.parse().metadata.cost == 0.04
    with client.with_streaming_response.images.generate(model="gpt-image-1", prompt="p") as streamed:
        assert streamed.parse().metadata.provider == "openai"


def test_async_twin(base_url: str) -> None:
    async def main() -> ImagesResponse:
        async with AsyncLumenfall(api_key=TEST_KEY, base_url=base_url) as client:
            estimate = await client.images.estimate(model="gpt-image-1", prompt="p", n=2)
            assert estimate.total_cost_micros == 80_000
            return await client.images.generate(model="gpt-image-1", prompt="p")

    response = anyio.run(main)
    assert response.metadata.cost == 0.04


def test_images_errors_are_lumenfalls(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    with pytest.raises(openai.BadRequestError, match="size"):
        client.images.generate(model="gpt-image-1", prompt="p", size="16:9")
    emulator.fail_next_job("CONTENT_POLICY_VIOLATION")
    with pytest.raises(openai.BadRequestError) as info:
        client.images.generate(model="gpt-image-1", prompt="p")
    assert getattr(info.value, "code", None) == "CONTENT_POLICY_VIOLATION"


def test_streaming_is_refused_before_sending(client: Lumenfall, emulator: LumenfallEmulator) -> None:
    with pytest.raises(UnsupportedOperationError, match="stream=True"):
        client.images.generate(model="gpt-image-1", prompt="p", stream=True)  # pyright: ignore[reportCallIssue, reportArgumentType]
    assert emulator.requests == []


def _answer(body: dict[str, Any]) -> Recorder:
    return Recorder(lambda request: http.Response(200, json=body))


@pytest.mark.parametrize(
    "metadata",
    [None, {}, {"attempts": None}, {"attempts": "one"}, {"attempts": [1, {"provider": "fal"}]}],
)
def test_metadata_is_always_present_and_attempts_always_a_list(metadata: Any) -> None:
    body: dict[str, Any] = {"created": 1, "data": [{"url": "https://media.lumenfall.ai/i.png"}]}
    if metadata is not None:
        body["metadata"] = metadata
    recorder = _answer(body)
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client())
    response = client.images.generate(model="m", prompt="p")
    assert isinstance(response.metadata, ImageMetadata) and response.metadata.cost is None
    assert isinstance(response.metadata.attempts, list)
    assert all(isinstance(a, ImageAttempt) for a in response.metadata.attempts)
    assert response.data is not None and response.data[0].url


def test_integer_costs_become_floats_and_unknown_fields_are_kept() -> None:
    body = {"created": 1, "data": [], "size": "21:9", "metadata": {"cost": 1, "cost_estimate": 2, "region": "eu"}}
    client = Lumenfall(api_key=TEST_KEY, http_client=_answer(body).client())
    response = client.images.generate(model="m", prompt="p")
    assert response.metadata.cost == 1.0 and isinstance(response.metadata.cost, float)
    assert response.metadata.model_extra == {"region": "eu"}
    assert response.size == "21:9"
    assert json.loads(response.to_json())["metadata"]["cost"] == 1.0


def test_create_variation_gets_the_typed_response_too() -> None:
    body = {"created": 1, "data": [], "metadata": {"cost": 0.02}}
    client = Lumenfall(api_key=TEST_KEY, http_client=_answer(body).client())
    with warnings.catch_warnings():  # openai 3.x marks create_variation deprecated (DALL-E 2)
        warnings.simplefilter("ignore", DeprecationWarning)
        response = client.images.create_variation(image=b"\x89PNG", model="m")
    assert isinstance(response, ImagesResponse) and response.metadata.cost == 0.02


def test_strict_validation_keeps_metadata_typed() -> None:
    body = {"created": 1, "data": [], "metadata": {"cost": 0.5, "attempts": [{"provider": "fal"}]}}
    client = Lumenfall(api_key=TEST_KEY, http_client=_answer(body).client(), _strict_response_validation=True)
    response = client.images.generate(model="m", prompt="p")
    assert response.metadata.cost == 0.5 and response.metadata.attempts[0].provider == "fal"

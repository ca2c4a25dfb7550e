"""Each Lumenfall error envelope becomes its class, and openai's class still catches it."""

from __future__ import annotations

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, errors
from lumenfall_openai._compat import http

from .conftest import TEST_KEY, Recorder

CASES: list[tuple[str, int, type[errors.LumenfallAPIError], type[openai.APIStatusError]]] = [
    ("AUTHENTICATION_FAILED", 401, errors.AuthenticationFailedError, openai.AuthenticationError),
    ("INSUFFICIENT_BALANCE", 402, errors.InsufficientBalanceError, openai.APIStatusError),
    ("INVALID_REQUEST", 400, errors.InvalidRequestError, openai.BadRequestError),
    ("CONTENT_POLICY_VIOLATION", 400, errors.ContentPolicyViolationError, openai.BadRequestError),
    ("MODEL_NOT_FOUND", 404, errors.ModelNotFoundError, openai.NotFoundError),
    ("MODEL_DISABLED", 404, errors.ModelDisabledError, openai.NotFoundError),
    ("RATE_LIMITED", 429, errors.RateLimitedError, openai.RateLimitError),
    ("ALL_PROVIDERS_EXHAUSTED", 502, errors.AllProvidersExhaustedError, openai.InternalServerError),
    ("UPSTREAM_ERROR", 503, errors.UpstreamError, openai.InternalServerError),
    ("UPSTREAM_ERROR", 422, errors.UpstreamError, openai.UnprocessableEntityError),
    ("SOMETHING_NEW", 409, errors.LumenfallAPIError, openai.ConflictError),
]


def _answer(code: str, status: int) -> Recorder:
    body = {"error": {"message": f"human words for {code}", "type": "some_type", "code": code}}
    return Recorder(lambda _: http.Response(status, json=body, headers={"X-Lumenfall-Request-Id": "req_42"}))


@pytest.mark.parametrize(("code", "status", "cls", "openai_cls"), CASES)
def test_envelope_becomes_class(
    code: str, status: int, cls: type[errors.LumenfallAPIError], openai_cls: type[openai.APIStatusError]
) -> None:
    client = Lumenfall(api_key=TEST_KEY, max_retries=0, http_client=_answer(code, status).client())
    with pytest.raises(openai_cls) as info:  # existing `except openai.XxxError` code keeps working
        client.videos.retrieve("video_1")
    error = info.value
    assert isinstance(error, cls)
    assert isinstance(error, errors.LumenfallAPIError) and isinstance(error, openai.APIStatusError)
    assert error.code == code and error.status_code == status
    assert error.request_id == "req_42"
    assert f"human words for {code}" in str(error)
    assert error.error_type == "some_type"


def test_combined_classes_are_cached() -> None:
    a = errors._with_status_class(errors.UpstreamError, openai.InternalServerError)
    b = errors._with_status_class(errors.UpstreamError, openai.InternalServerError)
    assert a is b and a.__name__ == "UpstreamError"
    assert errors._with_status_class(errors.InvalidRequestError, openai.BadRequestError) is errors.InvalidRequestError


def test_non_envelope_error_body_still_raises_openai_class() -> None:
    recorder = Recorder(lambda _: http.Response(500, text="<html>gateway down</html>"))
    client = Lumenfall(api_key=TEST_KEY, max_retries=0, http_client=recorder.client())
    with pytest.raises(openai.InternalServerError) as info:
        client.videos.retrieve("video_1")
    assert isinstance(info.value, errors.LumenfallAPIError) and info.value.code is None


@pytest.mark.anyio
async def test_async_twin_raises_the_same_classes() -> None:
    client = AsyncLumenfall(
        api_key=TEST_KEY, max_retries=0, http_client=_answer("CONTENT_POLICY_VIOLATION", 400).async_client()
    )
    with pytest.raises(errors.ContentPolicyViolationError) as info:
        await client.videos.retrieve("video_1")
    assert isinstance(info.value, openai.BadRequestError)

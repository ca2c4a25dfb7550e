"""Client construction: keys, URLs, OpenAI's environment, copies, repr.

These tests are about the shape of what the client sends, so a mock transport records it.
"""

from __future__ import annotations

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, AsyncOpenAI, Lumenfall, OpenAI
from lumenfall_openai.errors import LumenfallConfigurationError

from .conftest import TEST_KEY, Recorder

OPENAI_ENV = {
    "OPENAI_API_KEY": "sk-openai-secret",
    "OPENAI_ORG_ID": "org-leak",
    "OPENAI_PROJECT_ID": "proj_leak",
    "OPENAI_CUSTOM_HEADERS": "X-Leak: yes\nAuthorization: Bearer sk-from-custom-headers",
    "OPENAI_BASE_URL": "https://openai-base.example/v1",
    "OPENAI_ADMIN_KEY": "sk-admin-leak",
    "OPENAI_WEBHOOK_SECRET": "whsec_openai",
}


def test_aliases_are_the_same_classes() -> None:
    assert OpenAI is Lumenfall and AsyncOpenAI is AsyncLumenfall
    assert issubclass(Lumenfall, openai.OpenAI) and issubclass(AsyncLumenfall, openai.AsyncOpenAI)


def test_missing_key_is_a_clear_error_even_with_openai_key_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OPENAI_ENV.items():
        monkeypatch.setenv(name, value)
    for cls in (Lumenfall, AsyncLumenfall):
        with pytest.raises(LumenfallConfigurationError, match="LUMENFALL_API_KEY"):
            cls()
    # and it is still an openai error, for code that catches those
    with pytest.raises(openai.OpenAIError):
        Lumenfall()


def test_no_openai_environment_reaches_any_request(monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    for name, value in OPENAI_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    client = Lumenfall(http_client=recorder.client())
    client.videos.retrieve("video_abc123")
    client.models.with_raw_response.list()  # a resource openai keeps goes through the same client
    for copy in (client.with_options(timeout=3), client.copy(max_retries=0)):
        copy.videos.retrieve("video_abc123")
    assert len(recorder.requests) == 4
    for request in recorder.requests:
        assert request.url.host == "api.lumenfall.ai"
        assert request.headers["authorization"] == f"Bearer {TEST_KEY}"
        sent = " ".join(f"{k}: {v}" for k, v in request.headers.items()).lower()
        for value in OPENAI_ENV.values():
            for part in value.lower().split("\n"):
                assert part.split(": ")[-1] not in sent, f"{part!r} leaked into {request.url}"
        for header in ("openai-organization", "openai-project", "x-leak"):
            assert header not in request.headers
    assert client.webhook_secret is None
    assert client.organization is None and client.project is None


def test_lumenfall_variables_are_read(monkeypatch: pytest.MonkeyPatch, recorder: Recorder) -> None:
    monkeypatch.setenv("LUMENFALL_API_KEY", TEST_KEY)
    monkeypatch.setenv("LUMENFALL_BASE_URL", "http://127.0.0.1:9/openai/v1")
    monkeypatch.setenv("LUMENFALL_WEBHOOK_SECRET", "whsec_c2VjcmV0")
    client = Lumenfall(http_client=recorder.client())
    assert str(client.base_url) == "http://127.0.0.1:9/openai/v1/"
    assert client.native_base_url == "http://127.0.0.1:9/v1"
    assert client.webhook_secret == "whsec_c2VjcmV0"
    client.videos.retrieve("video_1")
    assert str(recorder.requests[0].url) == "http://127.0.0.1:9/openai/v1/videos/video_1"


@pytest.mark.parametrize("option", ["organization", "project", "data_residency", "provider", "websocket_base_url"])
def test_openai_only_options_are_refused(option: str) -> None:
    with pytest.raises(LumenfallConfigurationError, match=f"`{option}`"):
        Lumenfall(api_key=TEST_KEY, **{option: "x"})
    client = Lumenfall(api_key=TEST_KEY)
    with pytest.raises(LumenfallConfigurationError, match=f"`{option}`"):
        client.with_options(**{option: "x"})


def test_copies_keep_lumenfall_settings_and_headers(recorder: Recorder) -> None:
    client = Lumenfall(
        api_key=TEST_KEY,
        base_url="http://127.0.0.1:9/openai/v1",
        default_headers={"X-Team": "video"},
        default_query={"trace": "1"},
        http_client=recorder.client(),
    )
    copy = client.with_options(timeout=7.5, default_headers={"X-Extra": "1"})
    assert type(copy) is Lumenfall
    assert copy.timeout == 7.5 and copy.api_key == TEST_KEY
    assert copy.native_base_url == "http://127.0.0.1:9/v1"
    copy.videos.retrieve("v")
    sent = recorder.requests[-1]
    assert sent.headers["x-team"] == "video" and sent.headers["x-extra"] == "1"
    assert sent.url.params["trace"] == "1"
    replaced = client.copy(set_default_headers={"X-Only": "1"}, api_key="lmnfl_other.key")
    replaced.videos.retrieve("v")
    sent = recorder.requests[-1]
    assert "x-team" not in sent.headers and sent.headers["x-only"] == "1"
    assert sent.headers["authorization"] == "Bearer lmnfl_other.key"
    with pytest.raises(ValueError, match="`default_headers` and `set_default_headers` arguments are mutually exclusive"):
        client.copy(default_headers={"a": "b"}, set_default_headers={"c": "d"})


def test_async_copy_keeps_class() -> None:
    client = AsyncLumenfall(api_key=TEST_KEY, base_url="http://127.0.0.1:9/openai/v1")
    copy = client.with_options(max_retries=0)
    assert type(copy) is AsyncLumenfall and copy.max_retries == 0
    assert copy.native_base_url == "http://127.0.0.1:9/v1"


def test_repr_never_shows_the_key() -> None:
    for client in (Lumenfall(api_key=TEST_KEY), AsyncLumenfall(api_key=TEST_KEY)):
        text = repr(client)
        assert "s3cr3t" not in text and "lmnfl_testkey.***" in text
        assert "s3cr3t" not in repr(client.with_options(timeout=1))

"""The pure rules for where a client's key and URLs come from."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumenfall_openai._settings import (
    DEFAULT_BASE_URL,
    check_provided_key,
    native_base_url,
    redact_key,
    reject_openai_only_options,
    resolve_settings,
)
from lumenfall_openai.errors import LumenfallConfigurationError


def test_argument_beats_environment() -> None:
    s = resolve_settings(
        api_key="lmnfl_arg.x",
        base_url="https://proxy.example/openai/v1/",
        webhook_secret=None,
        environ={"LUMENFALL_API_KEY": "lmnfl_env.y", "LUMENFALL_BASE_URL": "https://env.example/openai/v1"},
    )
    assert s.api_key == "lmnfl_arg.x"
    assert s.base_url == "https://proxy.example/openai/v1"
    assert s.native_base_url == "https://proxy.example/v1"


def test_environment_then_default() -> None:
    s = resolve_settings(
        api_key=None,
        base_url=None,
        webhook_secret=None,
        environ={"LUMENFALL_API_KEY": "lmnfl_env.y", "LUMENFALL_WEBHOOK_SECRET": "whsec_abc"},
    )
    assert (s.api_key, s.base_url, s.webhook_secret) == ("lmnfl_env.y", DEFAULT_BASE_URL, "whsec_abc")
    assert s.native_base_url == "https://api.lumenfall.ai/v1"


def test_openai_variables_are_never_read() -> None:
    environ = {"OPENAI_API_KEY": "sk-live", "OPENAI_BASE_URL": "https://api.openai.com/v1"}
    with pytest.raises(LumenfallConfigurationError, match="LUMENFALL_API_KEY") as info:
        resolve_settings(api_key=None, base_url=None, webhook_secret=None, environ=environ)
    assert "OPENAI_API_KEY is never read" in str(info.value)
    s = resolve_settings(api_key="lmnfl_a.b", base_url=None, webhook_secret=None, environ=environ)
    assert s.base_url == DEFAULT_BASE_URL


def test_openai_key_is_refused() -> None:
    with pytest.raises(LumenfallConfigurationError, match="OpenAI key"):
        resolve_settings(api_key="sk-proj-123", base_url=None, webhook_secret=None, environ={})


@pytest.mark.parametrize("url", ["ftp://x/openai/v1", "api.lumenfall.ai/openai/v1", ""])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(LumenfallConfigurationError, match="not an http"):
        resolve_settings(api_key="lmnfl_a.b", base_url=url, webhook_secret=None, environ={})


@pytest.mark.parametrize(
    ("base", "native"),
    [
        ("https://api.lumenfall.ai/openai/v1", "https://api.lumenfall.ai/v1"),
        ("http://127.0.0.1:8123/openai/v1/", "http://127.0.0.1:8123/v1"),
        ("https://gw.example/lf/openai/v1", "https://gw.example/lf/v1"),
        ("https://gw.example/openai", "https://gw.example/v1"),
        ("https://gw.example", "https://gw.example/v1"),
    ],
)
def test_native_base_url(base: str, native: str) -> None:
    assert native_base_url(base) == native


def test_openai_only_options_name_the_reason() -> None:
    reject_openai_only_options({"organization": None, "data_residency": None})
    with pytest.raises(LumenfallConfigurationError) as info:
        reject_openai_only_options({"organization": "org_1", "data_residency": "eu", "project": None})
    text = str(info.value)
    assert "`organization`" in text and "`data_residency`" in text and "`project`" not in text
    assert "api.openai.com" in text


@pytest.mark.parametrize(
    ("key", "shown"), [("lmnfl_key123.supersecret", "lmnfl_key123.***"), ("weird-key", "***"), ("", "***")]
)
def test_redact_key(key: str, shown: str) -> None:
    assert redact_key(key) == shown
    if "." in key:
        assert key.split(".", 1)[1] not in redact_key(key)


def test_a_callable_key_is_not_resolved_up_front() -> None:
    s = resolve_settings(api_key=lambda: "lmnfl_a.b", base_url=None, webhook_secret=None, environ={})
    assert s.api_key == ""  # openai's api_key is "" until the callable is first called


@given(st.text())
def test_a_provided_token_passes_unchanged_or_is_refused_without_being_shown(token: str) -> None:
    unusable = not token.isascii() or not token.isprintable() or any(c.isspace() for c in token)
    if token == "" or token.startswith("sk-") or unusable:
        with pytest.raises(LumenfallConfigurationError) as info:
            check_provided_key(token)
        if len(token) > 12:  # long enough that it cannot appear in the message by chance
            assert token not in str(info.value)
    else:
        assert check_provided_key(token) == token

"""The pure rules for where a client's key and URLs come from."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lumenfall_openai
from lumenfall_openai import AsyncLumenfall, CostLedger, Lumenfall
from lumenfall_openai._compat import CUSTOM_HEADERS_ATTR, HTTP_CLIENT_ATTR, NotGiven, http
from lumenfall_openai._settings import (
    DEFAULT_BASE_URL,
    OPENAI_ONLY_OPTIONS,
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
    assert native_base_url(s.base_url) == "https://proxy.example/v1"


def test_environment_then_default() -> None:
    s = resolve_settings(
        api_key=None,
        base_url=None,
        webhook_secret=None,
        environ={"LUMENFALL_API_KEY": "lmnfl_env.y", "LUMENFALL_WEBHOOK_SECRET": "whsec_abc"},
    )
    assert (s.api_key, s.base_url, s.webhook_secret) == ("lmnfl_env.y", DEFAULT_BASE_URL, "whsec_abc")
    assert native_base_url(s.base_url) == "https://api.lumenfall.ai/v1"


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
    nothing = dict.fromkeys(OPENAI_ONLY_OPTIONS)
    reject_openai_only_options(**nothing)
    with pytest.raises(LumenfallConfigurationError) as info:
        reject_openai_only_options(**{**nothing, "organization": "org_1", "data_residency": "eu"})
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
    unusable = not token.isascii() or not token.isprintable() or token != token.strip()
    if token == "" or token.startswith("sk-") or unusable:
        with pytest.raises(LumenfallConfigurationError) as info:
            check_provided_key(token)
        if len(token) > 12:  # long enough that it cannot appear in the message by chance
            assert token not in str(info.value)
    else:
        assert check_provided_key(token) == token


from .conftest import TEST_KEY  # noqa: E402

# -- settings reach the clients by name ---------------------------------------------------------

CLIENTS = [Lumenfall, AsyncLumenfall]
ENTRY_POINTS: list[tuple[str, Callable[[Any], Callable[..., Any]]]] = [
    ("constructor", lambda cls: cls),
    ("copy", lambda cls: cls(api_key=TEST_KEY).copy),
    ("with_options", lambda cls: cls(api_key=TEST_KEY).with_options),
]


def test_no_setting_is_looked_up_by_name_in_locals() -> None:
    """Constructors and copy() pass each setting as a named argument, so a renamed parameter is
    a type error (and tools can follow it), not a KeyError at run time."""
    package = Path(lumenfall_openai.__file__).parent
    calls = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and (node.func.id == "locals" or (node.func.id == "vars" and not node.args))
    ]
    assert calls == []


@pytest.mark.parametrize("cls", CLIENTS)
def test_every_openai_only_option_is_a_parameter_of_every_entry_point(cls: type[Any]) -> None:
    assert set(inspect.signature(reject_openai_only_options).parameters) == set(OPENAI_ONLY_OPTIONS)
    for function in (cls.__init__, cls.copy, cls.with_options):
        assert set(OPENAI_ONLY_OPTIONS) <= set(inspect.signature(function).parameters), function


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize(("entry", "make"), ENTRY_POINTS, ids=[e for e, _ in ENTRY_POINTS])
@pytest.mark.parametrize("option", sorted(OPENAI_ONLY_OPTIONS))
def test_every_openai_only_option_is_refused_everywhere(
    cls: type[Any], entry: str, make: Callable[[Any], Callable[..., Any]], option: str
) -> None:
    call = make(cls)
    arguments = {"api_key": TEST_KEY} if entry == "constructor" else {}
    with pytest.raises(LumenfallConfigurationError, match=f"`{option}`"):
        call(**arguments, **{option: "x"})


# One HTTP client for every example below (building one per example would dominate run time).
_SHARED_HTTP = http.Client()
_NOT_GIVEN = NotGiven()
_names = st.sampled_from(["X-Team", "x-team", "X-Trace", "X-Other"])
_mappings = st.dictionaries(_names, st.sampled_from(["1", "2", "video"]), max_size=3)
_maybe = st.none() | _mappings


@settings(max_examples=150, deadline=None)
@given(
    start_headers=_mappings,
    start_query=_mappings,
    default_headers=_maybe,
    set_default_headers=_maybe,
    default_query=_maybe,
    set_default_query=_maybe,
    timeout=st.sampled_from([_NOT_GIVEN, None, 5.0]),
    max_retries=st.sampled_from([_NOT_GIVEN, 0, 7]),
    new_http_client=st.booleans(),
)
def test_copy_resolves_openais_options_exactly_as_openais_own_copy(
    start_headers: dict[str, str],
    start_query: dict[str, str],
    default_headers: dict[str, str] | None,
    set_default_headers: dict[str, str] | None,
    default_query: dict[str, str] | None,
    set_default_query: dict[str, str] | None,
    timeout: Any,
    max_retries: Any,
    new_http_client: bool,
) -> None:
    start: dict[str, Any] = {"default_headers": start_headers, "default_query": start_query, "max_retries": 3}
    ours = Lumenfall(api_key=TEST_KEY, http_client=_SHARED_HTTP, **start)
    theirs = openai.OpenAI(api_key="x", http_client=_SHARED_HTTP, **start)
    other_http = http.Client() if new_http_client else None
    arguments: dict[str, Any] = {
        "default_headers": default_headers,
        "set_default_headers": set_default_headers,
        "default_query": default_query,
        "set_default_query": set_default_query,
        "timeout": timeout,
        "max_retries": max_retries,
        "http_client": other_http,
    }
    try:
        expected = theirs.copy(**arguments)
    except ValueError as error:
        with pytest.raises(ValueError, match=re.escape(str(error))):
            ours.copy(**arguments)
        return
    got = ours.copy(**arguments)
    assert getattr(got, CUSTOM_HEADERS_ATTR) == getattr(expected, CUSTOM_HEADERS_ATTR)
    assert got.default_query == expected.default_query
    assert (got.timeout, got.max_retries) == (expected.timeout, expected.max_retries)
    assert getattr(got, HTTP_CLIENT_ATTR) is getattr(expected, HTTP_CLIENT_ATTR)
    assert (got.api_key, got.base_url, got.ledger) == (ours.api_key, ours.base_url, ours.ledger)


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize("ledger", ["not given", "none", "another"])
@pytest.mark.parametrize("budget", [None, 5])
def test_a_copy_shares_replaces_or_nests_the_ledger(cls: type[Any], ledger: str, budget: int | None) -> None:
    original = cls(api_key=TEST_KEY, webhook_secret="whsec_c2VjcmV0")
    another = CostLedger()
    given_ledger = {"not given": {}, "none": {"ledger": None}, "another": {"ledger": another}}[ledger]
    copy = original.copy(budget=budget, **given_ledger)
    base = {"not given": original.ledger, "none": None, "another": another}[ledger]
    if budget is None:
        assert copy.ledger is base if base is not None else copy.ledger is not original.ledger
    else:
        assert copy.ledger.budget == 5 and copy.ledger.parent is base
        assert copy.ledger is not original.ledger
    assert copy.webhook_secret == "whsec_c2VjcmV0" and copy.api_key == TEST_KEY


def test_copy_passes_extra_constructor_arguments_to_a_subclass() -> None:
    """``_extra_kwargs`` is how openai subclasses (like its Azure client) carry their own settings."""

    class Regional(Lumenfall):
        def __init__(self, *, region: str = "eu", **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.region = region

        def copy(self, **kwargs: Any) -> Regional:  # type: ignore[override]
            return super().copy(**kwargs, _extra_kwargs={"region": self.region})

    copy = Regional(api_key=TEST_KEY, region="us").copy(max_retries=1)
    assert type(copy) is Regional and copy.region == "us" and copy.max_retries == 1


@pytest.mark.parametrize("cls", [Lumenfall, AsyncLumenfall])
def test_repr_never_shows_a_password_in_the_base_url(cls: type[Lumenfall] | type[AsyncLumenfall]) -> None:
    client = cls(api_key=TEST_KEY, base_url="https://user:hunter2secret@proxy.example/openai/v1")
    assert "hunter2secret" not in repr(client) and "user:***@proxy.example" in repr(client)


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="@/#?"), min_size=1))
def test_redact_url_hides_any_password(password: str) -> None:
    from lumenfall_openai._settings import redact_url

    shown = redact_url(f"https://me:{password}@host.example/v1")
    assert shown in ("https://me:***@host.example/v1", "***"), shown

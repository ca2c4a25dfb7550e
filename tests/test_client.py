"""Client construction: keys, URLs, OpenAI's environment, copies, repr.

These tests are about the shape of what the client sends, so a mock transport records it.
"""

from __future__ import annotations

import warnings
from typing import Any

import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai import AsyncLumenfall, AsyncOpenAI, Lumenfall, OpenAI
from lumenfall_openai._client_base import KEPT_PATH_CHARS, PREPARED_URLS
from lumenfall_openai._compat import http
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
    with pytest.raises(ValueError, match="`default_headers` and `set_default_headers` arguments are mutually"):
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


class Tokens:
    """An ``api_key=`` callable: hands out the current token and counts the calls."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.token

    async def async_call(self) -> str:
        return self()


def test_callable_api_key_is_obtained_per_request_and_kept_by_copies(emulator: Any, base_url: str) -> None:
    tokens = Tokens("lmnfl_first.s3cr3t-1")
    client = Lumenfall(api_key=tokens, base_url=base_url)
    copy = client.with_options(max_retries=0)
    assert client.api_key == "" and tokens.calls == 0  # as openai: nothing obtained until a request
    video = client.videos.create(model="mock-video", prompt="a lighthouse")
    assert emulator.last_request().sent_key("lmnfl_first.s3cr3t-1")
    tokens.token = "lmnfl_second.s3cr3t-2"
    client.videos.retrieve(video.id)
    assert emulator.last_request().sent_key("lmnfl_second.s3cr3t-2")
    assert client.api_key == "lmnfl_second.s3cr3t-2"
    # copies made before the rotation use the callable, not a token it once returned
    tokens.token = "lmnfl_third.s3cr3t-3"
    copy.videos.retrieve(video.id)
    client.copy(timeout=5).videos.retrieve(video.id)
    assert all(r.sent_key("lmnfl_third.s3cr3t-3") for r in emulator.requests[-2:])
    replaced = client.copy(api_key="lmnfl_fixed.s3cr3t-4")
    replaced.videos.retrieve(video.id)
    assert emulator.last_request().sent_key("lmnfl_fixed.s3cr3t-4") and tokens.calls == 4
    assert "s3cr3t" not in repr(client) and "s3cr3t" not in repr(copy)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["async", "plain"])
async def test_async_callable_api_key_is_awaited_per_request(emulator: Any, base_url: str, kind: str) -> None:
    tokens = Tokens("lmnfl_first.s3cr3t-1")
    provider = tokens.async_call if kind == "async" else tokens  # openai takes async; a plain one works too
    async with AsyncLumenfall(api_key=provider, base_url=base_url) as client:  # type: ignore[arg-type]
        video = await client.videos.create(model="mock-video", prompt="a lighthouse")
        assert emulator.last_request().sent_key("lmnfl_first.s3cr3t-1")
        tokens.token = "lmnfl_second.s3cr3t-2"
        await client.with_options(max_retries=0).videos.retrieve(video.id)
        assert emulator.last_request().sent_key("lmnfl_second.s3cr3t-2")
        assert tokens.calls == 2


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("sk-proj-s3cr3t-openai-key", "OpenAI key"),
        ("", "empty key"),
        (None, "returned a NoneType, not a str"),
    ],
)
def test_a_bad_token_from_the_callable_is_refused_before_sending(
    emulator: Any, base_url: str, token: object, message: str
) -> None:
    client = Lumenfall(api_key=lambda: token, base_url=base_url, max_retries=0)  # type: ignore[arg-type, return-value]
    with pytest.raises(LumenfallConfigurationError, match=message) as info:
        client.videos.retrieve("video_1")
    assert emulator.requests == []
    assert "s3cr3t" not in str(info.value)


def test_an_async_callable_on_the_sync_client_is_a_clear_error(recorder: Recorder) -> None:
    async def provider() -> str:
        return TEST_KEY

    client = Lumenfall(api_key=provider, base_url="http://127.0.0.1:9/openai/v1", http_client=recorder.client())  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the coroutine is closed, not left "never awaited"
        with pytest.raises(LumenfallConfigurationError, match="needs AsyncLumenfall"):
            client.videos.retrieve("video_1")
    assert recorder.requests == []


@pytest.mark.parametrize(
    "arguments",
    [
        {"default_headers": {"a": "b"}, "set_default_headers": {"c": "d"}},
        {"default_query": {"a": "b"}, "set_default_query": {"c": "d"}},
    ],
)
def test_copy_conflicts_raise_openais_own_errors(arguments: dict[str, Any]) -> None:
    for ours, theirs in (
        (Lumenfall(api_key=TEST_KEY), openai.OpenAI(api_key="x")),
        (AsyncLumenfall(api_key=TEST_KEY), openai.AsyncOpenAI(api_key="x")),
    ):
        with pytest.raises(ValueError, match="mutually exclusive") as expected:
            theirs.copy(**arguments)
        with pytest.raises(ValueError, match="mutually exclusive") as got:
            ours.with_options(**arguments)
        assert str(got.value) == str(expected.value)


# The client keeps the full URL of each path it sent to (openai parses base_url + path again on every
# request). A kept URL must never outlive its base_url, and must equal what openai itself would send.
_PATH_PARTS = st.text(alphabet="abcXYZ09-_.~%/?=&:@ é", max_size=12)
_PATHS = st.one_of(
    _PATH_PARTS,
    _PATH_PARTS.map(lambda p: "/" + p),
    st.sampled_from(["/images/generations", "videos/v_1", "/videos/v_1/content?variant=video"]),
    _PATH_PARTS.map(lambda p: "https://media.example/" + p),
)
_BASES = st.sampled_from(
    ["http://127.0.0.1:9/openai/v1", "https://api.lumenfall.ai/openai/v1/", "http://[::1]:8/x", "https://h.example"]
)


@given(steps=st.lists(st.one_of(_PATHS.map(lambda p: ("path", p)), _BASES.map(lambda b: ("base", b))), max_size=30))
@settings(max_examples=150, deadline=None)
def test_a_request_url_is_what_openai_makes_of_the_current_base_url(steps: list[tuple[str, str]]) -> None:
    base = "http://127.0.0.1:9/openai/v1"
    ours = Lumenfall(api_key=TEST_KEY, base_url=base)
    plain = openai.OpenAI(api_key=TEST_KEY, base_url=base)
    for kind, value in steps + [(kind, value) for kind, value in steps if kind == "path"]:  # each path again
        if kind == "base":
            ours.base_url = plain.base_url = value
            continue
        try:
            expected: object = str(plain._prepare_url(value))
        except Exception as error:  # openai refuses it: so must the client, the same way
            expected = type(error)
        try:
            got: object = str(ours._prepare_url(value))
        except Exception as error:
            got = type(error)
        assert got == expected, (kind, value, str(ours.base_url))


def test_kept_urls_are_bounded_and_follow_copies(recorder: Recorder) -> None:
    client = Lumenfall(api_key=TEST_KEY, base_url="http://127.0.0.1:9/openai/v1", http_client=recorder.client())
    for n in range(PREPARED_URLS * 3):
        client._prepare_url(f"/videos/video_{n}")
    assert 0 < len(client._prepared_urls[1]) <= PREPARED_URLS
    client._prepare_url("/videos/" + "v" * KEPT_PATH_CHARS)  # too long to keep
    assert all(len(path) <= KEPT_PATH_CHARS for path in client._prepared_urls[1])
    client.videos.retrieve("video_abc123")
    moved = client.with_options(base_url="http://127.0.0.2:9/openai/v1")
    moved.videos.retrieve("video_abc123")
    client.base_url = "http://127.0.0.3:9/openai/v1"  # type: ignore[assignment]
    client.videos.retrieve("video_abc123")
    # A copy made after `client.base_url = ...` keeps that base, as openai's copies do, and so do
    # the native API base (balance, requests) and the repr.
    later = client.with_options(timeout=5)
    later.videos.retrieve("video_abc123")
    assert later.native_base_url == client.native_base_url == "http://127.0.0.3:9/v1"
    assert "127.0.0.3" in repr(client) and "127.0.0.3" in repr(later)
    assert [str(r.url) for r in recorder.requests] == [
        f"http://127.0.0.{n}:9/openai/v1/videos/video_abc123" for n in (1, 2, 3, 3)
    ]
    # A path openai refuses is refused the same way (not as an unhashable key).
    for bad in ([], bytearray(b"x")):
        with pytest.raises(TypeError) as ours:
            client._prepare_url(bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError) as theirs:
            openai.OpenAI(api_key=TEST_KEY, base_url="http://127.0.0.3:9/openai/v1")._prepare_url(bad)  # type: ignore[arg-type]
        assert str(ours.value) == str(theirs.value)


def test_a_base_url_set_while_a_request_is_built_is_not_kept_for_the_old_one(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red team: another thread sets base_url while openai builds a URL, then sets it back (a failover
    and its return). The request in flight may go either way, as in openai; the later ones must all go
    to the base that is set, never to a URL kept from the other one."""
    from openai import _base_client

    primary, backup = http.URL("http://127.0.0.1:9/v1/"), http.URL("http://127.0.0.2:9/v1/")
    client = Lumenfall(api_key=TEST_KEY, base_url=str(primary), http_client=recorder.client(), max_retries=0)
    client.base_url = primary
    real_url = _base_client.URL

    class SwitchingURL(real_url):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if args and args[0] == "/videos/video_abc123":
                client.base_url = backup  # the other thread's write, mid-build
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(_base_client, "URL", SwitchingURL)
    client.videos.retrieve("video_abc123")
    monkeypatch.setattr(_base_client, "URL", real_url)
    client.base_url = primary
    for _ in range(3):
        client.videos.retrieve("video_abc123")
    assert [str(r.url) for r in recorder.requests[1:]] == ["http://127.0.0.1:9/v1/videos/video_abc123"] * 3

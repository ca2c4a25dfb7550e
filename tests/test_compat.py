"""The private openai names this package borrows (all listed in `_compat`) exist in the installed openai.

CI runs this against the oldest openai we declare, the newest 2.x and the newest 3.x.
"""

from __future__ import annotations

import importlib
import inspect

import openai
import pytest

from lumenfall_openai import AsyncLumenfall, Lumenfall, _compat

from .conftest import TEST_KEY


@pytest.mark.parametrize(("module", "names"), sorted(_compat.BORROWED_MODULE_NAMES.items()))
def test_borrowed_module_names_exist(module: str, names: tuple[str, ...]) -> None:
    loaded = importlib.import_module(module)
    missing = [name for name in names if not hasattr(loaded, name)]
    assert not missing, f"openai {openai.__version__} lacks {module}.{missing}: update lumenfall_openai/_compat.py"


@pytest.mark.parametrize("cls", [openai.OpenAI, openai.AsyncOpenAI])
def test_borrowed_client_methods_exist(cls: type) -> None:
    for name in _compat.BORROWED_CLIENT_METHODS:
        assert callable(getattr(cls, name, None)), f"openai.{cls.__name__}.{name} is gone"
    params = inspect.signature(cls._make_status_error).parameters
    assert {"err_msg", "body", "response"} <= set(params)


@pytest.mark.parametrize("cls", [Lumenfall, AsyncLumenfall])
def test_borrowed_resource_attributes_exist(cls: type) -> None:
    videos = cls(api_key=TEST_KEY).videos
    for name in _compat.BORROWED_RESOURCE_ATTRS:
        assert hasattr(videos, name), f"openai's APIResource no longer sets {name}"


@pytest.mark.parametrize("cls", [Lumenfall, AsyncLumenfall])
def test_client_attributes_we_reset_exist(cls: type) -> None:
    client = cls(api_key=TEST_KEY)
    assert isinstance(getattr(client, _compat.CUSTOM_HEADERS_ATTR), dict)
    if _compat.OPENAI_MAJOR >= 3:
        assert hasattr(client, _compat.AMBIENT_AUTHORIZATIONS_ATTR)


def test_http_module_is_the_one_openai_uses() -> None:
    client = Lumenfall(api_key=TEST_KEY)
    assert isinstance(client._client, _compat.http.Client)
    expected = "httpx2" if _compat.OPENAI_MAJOR >= 3 else "httpx"
    assert _compat.http.__name__ == expected


def test_openai_raw_response_wrappers_keep_their_client_attribute() -> None:
    client = Lumenfall(api_key=TEST_KEY)
    assert client.with_raw_response._client is client
    assert client.with_streaming_response._client is client

"""Every private openai name this package depends on is listed in `_compat`, exists in the installed
openai, and does what we rely on; nothing private is used around the list.

CI runs this against the oldest openai we declare, the newest 2.x and the newest 3.x.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

import lumenfall_openai
from lumenfall_openai import AsyncLumenfall, Lumenfall, _compat

from .conftest import TEST_KEY, Recorder

# How many private openai names the package depends on (`_compat.private_names()`). Lower it
# when a dependency goes; raising it needs a reason in the review. Issue 10 started at 48; 42
# after the registry, 46 with download_content's checked redirects (follow_redirects, the
# response's _options, LegacyAPIResponse) and the fast ImagesResponse.construct (_construct_field);
# 47 with the client's kept request URLs (_prepare_url: openai parses base_url + path on every
# request, 6% of an images call; if openai drops the method, the override is simply never called).
RECORDED_PRIVATE_NAMES = 47

PACKAGE = Path(lumenfall_openai.__file__).parent
# The registry and its face for type checkers: the only files that may touch openai's privates.
COMPAT_FILES = {"_compat.py", "_http_types.py"}
# Private names of other libraries (not openai's), used knowingly.
NOT_OPENAI = {"_SubParsersAction"}  # argparse's subparsers class, in the CLI's type hints


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text(encoding="utf-8"))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


# -- the count ----------------------------------------------------------------------------------


def test_the_count_of_private_openai_names_only_goes_down(capsys: pytest.CaptureFixture[str]) -> None:
    names = _compat.private_names()
    assert len(names) == len(set(names)), "a private name is listed twice"
    with capsys.disabled():
        print(
            f"\n[test_compat] private openai names the package depends on: {len(names)} (openai {openai.__version__})"
        )
    assert len(names) <= RECORDED_PRIVATE_NAMES, (
        f"{len(names)} private openai names, more than the recorded {RECORDED_PRIVATE_NAMES}: "
        "use a public openai name instead, or justify the new one and raise RECORDED_PRIVATE_NAMES"
    )


# -- each listed name exists and behaves as relied on ---------------------------------------------


@pytest.mark.parametrize(("module", "names"), sorted(_compat.PRIVATE_MODULE_NAMES.items()))
def test_private_module_names_exist(module: str, names: tuple[str, ...]) -> None:
    # import_module, not `from openai import _client`: that one is openai's module-level client.
    loaded = importlib.import_module(module)
    missing = [name for name in names if not hasattr(loaded, name)]
    assert not missing, f"openai {openai.__version__} lacks {module}.{missing}: update lumenfall_openai/_compat.py"


def test_http_module_is_the_one_openai_uses() -> None:
    base_client = importlib.import_module("openai._base_client")
    found = [getattr(base_client, name) for name in _compat.HTTP_MODULE_ATTRS if hasattr(base_client, name)]
    assert found and found[0] is _compat.http
    assert _compat.http.__name__ == ("httpx2" if _compat.OPENAI_MAJOR >= 3 else "httpx")
    assert isinstance(getattr(Lumenfall(api_key=TEST_KEY), _compat.HTTP_CLIENT_ATTR), _compat.http.Client)


def _shape(annotation: Any) -> Any:
    """A type alias reduced to what it means (typing.Mapping and collections.abc.Mapping, Union
    and `|`, compare equal)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return ("union", frozenset(_shape(a) for a in typing.get_args(annotation)))
    if origin is not None:
        return (origin, tuple(_shape(a) for a in typing.get_args(annotation)))
    return annotation


@pytest.mark.parametrize("name", ["Headers", "Query", "Body"])
def test_restated_aliases_match_openais(name: str) -> None:
    openai_types = importlib.import_module("openai._types")
    assert _shape(getattr(_compat, name)) == _shape(getattr(openai_types, name))


@pytest.mark.parametrize("cls", [openai.OpenAI, openai.AsyncOpenAI, Lumenfall, AsyncLumenfall])
def test_client_attributes_exist(cls: type[Any]) -> None:
    client = cls(api_key=TEST_KEY)
    for name, since in _compat.CLIENT_ATTRS.items():
        if since <= _compat.OPENAI_MAJOR:
            assert hasattr(client, name), f"openai {openai.__version__} clients have no {name}"
    assert isinstance(getattr(client, _compat.CUSTOM_HEADERS_ATTR), dict)
    http_client = getattr(client, _compat.HTTP_CLIENT_ATTR)
    assert isinstance(http_client, (_compat.http.Client, _compat.http.AsyncClient))


@pytest.mark.parametrize("cls", [openai.OpenAI, openai.AsyncOpenAI])
def test_client_methods_exist_with_the_parameters_we_use(cls: type[Any]) -> None:
    for name, parameters in {**_compat.CLIENT_METHODS, **_compat.PUBLIC_CLIENT_METHODS}.items():
        method = getattr(cls, name, None)
        assert callable(method), f"openai.{cls.__name__}.{name} is gone"
        missing = set(parameters) - set(inspect.signature(method).parameters)
        assert not missing, f"openai.{cls.__name__}.{name} no longer takes {sorted(missing)}"


@pytest.mark.parametrize(("client_cls", "resource_cls"), [
    (openai.OpenAI, _compat.SyncAPIResource),
    (openai.AsyncOpenAI, _compat.AsyncAPIResource),
])  # fmt: skip
def test_resource_attributes_exist(client_cls: type[Any], resource_cls: type[Any]) -> None:
    client = client_cls(api_key=TEST_KEY)
    resource = resource_cls(client)
    missing = [name for name in _compat.RESOURCE_ATTRS if not hasattr(resource, name)]
    assert not missing, f"openai's APIResource no longer sets {missing}"
    assert resource._client is client


@pytest.mark.parametrize("cls", [openai.OpenAI, openai.AsyncOpenAI, Lumenfall, AsyncLumenfall])
def test_response_wrappers_keep_their_client(cls: type[Any]) -> None:
    client = cls(api_key=TEST_KEY)
    for wrapper in (client.with_raw_response, client.with_streaming_response):
        for name in _compat.RESPONSE_WRAPPER_ATTRS:
            assert getattr(wrapper, name) is client


def test_request_options_keys_reach_openais_final_options() -> None:
    """The keys we read or set in a RequestOptions dict are the ones openai turns into a request."""

    def parser(parsed: object) -> object:
        return parsed

    options: Any = _compat.make_request_options(extra_query={"dryRun": "true"}, post_parser=parser)
    assert options[_compat.REQUEST_OPTIONS_PARAMS_KEY] == {"dryRun": "true"}
    assert options[_compat.REQUEST_OPTIONS_POST_PARSER_KEY] is parser
    options[_compat.REQUEST_OPTIONS_MAX_RETRIES_KEY] = 0
    models = importlib.import_module("openai._models")
    final = models.FinalRequestOptions.construct(method="get", url="/v", **options)
    assert (final.params, final.post_parser, final.max_retries) == ({"dryRun": "true"}, parser, 0)


def test_a_poll_check_really_turns_openais_retries_off() -> None:
    recorder = Recorder(lambda _: _compat.http.Response(500, json={}, headers={"retry-after-ms": "1"}))
    client = Lumenfall(api_key=TEST_KEY, http_client=recorder.client(), max_retries=2)
    with pytest.raises(openai.InternalServerError):
        client.videos.retrieve("video_1")
    assert len(recorder.requests) == 3  # openai's own retries, for an ordinary call
    recorder.requests.clear()
    with pytest.raises(openai.InternalServerError):
        client.videos._check("video_1", timeout=5.0)  # pyright: ignore[reportPrivateUsage]
    assert len(recorder.requests) == 1


# -- nothing private is used around the registry ---------------------------------------------------


def _private_openai_import(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.module is not None:
        parts = node.module.split(".")
        if parts[0] == "openai" and (
            any(_is_private(p) for p in parts) or any(_is_private(a.name) for a in node.names)
        ):
            return f"from {node.module} import {', '.join(a.name for a in node.names)}"
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "openai" and any(_is_private(p) for p in parts):
                return f"import {alias.name}"
    if isinstance(node, ast.Attribute) and _is_private(node.attr):
        root: ast.AST = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id == "openai":
            return ast.unparse(node)
    return None


def test_no_private_openai_module_is_imported_outside_compat() -> None:
    found = [
        f"{path}:{getattr(node, 'lineno', '?')}: {what}"
        for path, tree in _sources()
        if path not in COMPAT_FILES
        for node in ast.walk(tree)
        if (what := _private_openai_import(node)) is not None
    ]
    assert not found, "import these through lumenfall_openai/_compat.py (and list them there):\n" + "\n".join(found)


def _openai_attribute_names() -> set[str]:
    """Every attribute name openai's clients, resources, response wrappers, models and errors have."""
    sync, async_ = openai.OpenAI(api_key=TEST_KEY), openai.AsyncOpenAI(api_key=TEST_KEY)
    images = importlib.import_module("openai.resources.images")
    objects: list[object] = [
        sync,
        async_,
        _compat.SyncAPIResource(sync),
        _compat.AsyncAPIResource(async_),
        images.Images(sync),
        images.AsyncImages(async_),
        sync.with_raw_response,
        sync.with_streaming_response,
        async_.with_raw_response,
        async_.with_streaming_response,
        openai.BaseModel,
        openai.APIStatusError,
    ]
    return {name for obj in objects for name in dir(obj)}


def test_request_options_keys_are_spelled_only_in_compat() -> None:
    """openai's RequestOptions dict is private too: its keys go through _compat's constants.
    ("headers" and "idempotency_key" are left out: ASGI scopes and Lumenfall's request bodies
    use the same words.)"""
    options_type = importlib.import_module("openai._types").RequestOptions
    keys = (set(options_type.__annotations__) | {"post_parser"}) - {"headers", "idempotency_key"}
    found: list[str] = []
    for path, tree in _sources():
        if path in COMPAT_FILES:
            continue
        for node in ast.walk(tree):
            key: ast.AST | None = None
            if isinstance(node, ast.Subscript):
                key = node.slice
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                key = node.args[0] if node.func.attr in ("get", "pop", "setdefault") else None
            if isinstance(key, ast.Constant) and key.value in keys:
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "use the REQUEST_OPTIONS_*_KEY constants of _compat:\n" + "\n".join(found)


def test_every_private_openai_attribute_the_package_touches_is_listed() -> None:
    """A private name the package uses but never defines, or defines over one of openai's (an
    override, or a class attribute that shadows one), must be in `_compat`'s registry."""
    used: dict[str, set[str]] = {}
    defined: set[str] = set()  # by this package: classes, functions, attributes it assigns
    members: set[str] = set()  # defined on a class or an object: what could shadow openai's
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        members.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        members.update(t.id for t in item.targets if isinstance(t, ast.Name))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, ast.Attribute):
                if isinstance(node.ctx, ast.Store):
                    members.add(node.attr)
                used.setdefault(node.attr, set()).add(path)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                used.setdefault(node.args[1].value, set()).add(path)
    defined |= members
    openai_names = _openai_attribute_names()
    foreign = {n for n in used if _is_private(n) and n not in defined}
    shadowing = {n for n in members | set(used) if _is_private(n) and n in openai_names}
    registered = {
        *_compat.CLIENT_ATTRS,
        *_compat.CLIENT_METHODS,
        *_compat.RESOURCE_ATTRS,
        *_compat.RESPONSE_WRAPPER_ATTRS,
        *_compat.RESPONSE_ATTRS,
    }
    unlisted = sorted((foreign | shadowing) - registered - NOT_OPENAI)
    assert not unlisted, "private openai names used but not in _compat's registry: " + ", ".join(
        f"{n} ({', '.join(sorted(used.get(n, {'a class body'})))})" for n in unlisted
    )


def test_every_listed_name_is_used() -> None:
    """The registry lists what the package depends on, nothing more: each entry is referenced
    outside the registry (by its name, or by the _compat constant that holds it)."""
    referenced: set[str] = set()
    for path, tree in _sources():
        if path == "_compat.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                referenced.add(node.id)
            elif isinstance(node, ast.Attribute):
                referenced.add(node.attr)
            elif isinstance(node, ast.alias):
                referenced.add(node.asname or node.name)
                referenced.add(node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                referenced.add(node.name)
    constants = {value: name for name, value in vars(_compat).items() if name.isupper() and isinstance(value, str)}
    entries = [
        *(name for names in _compat.PRIVATE_MODULE_NAMES.values() for name in names),
        *_compat.CLIENT_ATTRS,
        *_compat.CLIENT_METHODS,
        *_compat.RESOURCE_ATTRS,
        *_compat.RESPONSE_WRAPPER_ATTRS,
        *_compat.RESPONSE_ATTRS,
        *_compat.REQUEST_OPTIONS_KEYS,
    ]
    # A private function _compat re-exports under its public spelling (``_construct_field`` as
    # ``construct_field``) counts as used through that spelling.
    unused = sorted({e for e in entries if not {e, e.lstrip("_"), constants.get(e)} & referenced})
    assert not unused, f"listed in _compat but used nowhere: {unused}; remove them"

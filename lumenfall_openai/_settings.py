"""Where a client's key and URLs come from: pure functions over arguments and an environment.

Kept apart from the client classes so the rules are testable without a client and identical
for the sync and async twins.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from .errors import LumenfallConfigurationError

DEFAULT_BASE_URL = "https://api.lumenfall.ai/openai/v1"
API_KEY_ENV = "LUMENFALL_API_KEY"
BASE_URL_ENV = "LUMENFALL_BASE_URL"
WEBHOOK_SECRET_ENV = "LUMENFALL_WEBHOOK_SECRET"
KEY_PREFIX = "lmnfl_"

_V = TypeVar("_V")

# openai.OpenAI arguments that only make sense against OpenAI itself. Passing one to a Lumenfall
# client would either be ignored or, worse, route the Lumenfall key to another host.
OPENAI_ONLY_OPTIONS: dict[str, str] = {
    "organization": "Lumenfall has no organization header; drop `organization=`.",
    "project": "Lumenfall has no project header; drop `project=`.",
    "admin_api_key": "Lumenfall has no admin keys; pass your Lumenfall key as `api_key=`.",
    "workload_identity": "Lumenfall authenticates with an API key only; pass `api_key=`.",
    "data_residency": (
        "`data_residency` points the client at api.openai.com regions, which would send your "
        "Lumenfall key to OpenAI; use `base_url=` for another Lumenfall host."
    ),
    "provider": (
        "openai's `provider=` routes requests (and credentials) to another cloud; Lumenfall picks "
        "providers itself. Force one per request with a model like 'provider/slug'."
    ),
    "websocket_base_url": "Lumenfall has no WebSocket API; drop `websocket_base_url=`.",
}


@dataclass(frozen=True)
class ResolvedSettings:
    api_key: str
    base_url: str
    webhook_secret: str | None


def reject_openai_only_options(
    *,
    organization: object,
    project: object,
    admin_api_key: object,
    workload_identity: object,
    data_residency: object,
    provider: object,
    websocket_base_url: object,
) -> None:
    """Raise for any OpenAI-only option given a value (None means 'not given').

    Every option is a required keyword, so a constructor that forgets to pass one on is a type
    error, not an option silently accepted.
    """
    options = {
        "organization": organization,
        "project": project,
        "admin_api_key": admin_api_key,
        "workload_identity": workload_identity,
        "data_residency": data_residency,
        "provider": provider,
        "websocket_base_url": websocket_base_url,
    }
    given = [name for name, value in options.items() if value is not None]
    if given:
        reasons = " ".join(OPENAI_ONLY_OPTIONS[name] for name in given)
        raise LumenfallConfigurationError(
            f"Lumenfall clients do not take {', '.join(f'`{n}`' for n in given)}. {reasons}"
        )


def resolve_api_key(api_key: str | None, environ: Mapping[str, str]) -> str:
    key = api_key if api_key is not None else environ.get(API_KEY_ENV)
    if not key:
        raise LumenfallConfigurationError(
            f"No Lumenfall API key. Pass `api_key=` or set the {API_KEY_ENV} environment variable "
            "(keys start with 'lmnfl_'; create one at https://lumenfall.ai). OPENAI_API_KEY is never "
            "read: an OpenAI key must not be sent to a third party. For tests without a key, use "
            "lumenfall_openai.testing.LumenfallEmulator."
        )
    return _refuse_openai_key(key)


def check_provided_key(key: object) -> str:
    """A key returned by a callable ``api_key=``, checked each time it is obtained (before it is sent).

    The message never contains the value: it may be a secret of any kind.
    """
    if not isinstance(key, str):
        hint = ""
        if inspect.iscoroutine(key):
            key.close()  # never awaited: close it rather than leave a warning behind
            hint = " An async callable needs AsyncLumenfall; Lumenfall calls it synchronously."
        raise LumenfallConfigurationError(
            f"The `api_key` callable returned a {type(key).__name__}, not a str; it must return your "
            f"Lumenfall key (it starts with '{KEY_PREFIX}').{hint}"
        )
    if not key:
        raise LumenfallConfigurationError(
            f"The `api_key` callable returned an empty key; it must return your Lumenfall key (it starts "
            f"with '{KEY_PREFIX}')."
        )
    return _refuse_openai_key(key)


def _refuse_openai_key(key: str) -> str:
    if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # api_key=123
        raise LumenfallConfigurationError(
            f"The Lumenfall API key must be a str (or a callable returning one), not a {type(key).__name__}. "
            f"Pass your key (it starts with '{KEY_PREFIX}') via `api_key=` or {API_KEY_ENV}."
        )
    if not key.isascii() or not key.isprintable() or key != key.strip():
        # A pasted key with a trailing space or newline would be sent as an illegal header, and the
        # HTTP library quotes illegal header values in its error: refuse it here, never showing it.
        # An inner space is a legal header character (openai's own tests use "My API Key"): allowed.
        raise LumenfallConfigurationError(
            "The Lumenfall API key has leading or trailing whitespace, a line break or another "
            "character a key never has (often a copy-paste slip, or a CRLF .env file). Strip it and pass "
            f"the key again via `api_key=` or {API_KEY_ENV}."
        )
    if key.startswith("sk-"):
        raise LumenfallConfigurationError(
            "That looks like an OpenAI key ('sk-...'), which must not be sent to Lumenfall. "
            f"Use a Lumenfall key (it starts with '{KEY_PREFIX}') via `api_key=` or {API_KEY_ENV}."
        )
    return key


def resolve_base_url(base_url: str | None, environ: Mapping[str, str]) -> str:
    url = base_url if base_url is not None else environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LumenfallConfigurationError(
            f"Lumenfall base URL {url!r} is not an http(s) URL. Use the OpenAI-compatible base, "
            f"for example {DEFAULT_BASE_URL!r} (from `base_url=` or {BASE_URL_ENV})."
        )
    return url.rstrip("/")


def native_base_url(base_url: str) -> str:
    """Derive Lumenfall's native API base (balance, requests, webhook secret) from the OpenAI one.

    ``https://api.lumenfall.ai/openai/v1`` -> ``https://api.lumenfall.ai/v1``; a base that does not
    end in ``/openai/v1`` (a proxy, say) gets ``/v1`` beside its own path's parent.
    """
    parts = urlsplit(base_url.rstrip("/"))
    path = parts.path
    if path.endswith("/openai/v1"):
        path = path[: -len("/openai/v1")] + "/v1"
    elif path.endswith("/openai"):
        path = path[: -len("/openai")] + "/v1"
    else:
        path = path.rsplit("/", 1)[0] + "/v1" if path.endswith("/v1") else path + "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def resolve_settings(
    *,
    api_key: str | Callable[[], object] | None,
    base_url: str | None,
    webhook_secret: str | None,
    environ: Mapping[str, str],
) -> ResolvedSettings:
    """Key, URLs and webhook secret from the arguments, else ``LUMENFALL_*`` variables, else defaults.

    A callable ``api_key`` supplies the key per request (openai calls it before each request that
    needs one; :func:`check_provided_key` checks each token); ``api_key`` here is then ``""``, as
    openai's own ``api_key`` is until the first call.
    """
    base = resolve_base_url(base_url, environ)
    return ResolvedSettings(
        api_key="" if callable(api_key) else resolve_api_key(api_key, environ),
        base_url=base,
        webhook_secret=webhook_secret if webhook_secret is not None else environ.get(WEBHOOK_SECRET_ENV),
    )


def copied_defaults(
    current: Mapping[str, _V], add: Mapping[str, _V] | None, replace: Mapping[str, _V] | None, *, kind: str
) -> Mapping[str, _V]:
    """A copy's ``default_headers`` (``kind="headers"``) or ``default_query``, by openai's rule:
    ``default_<kind>`` is merged over the client's, ``set_default_<kind>`` replaces them."""
    if add is not None and replace is not None:
        # openai's exact message: code (and tests) written for openai match on it.
        raise ValueError(f"The `default_{kind}` and `set_default_{kind}` arguments are mutually exclusive")
    if add is not None:
        return {**current, **add}
    return replace if replace is not None else current


def redact_url(url: str) -> str:
    """``url`` as a repr or log may show it: a password in its user info (``https://u:pw@host``,
    e.g. a proxy's) becomes ``***``. Anything that cannot be parsed is shown as ``***``."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit((parts.scheme, f"{parts.username}:***@{host}", parts.path, parts.query, parts.fragment))
    except ValueError:
        return "***"


def redact_key(key: str) -> str:
    """What a repr or log may show of a key: its public id part, never the secret."""
    if key.startswith(KEY_PREFIX) and "." in key:
        return key.split(".", 1)[0] + ".***"
    return "***"

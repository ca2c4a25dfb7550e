"""Check a generation request the way Lumenfall does, before anything is created or billed.

Pure functions from the decoded body (JSON or multipart fields) to a normalised request, raising
:class:`ApiError` with a message that says what to change. The order of checks matches what a
client sees first on the real service: prompt and model, then model-specific limits.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from ._catalog import RATIO_RE, Catalog, ModelSpec, Provider
from ._errors import invalid

# Fields the create call knows; anything else is passed through to the provider (and recorded).
VIDEO_FIELDS = frozenset(
    {
        "prompt",
        "model",
        "seconds",
        "duration",
        "size",
        "aspect_ratio",
        "resolution",
        "n",
        "input_reference",
        "input_reference[]",
        "webhook_url",
        "idempotency_key",
        "negative_prompt",
        "user",
        "metadata",
        "media_retention",
    }
)
IMAGE_FIELDS = frozenset(
    {
        "prompt",
        "model",
        "n",
        "size",
        "quality",
        "style",
        "response_format",
        "output_format",
        "background",
        "user",
        "image",
        "image[]",
        "mask",
    }
)
MAX_IDEMPOTENCY_KEY = 256
# The emulator's own limits where Lumenfall documents none (so one request cannot hold memory).
MAX_INPUT_REFERENCES = 16
MAX_WEBHOOK_URL = 2048
_INTEGRAL = re.compile(r"^\s*([0-9]+)(?:\.0*)?\s*$")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, as recorded (never its bytes)."""

    field: str
    filename: str | None
    content_type: str | None
    size: int


@dataclass
class VideoCreate:
    prompt: str
    model: str
    spec: ModelSpec
    provider: Provider
    seconds: int
    size: str
    n: int
    webhook_url: str | None
    idempotency_key: str | None
    user: str | None
    input_references: list[Any] = field(default_factory=list[Any])
    extra: dict[str, Any] = field(default_factory=dict[str, Any])
    fingerprint: str = ""  # what makes two creates "the same request" for an idempotency key


@dataclass
class ImageCreate:
    prompt: str
    model: str
    spec: ModelSpec
    provider: Provider
    size: str
    n: int
    response_format: str
    user: str | None
    extra: dict[str, Any] = field(default_factory=dict[str, Any])


def _prompt(body: dict[str, Any]) -> str:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise invalid("'prompt' is required and must be a non-empty string.")
    return prompt


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid("'model' is required, e.g. 'mock-video' (free) or 'sora-2'. GET /openai/v1/models lists all.")
    return model.strip()


def _int_field(name: str, value: Any) -> int:
    # JSON gives numbers, multipart gives strings: accept 10, 10.0, "10", "10.0".
    if isinstance(value, bool):
        raise invalid(f"'{name}' must be a whole number, got {value!r}.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        match = _INTEGRAL.match(value)
        if match:
            return int(match.group(1))
    raise invalid(f"'{name}' must be a whole number, got {value!r}.")


def _n(body: dict[str, Any]) -> int:
    if body.get("n") is None:
        return 1
    n = _int_field("n", body["n"])
    if not 1 <= n <= 4:
        raise invalid(f"'n' must be between 1 and 4, got {n}.")
    return n


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"'{name}' must be a string.")
    return value


def _check_prompt_length(prompt: str, spec: ModelSpec) -> None:
    if len(prompt) > spec.max_prompt_chars:
        raise invalid(f"'prompt' is {len(prompt)} characters; {spec.slug} accepts at most {spec.max_prompt_chars}.")


def _allowed(values: tuple[str, ...] | tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _video_size(body: dict[str, Any], spec: ModelSpec) -> str:
    size = _optional_str(body, "size")
    aspect_ratio = _optional_str(body, "aspect_ratio")
    resolution = _optional_str(body, "resolution")
    if resolution is not None and spec.resolutions and resolution not in spec.resolutions:
        raise invalid(
            f"resolution '{resolution}' is not supported by {spec.slug}; allowed: {_allowed(spec.resolutions)}."
        )
    if size is not None:  # size wins over aspect_ratio and resolution
        if not spec.accepts_size(size):
            allowed = _allowed(spec.sizes) if spec.sizes else "WIDTHxHEIGHT or W:H"
            raise invalid(f"size '{size}' is not supported by {spec.slug}; allowed: {allowed}.")
        return size
    if aspect_ratio is not None:
        ratios = spec.aspect_ratios()
        ok = aspect_ratio in ratios if spec.sizes is not None else bool(RATIO_RE.match(aspect_ratio))
        if not ok:
            raise invalid(
                f"aspect_ratio '{aspect_ratio}' is not supported by {spec.slug}; allowed: {_allowed(ratios)}."
            )
        return aspect_ratio
    return spec.default_size


def _video_seconds(body: dict[str, Any], spec: ModelSpec) -> int:
    raw = body.get("seconds", body.get("duration"))
    if raw is None:
        return spec.default_seconds
    seconds = _int_field("seconds", raw)
    if seconds not in spec.seconds:
        raise invalid(f"seconds '{raw}' is not supported by {spec.slug}; allowed: {_allowed(spec.seconds)}.")
    return seconds


def _input_references(body: dict[str, Any], files: list[UploadedFile]) -> list[Any]:
    refs: list[Any] = [f"<file {f.filename!r}, {f.size} bytes>" for f in files]
    for key in ("input_reference", "input_reference[]"):
        raw = body.get(key)
        if raw is None:
            continue
        items: list[Any] = raw if isinstance(raw, list) else [raw]  # pyright: ignore[reportUnknownVariableType]
        if len(items) + len(refs) > MAX_INPUT_REFERENCES:
            raise invalid(f"'input_reference' takes at most {MAX_INPUT_REFERENCES} items.")
        for item in items:
            url: Any = cast("dict[str, Any]", item).get("image_url") if isinstance(item, dict) else item
            if not isinstance(url, str) or not (url.startswith("https://") or url.startswith("data:")):
                raise invalid(
                    '\'input_reference\' takes {"image_url": "<https URL or data: URI>"} objects '
                    "(or, in multipart, files or URL strings)."
                )
            refs.append({"image_url": url if len(url) <= 200 else url[:200] + "..."})
    return refs


def validate_webhook_url(url: str, *, allow_loopback: bool) -> str:
    """Lumenfall's rule: https, port 443 or 8443, a DNS name (no bare IP), not localhost.

    ``allow_loopback`` is the emulator's one exception: http or https to 127.0.0.0/8, ::1 or
    localhost on any port, so a test can run a receiver on loopback.
    """
    if len(url) > MAX_WEBHOOK_URL:
        raise invalid(f"webhook_url is {len(url)} characters; at most {MAX_WEBHOOK_URL} are accepted.")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise invalid(f"webhook_url {url!r} is not a valid URL.") from None
    if not host:
        raise invalid(f"webhook_url {url!r} has no host.")
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    is_loopback = host == "localhost" or host.endswith(".localhost") or (ip is not None and ip.is_loopback)
    if allow_loopback and is_loopback and parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https":
        raise invalid("webhook_url must use https.")
    if port not in (None, 443, 8443):
        raise invalid("webhook_url must use port 443 or 8443.")
    if ip is not None:
        raise invalid("webhook_url must use a host name, not a bare IP address.")
    if is_loopback:
        raise invalid("webhook_url must not point at localhost.")
    return url


def _idempotency_key(body: dict[str, Any]) -> str | None:
    key = _optional_str(body, "idempotency_key")
    if key is None:
        return None
    if not key:
        raise invalid("'idempotency_key' must not be empty.")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise invalid(f"'idempotency_key' is {len(key)} characters; at most {MAX_IDEMPOTENCY_KEY} are allowed.")
    return key


def request_fingerprint(body: dict[str, Any], files: list[UploadedFile], *, seconds: int, n: int) -> str:
    """A digest of everything a create asks for except its idempotency key.

    ``seconds`` and ``n`` are compared as parsed, so ``4`` and ``"4"`` (JSON vs multipart) are
    the same request; files are compared by field, name, type and size (their bytes are not kept).
    """
    asked = {k: v for k, v in body.items() if k not in ("idempotency_key", "seconds", "duration", "n")}
    asked["seconds"] = seconds
    asked["n"] = n
    asked["files"] = [[f.field, f.filename, f.content_type, f.size] for f in files]
    canonical = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def validate_video(
    body: dict[str, Any], files: list[UploadedFile], catalog: Catalog, *, allow_loopback_webhooks: bool
) -> VideoCreate:
    prompt = _prompt(body)
    model = _model(body)
    spec, provider = catalog.resolve(model, "video")
    _check_prompt_length(prompt, spec)
    size = _video_size(body, spec)
    seconds = _video_seconds(body, spec)
    n = _n(body)
    webhook_url = _optional_str(body, "webhook_url")
    if webhook_url is not None:
        validate_webhook_url(webhook_url, allow_loopback=allow_loopback_webhooks)
    return VideoCreate(
        prompt=prompt,
        model=model,
        spec=spec,
        provider=provider,
        seconds=seconds,
        size=size,
        n=n,
        webhook_url=webhook_url,
        idempotency_key=_idempotency_key(body),
        user=_optional_str(body, "user"),
        input_references=_input_references(body, files),
        extra={k: v for k, v in body.items() if k not in VIDEO_FIELDS},
        fingerprint=request_fingerprint(body, files, seconds=seconds, n=n),
    )


def validate_image(body: dict[str, Any], catalog: Catalog) -> ImageCreate:
    prompt = _prompt(body)
    model = _model(body)
    spec, provider = catalog.resolve(model, "image")
    _check_prompt_length(prompt, spec)
    size = _optional_str(body, "size") or spec.default_size
    if not spec.accepts_size(size):
        allowed = _allowed(spec.sizes) if spec.sizes else "WIDTHxHEIGHT or W:H"
        raise invalid(f"size '{size}' is not supported by {spec.slug}; allowed: {allowed}.")
    response_format = _optional_str(body, "response_format") or "b64_json"
    if response_format not in ("b64_json", "url"):
        raise invalid("'response_format' must be 'b64_json' or 'url'.")
    return ImageCreate(
        prompt=prompt,
        model=model,
        spec=spec,
        provider=provider,
        size=size,
        n=_n(body),
        response_format=response_format,
        user=_optional_str(body, "user"),
        extra={k: v for k, v in body.items() if k not in IMAGE_FIELDS},
    )

"""The emulator's model catalog: which models exist, what they accept, and what they cost.

A small, realistic subset of Lumenfall's catalog. Prices are per second of video (per image for
image models) and live in one place, so a ``?dryRun=true`` estimate and the cost billed when the
same request completes are computed by the same function and always agree.

``sora-2`` at $0.21/s reproduces the cost-estimate example in Lumenfall's docs exactly
(10 s -> 2 100 000 micros). The ``mock-*`` models are free and accept any well-formed size.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

from ._errors import ApiError

Kind = Literal["video", "image"]

_CATALOG_EPOCH = 1735689600  # 2025-01-01, the "created" date shown by /models

SIZE_RE = re.compile(r"^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$")
RATIO_RE = re.compile(r"^[1-9][0-9]?:[1-9][0-9]?$")


@dataclass(frozen=True)
class Provider:
    slug: str  # metadata.provider, X-Lumenfall-Provider
    name: str  # metadata.provider_name
    model: str  # the provider's own model id: executed_model is "{slug}/{model}"


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    kind: Kind
    providers: tuple[Provider, ...]
    # Accepted `size` values; None = any "WIDTHxHEIGHT" or "W:H" (the mock models).
    sizes: tuple[str, ...] | None
    default_size: str
    # Accepted durations in whole seconds (video only).
    seconds: tuple[int, ...] = ()
    default_seconds: int = 0
    resolutions: tuple[str, ...] = ()
    unit_price: float = 0.0  # USD per second (video) or per image
    max_prompt_chars: int = 4000
    disabled: bool = False
    # Built-in behaviour of the test models, so an outcome can be picked by slug alone.
    fail_code: str | None = None
    run_seconds: float | None = None
    owned_by: str = "lumenfall"

    @property
    def metric(self) -> str:
        return "second" if self.kind == "video" else "image"

    def accepts_size(self, size: str) -> bool:
        if self.sizes is None:
            return bool(SIZE_RE.match(size) or RATIO_RE.match(size)) or size == "auto"
        return size in self.sizes

    def aspect_ratios(self) -> tuple[str, ...]:
        if self.sizes is None:
            return ()
        return tuple(s for s in self.sizes if ":" in s)


_ANY_SECONDS = tuple(range(1, 21))
_MOCK = Provider("lumenfall", "Lumenfall Mock", "mock")

MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        slug="sora-2",
        kind="video",
        providers=(Provider("openai", "OpenAI", "sora-2"),),
        sizes=("1280x720", "720x1280", "1920x1080", "1080x1920", "16:9", "9:16"),
        default_size="1280x720",
        seconds=(4, 8, 10, 12),
        default_seconds=4,
        resolutions=("720p", "1080p"),
        unit_price=0.21,
        owned_by="openai",
    ),
    ModelSpec(
        slug="kling-v3",
        kind="video",
        providers=(Provider("fal", "fal.ai", "kling-video/v3/pro/text-to-video"),),
        sizes=("16:9", "9:16", "1:1", "1920x1080", "1080x1920", "1080x1080"),
        default_size="16:9",
        seconds=(5, 10),
        default_seconds=5,
        resolutions=("1080p",),
        unit_price=0.112,
        max_prompt_chars=2500,  # documented limit
        owned_by="kling",
    ),
    ModelSpec(
        slug="wan-2.6",
        kind="video",
        providers=(
            Provider("replicate", "Replicate", "wan-video/wan-2.6-t2v"),
            Provider("fal", "fal.ai", "wan/v2.6/text-to-video"),
        ),
        sizes=("1280x720", "720x1280", "1920x1080", "1080x1920", "16:9", "9:16"),
        default_size="1280x720",
        seconds=(5, 10, 15),
        default_seconds=5,
        resolutions=("720p", "1080p"),
        unit_price=0.10,
        owned_by="alibaba",
    ),
    ModelSpec(
        slug="veo-3.1-fast",
        kind="video",
        providers=(Provider("vertex", "Google Vertex AI", "veo-3.1-fast-generate-001"),),
        sizes=("1280x720", "720x1280", "1920x1080", "1080x1920", "16:9", "9:16"),
        default_size="1280x720",
        seconds=(4, 6, 8),
        default_seconds=8,
        resolutions=("720p", "1080p"),
        unit_price=0.15,
        owned_by="google",
    ),
    ModelSpec(
        slug="mock-video",
        kind="video",
        providers=(_MOCK,),
        sizes=None,
        default_size="1280x720",
        seconds=_ANY_SECONDS,
        default_seconds=4,
        resolutions=("480p", "720p", "1080p", "1K", "2K", "4K"),
    ),
    # Outcome by slug: always fails with UPSTREAM_ERROR once it has run.
    ModelSpec(
        slug="mock-video-fail",
        kind="video",
        providers=(_MOCK,),
        sizes=None,
        default_size="1280x720",
        seconds=_ANY_SECONDS,
        default_seconds=4,
        fail_code="UPSTREAM_ERROR",
    ),
    # Outcome by slug: runs for 30 s (times time_scale) before completing.
    ModelSpec(
        slug="mock-video-slow",
        kind="video",
        providers=(_MOCK,),
        sizes=None,
        default_size="1280x720",
        seconds=_ANY_SECONDS,
        default_seconds=4,
        run_seconds=30.0,
    ),
    # Outcome by slug: MODEL_DISABLED at submit.
    ModelSpec(
        slug="mock-video-disabled",
        kind="video",
        providers=(_MOCK,),
        sizes=None,
        default_size="1280x720",
        seconds=_ANY_SECONDS,
        default_seconds=4,
        disabled=True,
    ),
    ModelSpec(
        slug="gpt-image-1",
        kind="image",
        providers=(Provider("openai", "OpenAI", "gpt-image-1"),),
        sizes=("1024x1024", "1536x1024", "1024x1536", "auto"),
        default_size="1024x1024",
        unit_price=0.04,
        owned_by="openai",
    ),
    ModelSpec(
        slug="flux-1.1-pro",
        kind="image",
        providers=(
            Provider("replicate", "Replicate", "black-forest-labs/flux-1.1-pro"),
            Provider("fal", "fal.ai", "flux-pro/v1.1"),
        ),
        sizes=("1024x1024", "1344x768", "768x1344", "1:1", "16:9", "9:16"),
        default_size="1024x1024",
        unit_price=0.04,
        owned_by="black-forest-labs",
    ),
    ModelSpec(
        slug="mock-image",
        kind="image",
        providers=(_MOCK,),
        sizes=None,
        default_size="1024x1024",
    ),
)


class Catalog:
    """The models one emulator serves (the built-in ones plus any a test adds or disables)."""

    def __init__(self, models: tuple[ModelSpec, ...] = MODELS, disabled: frozenset[str] = frozenset()) -> None:
        self._models = {m.slug: m for m in models}
        self._disabled = set(disabled)

    def add(self, spec: ModelSpec) -> None:
        self._models[spec.slug] = spec

    def disable(self, slug: str) -> None:
        self._disabled.add(slug)

    def enable(self, slug: str) -> None:
        self._disabled.discard(slug)

    def is_disabled(self, spec: ModelSpec) -> bool:
        return spec.disabled or spec.slug in self._disabled

    def all(self) -> list[ModelSpec]:
        return list(self._models.values())

    def get(self, slug: str) -> ModelSpec | None:
        return self._models.get(slug)

    def resolve(self, requested: str, kind: Kind) -> tuple[ModelSpec, Provider]:
        """Map the `model` string of a request to a model and the provider that will run it.

        ``provider/slug`` forces a provider, as on Lumenfall. Raises the documented errors.
        """
        provider_slug: str | None = None
        slug = requested
        if "/" in requested:
            provider_slug, slug = requested.split("/", 1)
        spec = self._models.get(slug)
        if spec is None:
            raise ApiError("MODEL_NOT_FOUND", _not_found_message(slug, self._models))
        if self.is_disabled(spec):
            raise ApiError("MODEL_DISABLED", f"Model '{slug}' is disabled for your organisation.")
        if spec.kind != kind:
            raise ApiError(
                "INVALID_REQUEST",
                f"Model '{slug}' generates {spec.kind}s, not {kind}s; use the {spec.kind} endpoint.",
            )
        provider = spec.providers[0]
        if provider_slug is not None:
            matches = [p for p in spec.providers if p.slug == provider_slug]
            if not matches:
                served = ", ".join(p.slug for p in spec.providers)
                raise ApiError(
                    "MODEL_NOT_FOUND",
                    f"Provider '{provider_slug}' does not serve '{slug}' (served by: {served}).",
                )
            provider = matches[0]
        return spec, provider


def _not_found_message(slug: str, models: dict[str, ModelSpec]) -> str:
    close = difflib.get_close_matches(slug, list(models), n=1, cutoff=0.5)
    if close:
        return f"Model '{slug}' not found. Did you mean '{close[0]}'?"
    return f"Model '{slug}' not found. GET /openai/v1/models lists the available models."


@dataclass(frozen=True)
class Estimate:
    """What a request costs: the ``?dryRun=true`` answer, and the cost billed on completion."""

    model: str
    provider: str
    metric: str
    quantity: int
    unit_price: float
    total_cost_micros: int
    currency: str = "USD"

    @property
    def cost(self) -> float:
        return self.total_cost_micros / 1_000_000

    def to_json(self) -> dict[str, Any]:
        return {
            "estimated": True,
            "model": self.model,
            "provider": self.provider,
            "total_cost_micros": self.total_cost_micros,
            "currency": self.currency,
            "components": [
                {
                    "type": "output",
                    "metric": self.metric,
                    "quantity": self.quantity,
                    "billable_quantity": self.quantity,
                    "unit_price": self.unit_price,
                    "total_cost": self.total_cost_micros,
                }
            ],
        }


def estimate(spec: ModelSpec, provider: Provider, *, seconds: int, n: int) -> Estimate:
    """Price one request. Integer micros per unit, so 10 x $0.21 is exactly 2 100 000 micros."""
    quantity = seconds * n if spec.kind == "video" else n
    micros_per_unit = round(spec.unit_price * 1_000_000)
    return Estimate(
        model=spec.slug,
        provider=provider.slug,
        metric=spec.metric,
        quantity=quantity,
        unit_price=spec.unit_price,
        total_cost_micros=micros_per_unit * quantity,
    )


def model_json(spec: ModelSpec) -> dict[str, Any]:
    """One entry of ``GET /openai/v1/models`` in OpenAI's Model shape."""
    return {"id": spec.slug, "object": "model", "created": _CATALOG_EPOCH, "owned_by": spec.owned_by}

"""``client.images.generate/edit`` answers: openai's ImagesResponse plus Lumenfall's ``metadata``.

Lumenfall answers in OpenAI's shape and adds a ``metadata`` object (cost, provider, the models
that ran, and the provider ``attempts`` made). A plain openai client leaves it as an untyped
dict in ``model_extra``; here it is a typed, always-present :class:`ImageMetadata`, so
``response.metadata.cost`` is ``float | None`` to a type checker with no guard needed.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, cast, get_args, get_origin

import openai
from pydantic import Field
from pydantic.fields import FieldInfo
from typing_extensions import Self

from .._compat import construct_field
from ._base import LumenfallModel, construct_from
from .metadata import ResponseMetadata

__all__ = ["ImageAttempt", "ImageMetadata", "ImagesResponse"]


class ImageAttempt(LumenfallModel):
    """One provider Lumenfall tried for the request (failover shows several).

    Lumenfall does not document this object's fields, so all are optional and anything else it
    sends is kept in ``model_extra``.
    """

    provider: str | None = None
    """Provider slug, e.g. ``"replicate"``."""
    provider_name: str | None = None
    executed_model: str | None = None
    """``"{provider}/{provider_model}"``."""
    status: str | None = None
    """e.g. ``"succeeded"`` or ``"failed"``."""
    error: Any = None
    """The provider's error for a failed attempt, as sent."""


class ImageMetadata(ResponseMetadata):
    """How the request ran and what it cost (images are billed at once, so ``cost`` is final),
    plus the providers tried. Every field may be absent."""

    attempts: list[ImageAttempt] = Field(default_factory=list[ImageAttempt])
    """Providers tried, in order. Always a list (empty when the server sent none)."""

    @classmethod
    def construct(cls, _fields_set: set[str] | None = None, **values: object) -> Self:
        meta = super().construct(_fields_set, **values)
        # "Typed loosely but safely": whatever arrives, `attempts` is a list of ImageAttempt.
        fields = vars(meta)
        raw: Any = fields.get("attempts")
        if not isinstance(raw, list):
            raw = [] if raw is None else [raw]
        fields["attempts"] = [
            a if isinstance(a, ImageAttempt) else ImageAttempt.construct(value=a) for a in cast("list[Any]", raw)
        ]
        return meta

    model_construct = construct


class ImagesResponse(openai.types.ImagesResponse, LumenfallModel):
    """openai's ``ImagesResponse`` (``created``, ``data``, ``usage``, ...) with typed ``metadata``.

    An ``isinstance(r, openai.types.ImagesResponse)`` check still holds, so code written for
    openai keeps working.
    """

    size: str | None = None  # type: ignore[assignment, unused-ignore]  # pyright: ignore[reportIncompatibleVariableOverride]
    """The size generated: ``"1024x1024"``, or an aspect ratio such as ``"16:9"`` (Lumenfall's sizes
    are open strings; older openai releases type this field as three literal sizes only)."""
    metadata: ImageMetadata = Field(default_factory=ImageMetadata)
    """Always present (empty when the server sent none), so ``r.metadata.cost`` needs no guard."""

    @classmethod
    def construct(cls, _fields_set: set[str] | None = None, **values: object) -> Self:
        # openai's construct, field by field, for openai's fields (``data`` holds openai ``Image``
        # models, which LumenfallModel's plan does not build); ours for ``metadata``. The defaults
        # of absent fields are looked up once per class: pydantic's ``get_default`` inspects the
        # signature of a default factory on every call, which cost more than the rest of the parse.
        fields_values: dict[str, object] = {}
        fields_set: set[str] = set() if _fields_set is None else _fields_set
        for name, key, field, default, exact in _openai_plan(cls):
            if key in values:
                value = values.pop(key)
                # openai keeps a str in a str field and an int in an int field as they are (its
                # construct returns them unchanged, or validates them to themselves under Optional).
                if type(value) is exact:
                    fields_values[name] = value
                elif name == "data" and (images := _plain_images(value)) is not None:
                    fields_values[name] = images
                else:
                    fields_values[name] = construct_field(value=value, field=field, key=key)
                fields_set.add(name)
            else:
                fields_values[name] = default
        metadata = values.pop("metadata", None)
        fields_values["metadata"] = (
            construct_from(ImageMetadata, metadata)  # pyright: ignore[reportUnknownArgumentType]
            if isinstance(metadata, dict)
            else ImageMetadata.construct()
        )
        if metadata is not None:
            fields_set.add("metadata")
        response = cls.__new__(cls)
        object.__setattr__(response, "__dict__", fields_values)
        object.__setattr__(response, "__pydantic_private__", None)
        object.__setattr__(response, "__pydantic_extra__", values)
        object.__setattr__(response, "__pydantic_fields_set__", fields_set)
        return response

    model_construct = construct


def _str_fields(model: type[openai.BaseModel]) -> frozenset[str] | None:
    """The fields of ``model`` if every one is ``Optional[str] = None`` (openai's ``Image``), else None."""
    fields = model.model_fields
    plain = all(
        get_origin(f.annotation) in (Union, UnionType)
        and set(get_args(f.annotation)) == {str, _NONE}
        and f.default is None
        and not f.metadata
        for f in fields.values()
    )
    return frozenset(fields) if plain and fields else None


_NONE = type(None)
_IMAGE = openai.types.Image
_IMAGE_FIELDS = _str_fields(_IMAGE)
_IMAGE_EMPTY = dict.fromkeys(_IMAGE.model_fields)


def _plain_images(value: object) -> list[openai.types.Image] | None:
    """``data`` as openai builds it (pydantic validates it into ``Image`` models), made directly
    when it is the usual list of objects holding only openai's text fields; None otherwise (then
    openai's own construct builds it). tests/test_image_types.py checks both agree."""
    if _IMAGE_FIELDS is None or type(value) is not list:
        return None
    images: list[openai.types.Image] = []
    for item in cast("list[object]", value):
        if type(item) is not dict or not cast("dict[str, object]", item).keys() <= _IMAGE_FIELDS:
            return None
        fields = cast("dict[str, object]", item)
        if any(v is not None and type(v) is not str for v in fields.values()):
            return None
        image = _IMAGE.__new__(_IMAGE)
        object.__setattr__(image, "__dict__", {**_IMAGE_EMPTY, **fields})
        object.__setattr__(image, "__pydantic_private__", None)
        object.__setattr__(image, "__pydantic_extra__", {})
        object.__setattr__(image, "__pydantic_fields_set__", set(fields))
        images.append(image)
    return images


_Plan = tuple[tuple[str, str, FieldInfo, object, "type | None"], ...]
_PLANS: dict[type[Any], _Plan] = {}


def _exact_type(field: FieldInfo) -> type | None:
    """``str`` or ``int`` when the field is one of them (or Optional of one) with no constraints:
    a value of exactly that type is what openai's construct would give back (None: no shortcut)."""
    annotation: Any = field.annotation
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not _NONE]
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in (str, int) and not field.metadata else None


def _openai_plan(cls: type[ImagesResponse]) -> _Plan:
    """``(name, wire key, field, default, exact type)`` for every field but ``metadata``, as
    openai's construct would resolve them (its defaults are immutable: None or a literal)."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (
                name,
                field.alias or name,
                field,
                None if field.is_required() else field.get_default(call_default_factory=True),
                _exact_type(field),
            )
            for name, field in cls.model_fields.items()
            if name != "metadata"
        )
        _PLANS[cls] = plan
    return plan

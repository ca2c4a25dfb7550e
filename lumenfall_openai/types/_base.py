"""The base of every response type this package owns.

openai parses responses with ``construct()``: no validation, so a wrong type passes through
silently, and every ``Optional[...]`` field is sent through pydantic's validator anyway (that is
openai's rule for unions), which is where most of its parse time goes. Lumenfall's objects are
flat and small, so this base builds them from a per-class plan made once:

- nested models are constructed (not left as dicts, so ``video.output.url`` works),
- numbers meant as floats become floats (Lumenfall sends ``"cost": 1`` as well as ``0.21``), and
  numbers in string fields become strings (``"seconds": 10`` reads as ``"10"``),
- an ``int`` field holds an int or None: text, a bool, inf, NaN or any float (``1.5``, and ``4.0``
  too: money in micros must be a whole number as sent, the budget's rule) reads as None; a ``str``
  field sent null reads as ``""``,
- a model-valued field that is not Optional is always present: its default is used when the
  wire omits it or sends null (``video.metadata`` is never None),
- everything else is kept as sent, and unknown keys stay in ``model_extra`` as in openai.

Under strict response validation (``_strict_response_validation=True``) pydantic validates as
usual; ``_fill_defaults_for_nulls`` applies the same null rule there.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeGuard, TypeVar, Union

import openai
from pydantic import model_validator
from pydantic_core import PydanticUndefined
from typing_extensions import Self

_NONE_TYPE = type(None)


@dataclass(frozen=True)
class _FieldPlan:
    name: str
    key: str  # the wire name (alias)
    kind: str  # "raw" | "float" | "number" | "int" | "str" | "model" | "model_list"
    model: type[LumenfallModel] | None
    nullable: bool
    default_factory: Any  # callable or None
    default: Any
    absent: Any  # what an omitted field reads as, when there is no factory (resolved once)


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not _NONE_TYPE]
        nullable = len(args) != len(typing.get_args(annotation))
        return (args[0] if len(args) == 1 else annotation), nullable
    return annotation, False


def _is_model(annotation: object) -> TypeGuard[type[LumenfallModel]]:
    return isinstance(annotation, type) and issubclass(annotation, LumenfallModel)


def _plan_field(name: str, field: Any, numbers_or_none: frozenset[str] = frozenset()) -> _FieldPlan:
    inner, nullable = _unwrap_optional(field.annotation)
    kind, model = "raw", None
    if inner is float:
        kind = "number" if name in numbers_or_none else "float"
    elif inner is int:
        kind = "int"
    elif inner is str:
        kind = "str"
    elif _is_model(inner):
        kind, model = "model", inner
    elif typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner) or (Any,)
        if _is_model(item):
            kind, model = "model_list", item
    return _FieldPlan(
        name=name,
        key=field.alias or name,
        kind=kind,
        model=model,
        nullable=nullable,
        default_factory=field.default_factory,
        default=field.default,
        # A required field the wire omitted reads as None (openai's own rule), never as pydantic's
        # PydanticUndefined sentinel, which would leak into messages ("via PydanticUndefined").
        absent=None if field.default is ... or field.default is PydanticUndefined else field.default,
    )


class LumenfallModel(openai.BaseModel):
    _plans: ClassVar[dict[type[Any], tuple[_FieldPlan, ...]]] = {}
    _numbers_or_none: ClassVar[frozenset[str]] = frozenset()
    """Float fields that read as None unless a finite number (not money the ledger must see as
    garbage: a figure shown to people, like a balance)."""

    @classmethod
    def _plan(cls) -> tuple[_FieldPlan, ...]:
        plan = LumenfallModel._plans.get(cls)
        if plan is None:
            plan = tuple(_plan_field(name, f, cls._numbers_or_none) for name, f in cls.model_fields.items())
            LumenfallModel._plans[cls] = plan
        return plan

    @classmethod
    def construct(cls, _fields_set: set[str] | None = None, **values: object) -> Self:
        fields_values: dict[str, object] = {}
        fields_set: set[str] = set() if _fields_set is None else _fields_set
        for p in cls._plan():
            if p.key in values:
                value = values.pop(p.key)
            elif p.name in values:
                value = values.pop(p.name)
            else:
                fields_values[p.name] = p.absent if p.default_factory is None else p.default_factory()
                continue
            fields_set.add(p.name)
            # The common case first, as sent: text in a str field, a float in a float field.
            fields_values[p.name] = value if type(value) is _EXACT.get(p.kind) else _convert(p, value)
        m = cls.__new__(cls)
        object.__setattr__(m, "__dict__", fields_values)
        object.__setattr__(m, "__pydantic_private__", None)
        object.__setattr__(m, "__pydantic_extra__", dict(values))
        object.__setattr__(m, "__pydantic_fields_set__", fields_set)
        return m

    model_construct = construct

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults_for_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for p in cls._plan():
                if p.kind == "model" and not p.nullable and data.get(p.key, ...) is None:  # pyright: ignore[reportUnknownMemberType]
                    data = {**data, p.key: _default(p)}  # pyright: ignore[reportUnknownVariableType]
        return data  # pyright: ignore[reportUnknownVariableType]


def _default(p: _FieldPlan) -> object:
    return p.absent if p.default_factory is None else p.default_factory()


# Field kinds whose value of exactly this type is kept as sent (what _convert would return).
_EXACT: dict[str, type] = {"str": str, "float": float, "int": int}


def _convert(p: _FieldPlan, value: object) -> object:
    if value is None:
        if p.kind == "str" and not p.nullable:
            return ""  # a str field holds a str: null has no text, like a list or NaN below
        return _default(p) if p.kind == "model" and not p.nullable else None
    if p.kind == "int":
        # An int field is a count, a size, a time or micros: anything else (text, true, inf, NaN,
        # a float) is unreadable and reads as None, so arithmetic on it never sees a wrong type.
        if type(value) is int:
            return value
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if p.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        number = float(value) if abs(value) < 2**1023 else math.inf
        return number if math.isfinite(number) else None
    if p.kind == "str":
        # Lumenfall documents seconds as "10"; a server that sends 10 must not break str code. Any
        # other value (a list, an object, true, NaN) has no text: it reads as "", so a status of
        # ["completed"] is an unknown status ("not finished yet") rather than a list that crashes
        # `status in {...}`, and a currency of NaN is unreadable rather than "NAN".
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value) if abs(value) < 10**30 else ""  # str() of a huge int can raise
        if isinstance(value, float) and math.isfinite(value):
            return str(value)
        return ""
    if p.kind == "float":
        # Anything that is not a number ("abc", [1], true) is kept as sent, as openai's loose
        # parsing does: the money code must see garbage as garbage (spent), not as "no cost".
        if isinstance(value, int) and not isinstance(value, bool):
            # An integer too large for a float (a hostile cost) stays an int rather than
            # raising OverflowError out of the parse; money code refuses it as garbage.
            return float(value) if abs(value) < 2**1023 else value
        return value
    if p.kind == "model" and p.model is not None:
        if isinstance(value, dict):
            return construct_from(p.model, value)  # pyright: ignore[reportUnknownArgumentType]
        # A string or list where an object belongs (`"output": "http://..."`) is not that object:
        # read it as absent, so `video.metadata.cost` stays typed and a download refuses, not crashes.
        return _default(p) if not p.nullable else None
    if p.kind == "model_list" and p.model is not None and isinstance(value, list):
        model = p.model
        return [construct_from(model, v) if isinstance(v, dict) else v for v in value]  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
    return value


_M = TypeVar("_M", bound="LumenfallModel")
_PARAMETER_NAMES = frozenset({"cls", "_fields_set"})


def construct_from(model: type[_M], values: Mapping[str, object]) -> _M:
    """``model.construct(**values)`` for a server's object, whatever its keys: a key named like
    one of construct's own parameters (``cls``, ``_fields_set``) would collide with it and make a
    paid answer unreadable, so such keys go to the extras, as any unknown key does."""
    if _PARAMETER_NAMES.isdisjoint(values):
        return model.construct(None, **values)
    clashing = {k: v for k, v in values.items() if k in _PARAMETER_NAMES}
    built = model.construct(None, **{k: v for k, v in values.items() if k not in _PARAMETER_NAMES})
    extra: dict[str, object] | None = built.__pydantic_extra__
    if extra is not None:
        extra.update(clashing)
    return built

"""What both twins of ``client.images`` share (no I/O): argument checks, retyping, hold settling."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from typing_extensions import ParamSpec

from .._cost_tracking import dry_run_options, rereadable
from .._video_requests import check_http_timeout, check_json_value
from ..errors import UnsupportedOperationError

__all__ = [
    "async_returning",
    "check_numbers",
    "dry_run_kwargs",
    "refuse_streaming",
    "rereadable_uploads",
    "returning",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# Arguments of openai's image methods that may hold an upload (edit's image, mask, markup).
_FILE_ARGUMENTS = ("image", "mask", "markup")


def returning(source: Callable[_P, object], result: type[_R]) -> Callable[[Callable[..., Any]], Callable[_P, _R]]:
    """Give the decorated method ``source``'s parameters and ``result`` as its return type."""

    def retype(method: Callable[..., Any]) -> Callable[_P, _R]:
        return method

    return retype


def async_returning(
    source: Callable[_P, object], result: type[_R]
) -> Callable[[Callable[..., Any]], Callable[_P, Coroutine[Any, Any, _R]]]:
    def retype(method: Callable[..., Any]) -> Callable[_P, Coroutine[Any, Any, _R]]:
        return method

    return retype


def refuse_streaming(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs.get("stream"):
        raise UnsupportedOperationError(
            f"images.{name}(stream=True) is not available on Lumenfall: image requests are answered at "
            "once, in one response (with their cost in `metadata`). Drop `stream=True` (and "
            "`partial_images`)."
        )


def check_numbers(kwargs: dict[str, Any]) -> None:
    """Refuse a NaN/inf anywhere in the body (``extra_body`` included) or in ``timeout`` before
    anything is sent, by the rules ``videos.create`` uses (openai would send the token ``NaN``)."""
    for name, value in kwargs.items():
        if name == "timeout":
            check_http_timeout(value)
        elif name not in (*_FILE_ARGUMENTS, "extra_headers"):
            check_json_value(name, value)


def dry_run_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    # openai's edit sets its own multipart Content-Type, so no multipart flag here.
    headers, query = dry_run_options(kwargs.get("extra_headers"), kwargs.get("extra_query"), multipart=False)
    return {**kwargs, "extra_headers": headers, "extra_query": query}


def rereadable_uploads(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Open files read into bytes, so the budget's dry run and the real call send the same upload."""
    return {k: (rereadable(v) if k in _FILE_ARGUMENTS else v) for k, v in kwargs.items()}

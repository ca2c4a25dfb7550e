"""What a ``videos.create`` call sends: checked and shaped here, before any money is spent.

Pure functions shared by the sync and async resources (and by ``estimate``, which must send
exactly what ``create`` would). A bad argument fails here with a message that says what to do,
instead of becoming a paid request or a 400 after an upload.
"""

from __future__ import annotations

import io
import math
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, cast

from typing_extensions import NotRequired

from ._compat import FileTypes, is_given
from ._numbers import finite_number  # not from _polling: creating a video must not load the wait
from .errors import UnsupportedOperationError

__all__ = [
    "ImageURLReference",
    "InputReference",
    "VideoCreateRequest",
    "build_create_request",
    "check_http_timeout",
    "check_json_value",
]

MAX_IDEMPOTENCY_KEY = 256


class ImageURLReference(TypedDict):
    """A reference image by URL: an https URL or a ``data:`` URI."""

    image_url: str
    detail: NotRequired[str]


InputReference = FileTypes | ImageURLReference | str | Sequence[FileTypes | ImageURLReference | str]
"""A file (bytes, a binary file object, a path, or an openai ``(name, content, type)`` tuple), an
``{"image_url": ...}`` dict, a URL string, or a list of these."""


@dataclass
class VideoCreateRequest:
    """A create call, ready to send: JSON ``body``, or multipart ``body`` + ``files``."""

    body: dict[str, Any]
    files: list[tuple[str, Any]] = field(default_factory=list[tuple[str, Any]])
    idempotency_key: str = ""

    @property
    def is_multipart(self) -> bool:
        return bool(self.files)


def _is_file(value: object) -> bool:
    return isinstance(value, (bytes, bytearray, io.IOBase, os.PathLike, tuple))


def _reference_items(value: object) -> list[object]:
    if isinstance(value, (str, bytes, bytearray, Mapping, tuple, io.IOBase, os.PathLike)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)  # pyright: ignore[reportUnknownArgumentType]
    return [value]


def _check_reference(item: object) -> object:
    if isinstance(item, str):
        if not item:
            raise ValueError("input_reference: an empty string is not a URL; pass an https URL or a file.")
        return {"image_url": item}
    if isinstance(item, Mapping):
        if "image_url" in item:
            url = item["image_url"]  # pyright: ignore[reportUnknownVariableType]
            if not isinstance(url, str) or not url:
                raise ValueError('input_reference: {"image_url": ...} needs a non-empty https URL or data: URI.')
            return dict(item)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
        if "file_id" in item or "id" in item:
            raise UnsupportedOperationError(
                "input_reference by OpenAI file id is not supported by Lumenfall (it has no Files API). "
                'Pass the image itself (bytes, a path, an open file) or {"image_url": "https://..."}.'
            )
        raise ValueError(
            f"input_reference: unknown reference {dict(item)!r}; "  # pyright: ignore[reportUnknownArgumentType]
            'use {"image_url": "https://..."} or a file.'
        )
    if _is_file(item):
        return item
    raise TypeError(
        f"input_reference: cannot send a {type(item).__name__}; pass bytes, a path, an open binary file, "
        'a URL string, or {"image_url": "https://..."} (or a list of these).'
    )


def normalize_seconds(seconds: object) -> str:
    """Lumenfall takes seconds as a string or number; OpenAI's types only allow '4'|'8'|'12'.

    Finite and positive, else a ValueError (never OverflowError: ``"1e400"`` and ``10**400`` are
    refused like ``"inf"``).
    """
    usage = "pass a positive number of seconds like 10 or '10'"
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, str)):
        raise TypeError(f"seconds must be a number of seconds like 10 or '10', not {seconds!r}.")
    text = str(seconds).strip() if not isinstance(seconds, str) else seconds.strip()
    try:
        value = float(text)  # a string never overflows: too large reads as inf
    except ValueError:
        raise ValueError(f"seconds must be a number, got {seconds!r}; {usage}.") from None
    if not math.isfinite(value):
        raise ValueError(f"seconds must be a finite number, got {seconds!r}; {usage}.")
    if value <= 0:
        raise ValueError(f"seconds must be positive, got {seconds!r}; {usage}.")
    return str(int(value)) if value == int(value) else text


def _check_text(where: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{where} is not valid Unicode text (a lone surrogate {text[error.start]!r} at position {error.start}); "
            "pass text decoded correctly (e.g. bytes.decode('utf-8'))."
        ) from None


def check_json_value(name: str, value: object) -> None:
    """Refuse what JSON cannot carry anywhere inside ``value`` (a body part), naming where.

    A NaN or infinite float: openai would send the invalid token ``NaN`` (or ``Infinity``) and
    the server would answer with an error only after the request went out. A string (or key)
    with a lone surrogate: it cannot be encoded, and would fail deep in the HTTP library.
    """
    if isinstance(value, str):  # the common body parts (a prompt, a model), without the walk below
        _check_text(name, value)
        return
    if value is None or type(value) is int or type(value) is bool:
        return
    stack: list[tuple[str, object]] = [(name, value)]
    seen: set[int] = set()
    while stack:
        where, item = stack.pop()
        identity = id(item)
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{where} is {item!r}, which JSON cannot carry; pass a finite number (or leave it out).")
        if isinstance(item, str):
            _check_text(where, item)
            continue
        children: list[tuple[str, object]]
        if isinstance(item, Mapping):
            mapping = cast("Mapping[object, object]", item)
            children = [(f"{where}[{key!r}]", child) for key, child in mapping.items()]
            children += [(f"a key of {where}", key) for key in mapping if isinstance(key, str)]
        elif isinstance(item, (list, tuple)):
            sequence = cast("Sequence[object]", item)
            children = [(f"{where}[{i}]", child) for i, child in enumerate(sequence)]
        else:
            continue
        if identity not in seen:  # a structure that contains itself is checked once
            seen.add(identity)
            stack.extend(children)


def check_http_timeout(timeout: object) -> None:
    """The per-request ``timeout``: None, NotGiven, a number >= 0, or an httpx Timeout; never NaN or inf."""
    if timeout is None or not is_given(timeout):
        return
    parts: list[tuple[str, object]]
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        parts = [("timeout", timeout)]
    else:
        names = ("connect", "read", "write", "pool")
        if not all(hasattr(timeout, n) for n in names):
            raise TypeError(f"timeout must be a number of seconds, None or an httpx Timeout, got {timeout!r}.")
        parts = [(f"timeout.{n}", getattr(timeout, n)) for n in names]
    for where, part in parts:
        if part is None:
            continue
        number = finite_number(part)
        if number is None or number < 0:
            raise ValueError(f"{where} must be a finite number of seconds >= 0 (or None for no limit), got {part!r}.")


def build_create_request(
    *,
    prompt: object,
    model: object,
    seconds: object,
    size: object,
    input_reference: object,
    aspect_ratio: object,
    resolution: object,
    n: object,
    negative_prompt: object,
    webhook_url: object,
    idempotency_key: object,
    user: object,
) -> VideoCreateRequest:
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("prompt is required: describe the video to generate (a non-empty string).")
    if not isinstance(model, str) or not model.strip():
        raise ValueError("model must be a model slug such as 'sora-2', 'kling-v3' or 'mock-video' (free).")
    if is_given(n) and (isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 4):
        raise ValueError(f"n must be a whole number from 1 to 4, got {n!r}.")
    for name, value in (
        ("size", size),
        ("aspect_ratio", aspect_ratio),
        ("resolution", resolution),
        ("negative_prompt", negative_prompt),
        ("webhook_url", webhook_url),
        ("user", user),
    ):
        if is_given(value) and value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}.")

    # The key makes a retried create (openai retries lost responses, timeouts and 5xx, POST
    # included) return the job it already started instead of paying for a second one.
    if not is_given(idempotency_key) or idempotency_key is None:
        key = f"lfo-{uuid.uuid4().hex}"
    elif isinstance(idempotency_key, str) and 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        key = idempotency_key
    else:
        raise ValueError(
            f"idempotency_key must be a non-empty string of at most {MAX_IDEMPOTENCY_KEY} characters "
            "(reuse the same key to safely retry the same job)."
        )

    body: dict[str, Any] = {"prompt": prompt, "model": model}
    if is_given(seconds) and seconds is not None:
        body["seconds"] = normalize_seconds(seconds)
    for name, value in (
        ("size", size),
        ("aspect_ratio", aspect_ratio),
        ("resolution", resolution),
        ("n", n),
        ("negative_prompt", negative_prompt),
        ("webhook_url", webhook_url),
        ("user", user),
    ):
        if is_given(value) and value is not None:
            body[name] = value
    body["idempotency_key"] = key

    files: list[tuple[str, Any]] = []
    if is_given(input_reference) and input_reference is not None:
        refs = [_check_reference(item) for item in _reference_items(input_reference)]
        if not refs:
            raise ValueError("input_reference: the list is empty; leave it out instead.")
        if any(_is_file(r) for r in refs):
            # Uploading: multipart. URL references travel as plain form values beside the files.
            name = "input_reference[]" if len(refs) > 1 else "input_reference"
            urls: list[str] = []
            for r in refs:
                if isinstance(r, Mapping):
                    urls.append(str(r["image_url"]))  # pyright: ignore[reportUnknownArgumentType]
                else:
                    files.append((name, r))
            if urls:
                # openai encodes a list form value as repeated `input_reference[]` fields.
                body["input_reference"] = urls
            body = {k: (str(v) if isinstance(v, int) else v) for k, v in body.items()}
        else:
            body["input_reference"] = refs[0] if len(refs) == 1 and not isinstance(input_reference, list) else refs
    for name, value in body.items():
        check_json_value(name, value)
    return VideoCreateRequest(body=body, files=files, idempotency_key=key)


UNSUPPORTED: dict[str, str] = {
    "list": (
        "Lumenfall has no endpoint to list videos. Keep the ids that create() returns, or use "
        "client.requests.list() for your request history."
    ),
    "remix": "Lumenfall has no remix. Create a new video with a new prompt via client.videos.create().",
    "edit": (
        "Lumenfall has no video edits. Create a new video, passing a frame as "
        'input_reference={"image_url": ...} if the model takes one.'
    ),
    "extend": "Lumenfall cannot extend videos. Create a longer one with client.videos.create(seconds=...).",
    "create_character": "Lumenfall has no characters API; describe the character in the prompt.",
    "get_character": "Lumenfall has no characters API; describe the character in the prompt.",
}


def unsupported(name: str) -> UnsupportedOperationError:
    return UnsupportedOperationError(f"client.videos.{name}() is not available on Lumenfall. {UNSUPPORTED[name]}")

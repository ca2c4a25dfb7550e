"""What every route group of the emulator's app shares: the state object, request decoding, JSON answers.

The route modules (``_routes_*.py``) hold module-level handlers; each reads the emulator it
serves from :func:`state_of` (the :class:`AppState` that ``build_app`` puts on the Starlette app),
so no handler is a closure and no setting is threaded through call sites.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

from anyio import to_thread
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._core import EmulatorCore, authenticate
from ._errors import ApiError, invalid
from ._faults import Faults
from ._records import RecordedRequest, Recorder, bearer_token, shrink
from ._validation import UploadedFile

# Form limits: a field count a real create never needs, so 5,000 fields are a clear 400.
MAX_FORM_FIELDS = 200
MAX_FORM_FILES = 50
MAX_FORM_FIELD_BYTES = 1024 * 1024
# Nesting a real body never needs; deeper JSON is refused before it can exhaust the stack.
MAX_JSON_DEPTH = 64

_PARSE_INLINE_BYTES = 256 * 1024


@dataclass
class AppState:
    """The one emulator an app serves: its rules (core), its request log, its faults."""

    core: EmulatorCore
    recorder: Recorder
    faults: Faults
    media_auth_attempts: list[RecordedRequest] = field(default_factory=lambda: [])
    """Media requests that carried an Authorization header, kept for inspection."""

    def authorize(self, request: Request) -> str:
        key_id = authenticate(bearer_token(request.headers.get("authorization")), self.core.config.api_keys)
        record_of(request).key_id = key_id
        return key_id


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.lumenfall
    return state


def parse_json(raw: bytes) -> Any:
    """A JSON body, or a 400 that says why not (never a RecursionError or UnicodeDecodeError)."""
    if json_depth_exceeds(raw, MAX_JSON_DEPTH):
        raise invalid(f"The request body nests JSON deeper than {MAX_JSON_DEPTH} levels; send a flat object.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise invalid("The request body is not valid JSON (UTF-8 encoded).") from None


class Json(JSONResponse):
    # Compact and stable: what a client parses, not what a person reads. ASCII escapes so a
    # string the caller sent with a lone surrogate ("\ud800") is echoed back, not a 500.
    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit`` (strings skipped), without parsing.

    Checked before ``json.loads`` so a body like ``[[[[...]]]]`` is a 400, never a RecursionError.
    Each pass deletes the innermost ``[]``/``{}`` pairs (C-speed ``bytes`` work, ~0.2 s for 32 MB);
    what is left after ``limit`` passes nests deeper. Malformed input is left to ``json.loads``.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        shorter = _INNERMOST.sub(b"", brackets)  # one scan: pairs it uncovers wait for the next pass
        if len(shorter) == len(brackets):
            return False  # nothing left, or malformed (json.loads says so)
        brackets = shorter
    return bool(brackets)


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    return Json(error.body(), status_code=error.status, headers=headers)


def record_of(request: Request) -> RecordedRequest:
    record: RecordedRequest = request.state.lumenfall_record
    return record


def request_id_of(request: Request) -> str:
    request_id: str = request.state.lumenfall_request_id
    return request_id


def base_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def tag(request: Request, provider: str, model: str) -> None:
    """The provider and model the answer's ``x-lumenfall-*`` headers name."""
    request.state.lumenfall_provider = provider
    request.state.lumenfall_model = model


def dry_run(request: Request) -> bool:
    return request.query_params.get("dryRun", "").lower() in ("true", "1")


async def decode_body(request: Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    """JSON or form body -> (fields, files). Records what was received."""
    record = record_of(request)
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form(
                max_fields=MAX_FORM_FIELDS, max_files=MAX_FORM_FILES, max_part_size=MAX_FORM_FIELD_BYTES
            )
        except (HTTPException, MultiPartException) as exc:
            detail = exc.detail if isinstance(exc, HTTPException) else exc.message
            raise invalid(
                f"The form body could not be read: {detail} (at most {MAX_FORM_FIELDS} fields, "
                f"{MAX_FORM_FILES} files, {MAX_FORM_FIELD_BYTES} bytes per field)."
            ) from None
        fields: dict[str, Any] = {}
        files: list[UploadedFile] = []
        recorded: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                size = value.size if value.size is not None else len(await value.read())
                item = UploadedFile(key, value.filename, value.content_type, size)
                files.append(item)
                _append(recorded, key, item)
            else:
                _append(fields, key, value)
                _append(recorded, key, value)
        record.form = shrink(recorded)
        record.files = files
        return fields, files
    raw = await request.body()
    if not raw.strip():
        record.json = None
        return {}, []
    # A big body is parsed off the event loop, so other requests are served meanwhile.
    parsed: Any = parse_json(raw) if len(raw) < _PARSE_INLINE_BYTES else await to_thread.run_sync(parse_json, raw)
    record.json = shrink(parsed)
    if not isinstance(parsed, dict):
        raise invalid("The request body must be a JSON object.")
    return cast("dict[str, Any]", parsed), []


def _append(target: dict[str, Any], key: str, value: Any) -> None:
    # Repeated form keys (input_reference[] ...) become lists; single ones stay scalars.
    if key in target:
        existing = target[key]
        if isinstance(existing, list):
            existing.append(value)  # pyright: ignore[reportUnknownMemberType]
        else:
            target[key] = [existing, value]
    else:
        target[key] = value


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None

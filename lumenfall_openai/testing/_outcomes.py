"""How a test picks a job's outcome without changing client code.

Three ways, merged field by field (later wins): the model slug (``mock-video-fail``...), a
scripted outcome queued with ``emulator.script(...)``, and markers in the prompt such as
``[lumenfall:fail=CONTENT_POLICY_VIOLATION]``. Prompt markers win because they are the most local
choice. Parsing is pure; an unknown marker is a 400 so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from ._errors import ERROR_CODES, ApiError, invalid

MARKER_RE = re.compile(r"\[lumenfall:([a-z_]+)=([^\]]*)\]")

# marker key -> what it sets; documented in LumenfallEmulator's docstring.
MARKERS: dict[str, str] = {
    "fail": "the job runs, then ends `failed` with this error.code (images: an error at once)",
    "reject": "the create call itself fails with this code (`CODE` or `CODE:STATUS`)",
    "message": "the error message used with fail/reject",
    "duration": "seconds the job spends in_progress (scaled by time_scale)",
    "queue": "seconds the job spends queued (scaled by time_scale)",
    "size_bytes": "output.size_bytes of the served MP4 (padded with an MP4 free box)",
    "cost": "final cost in USD, to make the effective cost differ from the estimate",
    "ttl": "seconds the media URL lives after completion (expires_at)",
}


@dataclass(frozen=True)
class JobScript:
    """One job's scripted behaviour. ``None`` leaves the emulator default in place."""

    fail: str | None = None
    reject: str | None = None
    reject_status: int | None = None
    message: str | None = None
    queue_seconds: float | None = None
    run_seconds: float | None = None
    size_bytes: int | None = None
    cost: float | None = None
    ttl_seconds: float | None = None
    video_id: str | None = None  # only from script(): replays examples that hard-code an id

    def merged(self, override: JobScript) -> JobScript:
        changes = {
            f.name: getattr(override, f.name)
            for f in dataclasses.fields(override)
            if getattr(override, f.name) is not None
        }
        return dataclasses.replace(self, **changes)


# Upper bounds for marker values. A marker is refused at submit (400) rather than clamped, so a
# test sees its typo at once, and no stored job can hold a value (nan, inf, 1e308) that would
# break a later GET of that video or of /v1/requests for everyone.
MAX_MARKER_SECONDS = 366 * 24 * 3600.0  # duration, queue, ttl: at most a year
MAX_MARKER_COST = 1_000_000.0  # USD
MAX_MARKER_SIZE_BYTES = 1 << 40  # 1 TiB: streamed, never held in memory
_WHOLE = re.compile(r"[0-9]{1,15}")  # ASCII digits only: str.isdigit() accepts "²", int() does not


def _number(key: str, value: str, maximum: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise invalid(f"[lumenfall:{key}=...] needs a number, got {value[:40]!r}.") from None
    if not math.isfinite(number) or not 0 <= number <= maximum:
        raise invalid(f"[lumenfall:{key}=...] must be a finite number from 0 to {maximum:g}, got {value[:40]!r}.")
    return number


def _code(key: str, value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
        raise invalid(f"[lumenfall:{key}=...] needs an UPPER_SNAKE error code, got {value[:40]!r}.")
    return code


def parse_markers(prompt: str) -> JobScript:
    """Read every ``[lumenfall:key=value]`` marker of a prompt into a :class:`JobScript`."""
    script = JobScript()
    for key, raw in MARKER_RE.findall(prompt):
        value = raw.strip()
        if key == "fail":
            script = dataclasses.replace(script, fail=_code(key, value))
        elif key == "reject":
            code, _, status = value.partition(":")
            reject_status: int | None = None
            if status:
                if not _WHOLE.fullmatch(status) or not 400 <= int(status) <= 599:
                    raise invalid(f"[lumenfall:reject=CODE:STATUS] needs a 4xx/5xx status, got {status[:40]!r}.")
                reject_status = int(status)
            script = dataclasses.replace(script, reject=_code(key, code), reject_status=reject_status)
        elif key == "message":
            script = dataclasses.replace(script, message=value)
        elif key == "duration":
            script = dataclasses.replace(script, run_seconds=_number(key, value, MAX_MARKER_SECONDS))
        elif key == "queue":
            script = dataclasses.replace(script, queue_seconds=_number(key, value, MAX_MARKER_SECONDS))
        elif key == "size_bytes":
            if not _WHOLE.fullmatch(value) or int(value) > MAX_MARKER_SIZE_BYTES:
                raise invalid(
                    f"[lumenfall:size_bytes=N] needs a whole number of bytes up to {MAX_MARKER_SIZE_BYTES}, "
                    f"got {value[:40]!r}."
                )
            script = dataclasses.replace(script, size_bytes=int(value))
        elif key == "cost":
            script = dataclasses.replace(script, cost=_number(key, value, MAX_MARKER_COST))
        elif key == "ttl":
            script = dataclasses.replace(script, ttl_seconds=_number(key, value, MAX_MARKER_SECONDS))
        else:
            known = ", ".join(sorted(MARKERS))
            raise invalid(f"Unknown emulator marker [lumenfall:{key}=...]; known keys: {known}.")
    return script


def reject_error(script: JobScript) -> ApiError | None:
    """The submit-time error a script asks for, if any."""
    if script.reject is None:
        return None
    status = script.reject_status
    if status is None and script.reject not in ERROR_CODES:
        status = 400
    return ApiError(script.reject, script.message, status=status)

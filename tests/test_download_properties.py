"""Properties of the pure download plan (``lumenfall_openai._download``) under any host.

A simulated media host answers each request with a random response: any status, honest or
lying ``Content-Range``/``Content-Length``, any body length, a clean end or a dropped
connection, redirects to anything, and a file that changes version between requests (with an
``ETag``/``Last-Modified`` that, when sent, names the version it serves: a host that lies about
its validators cannot be caught by anyone). The driver feeds :class:`Transfer` exactly as the I/O
loops do and keeps a model of the temporary file, byte by byte, labelled with the version each
byte came from. Whatever the host does:

- the download ends within a bound fixed by ``max_retries`` (requests, attempts, redirects),
- it is declared complete only with exactly ``size_bytes`` bytes, each at its own offset and all
  from one version of the file (never spliced),
- a retry after an attempt that brought nothing new always waits (a real back-off),
- every failure carries the video id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lumenfall_openai._download_plan import (
    MAX_NAME_CHARS,
    MAX_REDIRECTS,
    QUICK_RESUMES,
    Accept,
    Complete,
    Fail,
    Redirect,
    Refresh,
    Retry,
    Transfer,
    media_target,
    media_url_problem,
    retry_delay,
    safe_file_name,
    temp_prefix,
)
from lumenfall_openai.errors import DownloadError
from lumenfall_openai.types import Video

SIZE = 40
VIDEO_ID = "video_prop"


def video(url: str = "https://media.example/v.mp4") -> Video:
    return Video.construct(
        id=VIDEO_ID, created_at=0, status="completed", model="m", seconds="4", size="16:9", expires_at=None,
        output={"url": url, "content_type": "video/mp4", "size_bytes": SIZE},
    )  # fmt: skip


@dataclass(frozen=True)
class Answer:
    status: int
    version: int
    etag: str  # "none" | "strong" | "weak"
    last_modified: bool
    first: int | None  # a 206's first byte (None: where we asked)
    last: int | None  # a 206's last byte (None: the end of the file)
    total: str  # "right" | "wrong" | "star"
    length: str  # "right" | "wrong" | "none"
    body: int | None  # bytes sent (None: what the headers announced)
    dropped: bool
    content_type: str
    location: str
    retry_after: str | None


LOCATIONS = [
    "https://cdn.example/v.mp4", "/other.mp4", "//cdn2.example/v", "javascript:alert(1)", "file:///etc/passwd",
    "https://user:pw@cdn.example/v", "ftp://cdn.example/v", "data:video/mp4;base64,AAAA", "",
]  # fmt: skip

answers = st.builds(
    Answer,
    status=st.sampled_from([200, 200, 200, 206, 206, 206, 301, 302, 307, 403, 404, 410, 416, 429, 500, 503, 418, 304]),
    version=st.integers(0, 2),
    etag=st.sampled_from(["none", "strong", "strong", "weak"]),
    last_modified=st.booleans(),
    first=st.one_of(st.none(), st.none(), st.integers(0, SIZE + 2)),
    last=st.one_of(st.none(), st.none(), st.integers(0, SIZE + 2)),
    total=st.sampled_from(["right", "right", "wrong", "star"]),
    length=st.sampled_from(["right", "right", "none", "wrong"]),
    body=st.one_of(st.none(), st.integers(0, SIZE + 5)),
    dropped=st.booleans(),
    content_type=st.sampled_from(["video/mp4", "video/mp4", "", "text/html"]),
    location=st.sampled_from(LOCATIONS),
    retry_after=st.sampled_from([None, None, "1", "-5", "nan", "inf", "soon", "100000"]),
)


def respond(answer: Answer, request: dict[str, str]) -> tuple[dict[str, str], int, int]:
    """Headers, the first byte the body holds, and how many bytes it sends."""
    headers: dict[str, str] = {}
    if answer.content_type:
        headers["content-type"] = answer.content_type
    if answer.etag != "none":
        headers["etag"] = f'{"W/" if answer.etag == "weak" else ""}"v{answer.version}"'
    if answer.last_modified:
        headers["last-modified"] = f"Mon, 0{answer.version + 1} Jan 2024 00:00:00 GMT"
    if answer.retry_after is not None:
        headers["retry-after"] = answer.retry_after
    if answer.status in (301, 302, 307) and answer.location:
        headers["location"] = answer.location
    first, end = 0, SIZE
    if answer.status == 206:
        asked = int(request["Range"][6:-1]) if "Range" in request else 0
        first = asked if answer.first is None else answer.first
        last = SIZE - 1 if answer.last is None else answer.last
        total = {"right": str(SIZE), "wrong": str(SIZE + 1), "star": "*"}[answer.total]
        headers["content-range"] = f"bytes {first}-{last}/{total}"
        end = last + 1
    if answer.length != "none":
        headers["content-length"] = str(max(0, end - first) + (1 if answer.length == "wrong" else 0))
    sent = max(0, end - first) if answer.body is None else answer.body
    return headers, first, sent


@dataclass
class Outcome:
    result: str
    requests: int
    file: list[tuple[int, int]]  # (version, offset) of each byte, in file order
    error: DownloadError | None = None


def drive(transfer: Transfer, script: list[Answer]) -> tuple[Outcome, list[Retry]]:
    """Run ``transfer`` against the scripted host as the I/O loops do; the script repeats."""
    limit = (transfer.max_attempts + transfer.refreshes_left + 1) * (MAX_REDIRECTS + 1)
    file: list[tuple[int, int]] = []
    retries: list[Retry] = []
    request: dict[str, str] | None = None
    for n in range(limit + 1):
        if request is None:
            request = transfer.next_request_headers()
        answer = script[n % len(script)]
        headers, first, sent = respond(answer, request)
        action: Any = transfer.on_response(answer.status, headers)
        if isinstance(action, Redirect):
            assert media_url_problem(action.url) is None and action.url == transfer.url
            continue
        request = None
        if isinstance(action, Accept):
            if action.restart:
                file = []
            del file[action.offset :]
            assert len(file) == action.offset == transfer.bytes_done
            try:
                for i in range(sent):
                    transfer.on_chunk(1)
                    file.append((answer.version, first + i))
            except DownloadError as error:
                return Outcome("fail", n + 1, file, error), retries
            action = transfer.on_transport_error(OSError("reset")) if answer.dropped else transfer.on_body_end()
        if isinstance(action, Refresh):
            refused = transfer.refreshed(video(), now_epoch=0)
            if refused is not None:
                return Outcome("fail", n + 1, file, refused.error), retries
        elif isinstance(action, Retry):
            retries.append(action)
        elif isinstance(action, Fail):
            return Outcome("fail", n + 1, file, action.error), retries
        elif isinstance(action, Complete):
            transfer.verify_file(len(file))
            return Outcome("complete", n + 1, file), retries
    raise AssertionError(f"the download did not end within {limit} requests")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=st.lists(answers, min_size=1, max_size=12), max_retries=st.integers(0, 4))
def test_any_host_ends_and_only_a_whole_single_version_file_completes(script: list[Answer], max_retries: int) -> None:
    transfer = Transfer(media_target(video()), path="/x/v.mp4", max_retries=max_retries)
    outcome, retries = drive(transfer, script)
    assert outcome.requests <= (transfer.max_attempts + 2) * (MAX_REDIRECTS + 1)
    assert transfer.attempts <= transfer.max_attempts + 1  # + the one after a refresh
    if outcome.result == "complete":
        assert len(outcome.file) == SIZE
        assert [offset for _, offset in outcome.file] == list(range(SIZE))  # each byte in its place
        assert len({version for version, _ in outcome.file}) == 1  # never spliced
    else:
        assert outcome.error is not None and outcome.error.video_id == VIDEO_ID
        advice = ("try again", "report", "generate it again")  # every error says what to do
        assert any(words in str(outcome.error).lower() for words in advice), outcome.error
    assert sum(1 for retry in retries if retry.delay == 0) <= QUICK_RESUMES
    assert all(0 <= retry.delay <= 30 for retry in retries)


changing_file = st.builds(
    Answer,
    status=st.sampled_from([200, 206, 206]),
    version=st.integers(0, 2),
    etag=st.sampled_from(["none", "strong", "strong", "weak"]),
    last_modified=st.booleans(),
    first=st.none(),
    last=st.none(),
    total=st.sampled_from(["right", "star"]),
    length=st.sampled_from(["right", "none"]),
    body=st.one_of(st.none(), st.integers(0, SIZE)),
    dropped=st.booleans(),
    content_type=st.just("video/mp4"),
    location=st.just(""),
    retry_after=st.none(),
)
"""Honest ranges and lengths, but a file that changes version from one answer to the next, and
a host that may ignore If-Range: the splice hunter."""


@settings(max_examples=500, deadline=None)
@given(script=st.lists(changing_file, min_size=1, max_size=8), max_retries=st.integers(1, 4))
def test_a_file_that_changes_between_requests_is_never_spliced(script: list[Answer], max_retries: int) -> None:
    transfer = Transfer(media_target(video()), max_retries=max_retries)
    outcome, _ = drive(transfer, script)
    if outcome.result == "complete":
        assert [offset for _, offset in outcome.file] == list(range(SIZE))
        assert len({version for version, _ in outcome.file}) == 1, outcome.file


@settings(max_examples=200, deadline=None)
@given(script=st.lists(answers, min_size=1, max_size=6))
def test_a_host_that_always_restarts_is_not_progress(script: list[Answer]) -> None:
    """Every answer a 200 with the whole file's headers and a short body: nothing but restarts."""
    restarts = [
        Answer(200, a.version, a.etag, a.last_modified, None, None, "right", a.length, min(a.body or 0, SIZE - 1),
               a.dropped, "video/mp4", "", None)
        for a in script
    ]  # fmt: skip
    transfer = Transfer(media_target(video()), max_retries=3)
    outcome, _ = drive(transfer, restarts)
    assert outcome.result == "fail"
    # The first attempt that brings bytes is progress; after that only going further is.
    assert outcome.requests <= 3 + 1 + SIZE
    assert outcome.requests <= transfer.max_attempts


def test_the_ignored_range_short_body_host_of_issue_8() -> None:
    """200 to every ranged request and a short close-delimited body: 4 requests, then an error."""
    answer = Answer(200, 0, "strong", False, None, None, "right", "none", 10, False, "video/mp4", "", None)
    transfer = Transfer(media_target(video()), max_retries=3)
    outcome, retries = drive(transfer, [answer])
    assert outcome.result == "fail" and outcome.requests == 4
    assert "4 times in a row without progress" in str(outcome.error)
    assert [r.delay for r in retries] == [0.0, 0.5, 1.0]  # waits grow once nothing new arrives


@given(
    failures=st.integers(1, 100),
    attempts=st.integers(1, 1000),
    dropped=st.booleans(),
    hint=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
)
def test_retry_delay_schedule(failures: int, attempts: int, dropped: bool, hint: float | None) -> None:
    delay = retry_delay(failures, attempts, dropped=dropped, retry_after=hint)
    assert 0 <= delay <= 30
    if failures > 1 or attempts > QUICK_RESUMES or not dropped:
        assert delay >= 0.25  # only an early drop after progress resumes at once
    assert retry_delay(failures + 1, attempts, dropped=dropped, retry_after=None) >= retry_delay(
        failures, attempts, dropped=dropped, retry_after=None
    )


# -- names -----------------------------------------------------------------------------------------

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@given(st.text(min_size=1, max_size=600))
def test_any_id_gives_a_safe_file_name(video_id: str) -> None:
    name = safe_file_name(video_id)
    assert 0 < len(name) <= MAX_NAME_CHARS
    assert name.isascii() and all(ch.isalnum() or ch in "._-" for ch in name)
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert name.split(".", 1)[0].upper() not in RESERVED
    assert os.sep not in name and name not in (".", "..")
    temp = temp_prefix(__import__("pathlib").Path("d") / (name + ".mp4")) + "0123abcd"
    assert len(temp.encode()) <= 255


@given(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=300))
def test_different_ids_never_share_a_file(a: str, b: str) -> None:
    if a != b:
        assert safe_file_name(a) != safe_file_name(b)


@given(st.text(max_size=200))
def test_a_long_user_file_name_still_has_a_valid_temporary_name(name: str) -> None:
    from pathlib import Path

    stem = name.replace("/", "_").replace("\x00", "_") or "x"
    prefix = temp_prefix(Path("d") / (stem * 3))
    assert len((prefix + "0123abcd").encode("utf-8", "surrogateescape")) <= 255
    assert prefix.startswith(".") and "/" not in prefix


@given(st.text(max_size=80))
def test_only_absolute_http_urls_without_credentials_pass(text: str) -> None:
    for url in (text, "http://" + text, "https://h/" + text, "file://" + text, "//" + text):
        if media_url_problem(url) is None:
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            assert parts.scheme in ("http", "https") and parts.hostname and "@" not in parts.netloc

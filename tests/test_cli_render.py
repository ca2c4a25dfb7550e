"""The CLI's human output shows server strings literally and never crashes on them (red-team F20).

Rich reads ``[...]`` as markup: a currency, model, provider or error message holding ``[/]`` used
to crash ``lumenfall-openai video status`` ("MarkupError ... please report it"), and ``[bold
red]`` restyled the terminal. A huge ``expires_at`` crashed ``time.localtime``. Every value the
server sends now goes through ``escape``/``Text`` and the guards; hypothesis drives the summary,
the live job line and the estimate printout with any text and any JSON value.
"""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from lumenfall_openai.cli._render import JobView, Output, local_time
from lumenfall_openai.types import Video

from .hostile import JSON

# Text a person could see, brackets and markup-looking pieces included.
MARKUP = st.text(alphabet=st.sampled_from("ab [/]=#@:\\-'\"é"), max_size=20) | st.sampled_from(
    ["[/]", "[bold red]PWNED", "[link=http://x]click[/link]", "\\[b]", "[", "]", "[/bold]", ":warning:"]
)
ANY = MARKUP | JSON


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=10_000, highlight=False, soft_wrap=True, color_system=None), buffer


def _summary(video: Video) -> str:
    output = Output()
    output.out, buffer = _console()
    output.video_summary(video, headline="status")
    return buffer.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    model=ANY, status=ANY, currency=ANY, provider=ANY, executed=ANY, code=ANY, message=ANY, url=ANY,
    expires=JSON | st.sampled_from([10**20, -(10**20), 1e300, float("nan"), float("inf"), -1, "soon"]),
)  # fmt: skip
def test_any_server_value_is_shown_without_a_crash(
    model: Any, status: Any, currency: Any, provider: Any, executed: Any, code: Any, message: Any, url: Any,
    expires: Any,
) -> None:  # fmt: skip
    video = Video.construct(
        id="video_1", object="video", created_at=1, status=status, model=model, seconds="4", size="16:9",
        expires_at=expires, output={"url": url, "size_bytes": 3, "content_type": "video/mp4"},
        error={"code": code, "message": message},
        metadata={"cost": 1, "cost_currency": currency, "provider": provider, "executed_model": executed},
    )  # fmt: skip
    text = _summary(video)
    for value in (model, url, executed, message):
        if isinstance(value, str) and value.strip() and value.isprintable():
            assert value in text  # literally: no markup was interpreted, nothing dropped


@settings(max_examples=100, deadline=None)
@given(video_id=MARKUP, model=MARKUP, status=ANY, currency=ANY)
def test_the_live_job_line_shows_server_text_literally(video_id: str, model: str, status: Any, currency: Any) -> None:
    console, buffer = _console()
    view = JobView(console, video_id, model, live=False)
    metadata = {"cost_estimate": 0.5, "cost_currency": currency}
    video = Video.construct(id=video_id, status=status, created_at=1, model=model, metadata=metadata)
    view.show(video)
    console.print(view.job)
    shown = buffer.getvalue()
    if video_id.strip():
        assert video_id.strip() in shown
    if isinstance(status, str) and status.strip() and status.isprintable():
        assert status.strip() in shown


def test_a_markup_currency_is_printed_as_text_not_style() -> None:
    video = Video.construct(
        id="video_1", status="completed", created_at=1, model="m",
        metadata={"cost": 1, "cost_currency": "[/]"}, error={"code": "[bold red]X", "message": "[/]"},
    )  # fmt: skip
    text = _summary(video)
    assert "[bold red]X: [/]" in text


def test_an_impossible_expiry_time_is_left_out() -> None:
    for stamp in (10**20, -(10**20), float("nan"), float("inf"), "soon", True, [1]):
        assert local_time(stamp) is None
    assert local_time(0) is not None
    video = Video.construct(
        id="video_1", status="completed", created_at=1, model="m", expires_at=10**20,
        output={"url": "http://x/m", "size_bytes": "big", "content_type": ["video/mp4"]},
    )  # fmt: skip
    text = _summary(video)
    assert "expires" not in text and "http://x/m (?, )" in text


def test_the_estimate_printout_shows_server_text_literally(monkeypatch: Any, capsys: Any, tmp_path: Any) -> None:
    from lumenfall_openai.cli import _video_cmd
    from lumenfall_openai.types import CostEstimate

    estimate = CostEstimate.construct(
        **json.loads(
            '{"estimated": true, "model": "[/]m", "provider": "[bold]p", "total_cost": 1000000, "currency": "USD",'
            ' "components": [{"type": "[/]t", "metric": "s", "billable_quantity": "x", "unit_price": 1e400,'
            ' "amount": 1}, "junk", 5]}'
        )
    )

    class Videos:
        def estimate(self, **_: Any) -> Any:
            return estimate

    class Client:
        videos = Videos()

    monkeypatch.setattr(_video_cmd, "_job_arguments", lambda args: {})
    code = _video_cmd.run_estimate(Client(), None, Output(), False)  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert code == 0 and "estimated for [/]m via [bold]p" in out and "[/]t: ? s(s) x ? = " in out

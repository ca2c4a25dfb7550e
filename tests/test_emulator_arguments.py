"""Emulator timings and balance from the CLI and the constructor: only finite numbers >= 0 (red-team F22).

``lumenfall-openai emulator --queue-seconds nan`` used to start, then answer 500 to every create
(a NaN schedule never settles); ``--balance nan`` ended in "unexpected error". Now every such
flag is a usage error (exit 2, the flag named) before anything is served, and
``LumenfallEmulator(...)`` refuses the same values with a ValueError naming the argument.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lumenfall_openai.cli import main
from lumenfall_openai.testing import LumenfallEmulator

BAD_TEXT = ["nan", "NaN", "inf", "-inf", "-1", "-0.001", "1e400", "x", ""]
FLAGS = ["--queue-seconds", "--run-seconds", "--time-scale", "--balance"]
TIMINGS = ["queue_seconds", "run_seconds", "time_scale", "media_ttl_seconds", "webhook_retry_scale", "webhook_timeout"]


@pytest.mark.parametrize("flag", FLAGS)
@pytest.mark.parametrize("text", BAD_TEXT)
def test_a_flag_that_is_not_a_finite_number_at_least_zero_is_a_usage_error(
    flag: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", "--port", "0", f"{flag}={text}"]) == 2  # refused before anything is served
    out, err = capsys.readouterr()
    assert out == ""  # no "listening on" banner
    assert f"{flag} takes" in err and "a finite number >= 0" in err and repr(text) in err
    assert "Traceback" not in err and "unexpected error" not in err


bad_numbers = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 10**400, True, "1", None, [1]]),
    st.floats(max_value=-1e-12),
    st.integers(max_value=-1),
)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(TIMINGS), value=bad_numbers)
def test_the_constructor_refuses_the_same_values_naming_the_argument(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be a finite number >= 0"):
        LumenfallEmulator(**{name: value})


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(TIMINGS), value=st.floats(min_value=0, max_value=1e6) | st.integers(0, 10**6))
def test_any_finite_value_at_least_zero_is_accepted(name: str, value: float) -> None:
    LumenfallEmulator(**{name: value}).close()


@pytest.mark.parametrize(
    ("flag", "text", "says"),
    [
        ("--api-key", "notakey", "lmnfl_<id>.<secret>"),
        ("--api-key", "lmnfl_nodot", "lmnfl_<id>.<secret>"),
        ("--api-key", "sk-proj-abc", "lmnfl_<id>.<secret>"),
        ("--api-key", "lmnfl_a.b c", "lmnfl_<id>.<secret>"),
        ("--webhook-secret", "abc", "whsec_<base64>"),
        ("--webhook-secret", "whsec_", "whsec_<base64>"),
        ("--webhook-secret", "whsec_!!!", "whsec_<base64>"),
    ],
)
def test_a_key_or_secret_the_emulator_could_never_use_is_a_usage_error(
    flag: str, text: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["emulator", "--port", "0", f"{flag}={text}"]) == 2  # refused before anything is served
    out, err = capsys.readouterr()
    assert out == "" and flag in err and says in err and "Traceback" not in err
    assert text not in err.replace(says, "")  # a secret (or a key) is never echoed back


def test_well_formed_keys_and_secrets_pass_the_flags() -> None:
    from lumenfall_openai._signing import generate_secret
    from lumenfall_openai.cli._emulator_cmd import _api_key, _webhook_secret  # pyright: ignore[reportPrivateUsage]

    assert _api_key("lmnfl_demo.secret") == "lmnfl_demo.secret"
    secret = generate_secret()
    assert _webhook_secret(secret) == secret

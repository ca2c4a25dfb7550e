"""What a hostile server sends, and when: shared by the fail-closed tests.

``JSON`` is any JSON value (and then some: NaN, infinities, huge integers, numbers as text), for
hypothesis. ``arming_client`` / ``async_arming_client`` are HTTP clients that arm an emulator
fault at the moment the *paid* request goes out (the emulator's route matcher cannot tell a
budget's free ``?dryRun=true`` estimate from the create it prices).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from lumenfall_openai._compat import http

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2100000", "1e400", "NaN", "-1", "0.5", "completed", "video"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


def is_paid(request: http.Request, suffix: str) -> bool:
    return request.method == "POST" and request.url.path.endswith(suffix) and "dryRun" not in request.url.params


def arming_client(arm: Callable[[], None], suffix: str = "/videos", times: int = 1) -> http.Client:
    """An http client that arms an emulator fault just before the next ``times`` paid requests."""
    left = [times]

    def hook(request: http.Request) -> None:
        if left[0] > 0 and is_paid(request, suffix):
            left[0] -= 1
            arm()

    return http.Client(event_hooks={"request": [hook]})


def async_arming_client(arm: Callable[[], None], suffix: str = "/videos", times: int = 1) -> http.AsyncClient:
    left = [times]

    async def hook(request: http.Request) -> None:
        if left[0] > 0 and is_paid(request, suffix):
            left[0] -= 1
            arm()

    return http.AsyncClient(event_hooks={"request": [hook]})

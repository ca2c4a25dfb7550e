"""Holds: money set aside before a paid request, settled from its answer, kept when unknown.

Every paid request of this package (a video create, an images generate/edit) goes through a
hold made here:

1. before anything paid is sent: ``start_create`` / ``reserve_images`` reserve the estimate on
   the ledger (with a budget; without one the hold reserves nothing but still records the cost);
2. the answer settles it through openai's own per-request parser option (``post_parser`` in the
   request options): the hold's :meth:`~CreateHold.post_parser` runs once the response is parsed,
   on every path (a plain call, ``with_raw_response`` when ``.parse()`` is called,
   ``with_streaming_response``), and records the real cost against what was held;
3. a call that raises calls :meth:`failed`: a definite refusal (4xx, a local error before
   sending) releases the hold; any other outcome (a lost answer, a timeout, a 5xx, an unreadable
   body, an interruption) may have started paid work, so the hold is KEPT (a video create's
   until a create with the same key or the job's final state settles it; an images call's is
   recorded as spent: there is no job to ask about later).

A paid images POST under a budget is sent once: openai's automatic retry is off for it
(``max_retries=0`` for that request), because every attempt that may have reached the server may
have been billed and images have no idempotency key to make a retry a replay. One hold, one
attempt: the ledger never records less than was billed. Without a budget openai's retries stay.

The videos resource passes the hold's parser with its own request; openai's images methods build
their requests themselves, so for them the client's ``post`` hook
(:func:`~lumenfall_openai._cost_tracking.observe`) asks :func:`images_request_options` for the
hold of the images call in progress (a context variable), never reading the request body.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._compat import REQUEST_OPTIONS_MAX_RETRIES_KEY, REQUEST_OPTIONS_POST_PARSER_KEY
from ._create_outcome import may_have_started

if TYPE_CHECKING:
    from ._video_requests import VideoCreateRequest
    from .costs import CostLedger, Reservation, _Pending
    from .types.cost import CostEstimate
    from .types.images import ImagesResponse

__all__ = [
    "IMAGES_CALL",
    "CreateHold",
    "ImagesHold",
    "chain",
    "images_request_options",
    "is_hold_parser",
    "join_create",
    "reserve_images",
    "start_create",
]

log = logging.getLogger("lumenfall_openai")


class _Settle:
    """A hold's ``post_parser``: records the parsed answer, returns it unchanged.

    Accounting must never cost the caller a response they paid for: a failure to record is
    logged, not raised. Its class marks the request as carrying a hold already (see
    :func:`is_hold_parser`), so the client's hook adds no second recording.
    """

    __slots__ = ("_expected", "_record")

    def __init__(self, record: Callable[[Any], object], expected: type[Any]) -> None:
        self._record = record
        self._expected = expected

    def __call__(self, parsed: Any) -> Any:
        if isinstance(parsed, self._expected):
            try:
                self._record(parsed)
            except Exception:
                log.exception("lumenfall_openai: could not record the cost of a response in the ledger")
        return parsed


def chain(first: object, second: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``second`` after a request's own ``post_parser`` (if it has one)."""
    if not callable(first):
        return second

    def chained(parsed: Any) -> Any:
        return second(first(parsed))

    return chained


def is_hold_parser(parser: object) -> bool:
    """Whether a request's ``post_parser`` is a hold's (the request settles its own money)."""
    return isinstance(parser, _Settle)


# -- video creates ---------------------------------------------------------------------------


class CreateHold:
    """One video create call's share of the ledger's ticket for its idempotency key.

    Calls sharing a key share one reservation (a retry of a create is a replay of one job)."""

    __slots__ = ("_ticket", "key", "ledger", "user")

    def __init__(self, ledger: CostLedger, ticket: _Pending, key: str, user: str | None) -> None:
        self.ledger = ledger
        self.key = key
        self.user = user
        self._ticket = ticket

    def post_parser(self) -> Callable[[Any], Any]:
        """The create's ``post_parser``: moves the hold to the job's id and records the Video."""
        from .types.video import Video

        ledger, key, user = self.ledger, self.key, self.user
        return _Settle(lambda video: ledger._video_created(key, video, user=user), Video)  # pyright: ignore[reportPrivateUsage]

    def failed(self, error: BaseException, *, sent: bool = True) -> None:
        """The create raised: released only if every call sharing the key was refused for sure
        (``sent=False``: interrupted while waiting for its turn, before anything was sent)."""
        self.ledger._create_failed(self._ticket, error, sent=sent)  # pyright: ignore[reportPrivateUsage]

    def returned(self) -> None:
        """The create answered 2xx: the job exists (its hold settles when its cost is seen)."""
        self.ledger._create_returned(self._ticket)  # pyright: ignore[reportPrivateUsage]


def _user_of(request: VideoCreateRequest) -> str | None:
    user = request.body.get("user")
    return user if isinstance(user, str) else None


def join_create(ledger: CostLedger, request: VideoCreateRequest) -> CreateHold | None:
    """The hold of a create with this key already in flight, held or answered (no second
    estimate, no second reservation), or None: the caller estimates (with a budget) and calls
    :func:`start_create`."""
    ticket = ledger._join_create(request.idempotency_key)  # pyright: ignore[reportPrivateUsage]
    return None if ticket is None else CreateHold(ledger, ticket, request.idempotency_key, _user_of(request))


def start_create(ledger: CostLedger, request: VideoCreateRequest, estimate: CostEstimate | None) -> CreateHold:
    """A new hold for this create, reserving ``estimate`` (None: no budget). Raises
    BudgetExceededError / UnusableEstimateError with nothing reserved and nothing sent."""
    what = f"This {request.body.get('model')} video job"
    ticket = ledger._start_create(request.idempotency_key, estimate, what=what)  # pyright: ignore[reportPrivateUsage]
    return CreateHold(ledger, ticket, request.idempotency_key, _user_of(request))


# -- images ----------------------------------------------------------------------------------


@functools.cache
def _images_response_type() -> type[ImagesResponse]:
    # Imported with the first images call (not with the package), once (not on every call).
    from .types.images import ImagesResponse

    return ImagesResponse


class ImagesHold:
    """One images call: its reservation (None without a budget) and whom to attribute it to."""

    __slots__ = ("ledger", "reservation", "user")

    def __init__(self, ledger: CostLedger, reservation: Reservation | None, user: str | None) -> None:
        self.ledger = ledger
        self.reservation = reservation
        self.user = user

    def post_parser(self) -> Callable[[Any], Any]:
        """Records the response's cost against the reservation (an unreadable cost keeps it as spent)."""
        return _Settle(self._record, _images_response_type())

    def _record(self, response: ImagesResponse) -> None:
        self.ledger.record_images(response, user=self.user, hold=self.reservation)

    def failed(self, error: BaseException) -> None:
        """The call raised. A definite refusal frees the reservation; any other outcome may have
        made and billed the images, with no job to ask later: the reservation is recorded as
        spent (an ``estimated`` ledger entry)."""
        if self.reservation is None:
            return
        if may_have_started(error):
            self.ledger._spend_hold(self.reservation, kind="image")  # pyright: ignore[reportPrivateUsage]
        else:
            self.reservation.release()


# The images call in progress in this thread or task (set by the images resource around openai's
# method, read by the client's post hook when openai sends the request).
IMAGES_CALL: contextvars.ContextVar[ImagesHold | None] = contextvars.ContextVar("lumenfall_images_call", default=None)


def reserve_images(ledger: CostLedger, estimate: CostEstimate | None, *, what: str, user: object = None) -> ImagesHold:
    """The hold of one images call: ``estimate`` reserved (None: no budget, nothing reserved)."""
    reservation: Reservation | None = None
    if estimate is not None:
        micros, currency = ledger._price(estimate)  # pyright: ignore[reportPrivateUsage]
        reservation = ledger.reserve(micros, currency=currency, estimate=estimate, what=what)
    return ImagesHold(ledger, reservation, user if isinstance(user, str) else None)


def images_request_options(ledger: CostLedger, options: Mapping[str, Any]) -> dict[str, Any]:
    """An images request's options with its hold's ``post_parser`` chained after any of its own
    and, under a budget, openai's retries off for it (one hold, one attempt)."""
    hold = IMAGES_CALL.get()
    if hold is None or hold.ledger is not ledger:  # a request not made by this client's images resource
        hold = ImagesHold(ledger, None, None)
    adjusted = dict(options)
    settle = hold.post_parser()
    adjusted[REQUEST_OPTIONS_POST_PARSER_KEY] = chain(adjusted.get(REQUEST_OPTIONS_POST_PARSER_KEY), settle)
    if hold.reservation is not None:
        adjusted[REQUEST_OPTIONS_MAX_RETRIES_KEY] = 0
    return adjusted

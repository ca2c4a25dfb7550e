"""Cost accounting a team can bill from: a ledger of what every response cost, and budgets.

Every client has a :class:`CostLedger` (``client.ledger``; a new empty one unless ``ledger=``
or ``budget=`` is passed). It records every response that reports a cost: a finished video's
``metadata.cost`` (once per video id, however often it is retrieved) and every images
response's ``metadata.cost``. It is shared, not copied, by ``copy()`` / ``with_options()``.

Why integers: each reported cost is converted once, through its decimal form, to integer micros
(millionths of the currency); totals are integer sums, so 1 000 costs of $0.1 add up to exactly
$100, which float addition does not promise.

Budgets: with a budget, a create first asks Lumenfall for a free estimate (``?dryRun=true``)
and *reserves* it under a lock, so two concurrent jobs cannot both pass a budget that fits only
one. A job that would not fit raises :class:`~lumenfall_openai.errors.BudgetExceededError`
before anything paid is sent; an estimate that is not a non-negative integer of micros raises
:class:`~lumenfall_openai.errors.UnusableEstimateError` instead (a job that cannot be priced is
not taken as free). The reservation becomes the real cost when the job's cost is seen, and is
released when the job fails or is cancelled, or when the create was definitely refused (4xx).

Fail closed: when the outcome is unknown (a lost answer, a timeout, a 5xx, an unreadable 2xx),
the job may exist and may be billed, so the reservation stays until a retrieve of the job or a
create with the same idempotency key settles it; concurrent creates sharing one key share one
reservation. A final cost that is missing, unreadable or negative never lowers the total: the
reservation is recorded as spent instead (``LedgerEntry.estimated``).

Grouping: entries carry the model, provider and the request's ``user`` field, the natural tag:
it is also what Lumenfall shows in ``client.requests.list()``, so the local ledger and the
server's history can be reconciled line by line.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, overload

from ._create_outcome import may_have_started
from ._ids import check_id
from ._money import MAX_MICROS, format_money, micros_to_decimal, micros_to_float, to_micros
from .errors import BudgetExceededError, UnusableEstimateError

if TYPE_CHECKING:
    from .types.cost import CostEstimate
    from .types.images import ImagesResponse
    from .types.video import Video

__all__ = ["CostLedger", "GroupBy", "LedgerEntry", "Reservation", "usable_estimate"]

GroupBy = Literal["model", "provider", "user", "kind", "executed_model"]

# Statuses after which a video job costs nothing more (Lumenfall reports a cancel as "failed";
# "cancelled" is accepted in case it ever says so).
_FINISHED = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One recorded cost.

    A ledger keeps every entry for its lifetime, one per images response or video, so an entry is
    kept small: slots instead of a ``__dict__`` (about 130 bytes instead of 330), and its texts
    (model, provider, user, currency) shared between entries rather than one copy per answer.
    """

    key: str
    """``"video:<id>"`` for a video (one entry per video), ``"image:<32 hex digits>"`` per images response."""
    kind: Literal["video", "image", "other"]
    cost_micros: int
    """The cost in micros (millionths of ``currency``), converted once from the reported number."""
    currency: str
    """Upper-case currency code, e.g. ``"USD"``."""
    model: str | None
    """The model as requested (``metadata.model``)."""
    executed_model: str | None
    """What ran, ``"{provider}/{provider_model}"``."""
    provider: str | None
    user: str | None
    """The request's ``user`` field, the ledger's tag (None if none was sent)."""
    recorded_at: float
    """Unix seconds when this process saw the cost."""
    estimated: bool = False
    """True when the server's final cost was missing, unreadable or negative (or its answer was
    lost) and the reservation made from the estimate was recorded as spent in its place."""

    @property
    def cost(self) -> float:
        return micros_to_float(self.cost_micros)


# Each slot's setter, in field order: a frozen dataclass's __init__ sets each field through
# object.__setattr__; the recording path calls the setters directly.
_ENTRY_SETTERS = tuple(getattr(LedgerEntry, f.name).__set__ for f in dataclasses.fields(LedgerEntry))


def _new_entry(
    key: str,
    kind: Literal["video", "image", "other"],
    cost_micros: int,
    currency: str,
    model: str | None,
    executed_model: str | None,
    provider: str | None,
    user: str | None,
    recorded_at: float,
    estimated: bool,
) -> LedgerEntry:
    """``LedgerEntry(...)`` for the recording path, faster than the frozen dataclass's
    ``__init__`` (0.8 against 1.1 us; tests/test_costs.py checks the two make equal entries)."""
    entry = object.__new__(LedgerEntry)
    values = (key, kind, cost_micros, currency, model, executed_model, provider, user, recorded_at, estimated)
    for setter, value in zip(_ENTRY_SETTERS, values, strict=True):
        setter(entry, value)
    return entry


_SHARED_TEXTS: dict[str, str] = {}
_SHARED_TEXTS_MAX = 4096


@overload
def _shared(text: str) -> str: ...
@overload
def _shared(text: str | None) -> str | None: ...
def _shared(text: str | None) -> str | None:
    """One string object per distinct text (up to ``_SHARED_TEXTS_MAX`` texts, then a new set):
    every answer parsed brings its own copy of "gpt-image-1", and an entry keeps what it is given."""
    if text is None:
        return None
    shared = _SHARED_TEXTS.get(text)
    if shared is None:
        if len(_SHARED_TEXTS) >= _SHARED_TEXTS_MAX:
            _SHARED_TEXTS.clear()
        _SHARED_TEXTS[text] = shared = text
    return shared


class Reservation:
    """Money set aside on a ledger (and its parents) for one request until its cost is known.

    Made by :meth:`CostLedger.reserve`; :meth:`release` gives it back (idempotent). The client
    settles its own reservations; manual ones are for work this package does not see.
    """

    __slots__ = ("amount_micros", "currency", "ledger", "open")

    def __init__(self, ledger: CostLedger, micros: int, currency: str) -> None:
        self.ledger = ledger
        self.amount_micros = micros
        """What is set aside, in micros of ``currency``."""
        self.currency = currency
        self.open = True

    @property
    def micros(self) -> int:
        """Deprecated name of :attr:`amount_micros`."""
        return self.amount_micros

    def release(self) -> None:
        """Give the money back to the budget (once; later calls do nothing)."""
        with self.ledger._lock:
            self._release_locked()

    def _release_locked(self) -> None:
        if self.open:
            self.open = False
            for ledger in self.ledger._chain:
                ledger._reserved -= self.amount_micros


class _Pending:
    """A video created through ``owner``'s client whose final cost has not been seen yet.

    Before its answer is parsed it is filed under its idempotency key, shared by every create
    in flight with that key (``inflight`` counts them; ``may_exist`` is set once any of them
    ended in a way that may have started the job); afterwards under its video id.
    """

    # A plain class, not a dataclass: building a dataclass costs a fraction of a millisecond of
    # every `import lumenfall_openai`.
    __slots__ = ("extra_holds", "hold", "inflight", "key", "may_exist", "owner", "user")

    def __init__(self, owner: CostLedger, key: str | None = None, inflight: int = 0) -> None:
        self.owner = owner
        self.key = key
        self.user: str | None = None
        self.hold: Reservation | None = None
        self.extra_holds: list[Reservation] = []
        self.inflight = inflight
        self.may_exist = False


def usable_estimate(estimate: object) -> tuple[int, str]:
    """An estimate's ``(total_cost_micros, currency)`` if a budget can trust them, else
    :class:`UnusableEstimateError`: the amount must be a non-negative ``int`` (not a bool, a
    float, text or NaN) of at most a trillion units, the currency a three-letter code."""
    from .types.cost import CostEstimate

    if not isinstance(estimate, CostEstimate):
        raise _unusable(None, "estimate", estimate, f"the answer was a {type(estimate).__name__}, not an estimate")
    micros: object = estimate.total_cost_micros  # as sent: construct() does not validate
    if type(micros) is not int or not 0 <= micros <= MAX_MICROS:
        detail = f"{_short(micros)}, not a non-negative integer number of micros"
        raise _unusable(estimate, "total_cost_micros", micros, detail)
    currency: object = estimate.currency
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        raise _unusable(estimate, "currency", currency, f"{_short(currency)}, not a currency code like 'USD'")
    return micros, currency.upper()


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _unusable(estimate: CostEstimate | None, name: str, value: object, detail: str) -> UnusableEstimateError:
    return UnusableEstimateError(
        f"The budget cannot be checked: Lumenfall's estimate for this request has an unusable {name} "
        f"({detail}). Nothing paid was sent. Retry later; if it persists, report it to Lumenfall "
        "support, or send this request from a client without a budget if you accept an unpriced job.",
        estimate=estimate,
        field=name,
        value=value,
    )


def _budget_micros(budget: float | int | str | Decimal | None, *, name: str = "budget") -> int | None:
    if budget is None:
        return None
    micros = to_micros(budget)
    if micros is None or micros < 0:
        raise ValueError(f"{name} must be a non-negative amount of money like 5, 12.5 or '12.50', got {budget!r}.")
    return micros


# Keys of entries that have no id of their own (an images response, a lost answer): 32 hex
# digits like a uuid4's, but a random base counted up, not a uuid per entry (uuid4 asks the OS for
# randomness on every call: a cold system call on every images response).
_auto_key_base = secrets.randbits(128)
_auto_key_count = itertools.count()


def _new_auto_key_base() -> None:
    # A forked child (a multiprocessing pool) would otherwise count up from its parent's base and
    # give its entries the very keys of its siblings': merged into one ledger, they would collapse.
    global _auto_key_base, _auto_key_count
    _auto_key_base = secrets.randbits(128)
    _auto_key_count = itertools.count()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_auto_key_base)


def _auto_key(kind: str) -> str:
    return f"{kind}:{(_auto_key_base + next(_auto_key_count)) & ((1 << 128) - 1):032x}"


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


class CostLedger:
    """Exact, thread- and task-safe totals of what a client's requests cost, and an optional budget.

    ``budget`` is in ``currency`` (``5``, ``12.5``, ``"12.50"`` or a ``Decimal``). ``parent``
    makes a sub-ledger: every cost recorded here is recorded there too, and a reservation
    must fit both budgets (``client.with_budget(2)`` makes one of the client's ledger).

    Read it with :attr:`total_micros` / :attr:`total`, :meth:`totals` (``by="model"``,
    ``"provider"``, ``"user"``, ...), :meth:`entries`, and for budgets :attr:`remaining_micros`.

    ``unpriced_reserve`` is the explicit opt-out from refusing unpriceable jobs: off (None) by
    default, a budgeted request whose estimate cannot be read raises
    :class:`~lumenfall_openai.errors.UnusableEstimateError`; set to an amount, such a request
    reserves that amount instead (and is refused if it does not fit), so a worst case you
    choose still bounds the spend.
    """

    def __init__(
        self,
        budget: float | int | str | Decimal | None = None,
        *,
        currency: str = "USD",
        parent: CostLedger | None = None,
        unpriced_reserve: float | int | str | Decimal | None = None,
    ) -> None:
        self.currency = currency.upper()
        if parent is not None and parent.currency != self.currency:
            raise ValueError(
                f"A sub-ledger must count in its parent's currency ({parent.currency}), not {self.currency}."
            )
        self.parent = parent
        self._budget = _budget_micros(budget)
        self._unpriced_reserve = _budget_micros(unpriced_reserve, name="unpriced_reserve")
        # One lock for a whole tree of ledgers: a reservation checks and updates every budget
        # up the chain atomically.
        self._lock: threading.RLock = parent._lock if parent is not None else threading.RLock()
        chain: list[CostLedger] = [self]
        while chain[-1].parent is not None:
            chain.append(chain[-1].parent)  # pyright: ignore[reportArgumentType]
        self._chain: tuple[CostLedger, ...] = tuple(chain)
        self._entries: list[LedgerEntry] = []
        self._keys: set[str] = set()
        self._spent: dict[str, int] = {}
        self._reserved = 0
        # Jobs in flight, kept once per tree (on the root): a job created through a budgeted
        # sub-ledger's client and polled through the parent's still settles on the sub-ledger.
        self._pending_by_key: dict[str, _Pending] = parent._pending_by_key if parent is not None else {}
        self._pending_by_video: dict[str, _Pending] = parent._pending_by_video if parent is not None else {}
        # Which video each answered idempotency key named: a later create with the key is a replay.
        self._video_by_key: dict[str, str] = parent._video_by_key if parent is not None else {}
        # What each answered key reserved: a key later answered with another video is another job,
        # held on its own with the same amount (the same request, so the same estimate).
        self._hold_by_key: dict[str, tuple[int, str]] = parent._hold_by_key if parent is not None else {}
        # The ledger that recorded each video entry, and the entry: a later higher final cost for
        # the video raises it there (and up its chain), whichever ledger sees it.
        self._recorded: dict[str, tuple[CostLedger, LedgerEntry]] = parent._recorded if parent is not None else {}

    # -- reading --------------------------------------------------------------------------------
    @property
    def total_micros(self) -> int:
        """Everything recorded in the ledger's currency, in micros."""
        with self._lock:
            return self._spent.get(self.currency, 0)

    @property
    def total(self) -> float:
        """:attr:`total_micros` in the currency, as a float (for display; bill from the micros)."""
        return micros_to_float(self.total_micros)

    @property
    def total_decimal(self) -> Decimal:
        """:attr:`total_micros` in the currency, exactly."""
        return micros_to_decimal(self.total_micros)

    def totals_by_currency(self) -> dict[str, int]:
        """Micros recorded per currency (normally just the ledger's own)."""
        with self._lock:
            return dict(self._spent)

    def entries(self) -> list[LedgerEntry]:
        """A snapshot of every recorded entry, oldest first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def totals(self, by: GroupBy = "model", *, currency: str | None = None) -> dict[str | None, int]:
        """Micros per model, provider, user, kind or executed_model (None groups untagged costs)."""
        code = (currency or self.currency).upper()
        grouped: dict[str | None, int] = {}
        for entry in self.entries():
            if entry.currency == code:
                group: str | None = getattr(entry, by)
                grouped[group] = grouped.get(group, 0) + entry.cost_micros
        return grouped

    def by_model(self) -> dict[str | None, int]:
        return self.totals("model")

    def by_provider(self) -> dict[str | None, int]:
        return self.totals("provider")

    def by_user(self) -> dict[str | None, int]:
        return self.totals("user")

    # -- budget ---------------------------------------------------------------------------------
    @property
    def budget_micros(self) -> int | None:
        return self._budget

    @property
    def budget(self) -> float | None:
        return None if self._budget is None else micros_to_float(self._budget)

    @property
    def reserved_micros(self) -> int:
        """Estimates set aside for requests whose final cost is not known yet."""
        with self._lock:
            return self._reserved

    @property
    def remaining_micros(self) -> int | None:
        """Budget minus recorded costs minus reservations (None without a budget)."""
        with self._lock:
            return None if self._budget is None else self._budget - self.total_micros - self._reserved

    @property
    def remaining(self) -> float | None:
        left = self.remaining_micros
        return None if left is None else micros_to_float(left)

    @property
    def has_budget(self) -> bool:
        """True if this ledger or a parent has a budget (creates are then estimated first)."""
        return any(ledger._budget is not None for ledger in self._chain)

    def reserve(
        self,
        micros: int,
        *,
        currency: str | None = None,
        estimate: CostEstimate | None = None,
        what: str = "This request",
    ) -> Reservation:
        """Set ``micros`` aside on this ledger and its parents, or raise BudgetExceededError.

        Check and update happen under one lock, so concurrent reservations never overbook.
        """
        code = (currency or self.currency).upper()
        with self._lock:
            for ledger in self._chain:
                if ledger._budget is None:
                    continue
                left = ledger._budget - ledger._spent.get(ledger.currency, 0) - ledger._reserved
                if code != ledger.currency:
                    raise BudgetExceededError(
                        f"{what} is priced in {code}, but the budget is in {ledger.currency}; it cannot "
                        "be checked, so nothing was sent. Use a ledger in the currency Lumenfall bills you in.",
                        estimate=estimate, estimate_micros=micros, remaining_micros=left,
                        budget_micros=ledger._budget, currency=ledger.currency,
                    )  # fmt: skip
                if micros > left:
                    raise BudgetExceededError(
                        _exceeded_message(what, micros, left, ledger, estimate),
                        estimate=estimate,
                        estimate_micros=micros,
                        remaining_micros=left,
                        budget_micros=ledger._budget,
                        currency=ledger.currency,
                    )
            for ledger in self._chain:
                ledger._reserved += micros
            return Reservation(self, micros, code)

    def _force_reserve(self, micros: int, currency: str) -> Reservation:
        """Set aside money already committed (a job that exists), whatever the budget says."""
        for ledger in self._chain:
            ledger._reserved += micros
        return Reservation(self, micros, currency)

    def unsettled_creates(self) -> dict[str, int]:
        """Creates whose outcome is unknown (answer lost, timeout, 5xx, unreadable body), by
        idempotency key, with the micros still reserved for each. Each settles by itself when a
        create with its key is sent again (Lumenfall answers with the job, if there is one)."""
        with self._lock:
            return {
                key: pending.hold.amount_micros if pending.hold is not None and pending.hold.open else 0
                for key, pending in self._pending_by_key.items()
                if pending.inflight == 0
            }

    def release_create(self, idempotency_key: str) -> int:
        """Give back what an unsettled create (see :meth:`unsettled_creates`) holds; returns the
        micros released. Only for a job you know does not exist (e.g. no such request in
        ``client.requests.list()``): releasing one that runs lets its cost exceed the budget."""
        with self._lock:
            pending = self._pending_by_key.get(idempotency_key)
            if pending is None or pending.inflight > 0:
                return 0
            del self._pending_by_key[idempotency_key]
            hold = pending.hold
            if hold is None or not hold.open:
                return 0
            hold._release_locked()
            return hold.amount_micros

    # -- recording ------------------------------------------------------------------------------
    def record(
        self,
        cost: object,
        *,
        key: str | None = None,
        currency: str | None = None,
        kind: Literal["video", "image", "other"] = "other",
        model: str | None = None,
        executed_model: str | None = None,
        provider: str | None = None,
        user: str | None = None,
    ) -> LedgerEntry | None:
        """Record one cost (a number in the currency). Returns the entry, or None when ``cost``
        is not a finite number or ``key`` was recorded before (each key counts once)."""
        return self._record(
            cost,
            key=key or _auto_key(kind),
            currency=currency,
            kind=kind,
            model=model,
            executed_model=executed_model,
            provider=provider,
            user=user,
            holds=(),
        )

    def _record(
        self,
        cost: object,
        *,
        key: str,
        currency: str | None,
        kind: Literal["video", "image", "other"],
        model: str | None,
        executed_model: str | None,
        provider: str | None,
        user: str | None,
        holds: Iterable[Reservation],
    ) -> LedgerEntry | None:
        """Record ``cost`` under ``key`` and settle ``holds`` against it, atomically.

        A cost that is missing, unreadable, negative or in another currency than what was
        reserved never lowers the total: the largest hold (they all reserved the same job) is
        recorded as spent instead, as an ``estimated`` entry; without a hold nothing is recorded.
        """
        micros = to_micros(cost)
        code = (currency or self.currency).upper()
        with self._lock:
            open_holds = [hold for hold in holds if hold.open] if holds else []
            for hold in open_holds:
                hold._release_locked()
            readable = micros is not None and micros >= 0
            if open_holds and readable and code != open_holds[0].currency:
                readable = False  # a cost in another currency would slip past the budget
            estimated = not readable
            if estimated:
                if not open_holds:
                    return None
                largest = max(open_holds, key=lambda hold: hold.amount_micros)
                micros, code = largest.amount_micros, largest.currency
            if micros is None:
                return None
            if key in self._keys or key in self._recorded:
                return None if estimated else self._raise_locked(key, micros, code)
            entry = _new_entry(
                key, kind, micros, _shared(code), _shared(model), _shared(executed_model),
                _shared(provider), _shared(user), time.time(), estimated,
            )  # fmt: skip
            for ledger in self._chain:
                if key not in ledger._keys:
                    ledger._keys.add(key)
                    ledger._entries.append(entry)
                    ledger._spent[entry.currency] = ledger._spent.get(entry.currency, 0) + micros
            if kind == "video":
                self._recorded[key] = (self, entry)
            return entry

    def _raise_locked(self, key: str, micros: int, currency: str) -> LedgerEntry | None:
        """A video's final cost seen again: a higher one (same currency) replaces the recorded
        entry, so a server correcting a bill upward is believed; a lower one never lowers it."""
        owner, entry = self._recorded.get(key, (None, None))
        if owner is None or entry is None or currency != entry.currency or micros <= entry.cost_micros:
            return None
        raised = dataclasses.replace(entry, cost_micros=micros, estimated=False, recorded_at=time.time())
        for ledger in owner._chain:
            if key in ledger._keys:
                ledger._entries = [raised if e is entry else e for e in ledger._entries]
                ledger._spent[currency] = ledger._spent.get(currency, 0) + micros - entry.cost_micros
        self._recorded[key] = (owner, raised)
        return raised

    def record_video(self, video: Video, *, user: str | None = None) -> LedgerEntry | None:
        """Record a video's cost if it reports one (``completed`` with ``metadata.cost``).

        Called for every Video the client parses; safe to call with the same video any number of
        times. A finished job also settles what its create reserved: a failed or cancelled job
        without a cost releases it; a completed job whose cost is missing or unreadable keeps it
        as spent.
        """
        video_id: object = video.id
        if not isinstance(video_id, str) or not video_id:
            return None
        meta = video.metadata
        cost = getattr(meta, "cost", None)
        status: object = video.status
        finished = isinstance(status, str) and status in _FINISHED
        with self._lock:
            micros = to_micros(cost)
            if not finished and (micros is None or micros < 0):  # running, nothing readable: wait
                return None
            pending = self._pending_by_video.pop(video_id, None)
            holds: list[Reservation] = []
            owner = self
            if pending is not None:
                holds = [h for h in (pending.hold, *pending.extra_holds) if h is not None]
                user = pending.user if pending.user is not None else user
                owner = pending.owner  # the cost belongs to the ledger whose client created the job
            if cost is None and status != "completed":
                for hold in holds:  # failed or cancelled: nothing to bill, free the reservation
                    hold._release_locked()
                return None
            return owner._record(
                cost, key=f"video:{video_id}", currency=_str_or_none(getattr(meta, "cost_currency", None)),
                kind="video", model=_str_or_none(getattr(meta, "model", None)) or _str_or_none(video.model),
                executed_model=_str_or_none(getattr(meta, "executed_model", None)),
                provider=_str_or_none(getattr(meta, "provider", None)),
                user=user if user is not None else _str_or_none((video.model_extra or {}).get("user")),
                holds=holds,
            )  # fmt: skip

    def record_images(
        self, response: ImagesResponse, *, user: str | None = None, hold: Reservation | None = None
    ) -> LedgerEntry | None:
        """Record an images response's ``metadata.cost`` (each response object once); an
        unreadable cost keeps ``hold`` as spent."""
        meta = response.metadata
        return self._record(
            getattr(meta, "cost", None), key=_auto_key("image"),
            currency=_str_or_none(getattr(meta, "cost_currency", None)), kind="image",
            model=_str_or_none(getattr(meta, "model", None)),
            executed_model=_str_or_none(getattr(meta, "executed_model", None)),
            provider=_str_or_none(getattr(meta, "provider", None)), user=user,
            holds=() if hold is None else (hold,),
        )  # fmt: skip

    def _spend_hold(self, hold: Reservation, *, kind: Literal["video", "image", "other"]) -> None:
        """A request whose outcome can never be learned (an images call whose answer was lost):
        what it reserved is recorded as spent, so it neither leaks nor frees money that may be gone."""
        self._record(
            None, key=_auto_key(kind), currency=None, kind=kind, model=None, executed_model=None,
            provider=None, user=None, holds=(hold,),
        )  # fmt: skip

    def _price(self, estimate: object) -> tuple[int, str]:
        """What a budgeted request reserves for ``estimate``: its amount if usable (see
        :func:`usable_estimate`), else the ``unpriced_reserve`` of this ledger or the nearest
        parent that sets one, else UnusableEstimateError."""
        try:
            return usable_estimate(estimate)
        except UnusableEstimateError:
            for ledger in self._chain:
                if ledger._unpriced_reserve is not None:
                    return ledger._unpriced_reserve, ledger.currency
            raise

    # -- the video create protocol (used by videos.create and the client's response hook) -------
    #
    # A create takes a ticket (a _Pending filed under its idempotency key) before it sends:
    # _join_create shares one already in flight, held or answered for that key; otherwise the
    # caller estimates (if budgeted) and _start_create reserves. The answer's post_parser
    # (_video_created) moves the ticket to the video id; _create_failed / _create_returned
    # close the call's share of it.

    def _join_create(self, idempotency_key: str) -> _Pending | None:
        """The ticket of a create with this key already in flight, held or answered (no second
        estimate, no second reservation), or None if this call must start one."""
        with self._lock:
            pending = self._pending_by_key.get(idempotency_key)
            if pending is not None and (pending.hold is not None or not self.has_budget):
                pending.inflight += 1
                return pending
            if pending is None and idempotency_key in self._video_by_key:
                # Answered before: Lumenfall replays that job, so nothing new can be billed.
                return _Pending(owner=self, key=idempotency_key, inflight=1)
            return None

    def _start_create(self, idempotency_key: str, estimate: CostEstimate | None, *, what: str) -> _Pending:
        """A ticket for this key, reserving ``estimate`` (None: no budget) unless one is already
        held for it. Raises UnusableEstimateError / BudgetExceededError with nothing reserved."""
        priced = self._price(estimate) if estimate is not None else None
        with self._lock:
            pending = self._pending_by_key.get(idempotency_key)
            if pending is None:
                if idempotency_key in self._video_by_key:  # answered while this call estimated
                    return _Pending(owner=self, key=idempotency_key, inflight=1)
                pending = _Pending(owner=self, key=idempotency_key)
            if priced is not None and pending.hold is None:
                micros, currency = priced
                pending.hold = self.reserve(micros, currency=currency, estimate=estimate, what=what)
            pending.inflight += 1
            self._pending_by_key[idempotency_key] = pending
            return pending

    def _create_failed(self, ticket: _Pending, error: BaseException, *, sent: bool = True) -> None:
        """A create raised. Only when every call sharing the ticket was definitely refused (a 4xx,
        or stopped before it was sent: ``sent=False``) is its reservation released; a lost answer,
        a 5xx, an unreadable 2xx, an interruption or any other error out of the HTTP layer may hide
        a running job, so the reservation stays until a create with the same key or the job's
        final state settles it."""
        with self._lock:
            ticket.inflight -= 1
            if sent and may_have_started(error):
                ticket.may_exist = True
            if ticket.inflight > 0 or ticket.may_exist or ticket.key is None:
                return
            if self._pending_by_key.get(ticket.key) is ticket:
                del self._pending_by_key[ticket.key]
                if ticket.hold is not None:
                    ticket.hold._release_locked()

    def _create_returned(self, ticket: _Pending) -> None:
        """A create answered 2xx: the job exists. Parsed, the ticket already moved to the video id;
        unparsed (a raw response the caller has not parsed yet), its reservation stays."""
        with self._lock:
            ticket.inflight -= 1
            ticket.may_exist = True

    def _video_created(self, idempotency_key: str | None, video: Video, *, user: str | None) -> None:
        """A create's response was parsed: attach its reservation and tag to the video id."""
        video_id: object = video.id
        # An id that cannot name a job ("../x") is refused by the create (ResponseParseError): the
        # reservation stays under the key, listed by unsettled_creates(), not under an id that
        # could never be polled and so never settle.
        if isinstance(video_id, str) and video_id and _usable_id(video_id):
            with self._lock:
                pending = self._pending_by_key.pop(idempotency_key, None) if idempotency_key else None
                earlier = self._video_by_key.get(idempotency_key) if idempotency_key else None
                if idempotency_key:
                    self._video_by_key[idempotency_key] = video_id
                    if pending is not None and pending.hold is not None:
                        self._hold_by_key[idempotency_key] = (pending.hold.amount_micros, pending.hold.currency)
                pending = pending or _Pending(owner=self)
                if idempotency_key and earlier not in (None, video_id) and pending.hold is None:
                    # The key was answered with another video before: this is a second job, not a
                    # replay. It may bill, so it is held on its own (past the budget if need be:
                    # it exists already), never hidden under the first job's reservation.
                    amount = self._hold_by_key.get(idempotency_key)
                    if amount is not None:
                        pending.hold = self._force_reserve(*amount)
                if pending.user is None:
                    pending.user = user
                known = self._pending_by_video.get(video_id)
                if f"video:{video_id}" in self._keys:
                    if pending.hold is not None:  # an idempotent replay of a job already billed
                        pending.hold._release_locked()
                elif known is not None:
                    if pending.hold is not None and pending.hold is not known.hold:
                        known.extra_holds.append(pending.hold)
                else:
                    self._pending_by_video[video_id] = pending
        self.record_video(video, user=user)

    def __repr__(self) -> str:
        budget = "" if self._budget is None else f", budget={format_money(self._budget, self.currency)}"
        return f"CostLedger(total={format_money(self.total_micros, self.currency)}, entries={len(self)}{budget})"


def _usable_id(video_id: str) -> bool:
    try:
        check_id(video_id)
    except ValueError:
        return False
    return True


def _exceeded_message(what: str, micros: int, left: int, ledger: CostLedger, estimate: CostEstimate | None) -> str:
    cur = ledger.currency
    priced = f" ({estimate.route_text()})" if estimate is not None else ""
    assert ledger._budget is not None
    spent = ledger._spent.get(cur, 0)
    return (
        f"Budget exceeded: {what} is estimated at {format_money(micros, cur)}{priced}, but only "
        f"{format_money(max(left, 0), cur)} of the {format_money(ledger._budget, cur)} budget is left "
        f"({format_money(spent, cur)} spent, {format_money(ledger._reserved, cur)} reserved for requests in "
        "flight). Nothing was sent. Make the request cheaper (fewer seconds, a smaller n, another model; "
        "price it with .estimate(...)) or give it more budget (client.with_budget(...))."
    )

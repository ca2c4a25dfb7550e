"""The batch journal: SQLite (standard library), written before every paid step.

One row per *attempt* (a paid job, or the intent to create one), keyed by its idempotency key.
Each step is one transaction, committed before the step's effect can matter:

- ``sending``: written before the create is sent. The job may exist from this moment on, so a
  resumed run re-sends the create with the same key (Lumenfall replays the job; nothing new is
  billed) instead of creating another one.
- ``running``: the create answered; the video id is known and is polled from now on.
- ``completed`` / ``failed``: the job ended; cost and outcome recorded.
- ``downloaded``: the file is in place, with its size and sha256.
- ``refused``: the create was definitely refused (a 4xx, or the budget): nothing exists.

WAL with ``synchronous=NORMAL``: a committed step survives the process being killed (SIGKILL
included); after a power loss the last steps may be lost, which the deterministic keys cover:
a lost ``sending`` is re-sent with the same key, so the worst case is a replay, not a payment.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._rows import canonical_json

__all__ = [
    "Attempt",
    "Journal",
    "JournalError",
    "current_hashes",
    "derive_key",
    "file_name",
    "journal_rows",
    "kept_name",
    "latest_attempts",
    "superseded",
]

SCHEMA_VERSION = "1"
KEY_PREFIX = "lfb-"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT PRIMARY KEY,
    row_id TEXT NOT NULL,
    args_hash TEXT NOT NULL,
    args TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    state TEXT NOT NULL,
    video_id TEXT,
    status TEXT,
    error_code TEXT,
    error_message TEXT,
    estimate_micros INTEGER,
    cost_micros INTEGER,
    currency TEXT,
    provider TEXT,
    executed_model TEXT,
    file TEXT,
    bytes INTEGER,
    sha256 TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_row ON attempts (row_id, args_hash, attempt);
"""

# States in which the job may exist and may still cost money.
OPEN_STATES = frozenset({"sending", "running"})
STATES = frozenset({"sending", "running", "completed", "failed", "downloaded", "refused"})
# States in which the job ran to success: it was paid, whatever its answer said the cost was.
PAID_STATES = frozenset({"completed", "downloaded"})


def counted_cost(attempt: Attempt) -> int | None:
    """What ``attempt`` counts as spent, by the ledger's rule (costs.py ``record_video``/``_record``).

    A paid job (completed) whose cost is missing, unreadable or absurd (``to_micros`` gives None
    above its bound), and any job whose cost is negative, counts as its estimate: the budget never
    forgets money and a hostile answer never lowers the total. A failed job without a cost
    counts 0 (nothing to bill). None: neither cost nor estimate is known (fail closed).
    """
    cost = attempt.cost_micros
    if cost is not None and cost >= 0:
        return cost
    if cost is None and attempt.state not in PAID_STATES:
        return 0  # not finished (reserved instead), refused, or failed without a bill
    estimate = attempt.estimate_micros
    return estimate if estimate is not None and estimate >= 0 else None


def file_name(location: str) -> str:
    """The file name part of a journaled location (a local path or a URL)."""
    return location.replace("\\", "/").rsplit("/", 1)[-1]


def kept_name(row_id: str, tag: str) -> str:
    """``<row id>~<tag>.mp4``: where an earlier video of a row is kept when the row's file is
    replaced. ``~`` cannot appear in a row id, so a kept file never takes another row's name.
    Injective: a tag that had to be cut or cleaned (a long or odd video id) gets a hash of the
    whole tag, so two videos never share a kept name."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", tag)
    if clean != tag or len(clean) > 96:
        clean = f"{clean[:64]}-{hashlib.sha256(tag.encode()).hexdigest()[:16]}"
    return f"{row_id}~{clean}.mp4"


def superseded(attempts: Iterable[Attempt], current: Mapping[str, str]) -> list[Attempt]:
    """What edits replaced: the latest attempt of every earlier argument set of a row (its video,
    its kept file, its money), refused creates left out (nothing exists, nothing was paid).

    ``current``: row id -> arguments hash of the row as it stands now; a row not in it counts its
    most recently updated arguments as current (pure)."""
    attempts = list(attempts)
    now = {**current_hashes(attempts), **current}
    return [
        attempt
        for (row_id, args_hash), attempt in latest_attempts(attempts).items()
        if args_hash != now[row_id] and not (attempt.state == "refused" and not counted_cost(attempt))
    ]


def latest_attempts(attempts: Iterable[Attempt]) -> dict[tuple[str, str], Attempt]:
    """The latest attempt of every (row id, arguments hash) (pure)."""
    latest: dict[tuple[str, str], Attempt] = {}
    for attempt in attempts:
        known = latest.get((attempt.row_id, attempt.args_hash))
        if known is None or attempt.attempt >= known.attempt:
            latest[(attempt.row_id, attempt.args_hash)] = attempt
    return latest


def current_hashes(attempts: Iterable[Attempt]) -> dict[str, str]:
    """Row id -> the arguments hash of its most recently updated attempt: the row as the journal
    last worked on it (pure)."""
    newest: dict[str, Attempt] = {}
    for attempt in attempts:
        seen = newest.get(attempt.row_id)
        if seen is None or attempt.updated_at >= seen.updated_at:
            newest[attempt.row_id] = attempt
    return {row_id: attempt.args_hash for row_id, attempt in newest.items()}


def journal_rows(attempts: Iterable[Attempt]) -> list[tuple[dict[str, Any], Attempt]]:
    """Every row as the journal last worked on it: ``{"id": ..., **its create arguments}`` and its
    latest attempt, oldest first: enough to finish its jobs without the JOBS file (pure)."""
    attempts = list(attempts)
    current = current_hashes(attempts)
    return [
        ({"id": row_id, **json.loads(attempt.args)}, attempt)
        for (row_id, args_hash), attempt in latest_attempts(attempts).items()
        if current[row_id] == args_hash
    ]


class JournalError(Exception):
    """The journal cannot be used (not a batch journal, another batch's, a newer format)."""


def derive_key(batch_id: str, row_id: str, args: object, attempt: int) -> str:
    """The idempotency key of one attempt: the same inputs give the same key on any machine, in
    any run; other arguments (in any key order: the JSON is canonical) give another key."""
    material = canonical_json({"batch": batch_id, "row": row_id, "args": args, "attempt": attempt})
    return KEY_PREFIX + hashlib.sha256(material.encode()).hexdigest()[:56]


@dataclass(frozen=True)
class Attempt:
    """One journaled attempt (a row of the ``attempts`` table)."""

    key: str
    row_id: str
    args_hash: str
    args: str
    attempt: int
    state: str
    video_id: str | None
    status: str | None
    error_code: str | None
    error_message: str | None
    estimate_micros: int | None
    cost_micros: int | None
    currency: str | None
    provider: str | None
    executed_model: str | None
    file: str | None
    bytes: int | None
    sha256: str | None
    created_at: float
    updated_at: float


_COLUMNS = tuple(Attempt.__dataclass_fields__)


class Journal:
    """A batch's journal file. Not shared across threads: the engine's event loop owns it."""

    def __init__(self, path: str | Path, *, create: bool = True, exclusive: bool = False) -> None:
        """``exclusive``: this process runs the batch (the engine). A second run on the same journal
        is refused while the first holds it; readers (``batch status``) are never refused."""
        self.path = Path(path)
        self._lock: int | None = None
        if not create and not self.path.is_file():
            raise JournalError(
                f"No batch journal at {self.path}. Start the batch with `lumenfall-openai batch run JOBS --out DEST` "
                "(or pass --journal PATH if it was written elsewhere)."
            )
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if exclusive:
            self._lock = _lock_run(self.path)
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise JournalError(f"{self.path} is not a usable batch journal ({error}).") from error
        # The engine is the only writer while it runs: reads come from this mirror (no SQL per
        # step), and the money totals are kept as each step changes them (no scan per step).
        self._cache: dict[str, Attempt] = {}
        self._keys_of_row: dict[str, list[str]] = {}  # row id -> its attempts' keys, oldest first
        self.spent_micros = 0
        self.reserved_micros = 0
        # Paid attempts whose cost cannot be known (no cost, no estimate): the budget cannot be checked.
        self.unknown_costs = 0
        cursor = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM attempts ORDER BY created_at, rowid")
        for row in cursor:
            self._store(Attempt(*row))
        version = self.meta("schema")
        if version is None:
            self.set_meta(schema=SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise JournalError(f"{self.path} was written by another version of lumenfall-openai (schema {version}).")

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    # -- meta ----------------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, **values: str) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def batch_id(self, wanted: str | None = None) -> str:
        """This batch's id (``wanted``, or a random one, on first use): part of every key, so two
        batches never share a job, and machines that share an id share keys (an overlap replays)."""
        value = self.meta("batch_id")
        if value is not None and wanted is not None and wanted != value:
            raise JournalError(
                f"{self.path} belongs to batch {value!r}, not {wanted!r}. Use another --out/--journal for "
                "another batch, or leave --batch-id out to continue this one."
            )
        if value is None:
            value = wanted or uuid.uuid4().hex
            self.set_meta(batch_id=value)
        return value

    # -- attempts ------------------------------------------------------------------------------
    def _store(self, attempt: Attempt) -> None:
        old = self._cache.get(attempt.key)
        for known, sign in ((old, -1), (attempt, 1)):
            if known is not None:
                counted = counted_cost(known)
                self.spent_micros += sign * (counted or 0)
                self.unknown_costs += sign * (counted is None)
                if known.state in OPEN_STATES:
                    self.reserved_micros += sign * (known.estimate_micros or 0)
        if old is None:
            self._keys_of_row.setdefault(attempt.row_id, []).append(attempt.key)
        self._cache[attempt.key] = attempt

    def attempts(self) -> list[Attempt]:
        """Every attempt, oldest first."""
        return list(self._cache.values())

    def latest(self) -> dict[tuple[str, str], Attempt]:
        """The latest attempt of every (row id, arguments hash)."""
        return latest_attempts(self.attempts())

    def get(self, key: str) -> Attempt | None:
        return self._cache.get(key)

    def of_row(self, row_id: str) -> list[Attempt]:
        """Every attempt of one row id (all its argument sets), oldest first, without a scan."""
        return [self._cache[key] for key in self._keys_of_row.get(row_id, ())]

    def begin(
        self, *, key: str, row_id: str, args_hash: str, args: str, attempt: int, estimate_micros: int | None = None
    ) -> None:
        """Record ``sending`` for an attempt (idempotent: an existing attempt keeps its state).
        ``estimate_micros``: what the job is expected to cost, journaled with the intent so that a
        kill before the answer leaves it reserved (status and later runs count it)."""
        now = time.time()
        # One statement in autocommit mode is one transaction: committed when execute returns.
        self._db.execute(
            "INSERT INTO attempts (key, row_id, args_hash, args, attempt, state, estimate_micros, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 'sending', ?, ?, ?) ON CONFLICT(key) DO NOTHING",
            (key, row_id, args_hash, args, attempt, estimate_micros, now, now),
        )
        if key not in self._cache:
            self._store(
                Attempt(
                    key=key, row_id=row_id, args_hash=args_hash, args=args, attempt=attempt, state="sending",
                    video_id=None, status=None, error_code=None, error_message=None, estimate_micros=estimate_micros,
                    cost_micros=None, currency=None, provider=None, executed_model=None, file=None, bytes=None,
                    sha256=None, created_at=now, updated_at=now,
                )
            )  # fmt: skip

    def update(self, key: str, **fields: Any) -> None:
        """One step of an attempt, in one transaction."""
        unknown = set(fields) - set(_COLUMNS)
        if unknown or ("state" in fields and fields["state"] not in STATES):
            raise ValueError(f"bad journal update {fields!r}")
        fields["updated_at"] = time.time()
        names = ", ".join(f"{name} = ?" for name in fields)
        self._db.execute(f"UPDATE attempts SET {names} WHERE key = ?", (*fields.values(), key))  # one transaction
        known = self._cache.get(key)
        if known is not None:
            self._store(dataclasses.replace(known, **fields))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def __iter__(self) -> Iterator[Attempt]:
        return iter(self.attempts())


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def _lock_run(path: Path) -> int | None:
    """An exclusive lock on ``<journal>.lock`` for as long as the returned descriptor stays open.

    Two runs on one journal would not pay twice (their keys are the same), but each would
    download every finished video and their in-memory totals would disagree: refused. The lock
    is advisory and held by the kernel, so a SIGKILLed run never leaves a stale lock behind.
    Where the platform has no ``fcntl`` (Windows), runs are not locked out."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            holder = os.pread(fd, 32, 0).decode("ascii").strip()
        os.close(fd)
        if holder == str(os.getpid()):
            raise JournalError(
                f"This process already runs this batch (journal {path}): finish or close that batch first "
                "(`async with batch:` / `batch.aclose()`, or `with batch:` / `batch.close()`), or use another "
                "out=/journal= for another batch."
            ) from None
        raise JournalError(
            f"Another process is running this batch (journal {path}{f', pid {holder}' if holder else ''}). "
            "Wait for it to finish or stop it, then resume; `lumenfall-openai batch status` can watch it meanwhile."
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
    return fd

"""Durable batches: many videos from one JSONL/CSV file (or Python rows), crash-safe.

``client.videos.batch(rows, out=...)`` (async: :class:`AsyncBatch`, sync: :class:`Batch`) and
``lumenfall-openai batch run|status|resume``. A SQLite journal, written before every paid step,
lets a killed run resume with the same command without paying for any row twice.
"""

from ._api import AsyncBatch, Batch, BatchRows
from ._journal import Journal, JournalError, derive_key
from ._results import BatchProgress, BatchResult, BatchSummary, ResumeReport, RowOutcome
from ._rows import BatchRow, RowsError, parse_rows, read_rows

__all__ = [
    "AsyncBatch",
    "Batch",
    "BatchProgress",
    "BatchResult",
    "BatchRow",
    "BatchRows",
    "BatchSummary",
    "Journal",
    "JournalError",
    "ResumeReport",
    "RowOutcome",
    "RowsError",
    "derive_key",
    "parse_rows",
    "read_rows",
]

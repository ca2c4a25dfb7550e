"""Resources written once: ``_async/`` is the source, ``_sync/`` is generated from it (scripts/unasync.py)."""

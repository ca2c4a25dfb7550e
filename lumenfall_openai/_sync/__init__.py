# Generated from lumenfall_openai/_async/__init__.py by scripts/unasync.py; do not edit.
"""The clients written once: ``_async/`` is the source, ``_sync/`` is generated from it (scripts/unasync.py)."""

"""``python -m lumenfall_openai.cli``: same as the ``lumenfall-openai`` script."""

from __future__ import annotations

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())

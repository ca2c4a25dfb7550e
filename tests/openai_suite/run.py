"""Run openai-python's own client tests, from the sdist of the installed openai, against Lumenfall.

Usage: python tests/openai_suite/run.py [--sdist DIR] [pytest args...]

Fetches the sdist (scripts/fetch_openai_sdist.py) unless ``--sdist`` is given, then runs pytest
inside it, so that openai's ``tests`` package, conftest and pytest settings are openai's own, with
``lumenfall_suite_plugin`` swapping the client classes and marking the listed deviations. The
exit status is pytest's: any unlisted failure, or a listed deviation that now passes, fails it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    from ._sdist import sdist_and_rest
except ImportError:  # run as a script: python tests/openai_suite/run.py
    from _sdist import sdist_and_rest  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent

# openai's test files that exercise the client itself (construction, options, headers, auth,
# retries, copies, HTTP transports, response parsing, streaming) rather than a resource this
# package replaces or an OpenAI-only feature (workload identity, x509, WebSocket/realtime, data
# residency, agents); a file missing from an older sdist is skipped.
SUITE_FILES = [
    "test_client.py",
    "test_response.py",
    "test_legacy_response.py",
    "test_streaming.py",
    "test_sse_framing.py",
    "test_status_error_messages.py",
    "test_retry_after_overflow.py",
    "test_platform.py",
    "test_debug_logging.py",
    "test_client_runtime_bindings.py",
    "test_request_body_routing_order.py",
    "test_union_parsing.py",
    "test_large_payload_contract.py",
    "test_httpx2.py",
    "test_httpx2_base.py",
    "test_httpx2_respx.py",
    "test_httpx2_decompression.py",
    "test_httpx_compat.py",
]


def main(argv: list[str]) -> int:
    sdist, argv = sdist_and_rest(argv)
    files = [f"tests/{name}" for name in SUITE_FILES if (sdist / "tests" / name).is_file()]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(":")}
    # Lumenfall and OpenAI settings from the caller's shell must not change what openai's tests see.
    for name in list(env):
        if name.startswith(("LUMENFALL_", "OPENAI_")):
            del env[name]
    command = [
        sys.executable, "-m", "pytest", "-p", "lumenfall_suite_plugin", "-p", "no:cacheprovider",
        "-o", "addopts=--tb=short", "-q", *files, *argv,
    ]  # fmt: skip
    print(f"::: openai suite in {sdist}: {' '.join(command[1:])}", flush=True)
    return subprocess.run(command, cwd=sdist, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

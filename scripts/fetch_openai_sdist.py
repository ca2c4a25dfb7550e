"""Fetch and unpack the source distribution of the openai version installed here; print its directory.

openai-python's tests ship only in its sdist. This downloads the sdist of exactly the installed
version (``pip download --no-deps --no-binary :all:``) into a cache outside the package
(``.ci-cache/openai-sdist`` by default, git-ignored), unpacks it once, and prints the unpacked
directory, which holds ``tests/`` and ``examples/``.

Usage: python scripts/fetch_openai_sdist.py [--cache DIR] [--version X.Y.Z]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / ".ci-cache" / "openai-sdist"


def installed_openai_version() -> str:
    try:
        return version("openai")
    except PackageNotFoundError:
        sys.exit(f"openai is not installed in {sys.executable}; run this with the Python whose openai you test.")


def fetch(openai_version: str, cache: Path) -> Path:
    """The unpacked sdist of ``openai_version`` under ``cache``, downloading it when missing."""
    unpacked = cache / f"openai-{openai_version}"
    if (unpacked / "tests" / "test_client.py").is_file():
        return unpacked
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"openai-{openai_version}.tar.gz"
    if not archive.is_file():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", f"openai=={openai_version}", "-d", str(cache)],
            check=True,
        )  # fmt: skip
    if not archive.is_file():
        sys.exit(f"pip did not leave {archive.name} in {cache}; is openai=={openai_version} on the index as an sdist?")
    # Unpack beside the target and rename, so an interrupted run never leaves half a tree in place.
    with tempfile.TemporaryDirectory(dir=cache) as scratch, tarfile.open(archive) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(scratch, filter="data")
        else:
            tar.extractall(scratch)  # our own cache of a package-index file
        extracted = Path(scratch) / f"openai-{openai_version}"
        if not (extracted / "tests" / "test_client.py").is_file():
            sys.exit(f"{archive.name} has no tests/test_client.py; openai's sdist layout changed.")
        shutil.rmtree(unpacked, ignore_errors=True)
        extracted.rename(unpacked)
    return unpacked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="where sdists are kept (default: %(default)s)"
    )
    parser.add_argument("--version", help="openai version (default: the one installed for this Python)")
    args = parser.parse_args(argv)
    print(fetch(args.version or installed_openai_version(), args.cache))


if __name__ == "__main__":
    main()

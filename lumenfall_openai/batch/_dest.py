"""Where a batch saves its videos: a local directory, or any fsspec URL (the ``[storage]`` extra).

Local: ``videos.download`` writes ``DEST/<row id>.mp4`` itself (streamed, verified, atomic
rename). Remote: the same verified download lands in a local staging file first, then is
streamed (and hashed, chunk by chunk as sent) to a temporary key next to the final one
(``.<name>.partial-<random>``) and moved into place. Why not fsspec's transactional write: on
object stores it buffers or multipart-uploads to the *final* key and only "commits" in the
client, so a crash can leave a stale multipart upload but, worse, some backends expose the key
as soon as the upload completes; a separate temp key plus ``mv`` (a server-side copy for S3, a
rename elsewhere) makes the final key appear only whole, and a reader listing the prefix sees at
most a ``.partial-`` object, never a short video. The size at the final key is checked against
what was hashed.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

__all__ = [
    "Destination",
    "LocalDestination",
    "RemoteDestination",
    "Stored",
    "check_local_dest",
    "is_url",
    "open_destination",
    "sha256_file",
]

CHUNK = 1 << 20


def is_url(text: str) -> bool:
    """``s3://...``, ``gs://...``, ``memory://...``: anything with a scheme but ``file``."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isidentifier() and scheme != "file"


def sha256_file(path: Path) -> tuple[int, str]:
    """(size, sha256 hex) of a file, streamed."""
    with path.open("rb") as file:
        return _hash_stream(file)


def _hash_stream(source: Any, sink: Callable[[bytes], object] | None = None) -> tuple[int, str]:
    """(size, sha256 hex) of what ``source`` (an open binary file) reads, chunk by chunk; each
    chunk also goes to ``sink`` when given (an upload hashes the very bytes it sends)."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if sink is not None:
            sink(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    location: str
    bytes: int
    sha256: str


class Destination(abc.ABC):
    """Interface: where files go, and how a small text file (the manifest) is published atomically."""

    display: str

    @abc.abstractmethod
    def download_target(self, name: str) -> Path:
        """The local path ``videos.download`` writes to for ``name``."""

    @abc.abstractmethod
    def finish(self, name: str, local: Path) -> Stored:
        """Publish the downloaded file (blocking; run in a thread)."""

    @abc.abstractmethod
    def size_of(self, name: str) -> int | None:
        """The size of ``name`` if it exists (blocking)."""

    @abc.abstractmethod
    def sizes(self) -> dict[str, int]:
        """Every file's size, by name, in one listing (blocking): how a run checks what is saved."""

    @abc.abstractmethod
    def write_text(self, name: str, text: str) -> str:
        """Write ``name`` whole or not at all; returns its location (blocking)."""

    @abc.abstractmethod
    def location(self, name: str) -> str:
        """What the journal and the manifest record as ``name``'s place (a path or a URL)."""

    @abc.abstractmethod
    def sha256_of(self, name: str) -> str | None:
        """The sha256 of ``name`` (one full read), or None if it does not exist (blocking)."""

    @abc.abstractmethod
    def move(self, name: str, new_name: str) -> str:
        """Rename ``name`` to ``new_name``, never replacing a file there (FileExistsError: a kept
        video is never overwritten); returns the new location (blocking)."""

    def free_name(self, name: str) -> str:
        """``name``, or ``<stem>-2.mp4``, ``-3``...: the first that is not taken (blocking)."""
        stem, dot, ext = name.rpartition(".")
        candidate, number = name, 1
        while self.size_of(candidate) is not None:
            number += 1
            candidate = f"{stem}-{number}{dot}{ext}"
        return candidate

    @abc.abstractmethod
    def read_text(self, name: str) -> str | None:
        """``name``'s text, or None if it does not exist (blocking)."""

    def recorded_batch_id(self, manifest: str) -> str | None:
        """The batch id the manifest already in DEST names (its totals line), or None (no manifest,
        or one that cannot be read: a run rewrites it)."""
        try:
            text = self.read_text(manifest)
        except (OSError, UnicodeDecodeError):
            return None
        lines = (text or "").strip().splitlines()
        try:
            totals: object = json.loads(lines[-1])["totals"] if lines else None
        except (ValueError, KeyError, TypeError):
            return None
        value: object = cast("dict[str, object]", totals).get("batch_id") if isinstance(totals, dict) else None
        return value if isinstance(value, str) and value else None

    def remove_partials(self, names: set[str]) -> int:
        """Delete the temp files a killed run left for these file names; returns how many."""
        return 0


class LocalDestination(Destination):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.display = str(root)
        root.mkdir(parents=True, exist_ok=True)

    def download_target(self, name: str) -> Path:
        return self.root / name

    def finish(self, name: str, local: Path) -> Stored:
        size, digest = sha256_file(local)
        return Stored(str(local), size, digest)

    def size_of(self, name: str) -> int | None:
        try:
            return (self.root / name).stat().st_size
        except OSError:
            return None

    def location(self, name: str) -> str:
        return str(self.root / name)

    def sha256_of(self, name: str) -> str | None:
        try:
            return sha256_file(self.root / name)[1]
        except FileNotFoundError:
            return None

    def move(self, name: str, new_name: str) -> str:
        source, target = self.root / name, self.root / new_name
        try:
            os.link(source, target, follow_symlinks=False)  # FileExistsError rather than replace
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some file systems): check, then rename
            if os.path.lexists(target):
                raise FileExistsError(f"{target} exists: a kept file is never replaced") from None
            os.replace(source, target)
            return self.location(new_name)
        source.unlink()
        return self.location(new_name)

    def read_text(self, name: str) -> str | None:
        try:
            return (self.root / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def sizes(self) -> dict[str, int]:
        with os.scandir(self.root) as entries:
            return {entry.name: entry.stat().st_size for entry in entries if entry.is_file()}

    def remove_partials(self, names: set[str]) -> int:
        removed = 0
        for path in self.root.glob(".*.part-*"):  # videos.download's temp files: ".<name>.part-<random>"
            if path.name[1:].partition(".part-")[0] in names and _is_file(path):
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.root.glob(".manifest.*.tmp"):  # a manifest write cut short (write_text's temp)
            if _is_file(path):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def write_text(self, name: str, text: str) -> str:
        final = self.root / name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(final)


class RemoteDestination(Destination):
    """An fsspec URL prefix (``s3://bucket/prefix/``); ``storage_options`` go to fsspec."""

    def __init__(self, url: str, staging: Path, storage_options: dict[str, Any] | None = None) -> None:
        try:
            import fsspec  # type: ignore[import-not-found, import-untyped, unused-ignore]  # pyright: ignore[reportMissingTypeStubs, reportMissingImports]
        except ImportError as error:
            raise ValueError(
                f"Saving to {url} needs fsspec and its backend: pip install 'lumenfall-openai[storage]' "
                "(s3fs is included; for gs:// also pip install gcsfs)."
            ) from error
        fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        self.fs: Any = fs
        self.root: str = str(root).rstrip("/")  # pyright: ignore[reportUnknownArgumentType]
        self.protocol = url.partition("://")[0]
        self.display = url
        self.staging = staging
        staging.mkdir(parents=True, exist_ok=True)
        self._check_writable()

    def _check_writable(self) -> None:
        """Before the first paid create: DEST exists (made if the store has directories) and takes a
        file. Otherwise every row would be paid for and every upload fail."""
        probe = self._key(f".lumenfall-probe-{secrets.token_hex(6)}")
        protocol: object = self.fs.protocol
        protocols: set[str] = (
            {str(p) for p in cast("tuple[object, ...]", protocol)}
            if isinstance(protocol, (tuple, list))
            else {str(protocol)}
        )
        try:
            if {"file", "local", "sftp", "ssh"} & protocols:  # real directories: made (never a bucket)
                self.fs.makedirs(self.root, exist_ok=True)
            with self.fs.open(probe, "wb") as file:
                file.write(b"")
            self.fs.rm(probe)
        except Exception as error:
            raise ValueError(
                f"{self.display} cannot be written ({type(error).__name__}: {error}): create it or fix its "
                "permissions (or pick another --out), then run again. Nothing was created."
            ) from error

    def _key(self, name: str) -> str:
        return f"{self.root}/{name}"

    def url(self, name: str) -> str:
        return f"{self.protocol}://{self._key(name)}"

    def location(self, name: str) -> str:
        return self.url(name)

    def sha256_of(self, name: str) -> str | None:
        try:
            with self.fs.open(self._key(name), "rb") as file:
                return _hash_stream(file)[1]
        except FileNotFoundError:
            return None

    def move(self, name: str, new_name: str) -> str:
        if self.size_of(new_name) is not None:
            raise FileExistsError(f"{self.url(new_name)} exists: a kept file is never replaced")
        self.fs.mv(self._key(name), self._key(new_name))
        self.fs.invalidate_cache()
        return self.url(new_name)

    def download_target(self, name: str) -> Path:
        return self.staging / name

    def finish(self, name: str, local: Path) -> Stored:
        temp = self._key(f".{name}.partial-{secrets.token_hex(6)}")
        try:
            size, digest = self._upload(local, temp)
            self.fs.mv(temp, self._key(name))
        except BaseException:
            with contextlib.suppress(Exception):  # the temp may not exist; the first error is the one to report
                self.fs.rm(temp)
            raise
        remote_size = self.size_of(name)
        if remote_size != size:
            raise OSError(f"{self.url(name)} holds {remote_size} bytes after the upload, expected {size}")
        local.unlink(missing_ok=True)
        return Stored(self.url(name), size, digest)

    def _upload(self, local: Path, key: str) -> tuple[int, str]:
        """Stream ``local`` to ``key``, hashing the very chunks sent: the sha256 recorded is the
        uploaded bytes', not a second read of the staging file."""
        with local.open("rb") as source, self.fs.open(key, "wb") as target:
            return _hash_stream(source, target.write)

    def size_of(self, name: str) -> int | None:
        try:
            self.fs.invalidate_cache()
            info: dict[str, Any] = self.fs.info(self._key(name))
        except FileNotFoundError:
            return None
        size = info.get("size")
        return size if isinstance(size, int) else None

    def sizes(self) -> dict[str, int]:
        self.fs.invalidate_cache()
        try:
            listing: list[dict[str, Any]] = self.fs.ls(self.root, detail=True)
        except FileNotFoundError:
            return {}
        return {
            str(item["name"]).rsplit("/", 1)[-1]: item["size"]
            for item in listing
            if item.get("type") == "file" and isinstance(item.get("size"), int)
        }

    def read_text(self, name: str) -> str | None:
        try:
            with self.fs.open(self._key(name), "rb") as file:
                data: bytes = file.read()
        except FileNotFoundError:
            return None
        return data.decode("utf-8")

    def write_text(self, name: str, text: str) -> str:
        local = self.staging / f".{name}.{secrets.token_hex(4)}"
        local.write_text(text, encoding="utf-8")
        try:
            temp = self._key(f".{name}.partial-{secrets.token_hex(6)}")
            self.fs.put_file(str(local), temp)
            self.fs.mv(temp, self._key(name))
        finally:
            local.unlink(missing_ok=True)
        return self.url(name)


def _is_file(path: Path) -> bool:
    """A temp file to clean up: a file or a link, never a directory someone made with that name."""
    return path.is_symlink() or path.is_file()


def check_local_dest(out: str) -> None:
    """A local DEST must be a directory (created if missing): a file there is a usage error, said plainly."""
    if is_url(out):
        return
    path = Path(out.removeprefix("file://"))
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"{out} is a file, not a directory: --out (Python: out=) names the directory the videos and "
            "manifest go to (created if missing). Pick another path."
        )


def staging_dir(journal: Path, batch_id: str) -> Path:
    """Where a remote DEST's downloads are staged: private to this journal and batch (the journal's
    lock allows one run at a time), so two batches in one directory never stage the same file."""
    return journal.parent / ".lumenfall-staging" / f"{journal.name}-{batch_id}"


def open_destination(
    out: str | os.PathLike[str], *, staging: Path, storage_options: dict[str, Any] | None = None
) -> Destination:
    text = os.fspath(out)
    if is_url(text):
        return RemoteDestination(text, staging, storage_options)
    return LocalDestination(Path(text.removeprefix("file://")))

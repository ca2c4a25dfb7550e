"""A batch saved to S3 through fsspec (the ``[storage]`` extra), against moto's S3 server on
loopback, started here. Runs wherever the extra is installed (CI installs it); skipped only
where it is genuinely absent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

moto_server = pytest.importorskip("moto.server", reason="the [storage-test] extra (moto[server]) is not installed")
pytest.importorskip("s3fs", reason="the [storage] extra (fsspec, s3fs) is not installed")

from lumenfall_openai import Lumenfall  # noqa: E402
from lumenfall_openai.testing import LumenfallEmulator  # noqa: E402

from .conftest import KEY  # noqa: E402

BUCKET = "clips"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Generator[dict[str, Any], None, None]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):  # fmt: skip
        monkeypatch.setenv(name, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    options: dict[str, Any] = {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": endpoint}}
    import s3fs  # pyright: ignore[reportMissingTypeStubs]

    fs: Any = s3fs.S3FileSystem(**options)
    fs.mkdir(BUCKET)
    try:
        yield {"options": options, "fs": fs}
    finally:
        server.stop()


def test_a_batch_to_s3_is_whole_verified_and_resumable(
    emulator: LumenfallEmulator, base_url: str, tmp_path: Path, s3: dict[str, Any]
) -> None:
    fs: Any = s3["fs"]
    rows = [{"id": f"row{i}", "prompt": f"scene {i}", "model": "sora-2", "seconds": 4} for i in range(5)]
    journal = tmp_path / "journal.sqlite"
    with Lumenfall(api_key=KEY, base_url=base_url) as client:
        summary = client.videos.batch(
            rows, out=f"s3://{BUCKET}/batch/", journal=journal, storage_options=s3["options"], concurrency=3
        ).summary()
    assert summary.exit_code == 0
    fs.invalidate_cache()
    keys = sorted(path.rsplit("/", 1)[1] for path in fs.ls(f"{BUCKET}/batch"))
    assert keys == ["manifest.jsonl", *[f"row{i}.mp4" for i in range(5)]]  # no .partial- object left behind
    lines = [json.loads(line) for line in fs.cat(f"{BUCKET}/batch/manifest.jsonl").decode().splitlines()]
    for record in lines[:-1]:
        assert record["file"] == f"s3://{BUCKET}/batch/{record['row_id']}.mp4"
        data: bytes = fs.cat(record["file"])
        assert (len(data), hashlib.sha256(data).hexdigest()) == (record["bytes"], record["sha256"])
    assert not any((tmp_path / ".lumenfall-staging").iterdir())  # staged copies (and their dir) go once uploaded

    # An object deleted from the bucket is downloaded again; nothing is created again.
    fs.rm(f"{BUCKET}/batch/row3.mp4")
    with Lumenfall(api_key=KEY, base_url=base_url) as client:
        again = client.videos.batch(rows, out=f"s3://{BUCKET}/batch/", journal=journal,
                                    storage_options=s3["options"]).summary()  # fmt: skip
    assert again.resume.downloads == 1 and again.exit_code == 0
    fs.invalidate_cache()
    assert fs.exists(f"{BUCKET}/batch/row3.mp4")
    assert emulator.jobs_created == 5


def test_a_remote_file_is_recorded_with_the_bytes_sent_and_a_short_object_fails_closed(tmp_path: Path) -> None:
    # the sha256 is of the chunks uploaded; an object that is not whole after the move is an error
    # (the row stays unfinished, resume downloads it again), never recorded as saved
    fsspec: Any = pytest.importorskip("fsspec")
    from lumenfall_openai.batch._dest import RemoteDestination

    staged = tmp_path / "a.mp4"
    data = bytes(range(256)) * 5000
    staged.write_bytes(data)
    dest = RemoteDestination("memory://b3-storage/", tmp_path / "staging")
    stored = dest.finish("a.mp4", staged)
    assert (stored.bytes, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    fs: Any = fsspec.filesystem("memory")
    assert fs.cat("/b3-storage/a.mp4") == data and not staged.exists()

    staged.write_bytes(data)
    real_mv = dest.fs.mv

    def short_mv(source: str, target: str) -> None:  # a store that loses the tail in the move
        real_mv(source, target)
        fs.pipe(target, fs.cat(target)[:-1])

    dest.fs.mv = short_mv
    with pytest.raises(OSError, match="bytes after the upload"):
        dest.finish("b.mp4", staged)
    assert staged.exists()  # the staged copy is kept for the next try

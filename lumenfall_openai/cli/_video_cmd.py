"""``lumenfall-openai video create|status|wait|download|cancel|estimate``.

Thin over the SDK: each command is a few ``client.videos`` calls; waiting uses ``poll`` (its
back-off and fault tolerance), saving uses ``download`` (streamed, verified, atomic). What this
module adds is the command line's contract: a live view, a summary or one JSON object, exit
codes a script can branch on, a Ctrl-C that never loses a paid job, and the embedded emulator
when no key is set.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # heavy imports stay inside the handlers: `--help` must be fast
    from .. import Lumenfall
    from ..types.video import Video
    from ._render import JobView, Output

__all__ = ["EXIT_CODES", "json_payload", "register"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_INTERRUPTED = 130
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_ERROR: (
        "API or network error (including a download that could not complete), or nothing to do "
        "(cancel of a job that had already finished)"
    ),
    EXIT_USAGE: "bad usage: unknown option, missing or invalid argument",
    EXIT_FAILED: "the job failed (its error code and message are printed)",
    EXIT_TIMEOUT: "--timeout passed before the job finished (the job keeps running)",
    EXIT_INTERRUPTED: "interrupted with Ctrl-C (the job id and how to resume are printed)",
}

EMULATOR_KEY = "lmnfl_cli.emulator"

EPILOG = (
    "exit codes:\n" + "".join(f"  {code:<4} {meaning}\n" for code, meaning in EXIT_CODES.items()) + "\n"
    "Set LUMENFALL_API_KEY (and optionally LUMENFALL_BASE_URL) to use Lumenfall. Without a key,\n"
    "commands run against a local emulator started in-process: nothing is billed, videos are\n"
    "synthetic, and jobs last only as long as the command.\n"
    "\n"
    "examples:\n"
    '  lumenfall-openai video create "a capybara surfing" --model sora-2 --seconds 8 --wait --download .\n'
    "  lumenfall-openai video wait video_abc123 --timeout 600 --download out.mp4\n"
    '  lumenfall-openai video estimate "a capybara surfing" --model kling-v3 --seconds 10 --json\n'
)


class UsageError(Exception):
    """A command-line mistake: exit 2 with the message."""


EMULATOR_CAVEAT = (
    "(not with the local emulator: the job lived in this command's emulator, which has stopped, so a new "
    "command would answer 404; set LUMENFALL_API_KEY to run jobs that outlive the command)"
)


def resume_hint(command: str, emulated: bool) -> str:
    """``Resume with: <command>``, and why that cannot work when the job lived in the embedded emulator."""
    return f"Resume with: {command}" + (f" {EMULATOR_CAVEAT}" if emulated else "")


# -- parsers ---------------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    video = subparsers.add_parser(
        "video",
        help="create, watch, download, cancel and price video jobs",
        description="Lumenfall video jobs from the command line, with a live progress view.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    video.set_defaults(handler=functools.partial(_missing_command, video))
    commands = video.add_subparsers(dest="video_command", metavar="COMMAND")

    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print one JSON object on stdout, no live view")
    output.add_argument("--no-progress", action="store_true", help="no live view (summary only)")

    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument("--timeout", type=_seconds, metavar="SECONDS", help="give up waiting after this long (exit 4)")
    waiting.add_argument(
        "--download",
        metavar="PATH",
        help="save the video here when done (a directory, or a path ending in /: <id>.mp4)",
    )  # a str, not a Path: pathlib drops the trailing "/" that makes "out/" a directory

    create = commands.add_parser(
        "create",
        parents=[output, waiting],
        help="submit a job (and --wait for it, --download it)",
        description="Submit a video job. With --wait (or --download) watch it live until it ends.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    _add_job_arguments(create)
    create.add_argument("--wait", action="store_true", help="wait for the job to finish")
    create.set_defaults(handler=_handler(run_create))

    estimate = commands.add_parser(
        "estimate",
        parents=[output],
        help="price a job without running it (free dry run)",
        description="What `create` with these arguments would cost. Nothing runs, nothing is billed.",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    _add_job_arguments(estimate)
    estimate.set_defaults(handler=_handler(run_estimate))

    for name, runner, help_text, parents in (
        ("status", run_status, "show a job's current state", [output]),
        ("wait", run_wait, "wait for a job (live view), optionally --download it", [output, waiting]),
        ("cancel", run_cancel, "cancel an in-flight job (best effort, no refund promised)", [output]),
    ):
        parser = commands.add_parser(name, parents=parents, help=help_text, description=help_text, epilog=EPILOG,
                                     formatter_class=formatter)  # fmt: skip
        parser.add_argument("video_id", metavar="VIDEO_ID")
        parser.set_defaults(handler=_handler(runner))

    download = commands.add_parser(
        "download",
        parents=[output],
        help="save a finished job's video (streamed, verified, atomic)",
        description="Save a finished video. PATH may be a file, or a directory (existing, or ending in /, then "
        "created): <dir>/<id>.mp4 (default: ./<id>.mp4).",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    download.add_argument("video_id", metavar="VIDEO_ID")
    download.add_argument("path", metavar="PATH", nargs="?", default=".")  # a str: keeps a trailing "/"
    download.set_defaults(handler=_handler(run_download))


def _add_job_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("prompt", metavar="PROMPT", help="what the video should show")
    parser.add_argument("--model", default="sora-2", help="model slug, e.g. sora-2, kling-v3, veo-3.1-fast")
    parser.add_argument("--seconds", help="duration, e.g. 8")
    parser.add_argument("--size", help="WIDTHxHEIGHT (1920x1080) or an aspect ratio (16:9)")
    parser.add_argument("--aspect-ratio", help="e.g. 16:9 (--size wins)")
    parser.add_argument("--resolution", help="e.g. 720p, 1K, 4K (--size wins)")
    parser.add_argument("--n", type=int, help="number of videos, 1-4")
    parser.add_argument("--negative-prompt", help="what to avoid")
    parser.add_argument(
        "--image",
        action="append",
        metavar="URL_OR_FILE",
        help="reference image: an https URL, a data: URI or a local file (repeatable)",
    )
    parser.add_argument("--webhook-url", help="https URL to notify when the job ends")
    parser.add_argument("--idempotency-key", help="reuse to make a retried create return the same job")
    parser.add_argument("--user", help="your end-user id, for Lumenfall's request history")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite number of seconds >= 0, got {text!r} (leave --timeout out to wait as long as it takes)"
        )
    return value


def _missing_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


# -- running a command -------------------------------------------------------------------------------

Runner = Callable[["Lumenfall", argparse.Namespace, "Output", bool], int]


def _handler(runner: Runner) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        try:
            from ._render import Output
        except ModuleNotFoundError as exc:
            print(f"lumenfall-openai video needs {exc.name!r}: pip install 'lumenfall-openai[cli]'", file=sys.stderr)
            return EXIT_USAGE
        out = Output(json_mode=args.json, show_progress=not args.no_progress)
        emulated = False
        try:
            with _session(out) as (client, emulated):
                return runner(client, args, out, emulated)
        except KeyboardInterrupt:  # outside a wait (those are handled there): nothing to resume
            out.note("Interrupted.")
            return _fail(out, EXIT_INTERRUPTED, "interrupted", "Interrupted.")
        except UsageError as error:
            out.note(f"error: {error}", style="red")
            return _fail(out, EXIT_USAGE, "usage", str(error))
        except Exception as error:  # every other failure: a clear message and an exit code
            return _report_exception(out, error, emulated=emulated)

    return handle


@contextlib.contextmanager
def _session(out: Output) -> Generator[tuple[Lumenfall, bool], None, None]:
    """A client for Lumenfall, or for an in-process emulator when no key is set (said on stderr)."""
    from .. import Lumenfall

    if os.environ.get("LUMENFALL_API_KEY"):
        with Lumenfall() as client:
            yield client, False
        return
    try:
        from ..testing import LumenfallEmulator
    except ImportError as exc:
        raise UsageError(
            f"LUMENFALL_API_KEY is not set, and the local emulator cannot start ({exc}). Set "
            "LUMENFALL_API_KEY to use Lumenfall, or pip install 'lumenfall-openai[cli]' for the emulator."
        ) from exc
    out.note(
        "No LUMENFALL_API_KEY set: running against a LOCAL EMULATOR started in-process (nothing is "
        "billed, videos are synthetic, jobs last only as long as this command). Set LUMENFALL_API_KEY "
        "to use Lumenfall.",
        style="yellow",
    )
    emulator = LumenfallEmulator()
    try:
        with emulator.serve() as base_url, Lumenfall(api_key=EMULATOR_KEY, base_url=base_url) as client:
            yield client, True
    finally:
        emulator.close()


def _job_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The SDK arguments of create/estimate from the command line (only those given)."""
    params: dict[str, Any] = {"prompt": args.prompt, "model": args.model}
    for name in ("seconds", "size", "aspect_ratio", "resolution", "n", "negative_prompt", "webhook_url", "user"):
        value = getattr(args, name)
        if value is not None:
            params[name] = value
    if args.image:
        references: list[Any] = []
        for item in args.image:
            if item.startswith(("http://", "https://", "data:")):
                references.append(item)
            elif Path(item).is_file():
                references.append(Path(item))
            else:
                raise UsageError(f"--image {item!r} is neither an http(s)/data: URL nor an existing file.")
        params["input_reference"] = references if len(references) > 1 else references[0]
    return params


def check_download_target(target: str | None) -> None:
    """Refuse a ``--download`` destination that surely cannot be written, before any job is paid.

    An empty path (it used to be ignored: no wait, no file, exit 0) and a directory whose nearest
    existing ancestor is a file or not writable. Whatever else can go wrong while saving is still
    reported then, with the command to resume.
    """
    if target is None:
        return
    if not target.strip():
        raise UsageError("--download needs a path: a directory (. for here), or a file name like out.mp4.")
    path = Path(target).expanduser()
    as_directory = target.endswith(("/", os.sep)) or path.is_dir()
    ancestor = path if as_directory else path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise UsageError(f"--download {target!r}: {str(ancestor)!r} is a file, not a directory. Choose another path.")
    if ancestor.is_dir() and not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"--download {target!r}: cannot write in {str(ancestor)!r}. Choose a writable directory.")


def run_create(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    check_download_target(args.download)
    params = _job_arguments(args)
    # Our own idempotency key, so a create interrupted before its answer can be found again.
    key = args.idempotency_key or f"cli-{uuid.uuid4().hex}"
    started = time.monotonic()
    try:
        video = client.videos.create(**params, idempotency_key=key)
    except KeyboardInterrupt:
        message = (
            "Interrupted before Lumenfall answered: the job may or may not exist. Run the same command "
            f"with --idempotency-key {key} to get it (no second job is created)."
        )
        out.note(message)
        return _fail(out, EXIT_INTERRUPTED, "interrupted", message, extra={"idempotency_key": key})
    except Exception as error:
        if not create_may_have_started(error):
            raise  # refused before or by Lumenfall: reported like any other failure
        message = (
            f"{error} The job may or may not have been created. Run the same command with "
            f"--idempotency-key {key} to get it (no second job is created)."
        )
        if emulated:
            message += f" {EMULATOR_CAVEAT}"
        out.note(f"error: {message}", style="red")
        return _fail(out, EXIT_ERROR, _error_kind(error), message, emulated=emulated, extra={"idempotency_key": key})
    if not (args.wait or args.download):
        return _report_created(client, video, out, emulated)
    return _wait_and_save(client, video, args, out, emulated, started)


def create_may_have_started(error: BaseException) -> bool:
    """Whether a failed create may still have started a (paid) job: fail closed.

    Only a refusal is sure: our own argument checks (a ValueError/TypeError raised before
    sending) and a 4xx answer (other than 408/409/429, which openai retries). A lost or
    garbled answer, a timeout, a 5xx or anything unforeseen may hide a job.
    """
    import openai

    if isinstance(error, json.JSONDecodeError):  # a garbled 2xx body: the job exists
        return True
    if isinstance(error, (ValueError, TypeError, KeyboardInterrupt)):
        return False
    from ..errors import LumenfallError

    if isinstance(error, openai.APIStatusError):
        return error.status_code >= 500 or error.status_code in (408, 409, 429)
    if getattr(error, "idempotency_key", None) is not None:  # the SDK's own "the job may exist" errors
        return True
    return not isinstance(error, LumenfallError)  # ours (budget, configuration) are raised before sending


def _report_created(client: Lumenfall, video: Video, out: Output, emulated: bool) -> int:
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, video=video, emulator=emulated))
    else:
        out.video_summary(video, headline="submitted")
        if emulated:
            out.note("The local emulator stops with this command, and this job with it: use --wait to see it finish.")
        else:
            out.note(f"Wait for it with: lumenfall-openai video wait {video.id}")
    return EXIT_OK


def run_wait(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    check_download_target(args.download)
    video = client.videos.retrieve(args.video_id)
    return _wait_and_save(client, video, args, out, emulated, time.monotonic())


def _wait_and_save(
    client: Lumenfall, video: Video, args: argparse.Namespace, out: Output, emulated: bool, started: float
) -> int:
    from ..errors import WaitTimeoutError

    with out.job_view(video.id, video.model) as view:
        view.show(video)
        try:
            if not video.is_finished:
                video = client.videos.poll(video.id, timeout=args.timeout, on_progress=view.on_poll)
            else:
                view.show(video)
        except KeyboardInterrupt:
            view.stop()
            return _interrupted_wait(client, video, out, emulated)
        except WaitTimeoutError as error:
            view.stop()
            message = (
                f"Video {video.id} is still {error.video.status if error.video else 'unknown'!r} after "
                f"{error.waited_seconds:.0f}s; it keeps running. "
                + resume_hint(f"lumenfall-openai video wait {video.id}", emulated)
            )
            out.note(message)
            return _fail(out, EXIT_TIMEOUT, "timeout", message, video=error.video or video, emulated=emulated)
        if video.status != "completed":
            view.stop()
            return _report_failed(video, out, emulated, time.monotonic() - started)
        file = None
        if args.download is not None:
            try:
                file = _save(client, video, args.download, view)
            except KeyboardInterrupt:
                view.stop()
                message = (
                    f"Download interrupted; nothing was saved. Video {video.id} is completed. "
                    + resume_hint(f"lumenfall-openai video download {video.id} {args.download}", emulated)
                    + " (before the video expires)"
                )
                out.note(message)
                return _fail(out, EXIT_INTERRUPTED, "interrupted", message, video=video, emulated=emulated)
    return _report_done(video, out, emulated, time.monotonic() - started, file, estimate=view.last_estimate)


def _save(client: Lumenfall, video: Video, path: str, view: JobView) -> Path:
    return client.videos.download(video, path, on_progress=view.on_download)


def _interrupted_wait(client: Lumenfall, video: Video, out: Output, emulated: bool) -> int:
    """Ctrl-C while waiting: the job is paid for and still running; never lose it."""
    if out.interactive and out.ask(f"Cancel job {video.id} on Lumenfall? [y/N] "):
        client.videos.cancel(video.id)
        out.note(f"Cancelled {video.id} (best effort; no refund is promised).")
        return _fail(out, EXIT_INTERRUPTED, "interrupted", "cancelled", video=video, emulated=emulated)
    message = f"Interrupted. Job {video.id} keeps running on Lumenfall. " + resume_hint(
        f"lumenfall-openai video wait {video.id}", emulated
    )
    out.note(message)
    return _fail(out, EXIT_INTERRUPTED, "interrupted", message, video=video, emulated=emulated)


def _report_failed(video: Video, out: Output, emulated: bool, elapsed: float) -> int:
    error = video.error
    detail = f"{error.code}: {error.message}" if error else "no details"
    if out.json_mode:
        out.emit_json(
            json_payload(
                EXIT_FAILED,
                video=video,
                emulator=emulated,
                elapsed=elapsed,
                error={"type": "job_failed", "code": error.code if error else None, "message": detail},
            )
        )
    else:
        out.video_summary(video, headline=f"failed ({detail})", elapsed=elapsed)
        out.note(
            "Video jobs fail often; nothing was charged for the failed job. Try again, perhaps with another model."
        )
    return EXIT_FAILED


def _report_done(
    video: Video, out: Output, emulated: bool, elapsed: float, file: Path | None, *, estimate: str | None = None
) -> int:
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, video=video, emulator=emulated, elapsed=elapsed, file=file))
    else:
        out.video_summary(video, headline="completed", elapsed=elapsed, file=file, estimate=estimate)
    return EXIT_OK


def run_status(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    video = client.videos.retrieve(args.video_id)
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, video=video, emulator=emulated))
    else:
        out.video_summary(video, headline=video.status)
    return EXIT_OK


def run_download(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    started = time.monotonic()
    video = client.videos.retrieve(args.video_id)
    with out.job_view(video.id, video.model) as view:
        view.show(video)
        try:
            file = _save(client, video, args.path, view)
        except KeyboardInterrupt:
            view.stop()
            message = "Download interrupted; nothing was saved. Run the same command again to retry."
            out.note(message)
            return _fail(out, EXIT_INTERRUPTED, "interrupted", message, video=video, emulated=emulated)
    return _report_done(video, out, emulated, time.monotonic() - started, file)


def run_cancel(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    # Lumenfall answers 204 to a DELETE whatever the job's state, so look first: cancelling a
    # finished job does nothing, and saying "cancel requested" then would mislead.
    video = client.videos.retrieve(args.video_id)
    if video.is_finished:
        return _already_finished(video, out, emulated, "it had already finished; nothing was cancelled")
    client.videos.cancel(video.id)
    video = client.videos.retrieve(video.id)
    if video.status == "completed":
        return _already_finished(video, out, emulated, "it finished before the cancel took effect")
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, video=video, emulator=emulated, extra={"cancel_requested": True}))
    else:
        out.video_summary(video, headline="cancel requested (best effort; no refund promised)")
    return EXIT_OK


def _already_finished(video: Video, out: Output, emulated: bool, what: str) -> int:
    message = f"Video {video.id} is {video.status}: {what}."
    if video.status == "completed":
        message += f" Save it with: lumenfall-openai video download {video.id}"
    if not out.json_mode:
        out.video_summary(video, headline=f"not cancelled ({what})")
    out.note(message, style="yellow")
    return _fail(out, EXIT_ERROR, "already_finished", message, video=video, emulated=emulated,
                 extra={"cancel_requested": False})  # fmt: skip


def run_estimate(client: Lumenfall, args: argparse.Namespace, out: Output, emulated: bool) -> int:
    estimate = client.videos.estimate(**_job_arguments(args))
    if out.json_mode:
        out.emit_json(json_payload(EXIT_OK, emulator=emulated, extra={"estimate": estimate.model_dump(mode="json")}))
        return EXIT_OK
    from rich.text import Text

    from ..types.cost import CostComponent
    from ._render import format_cost, format_number, shown

    # Server text is printed as sent, never read as rich markup.
    out.out.print(
        Text.assemble(
            (format_cost(estimate.total_cost, estimate.currency), "bold"),
            f" estimated for {shown(estimate.model)} via {shown(estimate.provider)} (nothing ran, nothing was "
            "billed; the provider may differ at run time)",
        )
    )
    components: object = estimate.components
    for component in components if isinstance(components, list) else []:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(component, CostComponent):
            continue
        out.out.print(
            f"  {shown(component.type)}: {format_number(component.billable_quantity)} {shown(component.metric)}(s)"
            f" x {format_number(component.unit_price)} = {format_cost(component.amount, estimate.currency)}",
            highlight=False,
            markup=False,
        )
    return EXIT_OK


# -- errors and JSON ----------------------------------------------------------------------------------


def json_payload(
    exit_code: int,
    *,
    video: Video | None = None,
    emulator: bool = False,
    elapsed: float | None = None,
    file: Path | None = None,
    error: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The one JSON object every --json run prints (same keys whatever happened)."""
    return {
        "ok": exit_code == EXIT_OK,
        "exit_code": exit_code,
        "video": video.model_dump(mode="json") if video is not None else None,
        "file": None if file is None else {"path": str(file.resolve()), "size_bytes": file.stat().st_size},
        "elapsed_seconds": None if elapsed is None else round(elapsed, 3),
        "error": error,
        "emulator": emulator,
        **(extra or {}),
    }


def _fail(
    out: Output,
    exit_code: int,
    kind: str,
    message: str,
    *,
    video: Video | None = None,
    emulated: bool = False,
    extra: dict[str, Any] | None = None,
) -> int:
    if out.json_mode:
        error: dict[str, Any] = {"type": kind, "message": message}
        if video is not None:
            error["video_id"] = video.id
        out.emit_json(json_payload(exit_code, video=video, emulator=emulated, error=error, extra=extra))
    return exit_code


def _error_kind(error: BaseException) -> str:
    """The ``error.type`` of a failure in the JSON object (``usage`` exits 2, the rest 1)."""
    import openai

    from ..errors import DownloadError, LumenfallConfigurationError, WaitInterruptedError

    if isinstance(error, json.JSONDecodeError):
        return "api"  # a garbled answer, not a bad argument
    if isinstance(error, (LumenfallConfigurationError, ValueError)):
        return "usage"
    if isinstance(error, WaitInterruptedError):
        return "wait_interrupted"
    if isinstance(error, DownloadError):
        return "download"
    if isinstance(error, openai.APIConnectionError):
        return "connection"
    if isinstance(error, openai.APIError):
        return "api"
    if isinstance(error, openai.OpenAIError):
        return "error"
    return "internal"


def _report_exception(out: Output, error: Exception, *, emulated: bool = False) -> int:
    import openai

    from ..errors import DownloadError, LumenfallAPIError

    message = str(error)
    kind = _error_kind(error)
    code = EXIT_USAGE if kind == "usage" else EXIT_ERROR
    if kind == "internal":  # a bug or an unforeseen failure: still a message and an exit code, never a traceback
        from . import unexpected_error_message

        if os.environ.get("LUMENFALL_DEBUG"):
            traceback.print_exception(error)
        message = unexpected_error_message(error)
    video_id = getattr(error, "video_id", None)
    if isinstance(video_id, str) and video_id:
        command = "download" if isinstance(error, DownloadError) else "wait"
        message += " " + resume_hint(f"lumenfall-openai video {command} {video_id}", emulated)
    if isinstance(error, LumenfallAPIError) and error.request_id:
        message += f" (request id {error.request_id})"
    if emulated and isinstance(error, openai.NotFoundError):
        message += (
            " Without LUMENFALL_API_KEY each command starts its own local emulator, so jobs from an earlier "
            "command do not exist here; set LUMENFALL_API_KEY to use Lumenfall."
        )
    out.note(f"error: {message}", style="red")
    if out.json_mode:
        details: dict[str, Any] = {"type": kind, "message": message, "class": type(error).__name__}
        for attribute in ("code", "status_code", "request_id", "video_id"):
            value = getattr(error, attribute, None)
            if value is not None:
                details[attribute] = value
        out.emit_json(json_payload(code, error=details, emulator=emulated))
    return code

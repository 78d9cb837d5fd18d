"""Terminal output shared by the commands: progress bars on a terminal, plain lines otherwise.

`--quiet` silences progress and notes; `--log-format json` turns summaries into JSON objects
(one per line on stdout) and never draws a bar or a box table (Lambda, CloudWatch, `jq`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

ProgressCallback = Callable[[int, int], None]

# Off a terminal rich would wrap and cut tables at 80 columns; a pipe gets them whole.
_PIPE_WIDTH = 400
# markup=False: names, ids and messages are data; a "[x]" in them must print as written.
out = Console(
    soft_wrap=True,
    highlight=False,
    markup=False,
    width=None if sys.stdout.isatty() else _PIPE_WIDTH,
)
err = Console(stderr=True, soft_wrap=True, highlight=False, markup=False)


class Mode:
    """The global flags, set once by the root command (and by tests)."""

    quiet: bool = False
    log_format: str = "plain"


def json_mode() -> bool:
    return Mode.log_format == "json"


def interactive() -> bool:
    return not Mode.quiet and not json_mode() and sys.stderr.isatty()


def emit_json(kind: str, payload: dict[str, Any]) -> None:
    """One summary as one JSON line on stdout: {"summary": kind, ...}."""
    sys.stdout.write(json.dumps({"summary": kind, **payload}, default=str) + "\n")
    sys.stdout.flush()


def note(message: str, **data: Any) -> None:
    """A line about what the command is doing (which config it read), on stderr."""
    if Mode.quiet:
        return
    if json_mode():
        sys.stderr.write(json.dumps({"level": "INFO", "message": message, **data}) + "\n")
    else:
        err.print(message)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 batch', '2 batches', '0 files': counts that read as English."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        many = word + ("es" if word.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return f"{n:,} {many}" if n >= 10_000 else f"{n} {many}"


def _bars() -> Progress:
    # redirect_stderr (rich's default): a log line written during the bar is printed above it,
    # whole, instead of being drawn into it (logs.py writes to the current sys.stderr).
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        redirect_stderr=True,
        redirect_stdout=True,
    )


def _total(done: int, total: int) -> int | None:
    # A total below what is done (work found while working) grows; 0 means not known yet.
    return max(total, done) if total else None


@contextmanager
def progress(label: str) -> Iterator[ProgressCallback]:
    """A callback(done, total) that draws a bar on a terminal; silent otherwise.

    `total` is the work planned so far and may grow between calls; off a terminal (CI,
    Lambda, pipes) the commands print their summaries only, so logs stay readable.
    """
    if not interactive():
        yield lambda done, total: None
        return
    with _bars() as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=_total(done, total))

        yield update


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A (stage, done, total) callback for the run command: one bar per stage on a terminal."""
    if not interactive():
        yield lambda stage, done, total: None
        return
    with _bars() as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=None)
            bar.update(tasks[stage], completed=done, total=_total(done, total))

        yield update

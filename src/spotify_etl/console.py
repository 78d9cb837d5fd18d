"""Terminal output shared by the commands: progress bars on a terminal, plain lines otherwise.

`--quiet` silences progress; `--log-format json` implies plain output (Lambda, CloudWatch).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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

# markup=False: names, ids and messages are data; a "[x]" in them must print as written.
out = Console(soft_wrap=True, highlight=False, markup=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, markup=False)


def interactive() -> bool:
    from spotify_etl.cli import Globals

    return not Globals.quiet and Globals.log_format == "plain" and sys.stderr.isatty()


def _bars() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@contextmanager
def progress(label: str) -> Iterator[ProgressCallback]:
    """A callback(done, total) that draws a bar on a terminal; silent otherwise.

    Off a terminal (CI, Lambda, pipes) the commands print their summaries only, so logs stay
    readable and a failure is one line.
    """
    if not interactive():
        yield lambda done, total: None
        return
    with _bars() as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

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
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update

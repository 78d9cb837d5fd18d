"""Terminal output shared by the commands: progress bars on a terminal, plain lines otherwise.

`--quiet` silences progress; `--log-format json` implies plain output (Lambda, CloudWatch).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[int, int], None]

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def interactive() -> bool:
    from spotify_etl.cli import Globals

    return not Globals.quiet and Globals.log_format == "plain" and sys.stderr.isatty()


@contextmanager
def progress(label: str) -> Iterator[ProgressCallback]:
    """A callback(done, total) that draws a bar on a terminal and a line every ~5 s elsewhere."""
    from spotify_etl.cli import Globals

    if interactive():
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            yield update
        return

    last = [0.0]

    def plain(done: int, total: int) -> None:
        now = time.monotonic()
        if Globals.quiet or (now - last[0] < 5 and done != total):
            return
        last[0] = now
        print(f"{label}: {done}/{total or '?'}", file=sys.stderr, flush=True)

    yield plain


def multi_progress() -> Callable[[str, int, int], None]:
    """A (stage, done, total) callback for the run command: one plain/bar line per stage."""
    state: dict[str, float] = {}
    from spotify_etl.cli import Globals

    def update(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if Globals.quiet or (now - state.get(stage, 0.0) < 2 and done != total):
            return
        state[stage] = now
        print(f"{stage}: {done}/{total or '?'}", file=sys.stderr, flush=True)

    return update

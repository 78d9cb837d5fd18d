"""`spotify-etl transform`: raw zone -> transformed files, with a per-batch summary table."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from spotify_etl.cli_options import ConfigOpt
from spotify_etl.console import emit_json, json_mode, plural
from spotify_etl.errors import EXIT_FAILED, ConfigError, FatalError
from spotify_etl.transform.summary import DATED_BY, BatchSummary, TransformSummary


def register(app: typer.Typer) -> None:
    app.command("transform")(transform_command)


def transform_command(
    raw: Annotated[
        str | None, typer.Option("--raw", help="Raw zone: a folder or s3://bucket/prefix.")
    ] = None,
    out: Annotated[
        str | None, typer.Option("--out", help="Transformed zone: a folder or s3://bucket/prefix.")
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv (gzip) or parquet.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Only raw data of this UTC day (YYYY-MM-DD).")
    ] = None,
    config: ConfigOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: one per CPU).")
    ] = None,
) -> None:
    """Transform raw API responses into the ALBUM/ARTIST/SONGS/... files, one batch per part."""
    from spotify_etl.config import load_config
    from spotify_etl.storage import open_store
    from spotify_etl.transform.runner import TransformRun, run_transform

    settings = load_config(config)
    fmt = fmt or settings.transform.format
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"--format must be csv or parquet, got {fmt!r}")
    raw_url = settings.path(raw or settings.storage.raw)
    out_url = settings.path(out or settings.storage.transformed)
    if "://" not in raw_url and not Path(raw_url).is_dir():
        raise ConfigError(f"raw folder not found: {raw_url}", hint="check --raw or storage.raw")
    # The flags override the [transform] section; run_transform reads nothing else.
    chosen = settings.transform.model_copy(
        update={"format": fmt, "workers": workers or settings.transform.workers}
    )
    with _progress() as progress, _store_errors(raw_url, out_url):
        summary = run_transform(
            open_store(raw_url),
            open_store(out_url),
            chosen,
            TransformRun(date=date, progress=progress),
        )
    print_summary(summary, out_url)
    if summary.unreadable:
        for bad in summary.unreadable:
            typer.secho(f"error: cannot read {bad.key}: {bad.reason}", err=True, fg="red")
        raise typer.Exit(summary.exit_code)
    if not summary.batches:
        # Pointed at inputs and none to transform: a mistake to say, not a quiet success.
        hint = "check --raw and --date" if date else "check --raw"
        typer.secho(f"error: nothing to transform in {raw_url}; {hint}", err=True, fg="red")
        raise typer.Exit(EXIT_FAILED)


@contextlib.contextmanager
def _store_errors(raw_url: str, out_url: str) -> Iterator[None]:
    """A store that cannot be listed or written stops the run with one line, no traceback.

    Raw files that cannot be read are not this: each is reported in the summary.
    """
    try:
        yield
    except OSError as exc:  # a local folder: not writable, not a folder, disk full
        if str(exc.filename or "").startswith(out_url):
            raise FatalError(f"cannot write the transformed zone {out_url}: {exc}") from None
        raise FatalError(f"transform stopped: {exc}") from None
    except Exception as exc:
        if exc.__class__.__module__.startswith(("botocore", "boto3")):
            raise FatalError(f"S3 failed ({raw_url} -> {out_url}): {exc}") from None
        raise


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (stderr); nothing when output is piped or logged."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("transforming", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


MAX_BATCH_ROWS = 30  # beyond this the table shows one line per day


def _cells(summary: TransformSummary) -> tuple[list[str], list[list[str]]]:
    header = ["batch", "dt", *[t.lower() for t in summary.tables], "quarantined"]
    by_day = len(summary.batches) > MAX_BATCH_ROWS
    per_day = Counter(b.dt for b in summary.batches)
    groups: dict[tuple[str, str], list[BatchSummary]] = {}
    for batch in summary.batches:
        label = plural(per_day[batch.dt], "batch") if by_day else batch.batch
        groups.setdefault((label, batch.dt), []).append(batch)
    rows = []
    for (label, dt), batches in groups.items():
        outs = [sum(b.tables[name].rows_out for b in batches) for name in summary.tables]
        bad = sum(
            sum(c.rows_quarantined for c in b.tables.values()) + b.inputs_quarantined
            for b in batches
        )
        rows.append([label, dt, *map(str, outs), str(bad)])
    rows.append(
        [
            "total",
            "",
            *[str(c.rows_out) for c in summary.tables.values()],
            str(summary.rows_quarantined + summary.inputs_quarantined),
        ]
    )
    # Rows in = out + duplicates + quarantined; the last column here counts whole inputs
    # (lines, replies, files) that gave no rows.
    rows.append(["rows in", "", *[str(c.rows_in) for c in summary.tables.values()], ""])
    rows.append(
        [
            "rows quarantined",
            "",
            *[str(c.rows_quarantined) for c in summary.tables.values()],
            f"{summary.inputs_quarantined} inputs",
        ]
    )
    return header, rows


def footer_lines(summary: TransformSummary, out_url: str) -> list[str]:
    """What gave no row and why: skipped items by kind, missing keys, bare-file dating and
    every skipped input (grouped by reason)."""
    skips = ", ".join(f"{s.kind.replace('_', ' ')} {s.count}" for s in summary.skips())
    lines = [
        f"{plural(len(summary.batches), 'batch')} -> {out_url}; skipped items: {skips or 'none'}; "
        f"unreadable files: {len(summary.unreadable)}"
    ]
    lines += [f"  {s.kind.replace('_', ' ')} {s.count}: {s.reason}" for s in summary.skips()]
    if summary.missing_keys:
        lacked = ", ".join(f"{k} {n}" for k, n in sorted(summary.missing_keys.items()))
        lines.append(f"keys the replies did not hold (fields= replies?): {lacked}")
    if summary.dated_by:
        dated = ", ".join(
            f"{DATED_BY[k]} {n}" for k in DATED_BY if (n := summary.dated_by.get(k, 0))
        )
        lines.append(f"bare files dated by: {dated}")
    if summary.skipped_inputs:
        lines.append(f"skipped inputs: {len(summary.skipped_inputs)}")
        by_reason: dict[str, list[str]] = {}
        for skipped in summary.skipped_inputs:
            by_reason.setdefault(skipped.reason, []).append(skipped.key)
        for reason, keys in by_reason.items():
            shown = ", ".join(keys[:MAX_KEYS_SHOWN]) + (", …" if len(keys) > MAX_KEYS_SHOWN else "")
            lines.append(f"  {len(keys)} {reason}: {shown}")
    return lines


MAX_KEYS_SHOWN = 5


def print_summary(summary: TransformSummary, out_url: str) -> None:
    if json_mode():
        # `--log-format json`: the run summary's own transform object (one definition), no table.
        from spotify_etl.pipeline.report import transform_data

        emit_json("transform", {**transform_data(summary), "out": out_url})
        return
    footer = footer_lines(summary, out_url)
    if not summary.batches:
        typer.echo("no raw input found to transform; " + "\n".join(footer))
        return
    header, rows = _cells(summary)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title="transform: rows out per table")
        for i, name in enumerate(header):
            table.add_column(name, justify="left" if i < 2 else "right")
        for row in rows:
            table.add_row(*row)
        console = Console(markup=False)
        console.print(table)
        console.print("\n".join(footer))
        return
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    for line in footer:
        typer.echo(line)

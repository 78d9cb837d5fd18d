"""`spotify-etl load`, `spotify-etl query` and `spotify-etl snowflake ddl|load`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spotify_etl.cli_options import ConfigOpt
from spotify_etl.errors import ConfigError

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig
    from spotify_etl.warehouse.base import LoadSummary, Warehouse

snowflake_app = typer.Typer(
    name="snowflake", help="Snowflake deployment SQL and bulk load.", no_args_is_help=True
)

TransformedOpt = Annotated[
    str | None,
    typer.Option("--transformed", help="Transformed zone: a folder or s3://bucket/prefix."),
]
WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", help="duckdb:///path/warehouse.duckdb or snowflake://acct/db/schema."
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Reload files changed under a loaded name; retry failed ones."),
]


def register(app: typer.Typer) -> None:
    app.command("load")(load_command)
    app.command("query")(query_command)
    app.add_typer(snowflake_app)


def _settings(config: Path | None) -> PipelineConfig:
    from spotify_etl.config import load_config

    return load_config(config)


def _open(url: str | None, settings: PipelineConfig, *, must_exist: bool = False) -> Warehouse:
    from spotify_etl.config import WarehouseSettings, load_secrets
    from spotify_etl.warehouse import open_configured
    from spotify_etl.warehouse.connect import duckdb_file

    if url is not None:
        from pydantic import ValidationError

        try:
            WarehouseSettings(url=url)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"--warehouse: {message}") from None
    target = url or settings.warehouse.url
    base_dir = None if url else settings.base_dir
    path = duckdb_file(target, base_dir) if must_exist else None
    if path is not None and path != ":memory:" and not Path(path).is_file():
        raise ConfigError(f"no warehouse at {path}", hint="load one first with `spotify-etl load`")
    secrets = load_secrets() if target.startswith("snowflake://") else None
    return open_configured(settings.warehouse, secrets, base_dir=settings.base_dir, url=url)


def _report(summary: LoadSummary, into: str) -> None:
    from spotify_etl.console import emit_json, json_mode

    if json_mode():  # one JSON object per load, the run summary's load object and the details
        from spotify_etl.pipeline.report import load_data, load_details

        data = {"exit_code": summary.exit_code, **load_data(summary), **load_details(summary)}
        emit_json("load", {**data, "warehouse": into})
        return
    head, *notes = summary.lines()
    typer.echo(f"{head} -> {into}")  # name the warehouse: a typo'd path makes a new one
    colours = {"failed": "red", "ignored": "red", "refused": "yellow"}
    for line in notes:
        typer.secho(line, err=True, fg=colours.get(line.split(" ", 1)[0]))


def _load(
    transformed: str | None,
    warehouse: str | None,
    config: Path | None,
    force: bool,
    watch: bool,
    queue_url: str | None,
    interval: float,
) -> None:
    from spotify_etl.storage import open_store
    from spotify_etl.warehouse import load_pending
    from spotify_etl.warehouse.loader import LoadRun

    settings = _settings(config)
    store = open_store(settings.path(transformed or settings.storage.transformed))
    if queue_url and not watch:
        raise ConfigError("--queue-url only makes sense with --watch")
    wh = _open(warehouse, settings)
    try:
        chosen, run = settings.warehouse, LoadRun(force=force)
        if not watch:
            summary = load_pending(store, wh, chosen, run)
            _report(summary, wh.url)
            if summary.exit_code:
                raise typer.Exit(summary.exit_code)
            return
        typer.echo(f"watching {store.url} -> {wh.url} (Ctrl-C to stop)", err=True)
        url = wh.url

        def report(summary: LoadSummary) -> None:
            _report(summary, url)

        if queue_url:
            from spotify_etl.warehouse.watch import watch_queue

            if not store.url.startswith("s3://"):
                raise ConfigError("--queue-url needs an s3:// transformed location")
            watch_queue(store, wh, queue_url, on_summary=report, settings=chosen, load=run)
        else:
            from spotify_etl.warehouse.watch import watch_folder

            watch_folder(
                store, wh, on_summary=report, interval_s=interval, settings=chosen, load=run
            )
    finally:
        wh.close()


def load_command(
    transformed: TransformedOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    force: ForceOpt = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep loading new files as they appear.")
    ] = False,
    queue_url: Annotated[
        str | None,
        typer.Option("--queue-url", help="With --watch: SQS queue fed by S3 notifications."),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", help="With --watch on a folder: seconds between polls.")
    ] = 5.0,
) -> None:
    """Load every pending transformed file into the warehouse, each exactly once."""
    _load(transformed, warehouse, config, force, watch, queue_url, interval)


def query_command(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the named queries.")] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="table | csv | json (default: table; json objects under --log-format json).",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="name=value, e.g. limit=5.", metavar="NAME=VALUE"),
    ] = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Print at most N rows (says how many).")
    ] = None,
) -> None:
    """Run a named analytics query against the warehouse."""
    from spotify_etl.warehouse import list_queries, run_query

    if list_ or name is None:
        for q in list_queries():
            usage = " ".join(f"[{k}={v}]" for k, v in q.params.items())
            typer.echo(f"{q.name:30} {q.description}{' ' + usage if usage else ''}")
        return
    if fmt not in (None, "table", "csv", "json"):
        raise ConfigError(f"--format must be table, csv or json, got {fmt!r}")
    params: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--param {item!r}: use name=value")
        params[key.strip()] = value.strip()
    wh = _open(warehouse, _settings(config), must_exist=True)
    try:
        columns, rows = run_query(wh, name, params)
    finally:
        wh.close()
    from spotify_etl.console import json_mode
    from spotify_etl.warehouse.formatting import format_rows

    if fmt is None and json_mode():
        # No --format asked for: a summary object like every other, not a box table.
        from spotify_etl.pipeline.queries import emit_query_json

        emit_query_json(name, columns, rows, limit)
        return
    typer.echo(format_rows(columns, rows[:limit] if limit else rows, fmt or "table"))
    if limit and len(rows) > limit:
        typer.echo(f"{limit} of {len(rows)} rows shown (--limit {limit})", err=True)


ROLE_ARN_PLACEHOLDER = "<SnowflakeRoleArn: pass --aws-role-arn>"


@snowflake_app.command("ddl")
def ddl_command(
    database: Annotated[str, typer.Option(help="Database to create.")] = "SPOTIFY_ETL",
    schema: Annotated[str, typer.Option(help="Schema for the model.")] = "MODEL",
    warehouse: Annotated[str, typer.Option(help="Virtual warehouse for tasks.")] = "SPOTIFY_ETL_WH",
    stage_url: Annotated[
        str, typer.Option(help="s3:// URL of the transformed root.")
    ] = "s3://spotify-etl-transformed/transformed/",
    aws_role_arn: Annotated[
        str | None,
        typer.Option(help="IAM role Snowflake assumes (the stack output SnowflakeRoleArn)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="csv | parquet (what transform writes).")
    ] = "csv",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one file per section into this folder.")
    ] = None,
) -> None:
    """Print the Snowflake deployment SQL (database, integration, stage, pipes, tasks, ...)."""
    from spotify_etl.warehouse.snowflake_sql import DeploySettings, render, render_sections

    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"--format must be csv or parquet, got {fmt!r}")
    if not stage_url.startswith("s3://"):
        raise ConfigError(f"--stage-url must be an s3:// URL, got {stage_url!r}")
    if aws_role_arn is None:
        # Never a plausible-looking ARN: Snowflake refuses this text, so it cannot be run as is.
        aws_role_arn = ROLE_ARN_PLACEHOLDER
        typer.echo(
            f"warning: no --aws-role-arn: the storage integration says {aws_role_arn}; pass "
            "the stack output SnowflakeRoleArn",
            err=True,
        )
    s = DeploySettings(
        database=database.upper(),
        schema=schema.upper(),
        warehouse=warehouse.upper(),
        stage_url=stage_url.rstrip("/") + "/",
        aws_role_arn=aws_role_arn,
        format="csv" if fmt == "csv" else "parquet",
    )
    if out is None:
        sys.stdout.write(render(s))
        return
    out.mkdir(parents=True, exist_ok=True)
    for file_name, text in render_sections(s).items():
        (out / file_name).write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(render_sections(s))} files to {out}")


@snowflake_app.command("load")
def snowflake_load_command(
    transformed: TransformedOpt = None,
    warehouse: WarehouseOpt = None,
    config: ConfigOpt = None,
    force: ForceOpt = False,
) -> None:
    """Bulk load without Snowpipe: PUT, COPY INTO with an explicit FILE_FORMAT, MERGE."""
    settings = _settings(config)
    url = warehouse or settings.warehouse.url
    if not url.startswith("snowflake://"):
        raise ConfigError(
            "spotify-etl snowflake load needs a snowflake:// warehouse URL",
            hint="pass --warehouse snowflake://account/database/schema or set warehouse.url",
        )
    _load(transformed, url, config, force, False, None, 5.0)

"""The load and query commands, in process (typer runner) and as the real executable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from spotify_etl.errors import ConfigError
from spotify_etl.model import ALBUM
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse.cli import register
from tests.warehouse.dataset import ALBUMS, D3, stamped
from tests.warehouse.filegen import write_csv


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_load_then_query_in_every_format(
    app: typer.Typer, dataset_store: LocalStore, wh_url: str
) -> None:
    runner = CliRunner()
    root = str(dataset_store.root)
    loaded = runner.invoke(app, ["load", "--transformed", root, "--warehouse", wh_url])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output.startswith("loaded 9 file(s)")
    again = runner.invoke(app, ["load", "--transformed", root, "--warehouse", wh_url])
    assert "9 already loaded" in again.output
    as_json = runner.invoke(
        app, ["query", "album_type_mix", "--format", "json", "--warehouse", wh_url]
    )
    assert json.loads(as_json.output) == [
        {"album_type": "album", "albums": 2, "pct": 50.0},
        {"album_type": "compilation", "albums": 1, "pct": 25.0},
        {"album_type": "single", "albums": 1, "pct": 25.0},
    ]
    as_csv = runner.invoke(
        app,
        [
            "query",
            "top_artists_by_songs",
            "--format",
            "csv",
            "--param",
            "limit=2",
            "--warehouse",
            wh_url,
        ],
    )
    assert as_csv.output.splitlines() == [
        "artist_id,artist_name,songs,songs_as_primary",
        "ar1,Alpha,4,3",
        "ar2,Beta,3,2",
    ]
    table = runner.invoke(app, ["query", "songs_per_label", "--warehouse", wh_url])
    assert "Lab A" in table.output and "(unknown)" in table.output
    listing = runner.invoke(app, ["query", "--list"])
    assert len(listing.output.splitlines()) >= 10 and "playlist_entries_exits" in listing.output


def test_usage_mistakes_are_config_errors(app: typer.Typer, wh_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["query", "album_type_mix", "--format", "xml", "--warehouse", wh_url]
    )
    assert isinstance(result.exception, ConfigError)
    result = runner.invoke(app, ["query", "album_type_mix", "--warehouse", "duckdbb:///x"])
    assert isinstance(result.exception, ConfigError) and "duckdbb" in str(result.exception)
    result = runner.invoke(
        app, ["snowflake", "load", "--transformed", str(tmp_path), "--warehouse", wh_url]
    )
    assert isinstance(result.exception, ConfigError) and "snowflake://" in str(result.exception)
    result = runner.invoke(
        app,
        ["load", "--transformed", str(tmp_path), "--queue-url", "http://q", "--warehouse", wh_url],
    )
    assert isinstance(result.exception, ConfigError)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_the_executable_prints_one_line_errors_and_exit_codes(tmp_path: Path) -> None:
    missing = _run(
        "load", "--transformed", "nope", "--warehouse", "duckdb:///./w.duckdb", cwd=tmp_path
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"error: transformed folder not found: {tmp_path / 'nope'}"
    typo = _run("load", "--transformed", ".", "--warehouse", "duckb:///w.duckdb", cwd=tmp_path)
    assert typo.returncode == 2 and "Traceback" not in typo.stderr
    assert len(typo.stderr.strip().splitlines()) == 1

    root = tmp_path / "t"
    write_csv(root, ALBUM, D3.isoformat(), stamped(ALBUMS))
    first = _run("load", "--transformed", "t", "--warehouse", "duckdb:///./w.duckdb", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    write_csv(root, ALBUM, D3.isoformat(), stamped(ALBUMS[:1]))
    refused = _run(
        "load", "--transformed", "t", "--warehouse", "duckdb:///./w.duckdb", cwd=tmp_path
    )
    assert refused.returncode == 1
    assert "refused album/dt=2026-11-24/" in refused.stderr and "Traceback" not in refused.stderr


def test_json_log_format_prints_one_json_summary_per_load(tmp_path: Path) -> None:
    """`--log-format json`: stdout is one JSON object (the run summary's load object and what
    a load alone says: rows read, each problem), for a clean load and a refused one alike."""
    root = tmp_path / "t"
    write_csv(root, ALBUM, D3.isoformat(), stamped(ALBUMS))
    args = (
        "--log-format",
        "json",
        "load",
        "--transformed",
        "t",
        "--warehouse",
        "duckdb:///./w.duckdb",
    )
    first = _run(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [line] = first.stdout.splitlines()
    summary = json.loads(line)
    assert summary["summary"] == "load" and summary["exit_code"] == 0
    assert summary["files_loaded"] == 1 and summary["already_loaded"] == 0
    assert summary["rows_read"] == {"ALBUM": len(ALBUMS)} and summary["problems"] == []
    assert summary["warehouse"].endswith("w.duckdb")
    write_csv(root, ALBUM, D3.isoformat(), stamped(ALBUMS[:1]))
    refused = _run(*args, cwd=tmp_path)
    assert refused.returncode == 1
    [line] = refused.stdout.splitlines()
    summary = json.loads(line)
    assert summary["refused"] == 1 and summary["exit_code"] == 1
    [problem] = summary["problems"]
    assert problem["kind"] == "refused" and problem["key"].startswith("album/dt=2026-11-24/")


def test_config_file_supplies_locations_relative_to_itself(
    app: typer.Typer, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    write_csv(project / "lake" / "transformed", ALBUM, D3.isoformat(), stamped(ALBUMS))
    config = project / "pipeline.toml"
    config.write_text(
        '[storage]\ntransformed = "lake/transformed"\n\n'
        '[warehouse]\nurl = "duckdb:///./db/warehouse.duckdb"\n'
    )
    runner = CliRunner()
    result = runner.invoke(app, ["load", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (project / "db" / "warehouse.duckdb").is_file()
    result = runner.invoke(
        app, ["query", "album_type_mix", "--format", "csv", "--config", str(config)]
    )
    assert result.output.splitlines()[1] == "album,2,50.0"


def test_query_without_a_warehouse_says_so(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["query", "album_type_mix", "--warehouse", f"duckdb:///{tmp_path / 'none.duckdb'}"]
    )
    assert isinstance(result.exception, ConfigError) and "no warehouse at" in str(result.exception)
    assert not (tmp_path / "none.duckdb").exists()


def test_table_output_prints_bracketed_names_as_written() -> None:
    from spotify_etl.warehouse.formatting import format_rows

    # rich would read "[Live]" as a style tag and drop it.
    assert "Best of [Live]" in format_rows(["name"], [("Best of [Live]",)], "table")

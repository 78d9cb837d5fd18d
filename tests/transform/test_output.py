"""The transformed-file format: CSV NULL convention, Parquet types, determinism, layout."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

from spotify_etl import model
from spotify_etl.transform.writer import csv_read_sql, encode_csv
from tests.transform.fixtures import (
    API,
    PL,
    dev_playlist_lines,
    envelope,
    playlist,
    read_table,
    run_local,
    write_part,
)

NULL_TESTS = model.PLAYLIST


def _row(description: str | None, name: str = "n") -> tuple[object, ...]:
    return (PL, name, description, None, "", 3, True, None, "u", "2026-11-24 06:00:01.5")


def test_csv_null_is_bare_backslash_n_and_empty_string_is_quoted(tmp_path: Path) -> None:
    data = encode_csv(NULL_TESTS, [_row(None), _row("", name="has, comma"), _row('say "hi"\nbye')])
    text = gzip.decompress(data).decode()
    lines = text.split("\n")
    assert lines[0] == ",".join(f'"{c}"' for c in NULL_TESTS.column_names)
    assert lines[1].split(",")[2:5] == ["\\N", "\\N", '""']
    assert ',true,\\N,"u"' in lines[1]
    assert '"has, comma"' in lines[2] and '"say ""hi""\nbye"' in text
    assert text.endswith("\n") and "\r" not in text


def test_csv_streamed_in_pieces_is_one_gzip_member_with_every_row_in_order() -> None:
    from spotify_etl.transform.writer import _ROWS_PER_PIECE, line_formatter

    rows = [_row(f"d{n}", name=f"n{n:05d}") for n in range(2 * _ROWS_PER_PIECE + 7)]
    data = encode_csv(NULL_TESTS, rows)
    assert data[:4] == b"\x1f\x8b\x08\x00" and data[4:8] == bytes(4)  # no name, mtime 0
    body = gzip.decompress(data).decode().split("\n", 1)[1]
    assert body == "".join(map(line_formatter(NULL_TESTS), rows))
    assert encode_csv(NULL_TESTS, iter(rows)) == data  # same rows, same bytes


def test_duckdb_reads_null_as_null_and_empty_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "p.csv.gz"
    path.write_bytes(
        encode_csv(NULL_TESTS, [_row(None), _row("", name="x"), _row(" keep ", name="y")])
    )
    rows = duckdb.sql(
        "SELECT playlist_name, description, owner_id, snapshot_id "
        f"FROM {csv_read_sql(NULL_TESTS, str(path))} ORDER BY 1"
    ).fetchall()
    assert rows == [("n", None, None, ""), ("x", "", None, ""), ("y", " keep ", None, "")]


def test_duckdb_written_null_and_empty_read_back_the_same_way(tmp_path: Path) -> None:
    # The other direction: a file DuckDB writes with the same convention reads back identically
    # through the loaders' reader, so a hand-made fix-up file follows the same rules.
    path = tmp_path / "d.csv"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES (NULL::VARCHAR, ''), ('a', NULL)) t(x, y)) "
        f"TO '{path}' (HEADER, NULLSTR '\\N', FORCE_QUOTE (x, y))"
    )
    assert path.read_text().splitlines()[1:] == ['\\N,""', '"a",\\N']
    got = duckdb.sql(
        f"SELECT * FROM read_csv('{path}', header=true, nullstr='\\N', quote='\"', escape='\"') "
        "ORDER BY x NULLS FIRST"
    ).fetchall()
    assert got == [(None, ""), ("a", None)]


def test_parquet_is_typed_per_model(tmp_path: Path) -> None:
    write_part(tmp_path, dev_playlist_lines())
    summary = run_local(tmp_path, fmt="parquet")
    assert summary.exit_code == 0
    out = tmp_path / "transformed"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert "songs/dt=2026-11-24/20261124T060000Z-0a1b2c3d-playlists-part-00000.parquet" in files
    song_file = (
        out
        / files[
            files.index(
                "songs/dt=2026-11-24/20261124T060000Z-0a1b2c3d-playlists-part-00000.parquet"
            )
        ]
    )
    types = {
        k: v
        for k, v in duckdb.sql(
            "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
            f"read_parquet('{song_file}', hive_partitioning=false))"
        ).fetchall()
    }
    expected = {
        "INTEGER": "INTEGER",
        "VARCHAR": "VARCHAR",
        "DOUBLE": "DOUBLE",
        "BOOLEAN": "BOOLEAN",
        "TIMESTAMP": "TIMESTAMP",
        "BIGINT": "BIGINT",
        "DATE": "DATE",
    }
    assert types == {c.name: expected[c.type] for c in model.SONGS.columns}
    assert read_table(out, "SONGS", fmt="parquet") == _csv_rows(tmp_path, "SONGS")
    assert not list(out.rglob("*.csv.gz"))


def _csv_rows(root: Path, table: str) -> list[dict[str, object]]:
    other = root / "csv-copy"
    run_local_to(root, other)
    return read_table(other, table)


def run_local_to(root: Path, out: Path) -> None:
    from spotify_etl.storage import LocalStore
    from spotify_etl.transform import run_transform

    run_transform(LocalStore(root / "raw"), LocalStore(out))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_rerun_gives_byte_identical_files_with_the_same_names(tmp_path: Path, fmt: str) -> None:
    write_part(tmp_path, dev_playlist_lines())
    write_part(tmp_path, [b"not json"], part=1)
    run_local(tmp_path, fmt=fmt)
    out = tmp_path / "transformed"
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    run_local(tmp_path, fmt=fmt)
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert first == second
    assert any(str(k).startswith("_quarantine/") for k in first)
    assert any(str(k).startswith("_batches/") for k in first)


def test_a_rerun_removes_files_the_batch_no_longer_makes(tmp_path: Path) -> None:
    write_part(tmp_path, dev_playlist_lines())
    run_local(tmp_path)
    out = tmp_path / "transformed"
    assert (out / "songs").exists()
    run_local(tmp_path, fmt="parquet")
    assert not list(out.rglob("*.csv.gz"))  # the csv outputs of the same batch are gone
    # The raw part now holds only the playlist object: the item tables' files go.
    write_part(
        tmp_path,
        [envelope(playlist(PL, "My List", "snap-1", 0), f"{API}/playlists/{PL}", source_id=PL)],
    )
    summary = run_local(tmp_path)
    assert sorted(p.relative_to(out).parts[0] for p in out.rglob("*.csv.gz")) == ["playlist"]
    assert not list(out.rglob("*.parquet"))
    batch = json.loads(next((out / "_batches").rglob("*.json")).read_text())
    assert batch["outputs"] == summary.output_keys
    assert batch["quarantine"] is None and not list((out / "_quarantine").rglob("*.gz"))


def test_the_schema_is_written_beside_the_data(tmp_path: Path) -> None:
    write_part(tmp_path, dev_playlist_lines())
    run_local(tmp_path)
    doc = json.loads(
        (tmp_path / "transformed" / "_schema" / f"schema-v{model.SCHEMA_VERSION}.json").read_text()
    )
    assert doc["schema_version"] == model.SCHEMA_VERSION
    songs = doc["tables"]["songs"]
    assert [c["name"] for c in songs["columns"]] == list(model.SONGS.column_names)
    assert songs["key"] == ["song_id"] and songs["columns"][0]["nullable"] is False
    assert doc["csv"]["null"] == "\\N"


def test_a_name_that_is_literally_backslash_n_stays_a_string_in_parquet(tmp_path: Path) -> None:
    # Quoted "\N" is a string, bare \N the NULL; the Parquet conversion must not confuse them
    # (here the name column is NOT NULL, so a NULL would also break the schema's promise).
    body = {**playlist(PL, "\\N", "snap-1", 0), "description": ""}
    write_part(tmp_path, [envelope(body, f"{API}/playlists/{PL}", source_id=PL)])
    assert run_local(tmp_path, fmt="parquet").exit_code == 0
    (row,) = read_table(tmp_path / "transformed", "PLAYLIST", fmt="parquet")
    assert (row["playlist_name"], row["description"]) == ("\\N", "")

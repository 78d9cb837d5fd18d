"""Every stage opens the warehouse with all of its [warehouse] settings applied, not some."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spotify_etl.config import WarehouseSettings
from spotify_etl.warehouse import open_configured
from spotify_etl.warehouse.duckdb_adapter import DuckDBWarehouse

SRC = Path(__file__).resolve().parents[2] / "src" / "spotify_etl"


def test_open_configured_applies_the_memory_limit_and_merge_passes(tmp_path: Path) -> None:
    settings = WarehouseSettings(
        url="duckdb:///./w.duckdb", duckdb_memory_limit="77MB", duckdb_merge_rows=123
    )
    wh = open_configured(settings, base_dir=tmp_path)
    try:
        assert Path(wh.url.removeprefix("duckdb://")) == (tmp_path / "w.duckdb").resolve()
        limit = wh.execute("SELECT current_setting('memory_limit')")[1][0][0]
        assert limit.replace(" ", "") in ("73.4MiB", "77.0MB", "77MB")  # DuckDB shows MiB
        assert isinstance(wh, DuckDBWarehouse) and wh.merge_rows == 123
    finally:
        wh.close()


def test_a_url_given_instead_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cfg").mkdir()
    wh = open_configured(WarehouseSettings(), base_dir=tmp_path / "cfg", url="duckdb:///./x.duckdb")
    try:
        assert Path(wh.url.removeprefix("duckdb://")) == (tmp_path / "x.duckdb").resolve()
    finally:
        wh.close()


def test_every_stage_opens_its_warehouse_with_all_its_settings() -> None:
    # open_warehouse(warehouse_url(config), ...) dropped duckdb_memory_limit: `run` ignored it.
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parent == SRC / "warehouse":  # where it is defined and documented
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bopen_warehouse\(", line):
                offenders.append(f"{path.relative_to(SRC)}:{n}")
    assert offenders == [], "use warehouse.open_configured(config.warehouse, ...)"


def test_only_the_factory_names_a_concrete_adapter() -> None:
    """Callers ask connect.py (open_configured, duckdb_file, resolved_url); they never import
    an adapter module, so which engine runs is chosen in one place."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if path.name not in ("connect.py", "duckdb_adapter.py", "snowflake_adapter.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(
            r"^\s*(from|import) .*\b(duckdb_adapter|snowflake_adapter)\b"
            r"|\b(DuckDBWarehouse|SnowflakeWarehouse)\(",
            line,
        )
    ]
    assert offenders == []

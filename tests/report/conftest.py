from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_etl.config import Secrets
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending, open_warehouse
from tests.warehouse.conftest import fake_snowflake
from tests.warehouse.dataset import write_dataset

__all__ = ["fake_snowflake"]

SF_URL = "snowflake://acct/SPOTIFY/MODEL?warehouse=WH"
SF_SECRETS = Secrets(snowflake_user="report", snowflake_password="not-a-real-pass")  # type: ignore[arg-type]


@pytest.fixture(params=["duckdb", "snowflake"])
def any_wh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """An empty, migrated warehouse: a DuckDB file, or Snowflake SQL run by fakesnow."""
    if request.param == "snowflake":
        request.getfixturevalue("fake_snowflake")
        wh = open_warehouse(SF_URL, SF_SECRETS)
    else:
        wh = open_warehouse(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield wh
    wh.close()


@pytest.fixture
def duck(tmp_path: Path) -> Iterator[Warehouse]:
    wh = open_warehouse(f"duckdb:///{tmp_path / 'warehouse.duckdb'}")
    yield wh
    wh.close()


@pytest.fixture
def literal(duck: Warehouse, tmp_path: Path) -> Warehouse:
    """tests/warehouse/dataset.py loaded the real way (files -> load -> MERGE)."""
    root = tmp_path / "transformed"
    root.mkdir()
    write_dataset(root)
    assert load_pending(LocalStore(root), duck).exit_code == 0
    return duck

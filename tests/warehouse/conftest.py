from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, open_warehouse
from tests.warehouse.dataset import write_dataset


@pytest.fixture
def transformed(tmp_path: Path) -> Path:
    root = tmp_path / "transformed"
    root.mkdir()
    return root


@pytest.fixture
def store(transformed: Path) -> LocalStore:
    return LocalStore(transformed)


@pytest.fixture
def dataset_store(transformed: Path) -> LocalStore:
    write_dataset(transformed)
    return LocalStore(transformed)


@pytest.fixture
def wh_url(tmp_path: Path) -> str:
    return f"duckdb:///{tmp_path / 'wh' / 'warehouse.duckdb'}"


@pytest.fixture
def wh(wh_url: str) -> Iterator[Warehouse]:
    warehouse = open_warehouse(wh_url)
    yield warehouse
    warehouse.close()

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


@pytest.fixture
def fake_snowflake(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """fakesnow with two shims for what it cannot run here (both are fakesnow limitations,
    not Snowflake behaviour; the report lists them):

    - COPY INTO a table of more than 10 columns: fakesnow selects `column0..`, but DuckDB >= 2
      names headerless CSV columns `column00..`; the shim pads the names the way DuckDB does.
    - MERGE whose SET reads a source column only inside an expression (a CASE): fakesnow
      copies into its merge candidates only the source columns that appear bare; the shim
      adds every source column the MERGE names.
    - MERGE inside an explicit transaction: fakesnow's MERGE writes its own bookkeeping
      database, which DuckDB forbids in a transaction that wrote another one; the shim runs
      the file's statements without BEGIN/COMMIT (test_snowflake_load checks the transaction
      itself on statements fakesnow can run inside one).
    """
    import contextlib
    import re
    import sys

    import fakesnow
    import fakesnow.copy_into as copy_into
    import sqlglot
    from sqlglot import exp

    from spotify_etl.warehouse.snowflake_adapter import SnowflakeWarehouse

    original = copy_into._inserts

    def padded(*args: object, **kwargs: object) -> list[exp.Expr]:
        inserts = original(*args, **kwargs)
        for insert in inserts:
            cols = [c for c in insert.find_all(exp.Column) if re.fullmatch(r"column\d+", c.name)]
            if len(cols) > 10:
                width = len(str(len(cols) - 1))
                for c in cols:
                    c.set("this", exp.to_identifier(f"column{int(c.name[6:]):0{width}d}"))
        return inserts

    monkeypatch.setattr(copy_into, "_inserts", padded)
    merge_module = sys.modules["fakesnow.transforms.merge"]
    candidates = merge_module._create_merge_candidates

    def every_source_column(merge_expr: exp.Expr) -> exp.Expr:
        created = candidates(merge_expr)
        source = merge_expr.args["using"].alias_or_name
        select = created.find(exp.Select)
        have = {str(e) for e in select.expressions}
        wanted = {
            str(c)
            for when in merge_expr.args["whens"]
            for c in when.find_all(exp.Column)
            if c.table and c.table.upper() == source.upper()
        }
        for name in sorted(wanted - have):
            select.expressions.insert(0, sqlglot.parse_one(name))
        return created

    monkeypatch.setattr(merge_module, "_create_merge_candidates", every_source_column)
    monkeypatch.setattr(SnowflakeWarehouse, "transaction", lambda self: contextlib.nullcontext())
    with fakesnow.patch():
        yield

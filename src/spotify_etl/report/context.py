"""What a section may ask for: named queries (cached), table row counts, lake facts.

Every number in the report comes from a named query (warehouse/sql/*.sql, the same source as
`spotify-etl query`), so DuckDB and Snowflake feed it alike; the only other sources are the
warehouse's row counts and, when the lake is reachable, the run manifests and batch summaries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from spotify_etl.errors import SpotifyEtlError
from spotify_etl.report.model import Rows
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.analytics import run_query
from spotify_etl.warehouse.base import Warehouse

_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class LakeFacts:
    """Per extraction run (newest last) and quarantined rows per day, from the lake's files."""

    runs: Rows  # run_id, dt, outcome, requests_used, budget
    quarantined: Rows  # dt, table_name, rows_quarantined
    where: str


def read_lake(raw: ObjectStore, transformed: ObjectStore, *, newest_runs: int = 60) -> LakeFacts:
    runs: list[tuple[Any, ...]] = []
    manifests = sorted(o.key for o in raw.list("raw/_runs/") if o.key.endswith("manifest.json"))
    for key in manifests[-newest_runs:]:
        try:
            m = json.loads(raw.get(key))
        except (SpotifyEtlError, ValueError):
            continue  # `spotify-etl status` names unreadable manifests; the report skips them
        budget = m.get("budget") or {}
        runs.append(
            (
                m.get("run_id"),
                m.get("dt"),
                m.get("outcome"),
                budget.get("used"),
                budget.get("limit"),
            )
        )
    quarantined: dict[tuple[str, str], int] = {}
    for obj in transformed.list("_batches/"):
        match = _DT.search("/" + obj.key)
        if not match or not obj.key.endswith(".json"):
            continue
        try:
            summary = json.loads(transformed.get(obj.key))
        except (SpotifyEtlError, ValueError):
            continue
        for table, counts in (summary.get("tables") or {}).items():
            n = int(counts.get("rows_quarantined") or 0)
            if n:
                k = (match.group(1), str(table).upper())
                quarantined[k] = quarantined.get(k, 0) + n
    return LakeFacts(
        Rows(("run_id", "dt", "outcome", "requests_used", "budget"), tuple(runs)),
        Rows(
            ("dt", "table_name", "rows_quarantined"),
            tuple((d, t, n) for (d, t), n in sorted(quarantined.items())),
        ),
        raw.url,
    )


@dataclass
class ReportContext:
    wh: Warehouse
    days: int = 30
    lake: LakeFacts | None = None
    lake_error: str | None = None
    _cache: dict[tuple[str, tuple[tuple[str, Any], ...]], Rows] = field(default_factory=dict)
    _counts: dict[str, int] | None = None

    def query(self, name: str, **params: Any) -> Rows:
        """A named query's answer (each distinct call runs once per report)."""
        key = (name, tuple(sorted(params.items())))
        if key not in self._cache:
            columns, rows = run_query(self.wh, name, params or None)
            self._cache[key] = Rows.of(columns, rows)
        return self._cache[key]

    def table_counts(self) -> dict[str, int]:
        if self._counts is None:
            self._counts = dict(self.wh.table_counts())
        return self._counts

    def has_field(self, field_name: str) -> bool:
        """Whether any row carries a field the development profile omits (profile_coverage)."""
        for name, _total, with_value in self.query("profile_coverage").rows:
            if name == field_name:
                return bool(with_value)
        return False

    @property
    def queries_run(self) -> list[tuple[str, dict[str, Any]]]:
        """Each distinct (query, parameters) the report ran, for `query` and the benchmark."""
        return [(name, dict(params)) for name, params in self._cache]

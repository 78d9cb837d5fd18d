"""Report = every registered section built against one warehouse, rendered to one HTML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spotify_etl.errors import ConfigError
from spotify_etl.report.context import LakeFacts, ReportContext
from spotify_etl.report.model import BuiltSection, Report
from spotify_etl.report.page import render_html
from spotify_etl.report.sections import registered
from spotify_etl.warehouse.base import Warehouse

TITLE = "spotify-etl report"


@dataclass(frozen=True)
class BuiltReport:
    report: Report
    html: str
    queries: list[tuple[str, dict[str, Any]]]  # the named queries it ran, with parameters

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))


def build_report(
    wh: Warehouse,
    *,
    days: int = 30,
    lake: LakeFacts | None = None,
    lake_error: str | None = None,
    now: datetime | None = None,
) -> BuiltReport:
    if days < 1:
        raise ConfigError(f"--days must be at least 1, got {days}")
    ctx = ReportContext(wh, days=days, lake=lake, lake_error=lake_error)
    sections = []
    for section in registered():
        cards = section.build(ctx)
        if cards:
            sections.append(BuiltSection(section.id, section.title, section.intro, tuple(cards)))
    ids = [c.id for s in sections for c in s.cards]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate card ids in the report: {sorted(ids)}")
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    report = Report(TITLE, generated, describe(wh.url), days, tuple(sections))
    return BuiltReport(report, render_html(report), ctx.queries_run)


def describe(url: str) -> str:
    """`DuckDB /path/warehouse.duckdb` or `Snowflake account/DB/SCHEMA`: the page holds no URL."""
    scheme, _, rest = url.partition("://")
    name = {"duckdb": "DuckDB", "snowflake": "Snowflake"}.get(scheme, scheme)
    return f"{name} {rest.split('?', 1)[0]}"


def write_file(path: Path, html: str) -> Path:
    """Atomically: a reader never sees half a report (write aside, then rename)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path

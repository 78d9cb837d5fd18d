"""The report: named queries -> chart specs (Vega-Lite) -> one self-contained HTML file.

    built = build_report(warehouse, days=30, lake=read_lake(raw_store, transformed_store))
    write_file(Path("report.html"), built.html)

Sections live one per module in report/sections/ (a registry: add a module, get a section).
"""

from __future__ import annotations

from spotify_etl.report.build import BuiltReport, build_report, write_file
from spotify_etl.report.context import LakeFacts, ReportContext, read_lake
from spotify_etl.report.model import Card, Rows, Section

__all__ = [
    "BuiltReport",
    "Card",
    "LakeFacts",
    "ReportContext",
    "Rows",
    "Section",
    "build_report",
    "read_lake",
    "write_file",
]

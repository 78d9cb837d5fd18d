"""What a run did, for people: one table of stages and one of rows per table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from spotify_etl.console import out

if TYPE_CHECKING:
    from spotify_etl.pipeline.run import RunReport


def token_requests(requests: dict[str, dict[str, int]]) -> int:
    return sum(
        n
        for endpoint, by in requests.items()
        if endpoint.startswith("accounts")
        for n in by.values()
    )


def print_report(report: RunReport) -> None:
    stages = Table(title="pipeline run", title_justify="left")
    stages.add_column("stage")
    stages.add_column("seconds", justify="right")
    stages.add_column("result")
    if report.extract is not None:
        ex = report.extract
        stages.add_row(
            "extract",
            f"{report.seconds.get('extract', 0):.1f}",
            f"{ex.outcome}: {ex.budget_used}/{ex.budget} API requests "
            f"(+{token_requests(ex.requests)} token), {len(ex.part_keys)} raw parts, "
            f"{len(ex.skipped)} skipped",
        )
    if report.transform is not None:
        tr = report.transform
        rows_out = sum(c.rows_out for c in tr.tables.values())
        stages.add_row(
            "transform",
            f"{report.seconds.get('transform', 0):.1f}",
            f"{len(tr.batches)} batches, {rows_out} rows, {tr.rows_quarantined} rows and "
            f"{tr.inputs_quarantined} inputs quarantined, {len(tr.unreadable)} unreadable files",
        )
    if report.load is not None:
        ld = report.load
        stages.add_row(
            "load",
            f"{report.seconds.get('load', 0):.1f}",
            f"{len(ld.loaded)} files loaded, {ld.skipped} already loaded, "
            f"{len(ld.failed)} failed, {len(ld.refused)} refused",
        )
    out.print(stages)
    if report.table_counts:
        counts = Table(title="warehouse rows", title_justify="left")
        counts.add_column("table")
        counts.add_column("rows", justify="right")
        for name, n in report.table_counts.items():
            counts.add_row(name, str(n))
        out.print(counts)
    if report.extract is not None and report.extract.outcome != "complete":
        out.print(report.extract.summary())
    if report.load is not None:
        for line in report.load.lines()[1:]:
            out.print(line)

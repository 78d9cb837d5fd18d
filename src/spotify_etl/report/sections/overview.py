"""Overview: what is in the warehouse, how many days it covers, and what the runs cost."""

from __future__ import annotations

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Rows, Section


def _facts(ctx: ReportContext) -> Card:
    coverage = ctx.query("snapshot_coverage").records()[0]
    counts = ctx.table_counts()
    loads = ctx.query("load_activity")
    facts: list[tuple[str, str]] = []
    if coverage["snapshot_days"]:
        facts.append(("snapshot days", f"{coverage['snapshot_days']:,}"))
        facts.append(("first day", str(coverage["first_day"])))
        facts.append(("last day", str(coverage["last_day"])))
        facts.append(("playlists on the last day", f"{coverage['playlists_on_last_day']:,}"))
    else:
        facts.append(("snapshot days", "none yet"))
    for table in ("SONGS", "ARTIST", "ALBUM"):
        facts.append((f"{table} rows", f"{counts.get(table, 0):,}"))
    if len(loads):
        facts.append(("last load", str(loads.column("last_load_at")[-1])[:16] + " UTC"))
    if ctx.lake is not None and len(ctx.lake.runs):
        run_id, _dt, outcome, used, _budget = ctx.lake.runs.rows[-1]
        facts.append(("last run", f"{run_id} ({outcome})"))
        facts.append(("requests, last run", f"{used or 0:,}"))
        total = sum(r[3] or 0 for r in ctx.lake.runs.rows)
        facts.append((f"requests, {len(ctx.lake.runs)} runs", f"{total:,}"))
        quarantined = sum(r[2] for r in ctx.lake.quarantined.rows)
        facts.append(("rows quarantined", f"{quarantined:,}"))
    figures = Rows(("figure", "value"), tuple(facts))
    return Card(
        "overview-facts",
        "At a glance",
        "Snapshot days come from PLAYLIST_ITEM; runs, "
        "requests and quarantine from the lake's run manifests and batch summaries.",
        figures,
        query="snapshot_coverage",
        facts=tuple(facts),
    )


def _tables(ctx: ReportContext) -> Card:
    rows = Rows(("table_name", "rows"), tuple(ctx.table_counts().items()))
    spec = charts.bar(
        rows, "table_name", "rows", category_title="table", value_title="rows", horizontal=True
    )
    return Card(
        "overview-tables",
        "Rows per table",
        "Rows in each model table of the warehouse.",
        rows,
        spec,
    )


def _runs(ctx: ReportContext) -> Card:
    title, caption = "Requests per extraction run", "API requests each run spent of its budget."
    if ctx.lake is None:
        reason = ctx.lake_error or "no lake configured"
        return Card(
            "overview-runs",
            title,
            caption,
            Rows(("run_id",), ()),
            unavailable=f"Run manifests not available: {reason}",
        )
    runs = ctx.lake.runs
    if not len(runs):
        return Card(
            "overview-runs",
            title,
            caption,
            runs,
            unavailable=f"No run manifests in {ctx.lake.where}",
        )
    spec = charts.bar(
        runs,
        "run_id",
        "requests_used",
        category_title="run",
        value_title="requests",
        horizontal=True,
        tooltip=("outcome", "budget"),
    )
    return Card("overview-runs", title, caption, runs, spec)


def _quarantine(ctx: ReportContext) -> Card:
    title = "Rows quarantined"
    caption = "Rows the transform set aside with a reason (transformed/_quarantine/), per day."
    if ctx.lake is None:
        return Card(
            "overview-quarantine",
            title,
            caption,
            Rows(("dt",), ()),
            unavailable="Batch summaries not available: "
            + (ctx.lake_error or "no lake configured"),
        )
    rows = ctx.lake.quarantined
    if not len(rows):
        return Card(
            "overview-quarantine",
            title,
            caption,
            rows,
            unavailable="No rows quarantined: every row passed the checks",
        )
    spec = charts.bar(
        rows, "dt", "rows_quarantined", category_title="day", value_title="rows quarantined"
    )
    spec["encoding"]["color"] = {"field": "table_name", "type": "nominal", "title": "table"}
    spec["mark"].pop("color", None)
    return Card("overview-quarantine", title, caption, rows, spec)


def _loads(ctx: ReportContext) -> Card:
    rows = ctx.query("load_activity")
    title, caption = "Files loaded per day", "Files the loader recorded in LOAD_HISTORY, by day."
    if not len(rows):
        return Card(
            "overview-loads",
            title,
            caption,
            rows,
            query="load_activity",
            unavailable="No loads in LOAD_HISTORY (Snowpipe records its loads in COPY_HISTORY)",
        )
    spec = charts.bar(
        rows,
        "load_day",
        "files_loaded",
        category_title="day",
        value_title="files loaded",
        tooltip=("rows_loaded", "files_failed"),
    )
    return Card("overview-loads", title, caption, rows, spec, query="load_activity")


def build(ctx: ReportContext) -> list[Card]:
    return [_facts(ctx), _tables(ctx), _runs(ctx), _quarantine(ctx), _loads(ctx)]


SECTION = Section("overview", "Overview", 10, build)

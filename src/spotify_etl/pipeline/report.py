"""What a run did, for people (tables) or machines (`--log-format json`: one JSON object).

Every item is accounted for in one place: the rows each table read = written + duplicates
(the same key again) + quarantined, and what was read but is no row at all (null items,
audiobooks, partial replies, ...) is counted by kind, so the totals add up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from spotify_etl.console import emit_json, json_mode, out, plural

if TYPE_CHECKING:
    from spotify_etl.extract.manifest import ExtractResult
    from spotify_etl.history.importer import ImportSummary
    from spotify_etl.pipeline.listen import ListenReport
    from spotify_etl.pipeline.run import RunReport
    from spotify_etl.transform import TransformSummary
    from spotify_etl.warehouse.base import LoadSummary

# Why each kind of skipped input is not a row, in a few words for the run's one line
# (transform.summary.SKIP_REASONS has the full reasons; a test keeps the kinds the same):
# the noun for one and for many ("1 null item", "2 null items"), and the reason.
SKIP_WHY = {
    "null_items": ("null item", "null items", "deleted or unavailable"),
    "items_without_id": ("item without an id", "items without an id", "fields= replies"),
    "local_files": ("local file", "local files", "outside a playlist"),
    "audiobooks": ("audiobook", "audiobooks", "no table"),
    "nothing_playing": ("player reply", "player replies", "nothing playing"),
    "episode_plays": ("episode play", "episode plays", "EPISODE rows; PLAY holds songs"),
    "error_replies": ("error reply", "error replies", "see the run's skipped ids"),
    "partial_replies": (
        "snapshot check",
        "snapshot checks",
        "rows carried forward from earlier parts",
    ),
    "other_objects": ("other object", "other objects", "user profiles, contains checks"),
}


def skipped_text(kind: str, n: int) -> str:
    """One kind of input that gave no row, counted in English."""
    if kind not in SKIP_WHY:
        return f"{kind.replace('_', ' ')}: {n}"  # a kind without a noun here: its name
    one, many, why = SKIP_WHY[kind]
    return f"{plural(n, one, many)} ({why})"


def token_requests(requests: dict[str, dict[str, int]]) -> int:
    return sum(
        n
        for endpoint, by in requests.items()
        if endpoint.startswith("accounts")
        for n in by.values()
    )


def report_data(report: RunReport) -> dict[str, Any]:
    """The run as plain data: what `--log-format json` prints, and what the tables show."""
    data: dict[str, Any] = {"exit_code": report.exit_code, "seconds": report.seconds}
    if report.extract is not None:
        data["extract"] = extract_data(report.extract)
    if report.transform is not None:
        data["transform"] = transform_data(report.transform)
    if report.load is not None:
        data["load"] = load_data(report.load)
    if report.table_counts:
        data["warehouse_rows"] = dict(report.table_counts)
    return data


def extract_data(ex: ExtractResult) -> dict[str, Any]:
    """The run summary's extract object (and `extract --log-format json`'s)."""
    return {
        "run_id": ex.run_id,
        "outcome": ex.outcome,
        "reason": ex.reason,
        "requests": ex.budget_used,
        "budget": ex.budget,
        "token_requests": token_requests(ex.requests),
        "raw_parts": len(ex.part_keys),
        "entities_fetched": ex.entities_fetched,
        "skipped_ids": len(ex.skipped),
        "resume_after": ex.resume_after,
    }


def load_data(ld: LoadSummary) -> dict[str, Any]:
    """The run summary's load object (and `load --log-format json`'s)."""
    return {
        "files_loaded": len(ld.loaded),
        "already_loaded": ld.skipped,
        "failed": len(ld.failed),
        "refused": len(ld.refused),
        "tables_without_files": list(ld.missing_tables),
    }


def load_details(ld: LoadSummary) -> dict[str, Any]:
    """What a load alone says besides the counts: rows read per table and each problem."""
    return {
        "rows_read": dict(ld.rows),
        "previously_failed": list(ld.previously_failed),
        "problems": [
            {"kind": kind, "key": key, "reason": why}
            for kind, pairs in (("refused", ld.refused), ("failed", ld.failed),
                                ("ignored", ld.ignored))
            for key, why in pairs
        ],
    }  # fmt: skip


def import_data(summary: ImportSummary) -> dict[str, Any]:
    """`import history --log-format json`: the import's counts, and its load's."""
    return {
        "exit_code": summary.exit_code,
        "files": len(summary.files),
        "records": summary.elements,
        "plays": summary.rows,
        "batches": len(summary.batches),
        "duplicates": summary.duplicates,
        "quarantined": dict(summary.quarantined),
        "without_track_uri": dict(summary.counts),
        "skipped": dict(summary.skipped),
        "unreadable": list(summary.unreadable),
        "queued_tracks": summary.queued_tracks,
        "load": None if summary.load is None else load_data(summary.load),
    }


def listen_data(report: ListenReport) -> dict[str, Any]:
    """`listen --log-format json`: what the listener did until it stopped, and why."""
    return {
        "exit_code": report.exit_code,
        "polls": report.polls,
        "requests": report.requests,
        "plays_seen": report.plays,
        "rows_loaded": report.rows_loaded,
        "stopped": report.stopped,
        "message": report.message,
        "queued": dict(report.queued),
        "gaps": [{"after": g.after, "before": g.before} for g in report.gaps],
    }


def transform_data(tr: TransformSummary) -> dict[str, Any]:
    return {
        "batches": len(tr.batches),
        "tables": {
            name: {
                "read": c.rows_in,
                "written": c.rows_out,
                "duplicates": c.duplicates,
                "quarantined": c.rows_quarantined,
            }
            for name, c in tr.tables.items()
            if c.rows_in
        },
        "skipped_inputs": {k: v for k, v in sorted(tr.skipped.items()) if v},
        "inputs_quarantined": tr.inputs_quarantined,
        "unreadable_files": len(tr.unreadable),
    }


def print_report(report: RunReport) -> None:
    if json_mode():
        emit_json("run", report_data(report))
        return
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
            f"(+{token_requests(ex.requests)} token), {plural(len(ex.part_keys), 'raw part')}, "
            f"{len(ex.skipped)} skipped",
        )
    if report.transform is not None:
        tr = report.transform
        rows_out = sum(c.rows_out for c in tr.tables.values())
        stages.add_row(
            "transform",
            f"{report.seconds.get('transform', 0):.1f}",
            f"{plural(len(tr.batches), 'batch')}, {plural(rows_out, 'row')} written "
            f"(accounted for below), {plural(len(tr.unreadable), 'unreadable file')}",
        )
    if report.load is not None:
        ld = report.load
        stages.add_row(
            "load",
            f"{report.seconds.get('load', 0):.1f}",
            f"{plural(len(ld.loaded), 'file')} loaded, {ld.skipped} already loaded, "
            f"{len(ld.failed)} failed, {len(ld.refused)} refused",
        )
    out.print(stages)
    if report.transform is not None:
        print_accounting(report.transform)
    if report.table_counts:
        counts = Table(title="warehouse rows (distinct keys, all days)", title_justify="left")
        counts.add_column("table")
        counts.add_column("rows", justify="right")
        for name, n in report.table_counts.items():
            counts.add_row(name, str(n))
        out.print(counts)
    if report.extract is not None and report.extract.outcome != "complete":
        out.print(report.extract.summary())
    if report.load is not None:
        for line in report.load.lines(missing=False)[1:]:  # no rows yet is not a fault
            out.print(line)


def print_accounting(tr: TransformSummary) -> None:
    """Rows read per table = written + duplicates + quarantined; then what was not a row."""
    data = transform_data(tr)
    if not data["tables"] and not data["skipped_inputs"]:
        return
    table = Table(title="where this run's rows went", title_justify="left")
    for column in ("table", "read", "= written", "+ duplicates", "+ quarantined"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, c in data["tables"].items():
        table.add_row(
            name, str(c["read"]), str(c["written"]), str(c["duplicates"]), str(c["quarantined"])
        )
    out.print(table)
    skipped = data["skipped_inputs"]
    if skipped:
        kinds = ", ".join(skipped_text(kind, n) for kind, n in skipped.items())
        out.print(f"read but not rows: {kinds}")
    if data["inputs_quarantined"] or tr.rows_quarantined:
        out.print(
            f"quarantined: {plural(tr.rows_quarantined, 'row')} and "
            f"{plural(data['inputs_quarantined'], 'input')}, each with its reason, in "
            "transformed/_quarantine/"
        )

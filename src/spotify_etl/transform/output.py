"""Writing one batch: data files, the quarantine file, then the summary (last, as the marker).

Layout under the transformed root (loaders ignore `_`-prefixed folders):
    <table>/dt=YYYY-MM-DD/<batch>.csv.gz | .parquet
    _quarantine/dt=YYYY-MM-DD/<batch>.jsonl.gz    one JSON object per bad row or record
    _batches/dt=YYYY-MM-DD/<batch>.json           the batch summary
    _schema/schema-v<N>.json                      the model's tables, columns, types, nullability
A rerun writes the same names; files a previous run of the batch wrote and this one did not
(a table that is now empty, another format) are deleted, so the day converges.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec

from spotify_etl import model
from spotify_etl.storage import ObjectStore
from spotify_etl.transform.collector import Collector
from spotify_etl.transform.summary import BatchSummary, UnreadableFile
from spotify_etl.transform.writer import ParquetWriter, encode_csv, gzip_bytes

if TYPE_CHECKING:
    from spotify_etl.transform.batch import Source


def data_key(table: model.Table, dt: str, batch: str, fmt: str) -> str:
    ext = "csv.gz" if fmt == "csv" else "parquet"
    return f"{table.folder}/dt={dt}/{batch}.{ext}"


def quarantine_key(dt: str, batch: str) -> str:
    return f"_quarantine/dt={dt}/{batch}.jsonl.gz"


def summary_key(dt: str, batch: str) -> str:
    return f"_batches/dt={dt}/{batch}.json"


def schema_key() -> str:
    return f"_schema/schema-v{model.SCHEMA_VERSION}.json"


def write_schema(out: ObjectStore) -> str:
    """The model's tables as JSON beside the data, for readers without this package."""
    doc = {
        "schema_version": model.SCHEMA_VERSION,
        "csv": {"null": model.CSV_NULL, "delimiter": model.CSV_DELIMITER, "quote": model.CSV_QUOTE},
        "tables": {
            t.folder: {
                "name": t.name,
                "key": list(t.key),
                "kind": t.kind,
                "columns": [
                    {"name": c.name, "type": c.type, "nullable": c.nullable, "doc": c.doc}
                    for c in t.columns
                ],
            }
            for t in model.TABLES
        },
    }
    key = schema_key()
    data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    existing = out.head(key)
    if existing is None or existing.size != len(data):
        out.put(key, data)
    return key


def write_batch(
    out: ObjectStore,
    source: Source,
    rows: Collector,
    unreadable: list[UnreadableFile],
    *,
    fmt: model.FileFormat,
    parquet: ParquetWriter | None,
) -> BatchSummary:
    outputs: list[str] = []
    for table in model.TABLES:
        kept = rows.tables[table.name]
        if not kept.kept:
            continue
        data = encode_csv(table, kept.sorted_rows())
        if fmt == "parquet":
            assert parquet is not None
            data = parquet.encode(table, data)
        key = data_key(table, source.dt, source.batch, fmt)
        out.put(key, data)
        outputs.append(key)
    q_key = None
    if rows.quarantine:
        q_key = quarantine_key(source.dt, source.batch)
        lines = b"".join(
            msgspec.json.encode({"batch": source.batch, **record}) + b"\n"
            for record in rows.quarantine
        )
        out.put(q_key, gzip_bytes(lines))
    summary = BatchSummary(
        batch=source.batch,
        source_key=source.key,
        dt=source.dt,
        tables=rows.counts,
        skipped={k: v for k, v in sorted(rows.skipped.items())},
        inputs_quarantined=sum(1 for r in rows.quarantine if r["table"] is None),
        unreadable=unreadable,
        outputs=outputs,
        quarantine_key=q_key,
        missing_keys=dict(sorted(rows.missing.items())),
        dated_by=source.dated_by,
    )
    s_key = summary_key(source.dt, source.batch)
    _delete_stale(out, s_key, {*outputs, q_key})
    text = json.dumps(summary.to_json(), indent=2, sort_keys=True, ensure_ascii=False)
    out.put(s_key, text.encode() + b"\n")
    return summary


def _delete_stale(out: ObjectStore, s_key: str, keep: set[str | None]) -> None:
    if out.head(s_key) is None:
        return
    try:
        previous: dict[str, Any] = json.loads(out.get(s_key))
    except (ValueError, OSError):
        return
    old = [*previous.get("outputs", []), previous.get("quarantine")]
    for key in old:
        if isinstance(key, str) and key not in keep:
            out.delete(key)

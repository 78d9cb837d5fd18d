"""One import batch -> a transformed PLAY file, its quarantine and its summary.

The same layout and names as a transform batch (transform.output), so the loaders, `status`
and the quarantine readers treat it like any other: `play/dt=<day>/<batch>.csv.gz` (or
.parquet), `_quarantine/dt=<day>/<batch>.jsonl.gz`, `_batches/dt=<day>/<batch>.json`.
"""

from __future__ import annotations

import json

import msgspec

from spotify_etl import model
from spotify_etl.history.plays import Mapper
from spotify_etl.storage import ObjectStore
from spotify_etl.transform.collector import TableCounts
from spotify_etl.transform.output import data_key, quarantine_key, summary_key
from spotify_etl.transform.summary import BatchSummary
from spotify_etl.transform.writer import gzip_bytes

HEADER = ",".join(f'"{name}"' for name in model.PLAY.column_names) + "\n"


def write_play_batch(
    out: ObjectStore,
    rows: Mapper,
    *,
    batch: str,
    dt: str,
    source_key: str,
    fmt: model.FileFormat,
) -> BatchSummary:
    outputs: list[str] = []
    if rows.lines:
        lines = rows.lines
        data = gzip_bytes((HEADER + "".join(lines[k] for k in sorted(lines))).encode("utf-8"))
        if fmt == "parquet":
            from spotify_etl.transform.writer import ParquetWriter

            data = ParquetWriter().encode(model.PLAY, data)
        key = data_key(model.PLAY, dt, batch, fmt)
        out.put(key, data)
        outputs.append(key)
    q_key = None
    if rows.quarantine:
        q_key = quarantine_key(dt, batch)
        body = b"".join(
            msgspec.json.encode({"batch": batch, **record}) + b"\n" for record in rows.quarantine
        )
        out.put(q_key, gzip_bytes(body))
    counts = TableCounts(
        rows_in=rows.rows_in + len(rows.quarantine),
        rows_out=len(rows.lines),
        rows_quarantined=len(rows.quarantine),
        duplicates=rows.duplicates,
    )
    summary = BatchSummary(
        batch=batch,
        source_key=source_key,
        dt=dt,
        tables={"PLAY": counts},
        skipped=dict(sorted(rows.skipped.items())),
        inputs_quarantined=len(rows.quarantine),
        unreadable=[],
        outputs=outputs,
        quarantine_key=q_key,
    )
    text = json.dumps(summary.to_json(), indent=2, sort_keys=True, ensure_ascii=False)
    out.put(summary_key(dt, batch), text.encode() + b"\n")
    return summary

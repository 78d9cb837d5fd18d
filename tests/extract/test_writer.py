from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl.extract.writer import RawWriter
from spotify_etl.rawzone import parse_part_key
from spotify_etl.storage import LocalStore

RUN = "20261124T060000Z-0123abcd"
AT = datetime(2026, 11, 24, 6, 0, 1, 123456, tzinfo=UTC)


def _write(writer: RawWriter, kind: str, n: int, size: int = 10) -> list[str]:
    keys = []
    for i in range(n):
        envelope = writer.envelope(
            source_kind=kind,
            method="GET",
            url=f"http://127.0.0.1:1/v1/albums/{i}?market=US",
            params={"market": "US"},
            status=200,
            fetched_at=AT,
            body={"id": i, "name": f"album {i}", "pad": "é" * size},
            source_id=str(i),
        )
        keys.append(writer.write(envelope))
    return keys


def _records(store: LocalStore, key: str) -> list[dict[str, object]]:
    with gzip.open(store.uri(key)) as fh:
        return [json.loads(line) for line in fh]


def test_envelopes_land_in_named_gzip_parts(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    writer = RawWriter(store, run_id=RUN, dt="2026-11-24")
    keys = _write(writer, "albums", 3)
    assert list(store.list("raw/")) == []  # nothing stored before a flush
    writer.flush()
    assert set(keys) == {
        "raw/albums/dt=2026-11-24/run=20261124T060000Z-0123abcd/part-00000.jsonl.gz"
    }
    assert writer.written == keys[:1]
    rows = _records(store, keys[0])
    assert [r["source_id"] for r in rows] == ["0", "1", "2"]
    first = rows[0]
    assert first["url"] == "http://127.0.0.1:1/v1/albums/0"  # query kept apart, in params
    assert first["params"] == {"market": "US"}
    assert first["fetched_at"] == "2026-11-24T06:00:01.123456Z"
    assert first["run_id"] == RUN and first["dt"] == "2026-11-24" and first["status"] == 200
    assert "carry_forward" not in first and "body_text" not in first
    assert parse_part_key(keys[0]) == {
        "root": "raw/", "kind": "albums", "dt": "2026-11-24", "run_id": RUN, "part": "00000",
    }  # fmt: skip


def test_parts_roll_at_the_size_and_after_a_flush(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    writer = RawWriter(store, run_id=RUN, dt="2026-11-24", part_max_bytes=2048)
    keys = _write(writer, "tracks", 200, size=200)
    _write(writer, "artists", 1)
    writer.flush()
    _write(writer, "tracks", 1)
    writer.flush()
    parts = [k for k in writer.written if "/tracks/" in k]
    assert len(parts) > 3
    assert parts == sorted(parts)  # part numbers follow the order of writing
    assert sum(len(_records(store, k)) for k in parts) == 201
    for key in parts:  # each part holds at most one envelope beyond the size
        lines = gzip.decompress(store.get(key)).splitlines(keepends=True)
        assert sum(len(line) for line in lines[:-1]) < 2048
    assert set(keys) <= set(parts)


def test_same_envelopes_give_the_same_bytes(tmp_path: Path) -> None:
    blobs = []
    for name in ("a", "b"):
        store = LocalStore(tmp_path / name)
        writer = RawWriter(store, run_id=RUN, dt="2026-11-24")
        key = _write(writer, "albums", 5)[0]
        writer.flush()
        blobs.append(store.get(key))
    assert blobs[0] == blobs[1]

"""The raw zone contract seen from the reader: the transform rebuilds an unchanged
playlist's day snapshot from the carry-forward alone, identical to the day it was fetched."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.simulator import SimulatorConfig, running_simulator
from spotify_etl.storage import LocalStore
from spotify_etl.transform.runner import TransformRun, run_transform
from tests.extract.conftest import demo_secrets, lake, make_config, user_token


def _items(out: LocalStore, dt: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for info in out.list(f"playlist_item/dt={dt}/"):
        text = gzip.decompress(out.get(info.key)).decode()
        reader = csv.DictReader(io.StringIO(text))
        rows += [(r["playlist_id"], r["position"], r["song_id"], r["added_at"]) for r in reader]
    return sorted(rows)


def test_carried_forward_snapshot_equals_the_fetched_one(tmp_path: Path) -> None:
    day1 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    day2 = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    out = LocalStore(tmp_path / "out")
    with running_simulator(SimulatorConfig(profile="development", scale=2000)) as sim:
        token = user_token(sim, tmp_path / "token.json")
        ids = sim.catalog.playlist_ids(3) + sim.catalog.playlist_ids(1, owner="collab")
        config = make_config(tmp_path, sim, f"playlists = {json.dumps(ids)}")
        first = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token, now=day1))
        second = run_extract(
            config, ExtractRun(secrets=demo_secrets(), token_store=token, now=day2)
        )
    assert {p["status"] for p in second.playlists.values()} == {"unchanged"}
    for result in (first, second):
        summary = run_transform(lake(tmp_path), out, run=TransformRun(keys=result.part_keys))
        assert summary.exit_code == 0
    fetched, carried = _items(out, "2026-11-23"), _items(out, "2026-11-24")
    assert len(fetched) > 100
    playlists = {row[0] for row in fetched}
    assert playlists <= set(ids) and len(playlists) >= 3  # one of them is empty
    assert carried == fetched


def test_a_snapshot_fetched_across_stopped_runs_transforms_whole(tmp_path: Path) -> None:
    day = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    with running_simulator(SimulatorConfig(profile="extended", scale=2000)) as sim:
        ids = sim.catalog.playlist_ids(4)
        sources = f"playlists = {json.dumps(ids)}"
        whole = make_config(tmp_path / "whole", sim, sources)
        assert run_extract(whole, ExtractRun(secrets=demo_secrets(), now=day)).outcome == "complete"
        pieces = make_config(tmp_path / "pieces", sim, sources)
        runs = [run_extract(pieces, ExtractRun(secrets=demo_secrets(), now=day, budget=3))]
        while runs[-1].outcome != "complete":
            runs.append(run_extract(pieces, ExtractRun(secrets=demo_secrets(), now=day, budget=3)))
            assert len(runs) < 40
    assert any(info.get("status") == "partial" for run in runs for info in run.playlists.values())
    assert any(
        info.get("status") == "fetched" and run.resumed_from
        for run in runs
        for info in run.playlists.values()
    )
    outputs = []
    for name, keys in (
        ("whole", None),
        ("pieces", [key for run in runs for key in run.part_keys]),
    ):
        out = LocalStore(tmp_path / f"out-{name}")
        summary = run_transform(
            LocalStore(tmp_path / name / "lake"), out, run=TransformRun(keys=keys)
        )
        assert summary.exit_code == 0
        outputs.append(_items(out, "2026-11-23"))
    assert len(outputs[0]) > 100
    # Each run's transform re-emits the carried pages: the same rows again, which the
    # warehouse's keyed MERGE folds into one. What matters: no conflict, nothing missing.
    pieces = set(outputs[1])
    assert len({(r[0], r[1]) for r in pieces}) == len(pieces)
    assert sorted(pieces) == outputs[0]

"""A stopped run's partial work is completed by the next, never half-used: a playlist's
snapshot_id travels with its items whichever run (or raw part) fetched which."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from spotify_etl.config import PipelineConfig, parse_config
from spotify_etl.extract.context import ExtractRun
from spotify_etl.pipeline.run import run_pipeline
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.spotify import FileTokenStore
from spotify_etl.storage import LocalStore
from tests.extract.conftest import demo_secrets, envelopes
from tests.support.crash import warehouse_rows
from tests.support.pkce import authorise


def _config(folder: Path, sim: Simulator, part_max_bytes: int) -> PipelineConfig:
    c = sim.catalog
    playlists = c.playlist_ids(3) + c.playlist_ids(2, owner="other")
    return parse_config(
        f"""
[spotify]
api_base = "{sim.base_url}"
[storage]
raw = "{folder}/lake"
transformed = "{folder}/lake/transformed"
[warehouse]
url = "duckdb:///{folder}/wh.duckdb"
[extract]
part_max_bytes = {part_max_bytes}
[sources]
playlists = {playlists!r}
""",
        base_dir=folder,
    )


def _items(folder: Path) -> list[tuple[object, ...]]:
    return warehouse_rows(folder / "wh.duckdb")["PLAYLIST_ITEM"]


def test_budget_stopped_then_full_gives_the_rows_of_one_full_run(tmp_path: Path) -> None:
    part_max_bytes = 8 * 1024 * 1024
    with running_simulator(SimulatorConfig(profile="development", seed=3, scale=3000)) as sim:
        tokens = FileTokenStore(tmp_path / "token.json")
        tokens.save(authorise(sim))
        stopped_dir, whole_dir = tmp_path / "stopped", tmp_path / "whole"
        config = _config(stopped_dir, sim, part_max_bytes)
        run = ExtractRun(secrets=demo_secrets(), token_store=tokens)
        first = run_pipeline(config, dataclasses.replace(run, budget=3))
        assert first.exit_code == 75
        rest = run_pipeline(config, run)
        assert rest.exit_code == 0, rest.extract and rest.extract.summary()
        whole = run_pipeline(_config(whole_dir, sim, part_max_bytes), run)
        assert whole.exit_code == 0
    reference = _items(whole_dir)
    assert len(reference) > 100
    snapshot_i = 3  # snapshot_date, playlist_id, position, snapshot_id, ...
    assert all(row[snapshot_i] is not None for row in reference)
    assert _items(stopped_dir) == reference
    pages = [e for e in envelopes(LocalStore(stopped_dir / "lake")) if e["url"].endswith("/items")]
    assert pages and all(e.get("snapshot_id") for e in pages)  # each page names its snapshot

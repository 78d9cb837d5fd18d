"""The raw zone and the state in S3 (a real moto server): what a Lambda and a laptop share."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import SimulatorConfig, running_simulator
from spotify_etl.storage import open_store
from tests.extract.conftest import demo_secrets, make_config, sim_requests


def test_extract_into_s3_is_incremental_across_runs(moto_env: str, tmp_path: Path) -> None:
    boto3.client("s3").create_bucket(Bucket="lake")
    store = open_store("s3://lake/spotify")
    with running_simulator(SimulatorConfig(profile="extended", scale=2000)) as sim:
        ids = sim.catalog.playlist_ids(3)
        config = make_config(tmp_path, sim, f"playlists = {json.dumps(ids)}")
        first = run_extract(config, ExtractRun(secrets=demo_secrets()), raw_store=store)
        assert first.outcome == "complete" and first.entities_fetched > 0
        sim.reset_stats()
        second = run_extract(config, ExtractRun(secrets=demo_secrets()), raw_store=store)
        assert sim_requests(sim) == {"GET /v1/playlists/{id}": {"200": 3}}
    assert second.entities_fetched == 0
    keys = {info.key for info in store.list("")}
    assert set(first.part_keys) | set(second.part_keys) | {first.manifest_key} <= keys
    assert not any(key.startswith("state/extract/lock-") for key in keys)  # released
    state, etag = StateStore(store).load()
    assert etag and set(state.playlists) == set(ids)

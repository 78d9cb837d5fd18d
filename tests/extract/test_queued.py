"""Ids queued by `listen` and `import history` are fetched by the next extraction, then leave
the queue; the queue survives other runs' state writes."""

from __future__ import annotations

from pathlib import Path

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import Delta, StateStore
from spotify_etl.simulator import SimulatorConfig, running_simulator
from tests.extract.conftest import demo_secrets, lake, make_config, sim_requests


def test_queued_ids_are_fetched_by_the_next_run_and_leave_the_queue(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(seed=42, scale=2000)) as sim:
        states = StateStore(lake(tmp_path))
        albums, tracks = sim.catalog.album_ids(2), sim.catalog.track_ids(3)
        queue = Delta()
        for album_id in albums:
            queue.queue("album", album_id, "2026-11-24T10:00:00.000000Z")
        for track_id in tracks:
            queue.queue("track", track_id, "2026-11-24T10:00:00.000000Z")
        states.save(queue, "listen", "listen-run", "2026-11-24T10:00:00.000000Z")
        # another writer's delta (a daily run's) keeps the queue
        states.save(Delta(), "all", "other-run", "2026-11-24T10:01:00.000000Z")
        assert set(states.load()[0].queued["album"]) == set(albums)

        config = make_config(tmp_path, sim, sources="")
        result = run_extract(config, ExtractRun(secrets=demo_secrets()))
        assert result.outcome == "complete"
        fetched = sim_requests(sim)
        assert sum(fetched.get("GET /v1/albums/{id}", {}).values()) >= 2
        assert sum(fetched.get("GET /v1/tracks/{id}", {}).values()) >= 3
        state, _ = states.load()
        assert state.queued == {}  # fetched, so no longer queued
        assert set(albums) <= set(state.known["album"]) and set(tracks) <= set(state.known["track"])

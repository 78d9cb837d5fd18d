"""A quota lockout is per endpoint bucket (docs/spotify-api.md): with artist albums locked, the rest
of the run goes on, the run ends 75, and the locked bucket is asked again only after its time.

The simulator's quota window runs on its own clock (real time + one day per `set_day`), and
the extraction on its `now`: both move a day on at once, so the test takes seconds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spotify_etl.extract import ExtractResult, run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.pipeline.status import access_lines, collect_status
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import TRACK
from tests.extract.conftest import count, demo_secrets, envelopes, lake, make_config, sim_requests

DISCOGRAPHY = "GET /v1/artists/{id}/albums"


def _sources(sim: Simulator) -> tuple[str, list[str], list[str]]:
    c = sim.catalog
    albums, tracks = c.album_ids(3), c.track_ids(3)
    # A search term that does not find the configured tracks (a track search matches their
    # album's and artists' names too), so that the tracks bucket has work of its own.
    named = {
        w.casefold()
        for t in tracks
        for track in [c.track(c.index_of(TRACK, t, c.track_bound) or 0)]
        for name in (track.name, c.album_name(track.album), *map(c.artist_name, track.artists))
        for w in name.split()
    }
    term = next(t for t in c.search_terms(20) if t.casefold() not in named)
    text = (
        f"albums = {json.dumps(albums)}\n"
        f"tracks = {json.dumps(tracks)}\n"
        f'searches = [{{ q = "{term}", type = "track", limit = 15 }}]\n'
        + "".join(f'[[sources.artists]]\nid = "{a}"\n' for a in c.artist_ids(3))
    )
    return text, albums, tracks


def _fetched(tmp_path: Path, result: ExtractResult, kind: str) -> set[str]:
    return {
        str(e["source_id"])
        for e in envelopes(lake(tmp_path), result.part_keys)
        if e["source_kind"] == kind and e["status"] == 200
    }


@pytest.mark.parametrize("drop_retry_after", [False, True], ids=["retry-after", "none"])
def test_a_locked_bucket_waits_while_the_others_finish(
    tmp_path: Path, drop_retry_after: bool
) -> None:
    config_sim = SimulatorConfig(
        profile="development",
        scale=2000,
        bucket_quota={"artist-albums": 3},  # the rest: no quota
        retry_after_drop_rate=1.0 if drop_retry_after else 0.0,
    )
    with running_simulator(config_sim) as sim:
        text, albums, tracks = _sources(sim)
        # Listings fresh for weeks: each day's quota moves the discographies forward.
        config = make_config(tmp_path, sim, text, "ttl = { listing_hours = 1000 }")
        start = datetime.now(UTC)
        first = run_extract(config, ExtractRun(secrets=demo_secrets(), now=start))
        cold = sim_requests(sim)
        Path(config.path(config.storage.transformed)).mkdir(parents=True)  # status reads it
        status = access_lines(collect_status(config))
        sim.reset_stats()
        # Before its time: the locked bucket costs nothing, the run again ends 75.
        second = run_extract(
            config, ExtractRun(secrets=demo_secrets(), now=start + timedelta(hours=1))
        )
        early = sim_requests(sim)
        sim.reset_stats()
        # A day on (the simulator's window too): the bucket is asked again.
        results = []
        for day in range(1, 10):
            sim.set_day(day)
            # An hour past each day: past the lock the previous run saw (a day from its now).
            later = start + timedelta(days=day, hours=day)
            results.append(run_extract(config, ExtractRun(secrets=demo_secrets(), now=later)))
            if results[-1].outcome == "complete":
                break
        resumed = sim_requests(sim)
    # The run did everything the other buckets allow: albums, tracks, the search.
    assert (first.outcome, first.reason, first.exit_code) == ("stopped", "quota", 75)
    assert set(albums) <= _fetched(tmp_path, first, "albums")
    assert set(tracks) <= _fetched(tmp_path, first, "tracks")
    assert cold["GET /v1/search"]["200"] == 2  # 15 results in pages of 10
    assert cold[DISCOGRAPHY].get("429", 0) >= 1
    assert count(cold, "GET /v1/artists/{id}") > 0  # artists (another bucket) fetched too
    # It says which bucket waits, until when: manifest, result and status.
    manifest = json.loads(lake(tmp_path).get(first.manifest_key))
    locked = manifest["quota"]["locked"]
    assert set(locked) == {"artist-albums"} and manifest["quota"]["waiting"]["artist-albums"] > 0
    assert first.resume_after is not None
    hours = (first.resume_after - start).total_seconds() / 3600
    assert 23.9 < hours <= 24.01  # the window's rest, or the 24 h fallback without Retry-After
    assert any(
        line.startswith("quota: the artist-albums bucket is locked until") for line in status
    )
    state, _ = StateStore(lake(tmp_path)).load()
    assert set(state.quota) == {"artist-albums"}
    # Before its time nothing is spent on it.
    assert (second.outcome, second.reason) == ("stopped", "quota")
    assert DISCOGRAPHY not in early
    assert second.resume_after == first.resume_after
    # After its time it resumes and, day by day, the discographies complete.
    assert count(resumed, DISCOGRAPHY) > 0
    # ... without the page-size probe (a 400, on search or artist albums, whichever asks
    # first) of the first run: the state tells the profile.
    assert any("400" in by for by in cold.values())
    assert not any("400" in by for by in resumed.values())
    assert results[-1].outcome == "complete"
    state, _ = StateStore(lake(tmp_path)).load()
    assert state.checkpoints == {}


def test_a_lock_with_nothing_waiting_on_it_ends_the_run_complete(tmp_path: Path) -> None:
    """Exit 75 only when work waits on a locked bucket: a lock remembered from an earlier run
    whose work has left the config stops nothing, and is still remembered until its time."""
    config_sim = SimulatorConfig(
        profile="development", scale=2000, bucket_quota={"artist-albums": 1}
    )
    with running_simulator(config_sim) as sim:
        c = sim.catalog
        albums = f"albums = {json.dumps(c.album_ids(2))}\n"
        artists = "".join(f'[[sources.artists]]\nid = "{a}"\n' for a in c.artist_ids(2))
        start = datetime.now(UTC)
        first = run_extract(
            make_config(tmp_path, sim, albums + artists),
            ExtractRun(secrets=demo_secrets(), now=start),
        )
        sim.reset_stats()
        tracks = f"tracks = {json.dumps(c.track_ids(2))}\n"  # no artist any more
        later = run_extract(
            make_config(tmp_path, sim, albums + tracks),
            ExtractRun(secrets=demo_secrets(), now=start + timedelta(hours=1)),
        )
        asked = sim_requests(sim)
    assert (first.outcome, first.exit_code) == ("stopped", 75)
    assert (later.outcome, later.reason, later.exit_code) == ("complete", None, 0)
    assert DISCOGRAPHY not in asked and count(asked, "GET /v1/tracks") > 0
    manifest = json.loads(lake(tmp_path).get(later.manifest_key))
    assert set(manifest["quota"]["locked"]) == {"artist-albums"}
    assert manifest["quota"]["waiting"] == {}
    state, _ = StateStore(lake(tmp_path)).load()
    assert set(state.quota) == {"artist-albums"}

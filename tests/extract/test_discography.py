"""Discographies in development mode: one include_groups value per request, so each album's
group is known although `album_group` is gone (docs/spotify-api.md)."""

from __future__ import annotations

from pathlib import Path

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.samples import ARTIST
from tests.extract.conftest import count, demo_secrets, envelopes, lake, make_config, sim_requests


def _artist_with_both_groups(sim: Simulator) -> str:
    """An artist with at least one album and one single in the catalog."""
    c = sim.catalog
    for a in range(c.n_artists):
        if {"album", "single"} <= {c.album(b).album_type for b in c.artist_albums(a, 0)}:
            return c.id_of(ARTIST, a)
    raise AssertionError("no artist with albums and singles in this catalog")


def test_development_asks_one_group_at_a_time_and_each_page_holds_only_its_group(
    tmp_path: Path,
) -> None:
    config_sim = SimulatorConfig(profile="development", seed=42, scale=2000)
    with running_simulator(config_sim) as sim:
        artist_id = _artist_with_both_groups(sim)
        sources = f'[[sources.artists]]\nid = "{artist_id}"\ninclude_groups = ["album", "single"]'
        config = make_config(tmp_path, sim, sources)
        first = run_extract(config, ExtractRun(secrets=demo_secrets()))
        sim.reset_stats()
        second = run_extract(config, ExtractRun(secrets=demo_secrets()))
        again = count(sim_requests(sim), "GET /v1/artists/{id}/albums")
    assert first.outcome == second.outcome == "complete"
    pages = [
        e
        for e in envelopes(lake(tmp_path))
        if e["source_kind"] == "artists" and e["url"].endswith("/albums")
    ]
    asked = {e["params"]["include_groups"] for e in pages}
    assert asked == {"album", "single"}  # never "album,single": the group is in the request
    for e in pages:
        body = e["body"]
        assert isinstance(body, dict)
        types = {album["album_type"] for album in body["items"]}
        assert types <= {e["params"]["include_groups"]}, (e["params"], types)
    assert again == 0  # each group is a listing with its own TTL, fresh on the next run


def test_extended_keeps_one_combined_listing(tmp_path: Path) -> None:
    config_sim = SimulatorConfig(profile="extended", seed=42, scale=2000)
    with running_simulator(config_sim) as sim:
        artist_id = _artist_with_both_groups(sim)
        sources = (
            # A playlist, fetched first, tells the profile (with none it is split too: a few
            # pages more in extended, never an album of unknown group in development).
            f'playlists = ["{sim.catalog.playlist_ids(1)[0]}"]\n'
            f'[[sources.artists]]\nid = "{artist_id}"\ninclude_groups = ["album", "single"]'
        )
        run_extract(make_config(tmp_path, sim, sources), ExtractRun(secrets=demo_secrets()))
    asked = {
        e["params"].get("include_groups")
        for e in envelopes(lake(tmp_path))
        if e["source_kind"] == "artists" and e["url"].endswith("/albums")
    }
    assert asked == {"album,single"}  # album_group is there: one listing is cheaper

"""run_extract end to end against the real simulator (development profile unless said)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from spotify_etl.errors import ConfigError, StopRun
from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore, extraction_lease
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from tests.extract.conftest import (
    SCOPES,
    count,
    demo_secrets,
    envelopes,
    lake,
    make_config,
    sim_requests,
    user_token,
)

UNKNOWN = "0000000000000000000000"


@pytest.fixture(scope="module")
def dev_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="development", seed=42, scale=2000)) as sim:
        yield sim


@pytest.fixture
def sim(dev_sim: Simulator) -> Simulator:
    dev_sim.set_day(0)
    dev_sim.reset_stats()
    return dev_sim


def test_invalid_source_is_named_before_any_request(sim: Simulator, tmp_path: Path) -> None:
    good = sim.catalog.playlist_ids(1)[0]
    album = sim.catalog.album_ids(1)[0]
    config = make_config(
        tmp_path,
        sim,
        f'playlists = ["{good}", "https://open.spotify.com/album/{album}"]\n'
        'tracks = ["spotify:track:nope"]',
    )
    with pytest.raises(ConfigError, match=r"sources\.playlists\[1\].*sources\.tracks\[0\]"):
        run_extract(config, ExtractRun(secrets=demo_secrets()))
    assert sim.stats()["total"] == 0
    assert not (tmp_path / "lake").exists()


def test_forbidden_playlist_names_auth_login_and_the_rest_goes_on(
    sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = sim.catalog.playlist_ids(1, owner="other")[0]
    album = sim.catalog.album_ids(1)[0]
    config = make_config(tmp_path, sim, f'playlists = ["{other}"]\nalbums = ["{album}"]')
    with caplog.at_level(logging.INFO):
        result = run_extract(config, ExtractRun(secrets=demo_secrets()))
    # Everything else was fetched, but the user must act: exit 2 with the fix (issue 10).
    assert result.outcome == "complete" and result.exit_code == 2
    assert result.reason == "needs_user_token" and "spotify-etl auth login" in result.message
    [skip] = [s for s in result.skipped if s["kind"] == "playlist"]
    assert skip["id"] == other and skip["status"] == 403
    assert "spotify-etl auth login" in skip["reason"]
    assert "auth login" in caplog.text
    assert result.playlists[other]["status"] == "skipped"
    requests = sim_requests(sim)
    assert requests["GET /v1/albums/{id}"]["200"] >= 1  # the other sources went on
    assert count(requests, "GET /v1/artists/{id}") >= 1


def test_unknown_ids_are_skipped_and_listed_in_the_manifest(sim: Simulator, tmp_path: Path) -> None:
    track = sim.catalog.track_ids(1)[0]
    config = make_config(
        tmp_path, sim, f'tracks = ["{track}", "{UNKNOWN}"]\nalbums = ["{UNKNOWN}"]'
    )
    result = run_extract(config, ExtractRun(secrets=demo_secrets()))
    assert result.outcome == "complete"
    manifest = json.loads(lake(tmp_path).get(result.manifest_key))
    listed = {(s["kind"], s["id"], s["status"]) for s in manifest["skipped"]}
    assert listed == {("track", UNKNOWN, 404), ("album", UNKNOWN, 404)}
    assert manifest["outcome"] == "complete"
    assert manifest["parts"] == result.part_keys
    assert manifest["requests"]["tracks/{id}"] == {"200": 1, "404": 1}
    assert manifest["budget"] == {"limit": 2000, "used": result.budget_used}
    stored = {e["source_id"] for e in envelopes(lake(tmp_path)) if e["source_kind"] == "tracks"}
    assert stored == {track}


def _playlist_sources(sim: Simulator, n: int = 3) -> str:
    return f"playlists = {json.dumps(sim.catalog.playlist_ids(n))}"


def test_second_run_with_nothing_changed_costs_one_request_per_playlist(
    sim: Simulator, tmp_path: Path
) -> None:
    store = user_token(sim, tmp_path / "token.json")
    albums = sim.catalog.album_ids(2)
    config = make_config(
        tmp_path,
        sim,
        _playlist_sources(sim) + f"\nalbums = {json.dumps(albums)}",
        extract="checkpoint_every = 7",  # periodic saves on the way must not linger
    )
    first = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    assert first.outcome == "complete" and first.entities_fetched > 0
    sim.reset_stats()
    second = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    assert sim_requests(sim) == {"GET /v1/playlists/{id}": {"200": 3}}
    assert second.entities_fetched == 0 and second.budget_used == 3
    by_endpoint = sim.stats()["by_endpoint"]
    assert isinstance(by_endpoint, dict)
    assert sum(by_endpoint["POST /api/token"].values()) <= 2  # an app token, perhaps a user one
    # The carried-forward snapshot is complete: the parts it names hold every item.
    raw = lake(tmp_path)
    checks = [e for e in envelopes(raw, second.part_keys) if e.get("carry_forward")]
    assert {e["source_id"] for e in checks} == set(sim.catalog.playlist_ids(3))
    for check in checks:
        carry = check["carry_forward"]
        assert carry["since_run_id"] == first.run_id and carry["complete"]
        pages = [e for e in envelopes(raw, carry["parts"]) if e["source_id"] == check["source_id"]]
        full = next(e for e in pages if e["url"].endswith(check["source_id"]))
        assert full["body"]["snapshot_id"] == carry["snapshot_id"]
        items = sum(
            len(page["items"])
            for e in pages
            for page in [e["body"].get("items") if "snapshot_id" in e["body"] else e["body"]]
            if isinstance(page, dict)
        )
        assert items == full["body"]["items"]["total"]


def test_a_changed_playlist_is_fetched_again_the_others_carried_forward(
    sim: Simulator, tmp_path: Path
) -> None:
    store = user_token(sim, tmp_path / "token.json")
    ids = sim.catalog.playlist_ids(6)
    config = make_config(tmp_path, sim, f"playlists = {json.dumps(ids)}")
    run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    sim.set_day(3)
    result = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    statuses = {p: info["status"] for p, info in result.playlists.items()}
    assert set(statuses) == set(ids)
    assert "fetched" in statuses.values()  # the simulator changes some playlists each day
    state, _ = StateStore(lake(tmp_path)).load()
    for playlist_id, status in statuses.items():
        if status == "fetched":
            assert state.playlists[playlist_id].since_run_id == result.run_id
        else:
            assert status == "unchanged"
            assert state.playlists[playlist_id].since_run_id != result.run_id


def test_a_held_lock_stops_a_second_run_before_any_request(sim: Simulator, tmp_path: Path) -> None:
    from datetime import timedelta

    config = make_config(tmp_path, sim, _playlist_sources(sim, 1))
    held = extraction_lease(lake(tmp_path), "all", "other-run", timedelta(minutes=30)).acquire()
    try:
        with pytest.raises(StopRun, match="other-run") as info:
            run_extract(config, ExtractRun(secrets=demo_secrets()))
    finally:
        held.release()
    assert info.value.exit_code == 75
    assert sim.stats()["total"] == 0


def test_without_a_user_token_library_and_editorial_sources_say_why(
    sim: Simulator, tmp_path: Path
) -> None:
    editorial = sim.catalog.editorial_playlist_ids(1)[0]
    track = sim.catalog.track_ids(1)[0]
    config = make_config(
        tmp_path,
        sim,
        f'playlists = ["{editorial}"]\ntracks = ["{track}"]\n'
        "[sources.library]\nsaved_tracks = true\ntop = ['artists']",
    )
    result = run_extract(config, ExtractRun(secrets=demo_secrets()))
    assert result.outcome == "complete"
    reasons = {s["id"]: s["reason"] for s in result.skipped}
    assert "auth login" in reasons["saved_tracks"] and "auth login" in reasons["top:artists"]
    assert "editorial" in reasons[editorial]
    requests = sim_requests(sim)
    assert not any("/me" in endpoint for endpoint in requests)  # nothing spent on them
    assert requests["GET /v1/tracks/{id}"] == {"200": 1}


def test_known_entities_are_fetched_again_only_when_their_kind_is_due(
    sim: Simulator, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    album, track = sim.catalog.album_ids(1)[0], sim.catalog.track_ids(1)[0]
    artist = sim.catalog.artist_ids(1)[0]
    config = make_config(
        tmp_path,
        sim,
        f'albums = ["{album}"]\ntracks = ["{track}"]\n'
        f'artists = [{{ id = "{artist}", discography = false }}]',
        extract="[extract.ttl]\nalbum_days = 30\ntrack_days = 30\nartist_days = 7",
    )
    day = datetime(2026, 11, 1, 6, tzinfo=UTC)
    assert run_extract(config, ExtractRun(secrets=demo_secrets(), now=day)).outcome == "complete"
    sim.reset_stats()
    run_extract(config, ExtractRun(secrets=demo_secrets(), now=day + timedelta(days=1)))
    assert sim_requests(sim) == {}  # everything known and fresh: nothing to spend
    run_extract(config, ExtractRun(secrets=demo_secrets(), now=day + timedelta(days=8)))
    # Only artists are due (the profile's several-at-once probe aside: it is learnt per run).
    assert _by_id(sim) == {"GET /v1/artists/{id}": {"200": 1}}
    sim.reset_stats()
    run_extract(config, ExtractRun(secrets=demo_secrets(), now=day + timedelta(days=31)))
    requests = _by_id(sim)
    assert requests["GET /v1/albums/{id}"] == {"200": 1}
    assert requests["GET /v1/tracks/{id}"] == {"200": 1}
    assert count(requests, "GET /v1/artists/{id}") >= 1


def _by_id(sim: Simulator) -> dict[str, dict[str, int]]:
    return {k: v for k, v in sim_requests(sim).items() if k.endswith("{id}")}


def test_the_users_library_with_a_user_token(sim: Simulator, tmp_path: Path) -> None:
    scopes = SCOPES + " user-read-recently-played user-top-read"
    store = user_token(sim, tmp_path / "token.json", scopes=scopes)
    config = make_config(
        tmp_path,
        sim,
        "[sources.library]\nsaved_tracks = true\nplaylists = true\nrecently_played = true\n"
        "top = ['artists', 'tracks']",
    )
    result = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    assert result.outcome == "complete", result.message
    requests = sim_requests(sim)
    for endpoint in ("tracks", "playlists", "player/recently-played", "top/{type}"):
        assert set(requests[f"GET /v1/me/{endpoint}"]) == {"200"}, endpoint
    assert requests["GET /v1/me/top/{type}"] == {"200": 2}  # artists and tracks
    library = [e for e in envelopes(lake(tmp_path)) if e["source_kind"] == "library"]
    mine = {
        p["id"]
        for e in library
        if urlsplit(e["url"]).path.endswith("/me/playlists")
        for p in e["body"]["items"]
    }
    readable = {  # development mode reads items of own and collaborative playlists only
        p["id"]
        for e in library
        if urlsplit(e["url"]).path.endswith("/me/playlists")
        for p in e["body"]["items"]
        if p["owner"]["id"] == sim.catalog.me_user_id or p["collaborative"]
    }
    assert len(mine) > len(readable) > 1
    # Every readable playlist of the user's is snapshotted like a configured one.
    fetched = {p for p, info in result.playlists.items() if info["status"] == "fetched"}
    assert fetched == readable
    state, _ = StateStore(lake(tmp_path)).load()
    assert readable <= {p for p, snap in state.playlists.items() if snap.complete}
    # What the library holds leads to full objects.
    assert requests["GET /v1/albums/{id}"]["200"] > 0
    sim.reset_stats()
    again = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=store))
    assert again.outcome == "complete" and sim_requests(sim) == {}  # listed within the TTL


def test_a_refused_library_listing_says_how_and_is_asked_again_next_run(
    sim: Simulator, tmp_path: Path
) -> None:
    narrow = user_token(sim, tmp_path / "narrow.json")  # no user-top-read scope
    config = make_config(tmp_path, sim, "[sources.library]\ntop = ['artists']")
    first = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=narrow))
    [skip] = first.skipped
    assert skip["status"] == 403 and "spotify-etl auth login" in skip["reason"]
    wide = user_token(sim, tmp_path / "wide.json", scopes=SCOPES + " user-top-read")
    sim.reset_stats()
    second = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=wide))
    assert second.skipped == []
    assert sim_requests(sim)["GET /v1/me/top/{type}"] == {"200": 1}


def test_a_run_where_every_request_is_refused_fails(sim: Simulator, tmp_path: Path) -> None:
    # A wrong API path: the server answers 404 to everything. Not a green run.
    token = user_token(sim, tmp_path / "token.json")
    config = make_config(tmp_path, sim, _playlist_sources(sim, 2) + f'\ntracks = ["{UNKNOWN}"]')
    wrong = sim.base_url + "/api/v1"
    result = run_extract(
        config, ExtractRun(secrets=demo_secrets(), api_base=wrong, token_store=token)
    )
    assert result.outcome == "failed" and result.exit_code == 1
    assert result.reason == "nothing_fetched" and "api_base" in result.message
    assert "checkpoint" not in result.summary()
    assert result.part_keys == [] and len(result.skipped) == 3
    state, _ = StateStore(lake(tmp_path)).load()
    assert state.checkpoints == {}  # nothing to resume: the next run starts afresh
    fixed = run_extract(config, ExtractRun(secrets=demo_secrets(), token_store=token))
    assert fixed.outcome == "complete"
    assert {info["status"] for info in fixed.playlists.values()} == {"fetched"}

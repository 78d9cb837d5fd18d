"""The client against the real simulator: both profiles detected, fallbacks taken, paging."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_etl.errors import SkippableError
from spotify_etl.simulator import SimulatorConfig, running_simulator
from spotify_etl.spotify import ApiResponse, Skipped
from tests.extract.conftest import user_token
from tests.spotify.simulated import client_for, sim_counts

UNKNOWN = "0" * 22


@pytest.fixture(scope="module")
def dev() -> Iterator[object]:
    with running_simulator(SimulatorConfig(profile="development", seed=42, scale=2000)) as sim:
        yield sim


@pytest.fixture(scope="module")
def ext() -> Iterator[object]:
    with running_simulator(SimulatorConfig(profile="extended", seed=42, scale=2000)) as sim:
        yield sim


def _objects(results: list[ApiResponse | Skipped], kind: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for r in results:
        if isinstance(r, ApiResponse):
            found = r.body.get(kind) if kind in r.body else [r.body]
            out.update({o["id"]: o for o in found if o})
    return out


def test_development_falls_back_to_one_by_one(dev: object) -> None:
    sim = dev
    sim.reset_stats()  # type: ignore[attr-defined]
    ids = sim.catalog.album_ids(25)  # type: ignore[attr-defined]
    with client_for(sim) as client:
        results = list(client.albums([*ids, UNKNOWN]))
        assert client.profile == "development"
        artists = list(client.artists(sim.catalog.artist_ids(3)))  # type: ignore[attr-defined]
    assert set(_objects(results, "albums")) == set(ids)
    assert [r for r in results if isinstance(r, Skipped)] == [
        Skipped(UNKNOWN, "album", 404, "Resource not found")
    ]
    assert len(artists) == 3
    counts = sim_counts(sim)
    assert counts["GET /v1/albums"] == {"403": 1}  # tried once, remembered for artists too
    assert "GET /v1/artists" not in counts
    assert counts["GET /v1/albums/{id}"] == {"200": 25, "404": 1}


def test_extended_uses_batches_and_reports_nulls(ext: object) -> None:
    sim = ext
    sim.reset_stats()  # type: ignore[attr-defined]
    ids = sim.catalog.album_ids(25)  # type: ignore[attr-defined]
    with client_for(sim) as client:
        results = list(client.albums([*ids, UNKNOWN]))
        assert client.profile == "extended"
    assert set(_objects(results, "albums")) == set(ids)
    assert [r.id for r in results if isinstance(r, Skipped)] == [UNKNOWN]
    assert sim_counts(sim)["GET /v1/albums"] == {"200": 2}


def test_search_pages_follow_the_profile(dev: object, ext: object) -> None:
    for sim, size in ((dev, 10), (ext, 50)):
        term = sim.catalog.search_terms(1)[0]  # type: ignore[attr-defined]
        with client_for(sim) as client:
            pages = list(client.search(term, "track", 120))
        items = [i for p in pages for i in p.body["tracks"]["items"]]
        total = pages[0].body["tracks"]["total"]
        assert len(items) == min(120, total) or len(items) >= 120
        assert all(int(p.params["limit"]) == size for p in pages[1:] or pages)
        offsets = [int(p.params.get("offset", 0)) for p in pages]
        assert offsets == sorted(set(offsets))  # no page fetched twice


def test_playlist_items_need_the_user_in_development(dev: object, ext: object) -> None:
    playlist = dev.catalog.playlist_ids(1, owner="other")[0]  # type: ignore[attr-defined]
    with client_for(dev) as client, pytest.raises(SkippableError) as err:
        list(client.playlist_items(playlist))
    assert err.value.status == 403
    with client_for(ext) as client:
        pages = list(client.playlist_items(playlist))
        assert client.profile == "extended"
    assert {p.endpoint for p in pages} == {"playlists/{id}/tracks"}
    assert pages[0].params["limit"] == "100"
    total = pages[0].body["total"]
    assert sum(len(p.body["items"]) for p in pages) == total


def test_album_tracks_and_artist_albums_page_to_the_end(dev: object) -> None:
    sim = dev
    artist = sim.catalog.artist_ids(1)[0]  # type: ignore[attr-defined]
    with client_for(sim) as client:
        albums = list(client.artist_albums(artist, ["album", "single"], None))
        album_ids = [a["id"] for p in albums for a in p.body["items"]]
        assert len(album_ids) == albums[0].body["total"]
        assert all(int(p.params["limit"]) <= 10 for p in albums)
        tracks = list(client.album_tracks(album_ids[0]))
        assert sum(len(p.body["items"]) for p in tracks) == tracks[0].body["total"]


def test_a_malformed_id_is_skipped_without_spoiling_its_batch(dev: object, ext: object) -> None:
    for sim in (dev, ext):
        ids = sim.catalog.track_ids(3)  # type: ignore[attr-defined]
        with client_for(sim) as client:
            results = list(client.tracks([ids[0], "not-an-id!", *ids[1:]]))
        assert set(_objects(results, "tracks")) == set(ids)
        (skipped,) = [r for r in results if isinstance(r, Skipped)]
        assert (skipped.id, skipped.status, skipped.reason) == ("not-an-id!", 400, "invalid id")


def test_concurrent_playlist_items_spend_one_profile_probe(dev: object, tmp_path: Path) -> None:
    sim = dev
    store = user_token(sim, tmp_path / "token.json")  # type: ignore[arg-type]
    playlists = sim.catalog.playlist_ids(6, owner="me")  # type: ignore[attr-defined]
    sim.reset_stats()  # type: ignore[attr-defined]
    with client_for(sim, token_store=store, requests_in_flight=4) as client:
        pages = list(client.map(lambda p: list(client.playlist_items(p)), playlists))
    assert len(pages) == len(playlists)
    probes = sim_counts(sim).get("GET /v1/playlists/{id}/tracks", {})
    assert sum(probes.values()) == 1  # the first answer settles it for every thread

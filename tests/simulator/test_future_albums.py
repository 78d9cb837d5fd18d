"""New albums appear on every day >= 1, and nothing visible on day 0 changes because of them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import ALBUM, TRACK, Catalog

from .conftest import Api, app_token

# sha256 of the day-0 replies below, recorded before the future-release pool existed and
# re-recorded only for deliberate changes of day-0 data (issue 11: playlist 7, the user's own,
# is one of the very old playlists whose added_at is null; the stats' by_bucket and quota;
# development mode without album_group and preview_url; names decorated by hash so that search
# can test them cheaply, and search matching words, prefixes and filters; free words of a track
# or album search matching its album's and artists' names too, the non-search replies unchanged).
DAY0_DIGEST = {
    "development": "ea16f77093c531507de9b1496b0109142adb2d273a409b04fc55b005991ee9f3",
    "extended": "b6fffad9bf64c172945252c683ad005e0282fd991f0ae741f73a0a8fef9ad83b",
}


@pytest.fixture(scope="module", params=["development", "extended"])
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile=request.param, seed=42, scale=10_000)) as s:
        yield s


def day0_replies(sim: Simulator) -> Iterator[str]:
    """A broad, fixed sample of day-0 replies, base URL replaced so the port does not matter."""
    c, api = sim.catalog, Api(sim, app_token(sim))
    ext = sim.config.profile == "extended"
    paths: list[tuple[str, dict[str, object]]] = []
    # Albums and tracks: a stride through every index (hidden ones 404) and just past the end.
    for b in [*range(0, c.n_albums, 23), *range(c.n_albums - 3, c.n_albums + 4)]:
        paths.append((f"/albums/{c.id_of(ALBUM, b)}", {}))
    for b in range(0, c.n_albums, 97):
        paths.append((f"/albums/{c.id_of(ALBUM, b)}/tracks", {"limit": 50}))
    for t in [*range(0, c.n_tracks, 211), *range(c.n_tracks - 3, c.n_tracks + 45)]:
        paths.append((f"/tracks/{c.id_of(TRACK, t)}", {}))
    limit = sim.config.limits.artist_albums_max
    for artist_id in c.artist_ids(c.n_artists)[::3]:
        paths.append((f"/artists/{artist_id}", {}))
        paths.append((f"/artists/{artist_id}/albums", {"limit": limit}))
        if ext:
            paths.append((f"/artists/{artist_id}/top-tracks", {"market": "US"}))
    for playlist_id in c.playlist_ids(8, "me") + c.playlist_ids(12, "other"):
        paths.append((f"/playlists/{playlist_id}", {}))
    for term in c.search_terms(12):
        for offset in (0, 10, 400):
            paths.append(("/search", {"q": term, "type": "album,track,artist", "offset": offset}))
    if ext:
        for offset in (0, 50, 100, 150):
            paths.append(("/browse/new-releases", {"limit": 50, "offset": offset}))
        ids = ",".join(c.id_of(ALBUM, b) for b in range(c.n_albums - 10, c.n_albums + 10))
        paths.append(("/albums", {"ids": ids}))
    for path, params in paths:
        reply = api.get(path, **params)
        yield f"{path} {sorted(params.items())} {reply.status_code} {reply.text}"
    yield str(sim.stats())
    yield api.get(sim.base_url + "/_simulator/catalog", n=20).text


def digest(sim: Simulator) -> str:
    sha = hashlib.sha256()
    for line in day0_replies(sim):
        sha.update(line.replace(sim.base_url, "BASE").encode() + b"\n")
    return sha.hexdigest()


def test_day0_replies_are_unchanged(sim: Simulator) -> None:
    sim.set_day(0)
    assert digest(sim) == DAY0_DIGEST[sim.config.profile]


@pytest.fixture(scope="module")
def ext_moving() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="extended", seed=42, scale=10_000)) as s:
        yield s


def test_every_day_brings_a_new_album_by_an_existing_artist(ext_moving: Simulator) -> None:
    api = Api(ext_moving, app_token(ext_moving))
    limit = ext_moving.config.limits.artist_albums_max
    try:
        for day in range(1, 121):
            ext_moving.set_day(day)
            newest = api.ok("/browse/new-releases", limit=1)["albums"]["items"][0]
            assert newest["release_date"] == (date(2026, 6, 1) + timedelta(days=day)).isoformat()
            album = api.ok(f"/albums/{newest['id']}")
            artist_id = album["artists"][0]["id"]
            assert api.ok(f"/artists/{artist_id}")["id"] == artist_id
            listed = api.ok(f"/artists/{artist_id}/albums", limit=limit)["items"]
            assert newest["id"] in [x["id"] for x in listed]
            track = album["tracks"]["items"][-1]
            assert api.ok(f"/tracks/{track['id']}")["album"]["id"] == newest["id"]
            ext_moving.set_day(day - 1)
            assert api.get(f"/albums/{newest['id']}").status_code == 404
            assert api.get(f"/tracks/{track['id']}").status_code == 404
            listed = api.ok(f"/artists/{artist_id}/albums", limit=limit)["items"]
            assert newest["id"] not in [x["id"] for x in listed]
    finally:
        ext_moving.set_day(0)


def test_new_albums_and_their_tracks_are_searchable(ext_moving: Simulator) -> None:
    api = Api(ext_moving, app_token(ext_moving))
    try:
        for day in (1, 2, 77, 400):
            ext_moving.set_day(day)
            album = api.ok("/browse/new-releases", limit=1)["albums"]["items"][0]
            word = album["name"].split()[0]

            def search(kind: str, **params: object) -> dict:  # type: ignore[type-arg]
                return api.ok("/search", q=word, type=kind, limit=50, **params)[kind + "s"]  # noqa: B023

            albums = search("album")
            assert album["id"] in [x["id"] for x in albums["items"]] or any(
                album["id"] in [x["id"] for x in search("album", offset=o)["items"]]
                for o in range(50, albums["total"], 50)
            )
            tracks = search("track")
            found = [
                x for o in range(0, tracks["total"], 50) for x in search("track", offset=o)["items"]
            ]
            named = [
                x for x in found if x["name"].split()[0] == word
            ]  # before album/artist matches
            assert named[-1]["album"]["id"] == album["id"]  # the newest named matches come last
            assert found[: len(named)] == named
            ext_moving.set_day(day - 1)
            before = search("track")["total"]
            assert tracks["total"] - before >= album["total_tracks"]
    finally:
        ext_moving.set_day(0)


@pytest.mark.parametrize("scale", [100, 1_000_000])
def test_any_scale_any_day_has_new_albums(scale: int) -> None:
    c = Catalog(7, scale)
    for day in (1, 2, 59, 60, 61, 365, 100_000):
        fresh = [b for d, b in c.releases.future_releases(day) if d == day]
        assert fresh and all(
            c.album_visible(b, day) and not c.album_visible(b, day - 1) for b in fresh
        )
        for b in fresh:
            album = c.album(b)
            assert 0 <= album.artist < c.n_artists and b in c.artist_albums(album.artist, day)
            assert c.index_of(ALBUM, album.id, c.album_bound) == b
            tracks = range(album.first_track, album.first_track + album.total_tracks)
            assert 1 <= len(tracks) <= 40
            assert all(c.track_album(t) == b and c.track_visible(t, day) for t in tracks)
            assert not c.track_visible(tracks.stop, day) or c.track_album(tracks.stop) != b
            assert c.index_of(TRACK, c.track(tracks[0]).id, c.track_bound) == tracks[0]


def test_future_indices_never_collide_with_day0_entities() -> None:
    c = Catalog(42, 10_000)
    future = [b for _, b in c.releases.future_releases(50)]
    assert min(future) == c.n_albums and len(set(future)) == len(future) == 50 * c.per_day
    first_tracks = [c.album(b).first_track for b in future]
    assert min(first_tracks) >= c.n_tracks
    assert len({c.album(b).upc for b in future} | {c.album(b).upc for b in range(c.n_albums)}) == (
        len(future) + c.n_albums
    )

"""A client nobody here wrote: spotipy 2.26, pointed at the simulator's URLs."""

from __future__ import annotations

import pytest
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator

from .conftest import pkce_login


def _spotipy(sim: Simulator, token: str | None = None) -> spotipy.Spotify:
    if token is not None:
        client = spotipy.Spotify(auth=token, retries=0)
    else:
        manager = SpotifyClientCredentials(
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            cache_handler=MemoryCacheHandler(),  # never a .cache file in the working tree
        )
        manager.OAUTH_TOKEN_URL = sim.token_url
        client = spotipy.Spotify(auth_manager=manager, retries=0)
    client.prefix = sim.api_base + "/"
    return client


def _fetch_everything(
    sp: spotipy.Spotify, sim: Simulator, playlist_client: spotipy.Spotify
) -> None:
    c = sim.catalog
    album_id, artist_id, track_id = c.album_ids(1)[0], c.artist_ids(1)[0], c.track_ids(1)[0]
    assert sp.album(album_id)["id"] == album_id
    assert sp.artist(artist_id)["id"] == artist_id
    assert sp.track(track_id)["id"] == track_id
    tracks = sp.album_tracks(album_id, limit=2)
    everything = tracks["items"]
    while tracks["next"]:
        tracks = sp.next(tracks)
        everything += tracks["items"]
    assert len(everything) == c.album_track_count(c.index_of(2, album_id, c.n_albums) or 0)
    term = c.search_terms(1)[0]
    found = sp.search(term, limit=5, type="track")
    assert found["tracks"]["items"] and found["tracks"]["items"][0]["name"].startswith(term)
    # Development mode reads the items of the user's own playlists only (docs/spotify-api.md).
    pid = c.playlist_ids(1, "me" if sim.config.development else "other")[0]
    page = playlist_client.playlist_items(pid, limit=50)
    items = page["items"]
    while page["next"]:
        page = playlist_client.next(page)
        items += page["items"]
    assert len(items) == page["total"] > 0


def test_spotipy_in_the_extended_profile(ext_sim: Simulator) -> None:
    sp = _spotipy(ext_sim)
    _fetch_everything(sp, ext_sim, sp)
    several = sp.tracks(ext_sim.catalog.track_ids(3))  # a call development mode removed
    assert [t["id"] for t in several["tracks"]] == ext_sim.catalog.track_ids(3)


def test_spotipy_in_the_development_profile_with_a_user_token(dev_sim: Simulator) -> None:
    sp = _spotipy(dev_sim)
    user = _spotipy(dev_sim, pkce_login(dev_sim)["access_token"])
    _fetch_everything(sp, dev_sim, user)
    with pytest.raises(spotipy.SpotifyException) as removed:
        sp.tracks(dev_sim.catalog.track_ids(3))
    assert removed.value.http_status == 403
    with pytest.raises(spotipy.SpotifyException) as app_only:
        sp.playlist_items(dev_sim.catalog.playlist_ids(1, "me")[0])
    assert app_only.value.http_status == 403
    with pytest.raises(spotipy.SpotifyException) as not_owned:
        user.playlist_items(dev_sim.catalog.playlist_ids(1, "other")[0])
    assert not_owned.value.http_status == 403

"""The Web API surface in both profiles: entities, paging, limits, errors, removed endpoints."""

from __future__ import annotations

import httpx
import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator

from .conftest import Api, app_token


def test_entities_round_trip_by_id(dev_api: Api, dev_sim: Simulator) -> None:
    c = dev_sim.catalog
    album_id, artist_id, track_id = c.album_ids(1)[0], c.artist_ids(1)[0], c.track_ids(1)[0]
    assert dev_api.ok(f"/albums/{album_id}")["id"] == album_id
    assert dev_api.ok(f"/artists/{artist_id}")["id"] == artist_id
    track = dev_api.ok(f"/tracks/{track_id}")
    assert track["id"] == track_id
    assert track["href"] == f"{dev_sim.api_base}/tracks/{track_id}"
    assert track["uri"] == f"spotify:track:{track_id}"
    assert dev_api.ok(f"/tracks/{track_id}/")["id"] == track_id  # trailing slash


def test_bad_requests_get_the_real_replies(dev_api: Api, dev_sim: Simulator) -> None:
    track_id = dev_sim.catalog.track_ids(1)[0]
    assert dev_api.get("/tracks/not-an-id").json() == {
        "error": {"status": 400, "message": "invalid id"}
    }
    unknown = dev_api.get("/tracks/" + "0" * 22)
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == 404
    assert dev_api.get(f"/albums/{track_id}").status_code == 404  # a track id is no album id
    assert dev_api.get("/no/such/path").json()["error"] == {
        "status": 404,
        "message": "Service not found",
    }
    assert dev_api.http.post(f"{dev_sim.api_base}/tracks/{track_id}").status_code == 405
    bare = httpx.get(f"{dev_sim.api_base}/tracks/{track_id}")
    assert bare.status_code == 401 and bare.json()["error"]["message"] == "No token provided"
    bad = httpx.get(
        f"{dev_sim.api_base}/tracks/{track_id}", headers={"Authorization": "Bearer nope"}
    )
    assert bad.status_code == 401 and bad.json()["error"]["message"] == "Invalid access token"


def test_paging_follows_absolute_next_links_to_the_end(dev_api: Api, dev_sim: Simulator) -> None:
    big = next(
        b
        for b in range(dev_sim.catalog.n_albums)
        if dev_sim.catalog.album_track_count(b) > 12 and dev_sim.catalog.album_visible(b, 0)
    )
    album_id = dev_sim.catalog.album(big).id
    page = dev_api.ok(f"/albums/{album_id}/tracks", limit=5)
    assert page["previous"] is None
    seen = []
    while True:
        seen += [t["id"] for t in page["items"]]
        if page["next"] is None:
            break
        assert page["next"].startswith(dev_sim.api_base + f"/albums/{album_id}/tracks?")
        page = dev_api.ok(page["next"])
        assert page["previous"] is not None
    assert len(seen) == len(set(seen)) == page["total"] == dev_sim.catalog.album_track_count(big)


@pytest.mark.parametrize(
    ("profile", "path", "limit", "status"),
    [
        ("development", "/search", 10, 200),
        ("development", "/search", 11, 400),
        ("extended", "/search", 50, 200),
        ("extended", "/search", 51, 400),
        ("development", "/artists/{artist}/albums", 10, 200),
        ("development", "/artists/{artist}/albums", 11, 400),
        ("extended", "/artists/{artist}/albums", 50, 200),
        ("development", "/albums/{album}/tracks", 0, 400),
        ("development", "/albums/{album}/tracks", 51, 400),
    ],
)
def test_limits_per_profile(
    request: pytest.FixtureRequest, profile: str, path: str, limit: int, status: int
) -> None:
    api: Api = request.getfixturevalue("dev_api" if profile == "development" else "ext_api")
    c = api.sim.catalog
    url = path.format(artist=c.artist_ids(1)[0], album=c.album_ids(1)[0])
    reply = api.get(url, q=c.search_terms(1)[0], type="track", limit=limit)
    assert reply.status_code == status, reply.text
    if status == 400:
        assert reply.json() == {"error": {"status": 400, "message": "Invalid limit"}}


def test_removed_endpoints_answer_403_in_development_only(dev_api: Api, ext_api: Api) -> None:
    c = dev_api.sim.catalog
    ids = ",".join(c.track_ids(2))
    artist = c.artist_ids(1)[0]
    for path, params in [
        ("/tracks", {"ids": ids}),
        ("/albums", {"ids": c.album_ids(1)[0]}),
        ("/artists", {"ids": artist}),
        (f"/artists/{artist}/top-tracks", {}),
        ("/browse/new-releases", {}),
        ("/markets", {}),
        (f"/playlists/{c.playlist_ids(1)[0]}/tracks", {}),
    ]:
        assert dev_api.get(path, **params).status_code == 403, path
        assert ext_api.get(path, **params).status_code == 200, path
    for gone in (f"/artists/{artist}/related-artists", "/recommendations", "/audio-features"):
        assert dev_api.get(gone).status_code == 403
        assert ext_api.get(gone).status_code == 403


def test_batch_endpoints_answer_null_for_unknown_ids(ext_api: Api) -> None:
    known = ext_api.sim.catalog.track_ids(2)
    reply = ext_api.ok("/tracks", ids=",".join([known[0], "0" * 22, known[1]]))
    assert [t and t["id"] for t in reply["tracks"]] == [known[0], None, known[1]]
    too_many = ext_api.get("/tracks", ids=",".join(ext_api.sim.catalog.track_ids(51)))
    assert too_many.status_code == 400


def test_removed_fields_are_absent_in_development_mode(dev_api: Api, ext_api: Api) -> None:
    c = dev_api.sim.catalog
    track_id, artist_id, album_id = c.track_ids(1)[0], c.artist_ids(1)[0], c.album_ids(1)[0]
    dev_track, ext_track = dev_api.ok(f"/tracks/{track_id}"), ext_api.ok(f"/tracks/{track_id}")
    for field in ("popularity", "available_markets"):
        assert field not in dev_track and field in ext_track
    assert "available_markets" not in dev_track["album"]
    assert dev_track["external_ids"]["isrc"] == ext_track["external_ids"]["isrc"]
    dev_artist, ext_artist = (
        dev_api.ok(f"/artists/{artist_id}"),
        ext_api.ok(f"/artists/{artist_id}"),
    )
    for field in ("popularity", "followers", "genres"):
        assert field not in dev_artist and field in ext_artist
    dev_album, ext_album = dev_api.ok(f"/albums/{album_id}"), ext_api.ok(f"/albums/{album_id}")
    for field in ("label", "popularity", "available_markets"):
        assert field not in dev_album and field in ext_album
    assert dev_album["external_ids"]["upc"] == ext_album["external_ids"]["upc"]


def test_fields_removed_later_are_absent_in_development_mode(
    dev_api: Api, dev_user_api: Api, ext_api: Api
) -> None:
    """What development mode dropped (docs/spotify-api.md): album_group, /me's account fields,
    preview_url."""
    c = dev_api.sim.catalog
    track_id, artist_id = c.track_ids(1)[0], c.artist_ids(1)[0]
    assert "preview_url" not in dev_api.ok(f"/tracks/{track_id}")
    assert "preview_url" in ext_api.ok(f"/tracks/{track_id}")
    dev_albums = dev_api.ok(f"/artists/{artist_id}/albums", limit=10)["items"]
    ext_albums = ext_api.ok(f"/artists/{artist_id}/albums", limit=10)["items"]
    assert dev_albums and all("album_group" not in a for a in dev_albums)
    assert all(a["album_group"] == a["album_type"] for a in ext_albums)
    me = dev_user_api.ok("/me")
    assert me["account_id"] and me["id"] == c.me_user_id
    assert not {"country", "email", "product", "explicit_content", "followers"} & set(me)


def test_search_finds_known_terms_and_respects_offset_cap(dev_api: Api) -> None:
    term = dev_api.sim.catalog.search_terms(1)[0]
    reply = dev_api.ok("/search", q=term, type="track,artist,album,playlist", limit=3)
    assert set(reply) == {"tracks", "artists", "albums", "playlists"}
    assert reply["tracks"]["items"] and all(
        t["name"].startswith(term) for t in reply["tracks"]["items"]
    )
    assert reply["artists"]["items"][0]["name"].startswith(term)
    nothing = dev_api.ok("/search", q="zzzunmatched", type="track")
    assert nothing["tracks"]["total"] == 0 and nothing["tracks"]["items"] == []
    assert dev_api.get("/search", q=term, type="track", offset=1001).status_code == 400
    assert dev_api.get("/search", q=term, type="song").status_code == 400
    assert dev_api.get("/search", type="track").status_code == 400


def test_search_with_unicode_terms(dev_api: Api) -> None:
    terms = [t for t in dev_api.sim.catalog.search_terms(500) if not t.isascii()]
    assert {"東京", "שלום", "🔥", "Café"} <= set(terms)
    for term in ("東京", "שלום", "🔥", "café"):
        found = dev_api.ok("/search", q=term, type="track", limit=10)["tracks"]
        assert found["total"] > 0 and found["items"]
        assert all(t["name"].casefold().startswith(term.casefold()) for t in found["items"])


def test_search_pages_add_up_to_total_even_with_unreleased_albums() -> None:
    with running_simulator(SimulatorConfig(scale=20_000)) as sim:
        c = sim.catalog
        hidden = next(b for d, b in c.new_albums if d > 0)  # not out yet on day 0
        term = c.album(hidden).name.split()[0]
        api = Api(sim, app_token(sim))
        for kind in ("album", "track"):
            page = api.ok("/search", q=term, type=kind, limit=10)[kind + "s"]
            seen = []
            while True:
                assert len(page["items"]) == 10 or page["next"] is None
                seen += [x["id"] for x in page["items"]]
                if page["next"] is None or page["offset"] + 10 > 990:
                    break
                page = api.ok(page["next"])[kind + "s"]
            assert len(seen) == len(set(seen))
            if page["total"] <= 1000:
                assert len(seen) == page["total"]
            assert c.album(hidden).id not in seen


def test_search_paging_links_keep_the_market(dev_api: Api) -> None:
    term = dev_api.sim.catalog.search_terms(1)[0]
    page = dev_api.ok("/search", q=term, type="track", market="SE", limit=2)["tracks"]
    assert "market=SE" in page["href"] and "market=SE" in page["next"]
    following = dev_api.ok(page["next"])["tracks"]
    assert following["offset"] == 2 and "market=SE" in following["previous"]


def test_an_id_with_a_trailing_newline_is_invalid_not_a_server_error(ext_api: Api) -> None:
    track_id = ext_api.sim.catalog.track_ids(1)[0]
    reply = ext_api.get("/tracks", ids=track_id + "\n")  # sent as %0A, decoded by the server
    assert reply.json() == {"error": {"status": 400, "message": "invalid id"}}

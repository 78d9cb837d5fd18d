"""Playlists: development-mode access rules, fields, content quirks, and change between days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import BIG_PLAYLIST, Catalog
from spotify_etl.simulator.playlists import Playlists

from .conftest import Api, app_token, pkce_login


def _all_items(api: Api, url: str) -> list[dict]:  # type: ignore[type-arg]
    items, page = [], api.ok(url, limit=50)
    while True:
        items += page["items"]
        if not page["next"]:
            return items
        page = api.ok(page["next"])


FORBIDDEN = {"error": {"status": 403, "message": "Forbidden"}}


def test_development_items_need_a_user_token(dev_api: Api, dev_user_api: Api) -> None:
    c = dev_api.sim.catalog
    for pid in (c.playlist_ids(1, "me")[0], c.playlist_ids(1, "collab")[0]):
        assert dev_api.get(f"/playlists/{pid}/items").json() == FORBIDDEN
        assert dev_user_api.get(f"/playlists/{pid}/items").status_code == 200


def test_development_items_only_for_own_or_collaborative_playlists(
    dev_user_api: Api, ext_api: Api
) -> None:
    """docs/spotify-api.md (corrected): anyone else's playlist, even public and followed, is 403."""
    c = dev_user_api.sim.catalog
    followed = c.playlist_ids(1, "other")[0]  # "me" follows playlists 10..19
    listed = dev_user_api.ok("/me/playlists", limit=50)["items"]
    assert followed in [p["id"] for p in listed]
    for pid in (followed, c.big_playlist_id):
        reply = dev_user_api.get(f"/playlists/{pid}/items")
        assert (reply.status_code, reply.json()) == (403, FORBIDDEN)
        header = dev_user_api.ok(f"/playlists/{pid}")
        assert header["public"] is True and header["owner"]["id"] != c.me_user_id
        assert header["name"] and header["snapshot_id"] and "items" not in header
        narrow = dev_user_api.ok(f"/playlists/{pid}", fields="snapshot_id,items(total)")
        assert narrow == {"snapshot_id": header["snapshot_id"]}
    assert ext_api.get(f"/playlists/{followed}/items").status_code == 200  # extended: any


def test_items_field_only_for_playlists_me_owns_or_shares(dev_api: Api, dev_user_api: Api) -> None:
    c = dev_api.sim.catalog
    mine, shared, other = (
        c.playlist_ids(1, "me")[0],
        c.playlist_ids(1, "collab")[0],
        c.playlist_ids(1, "other")[0],
    )
    assert "items" in dev_user_api.ok(f"/playlists/{mine}")
    assert "items" in dev_user_api.ok(f"/playlists/{shared}")
    assert "items" not in dev_user_api.ok(f"/playlists/{other}")
    assert "items" not in dev_api.ok(f"/playlists/{mine}")  # an app token has no user
    assert "tracks" not in dev_user_api.ok(f"/playlists/{mine}")


def test_editorial_playlists_404_in_development(dev_api: Api, ext_api: Api) -> None:
    editorial = dev_api.sim.catalog.editorial_playlist_ids(1)[0]
    assert editorial.startswith("37i9")
    assert dev_api.get(f"/playlists/{editorial}").status_code == 404
    assert ext_api.ok(f"/playlists/{editorial}")["owner"]["id"] == "spotify"


def test_extended_profile_keeps_tracks_and_track(ext_api: Api) -> None:
    pid = ext_api.sim.catalog.playlist_ids(1, "other")[0]
    playlist = ext_api.ok(f"/playlists/{pid}")
    assert "tracks" in playlist and "items" not in playlist
    page = ext_api.ok(f"/playlists/{pid}/tracks", limit=100)
    assert all("track" in item and "item" not in item for item in page["items"])
    assert ext_api.get(f"/playlists/{pid}/tracks", limit=101).status_code == 400


def test_fields_filter(dev_user_api: Api) -> None:
    pid = dev_user_api.sim.catalog.playlist_ids(1, "me")[0]
    assert set(dev_user_api.ok(f"/playlists/{pid}", fields="snapshot_id")) == {"snapshot_id"}
    nested = dev_user_api.ok(f"/playlists/{pid}", fields="name,items(total,items(item(id)))")
    assert set(nested) == {"name", "items"}
    assert set(nested["items"]) == {"total", "items"}
    assert all(set(i) == {"item"} for i in nested["items"]["items"])
    page = dev_user_api.ok(f"/playlists/{pid}/items", fields="items(added_at,item.name)")
    assert set(page) == {"items"}
    assert dev_user_api.get(f"/playlists/{pid}", fields="a((b").status_code == 400


def test_content_has_the_real_quirks(dev_user_api: Api) -> None:
    c = dev_user_api.sim.catalog
    items = _all_items(dev_user_api, f"/playlists/{c.playlist_ids(3, 'me')[2]}/items")
    assert len(items) >= 200
    local = [i for i in items if i["is_local"]]
    assert local and all(i["item"]["id"] is None for i in local)
    assert all(i["item"]["uri"].startswith("spotify:local:") for i in local)
    assert any(i["item"] is None for i in items)
    assert any(i["item"] and i["item"]["type"] == "episode" for i in items)
    track_ids = [i["item"]["id"] for i in items if i["item"] and i["item"]["type"] == "track"]
    track_ids = [t for t in track_ids if t]
    assert len(track_ids) > len(set(track_ids))  # the same track at several positions
    assert all(i["track"] == i["item"] for i in items)  # deprecated alias in development
    empty = dev_user_api.ok(f"/playlists/{c.playlist_ids(2, 'me')[1]}/items")
    assert empty["total"] == 0 and empty["items"] == [] and empty["next"] is None


@pytest.fixture
def moving_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(scale=2_000)) as sim:
        yield sim


def test_playlists_change_between_days_and_snapshots_follow(moving_sim: Simulator) -> None:
    api = Api(moving_sim, pkce_login(moving_sim)["access_token"])
    c = moving_sim.catalog
    daily, static = c.playlist_ids(1, "me")[0], c.playlist_ids(4, "me")[3]

    def state(pid: str) -> tuple[str, list[str | None]]:
        snap = api.ok(f"/playlists/{pid}", fields="snapshot_id")["snapshot_id"]
        items = _all_items(api, f"/playlists/{pid}/items")
        return snap, [i["item"] and i["item"]["uri"] for i in items]

    before_daily, before_static = state(daily), state(static)
    assert state(daily) == before_daily  # same day, same content
    moving_sim.set_day(1)
    after_daily, after_static = state(daily), state(static)
    assert after_daily[0] != before_daily[0] and after_daily[1] != before_daily[1]
    assert after_static == before_static
    moving_sim.set_day(0)
    assert state(daily) == before_daily  # days are a pure function, not a history


def test_new_albums_appear_on_later_days(moving_sim: Simulator) -> None:
    c = moving_sim.catalog
    day, album = next((d, b) for d, b in reversed(c.new_albums) if d > 0)
    album_id = c.album(album).id
    api = Api(moving_sim, app_token(moving_sim))
    moving_sim.set_day(day - 1)
    assert api.get(f"/albums/{album_id}").status_code == 404
    moving_sim.set_day(day)
    assert api.ok(f"/albums/{album_id}")["release_date"] >= "2026-06-01"


def test_very_old_playlists_have_null_added_at(dev_user_api: Api) -> None:
    playlists = Playlists(dev_user_api.sim.catalog)
    # One of "me"'s own playlists is that old: development mode reads no one else's items.
    old = next(i for i in range(dev_user_api.sim.catalog.n_playlists) if playlists.get(i).old)
    assert playlists.get(old).owner == 0
    page = dev_user_api.ok(f"/playlists/{playlists.get(old).id}/items", limit=50)
    assert page["items"] and all(i["added_at"] is None for i in page["items"])
    assert all(i["added_by"] is None for i in page["items"])


def test_new_releases_follow_the_day(ext_api: Api) -> None:
    sim = ext_api.sim
    try:
        before = ext_api.ok("/browse/new-releases", limit=50)["albums"]
        day = min(d for d, _ in sim.catalog.new_albums if d > 0)
        sim.set_day(day)
        after = ext_api.ok("/browse/new-releases", limit=50)["albums"]
        assert after["total"] > before["total"]
        assert (
            after["items"][0]["release_date"]
            == (date(2026, 6, 1) + timedelta(days=day)).isoformat()
        )
    finally:
        sim.set_day(0)


def test_recently_played_pages_by_cursor(dev_user_api: Api) -> None:
    first = dev_user_api.ok("/me/player/recently-played", limit=20)
    assert len(first["items"]) == 20 and first["next"]
    second = dev_user_api.ok(first["next"])
    assert second["items"][0]["played_at"] < first["items"][-1]["played_at"]
    cursor = int(first["cursors"]["before"])
    assert second["cursors"]["after"] and int(second["cursors"]["after"]) < cursor
    assert dev_user_api.get("/me/player/recently-played", before=1, after=2).status_code == 400


def test_snapshot_id_changes_exactly_when_content_changes() -> None:
    playlists = Playlists(Catalog(seed=42, scale=2_000))
    lost = quiet_days = 0
    for pl in (playlists.get(i) for i in range(BIG_PLAYLIST)):
        before = None
        for day in range(30):
            numbers = [e.number for e in playlists.content(pl, day)]
            state = (numbers, playlists.snapshot_id(pl, day))
            if before is not None:
                assert (state[0] != before[0]) == (state[1] != before[1]), (pl.index, day)
                lost += bool(set(before[0]) - set(numbers))
                quiet_days += pl.churn == "occasional" and state[1] == before[1]
            before = state
    assert lost and quiet_days  # items are removed, and some change days are skipped

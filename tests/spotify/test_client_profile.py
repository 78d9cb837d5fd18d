"""Profile detection and fallbacks, on scripted replies (the simulator tests cover the rest)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from spotify_etl.errors import AuthError, SkippableError
from spotify_etl.spotify import ApiResponse, FileTokenStore, Skipped, StoredToken
from tests.spotify.fakes import API, FakeSpotify, FakeTime, error, make_client, page


def _ids(n: int, prefix: str = "a") -> list[str]:
    return [f"{prefix}{i:021d}" for i in range(n)]


def _batch(request: httpx.Request) -> httpx.Response:
    ids = request.url.params["ids"].split(",")
    return httpx.Response(
        200, json={"albums": [None if i.endswith("7") else {"id": i} for i in ids]}
    )


def test_batches_of_20_with_nulls_skipped_and_extended_learnt() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("albums", *[_batch] * 3)
    ids = _ids(45)
    with make_client(fake, time) as client:
        out = list(client.albums([*ids, ids[0]]))  # a duplicate is fetched once
        assert client.profile == "extended"
    replies = [x for x in out if isinstance(x, ApiResponse)]
    skipped = [x for x in out if isinstance(x, Skipped)]
    assert [len(r.params["ids"].split(",")) for r in replies] == [20, 20, 5]
    assert {r.endpoint for r in replies} == {"albums"}
    assert [s.id for s in skipped] == [i for i in ids if i.endswith("7")]
    assert skipped[0].kind == "album" and skipped[0].status is None


def test_removed_batch_endpoint_falls_back_one_by_one_and_is_remembered() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("tracks", error(403, "Forbidden"))
    ids = _ids(5, "t")
    fake.script(f"tracks/{ids[2]}", error(404, "Resource not found"))
    with make_client(fake, time, requests_in_flight=3) as client:
        first = list(client.tracks(ids))
        assert client.profile == "development"
        second = list(client.tracks(_ids(3, "u")))
    assert [getattr(x, "id", None) or x.body["id"] for x in first] == [  # type: ignore[union-attr]
        f"tracks/{ids[0]}",
        f"tracks/{ids[1]}",
        ids[2],
        f"tracks/{ids[3]}",
        f"tracks/{ids[4]}",
    ]
    assert first[2] == Skipped(ids[2], "track", 404, "Resource not found")
    assert len(second) == 3
    paths = [r.url.path for r in fake.api_requests]
    assert paths.count("/v1/tracks") == 1  # the removed endpoint was tried once per run


def test_search_probes_wide_pages_once() -> None:
    fake, time = FakeSpotify(), FakeTime()

    def search(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        if limit > 10:
            return error(400, "Invalid limit")
        offset = int(request.url.params.get("offset", 0))
        nxt = f"{API}/search?q=x&type=track&offset={offset + limit}&limit={limit}"
        return httpx.Response(200, json={"tracks": {"items": [0] * limit, "next": nxt}})

    fake.script("search", *[search] * 20)
    with make_client(fake, time) as client:
        pages = list(client.search("x", "track", 25))
        assert client.profile == "development"
        again = list(client.search("y", "track", 30))
    assert [p.params["limit"] for p in pages] == ["10", "10", "10"]
    assert len(again) == 3
    limits = [r.url.params["limit"] for r in fake.api_requests]
    assert limits.count("25") == 1 and "30" not in limits  # probed once, then remembered


def test_playlist_items_prefers_tracks_only_where_it_exists() -> None:
    fake, time = FakeSpotify(), FakeTime()
    pl = "p" * 22
    fake.script(f"playlists/{pl}/tracks", error(403, "Forbidden"))
    fake.script(
        f"playlists/{pl}/items",
        page([1] * 50, f"{API}/playlists/{pl}/items?offset=50&limit=50"),  # a full page
        page([2], None),
    )
    with make_client(fake, time) as client:
        replies = list(client.playlist_items(pl))
        assert client.profile == "development"
    assert [r.endpoint for r in replies] == ["playlists/{id}/items"] * 2
    assert replies[0].params == {"limit": "50"}


def test_a_playlist_out_of_reach_teaches_nothing() -> None:
    fake, time = FakeSpotify(), FakeTime()
    pl = "q" * 22
    fake.script(f"playlists/{pl}/tracks", error(404, "Resource not found"))
    fake.script(f"playlists/{pl}/items", error(404, "Resource not found"))
    with make_client(fake, time) as client:
        with pytest.raises(SkippableError):
            list(client.playlist_items(pl))
        assert client.profile == "unknown"


def _stored(tmp_path: Path) -> FileTokenStore:
    store = FileTokenStore(tmp_path / "token.json")
    store.save(StoredToken("first-refresh-token", "user-top-read", "alice", datetime.now(UTC)))
    return store


def test_user_token_refresh_saves_the_rotated_token(tmp_path: Path) -> None:
    fake, time = FakeSpotify(token_lifetime_s=60), FakeTime()
    store = _stored(tmp_path)
    with make_client(fake, time, token_store=store) as client:
        client.me()
        time.now += 120
        client.me()
    assert [f["refresh_token"] for f in fake.token_forms] == [
        "first-refresh-token",
        "rotated-refresh-0001",
    ]
    assert all(f["client_id"] == "unit-client-id" for f in fake.token_forms)
    saved = store.load()
    assert saved is not None and saved.refresh_token == "rotated-refresh-0002"


def test_expired_refresh_token_says_to_log_in_again(tmp_path: Path) -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.token_replies.append(
        httpx.Response(
            400, json={"error": "invalid_grant", "error_description": "Refresh token revoked"}
        )
    )
    with (
        make_client(fake, time, token_store=_stored(tmp_path)) as client,
        pytest.raises(AuthError) as err,
    ):
        client.me()
    assert "auth login" in str(err.value) and "first-refresh-token" not in str(err.value)


def test_without_a_secret_the_user_token_serves_app_requests(tmp_path: Path) -> None:
    fake, time = FakeSpotify(), FakeTime()
    with make_client(fake, time, secret=None, token_store=_stored(tmp_path)) as client:
        client.album("a" * 22)
    assert fake.token_forms[0]["grant_type"] == "refresh_token"


def test_a_token_rotated_by_another_process_is_picked_up(tmp_path: Path) -> None:
    fake, time = FakeSpotify(), FakeTime()
    store = _stored(tmp_path)
    with make_client(fake, time, token_store=store) as client:
        assert client.has_user  # this process read "first-refresh-token"
        store.save(StoredToken("newer-refresh-token", "user-top-read", "alice", datetime.now(UTC)))
        fake.token_replies.append(
            httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Invalid refresh token"}
            )
        )
        client.me()
    assert [f["refresh_token"] for f in fake.token_forms] == [
        "first-refresh-token",
        "newer-refresh-token",
    ]

from __future__ import annotations

from spotify_etl.extract.discover import playlist_page, scan

A1, A2, AL, T1, T2 = ("A" * 21 + "1", "A" * 21 + "2", "L" * 22, "T" * 21 + "1", "T" * 21 + "2")


def _track(track_id: str, *, full: bool = True) -> dict[str, object]:
    track: dict[str, object] = {"id": track_id, "type": "track", "artists": [{"id": A2}]}
    if full:
        track["album"] = {"id": AL, "artists": [{"id": A1}]}
    return track


def test_playlist_items_in_both_profiles() -> None:
    page = {
        "items": [
            {"item": _track(T1)},  # development
            {"track": _track(T2)},  # extended
            {"item": None},
            {"item": {"type": "episode", "id": "E" * 22}},
            {"item": {"type": "track", "id": None, "is_local": True, "uri": "spotify:local:x"}},
        ],
        "next": None,
    }
    found = scan("playlist_items", page)
    assert found.full["track"] == {T1, T2}
    assert found.wanted() == {"album": {AL}, "artist": {A1, A2}, "track": set()}


def test_embedded_page_of_a_playlist_object() -> None:
    dev = {"id": "p", "items": {"items": [{"item": _track(T1)}], "next": None}}
    ext = {"id": "p", "tracks": {"items": [{"track": _track(T1)}], "next": None}}
    assert playlist_page(dev) == dev["items"]
    assert playlist_page(ext) == ext["tracks"]
    assert playlist_page({"id": "p", "snapshot_id": "s"}) is None
    assert scan("playlist", ext).full["track"] == {T1}


def test_album_and_simplified_tracks() -> None:
    album = {"id": AL, "artists": [{"id": A1}], "tracks": {"items": [_track(T1, full=False)]}}
    found = scan("album", album)
    assert found.full["album"] == {AL}
    assert found.full["track"] == set()  # simplified: its album is not in it
    assert found.wanted()["artist"] == {A1, A2}


def test_batch_replies_with_nulls_and_bad_ids() -> None:
    body = {"artists": [{"id": A1}, None, {"id": "not-an-id"}]}
    found = scan("artists", body)
    assert found.full["artist"] == {A1, "not-an-id"}
    assert found.refs["artist"] == {A1}


def test_search_and_library_shapes() -> None:
    search = {
        "tracks": {"items": [_track(T1)], "next": None},
        "albums": {"items": [{"id": AL, "artists": [{"id": A1}]}], "next": None},
    }
    found = scan("search", search)
    assert found.full["track"] == {T1} and found.wanted()["album"] == {AL}
    saved = {"items": [{"added_at": "x", "track": _track(T2)}], "next": None}
    assert scan("saved_tracks", saved).full["track"] == {T2}
    mine = {"items": [{"id": "P" * 22, "snapshot_id": "s9"}]}
    assert scan("my_playlists", mine).playlists == {"P" * 22: "s9"}
    assert scan("top_artists", {"items": [{"id": A1}]}).full["artist"] == {A1}
    assert scan("album", None).wanted() == {"album": set(), "artist": set(), "track": set()}


def test_simplified_tracks_of_a_track_list_are_not_wanted_in_full() -> None:
    page = {"items": [_track(T1, full=False), _track(T2, full=False)], "next": None}
    found = scan("album_tracks", page)
    assert found.wanted() == {"album": set(), "artist": {A2}, "track": set()}

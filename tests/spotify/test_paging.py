from __future__ import annotations

import httpx

from spotify_etl.spotify.paging import paging_object
from spotify_etl.spotify.templates import endpoint_of
from tests.spotify.fakes import API, FakeSpotify, FakeTime, make_client, page

ALBUM = "4aawyAB9vmqN3uQ7FjRGTy"


def test_follows_next_as_given_until_null() -> None:
    fake, time = FakeSpotify(), FakeTime()
    path = f"albums/{ALBUM}/tracks"
    fake.script(
        path,
        page([1, 2], f"{API}/{path}?offset=2&limit=2"),
        page([3, 4], f"{API}/{path}?offset=4&limit=2"),
        page([5], None),
    )
    with make_client(fake, time) as client:
        replies = list(client.pages(path, {"limit": 2}))
    assert [r.body["items"] for r in replies] == [[1, 2], [3, 4], [5]]
    assert [r.params for r in replies] == [
        {"limit": "2"},
        {"offset": "2", "limit": "2"},
        {"offset": "4", "limit": "2"},
    ]
    assert {r.endpoint for r in replies} == {"albums/{id}/tracks"}


def test_a_repeating_next_stops_instead_of_looping() -> None:
    fake, time = FakeSpotify(), FakeTime()
    path = "me/tracks"
    looping = f"{API}/{path}?offset=2&limit=2"
    fake.script(path, *[page([1, 2], looping)] * 10)
    with make_client(fake, time) as client:
        replies = list(client.pages(path, {"limit": 2}))
    assert len(replies) == 2
    assert len(fake.api_requests) == 2


def test_an_empty_page_and_max_items_end_the_list() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("me/tracks", page([], f"{API}/me/tracks?offset=50"))
    fake.script(
        "search",
        page([1] * 10, f"{API}/search?offset=10"),
        page([1] * 10, f"{API}/search?offset=20"),
    )
    with make_client(fake, time) as client:
        assert len(list(client.pages("me/tracks"))) == 1
        assert len(list(client.pages("search", {"q": "x"}, max_items=15))) == 2


def test_the_paging_object_may_be_nested() -> None:
    inner = {"items": [], "next": None}
    assert paging_object({"tracks": inner}) is inner
    assert paging_object(inner) is inner
    assert paging_object({"id": "x"}) is None
    assert paging_object([1]) is None


def test_endpoint_templates() -> None:
    assert endpoint_of(f"albums/{ALBUM}", API) == "albums/{id}"
    assert endpoint_of(f"{API}/playlists/{ALBUM}/items?offset=50", API) == "playlists/{id}/items"
    assert endpoint_of("/me/top/artists", API) == "me/top/artists"
    assert endpoint_of("users/some.user/playlists", API) == "users/{id}/playlists"
    assert endpoint_of("http://other:1/v1/search?q=a", API) == "search"


def test_page_replies_record_absolute_url_without_query() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("me/tracks", httpx.Response(200, json={"items": [1], "next": None}))
    with make_client(fake, time) as client:
        (reply,) = client.pages("me/tracks", {"limit": 50}, user=False)
    assert reply.url == f"{API}/me/tracks" and reply.params == {"limit": "50"}


def test_a_short_page_ends_the_list_even_when_next_is_set() -> None:
    # Observed with include_groups: `next` and `total` count albums never served.
    fake, time = FakeSpotify(), FakeTime()
    path = f"artists/{ALBUM}/albums"
    fake.script(
        path,
        page([1, 2], f"{API}/{path}?offset=2&limit=2", total=9),
        page([3], f"{API}/{path}?offset=4&limit=2", total=9),
        page([], None),
    )
    with make_client(fake, time) as client:
        replies = list(client.pages(path, {"limit": 2, "include_groups": "single"}))
    assert [r.body["items"] for r in replies] == [[1, 2], [3]]
    assert len(fake.api_requests) == 2


def test_a_page_without_a_limit_says_its_own_size() -> None:
    fake, time = FakeSpotify(), FakeTime()
    short = {"items": [1], "limit": 5, "next": f"{API}/me/tracks?offset=5", "total": 20}
    fake.script("me/tracks", httpx.Response(200, json=short), page([2, 3], None))
    with make_client(fake, time) as client:
        assert len(list(client.pages("me/tracks"))) == 1

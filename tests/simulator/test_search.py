"""Search as a user writes it, in a small fixed catalog (seed 42, scale 100: 10 artists,
44 albums, 394 tracks), each query with its exact hits in relevance order: names that start
with the query's first word come first, then the rest, each in catalog order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from spotify_etl.simulator.query import parse, words

from .conftest import Api, app_token

TABLE: list[tuple[str, str, list[str]]] = [
    # words and prefixes, any case
    ("track", "midn", ["Midnight Drive", "Midnight on the Radio"]),
    ("track", "MIDNIGHT drive", ["Midnight Drive"]),
    ("track", "aurora", ["Aurora Anthem", "Aurora Nights - Demo", "Aurora Under Glass - Live"]),
    ("album", "love", ["Solstice in Love", "Gravity in Love"]),
    ("artist", "the", ["Ember & the Lights", "Saffron & the Lights"]),
    (
        "album",
        "a",
        ["Atlas Waltz", "Amber Season", "Indigo Avenue", "Signal Again", "Raven Again"],
    ),
    ("artist", "orch", ["Orchid Sound System", "Satellite Orchestra", "Thunder Orchestra"]),
    ("track", "東京", ["東京 in Blue - Remastered 2011", "東京 in Blue", "東京 Garden"]),
    ("track", "CAFÉ", ["Café Under Glass (feat. Guest)", "Café Skyline - Demo"]),
    ("track", "zzz", []),
    # quoted phrases
    (
        "track",
        '"in blue" remastered',
        [
            "Zoë in Blue - Remastered 2011",
            "東京 in Blue - Remastered 2011",
            "🌙 in Blue - Remastered 2011",
        ],
    ),
    ("track", '"on the radio" demo', ["Lullaby on the Radio - Demo", "Москва on the Radio - Demo"]),
    ("track", '"radio on"', []),
    # field filters
    ("track", "artist:Aurora", []),  # no artist is named Aurora (tracks are)
    (
        "track",
        "artist:cobalt album:satellite",
        [
            "Copper Avenue - Radio Edit",
            "Lullaby on the Radio - Demo",
            "Prism in Love",
            "Riverbend Parade - Live",
            "Nomad on the Radio",
            "Cinder Letters",
            "Monsoon Anthem - Demo",
        ],
    ),
    ("track", 'artist:"Glacier Trio" love', ["Falcon in Love - Live"]),
    ("track", "track:velvet artist:thunder", ["Velvet Parade"]),
    ("track", "isrc:QZ0001400118", ["Midnight Drive"]),
    ("track", "isrc:qz0001400118", ["Midnight Drive"]),
    ("album", "upc:190000000206", ["Indigo Avenue"]),
    ("track", "upc:190000000206", []),  # upc: applies to albums only
    # years and ranges
    ("album", "year:2024", ["Hollow Lights", "Gravity in Love", "Kestrel Drive (Deluxe Edition)"]),
    ("album", "year:1990-1999", ["Marigold Garden", "Juniper Garden", "Atlas Waltz"]),
    ("album", "garden year:1999-1990", ["Marigold Garden", "Juniper Garden"]),
    ("album", "year:199x", []),
    ("artist", "year:1973", ["Thunder Orchestra"]),
    # tags (albums)
    (
        "album",
        "tag:hipster",
        [
            "Satellite on the Radio",
            "Orchid Tide",
            "Horizon Waltz",
            "Nomad Hour",
            "Mirage Reprise",
            "Tundra Dreams",
        ],
    ),
    (
        "album",
        "tag:new",
        ["Copper in Blue", "Indigo Avenue", "Tundra Dreams", "Basalt Parade", "Nebula Machine"],
    ),
    ("album", "tag:new indigo", ["Indigo Avenue"]),
]
EXTENDED_ONLY: list[tuple[str, str, list[str]]] = [
    ("track", "genre:jazz year:2024 tidal", ["Tidal Overture - Live"]),
    ("artist", "genre:drum", ["Glacier Trio", "Satellite Orchestra", "Orchid Sound System"]),
    ("artist", 'genre:"hip hop"', ["Thunder Orchestra"]),
]


@pytest.fixture(scope="module")
def small() -> Iterator[tuple[Api, Api]]:
    with (
        running_simulator(SimulatorConfig(profile="development", seed=42, scale=100)) as dev,
        running_simulator(SimulatorConfig(profile="extended", seed=42, scale=100)) as ext,
    ):
        yield Api(dev, app_token(dev)), Api(ext, app_token(ext))


def hits(api: Api, kind: str, q: str) -> list[str]:
    """Every hit's name, page after page, checking that the pages add up to the total."""
    page = api.ok("/search", q=q, type=kind, limit=10)[kind + "s"]
    names = [x["name"] for x in page["items"]]
    while page["next"]:
        page = api.ok(page["next"])[kind + "s"]
        names += [x["name"] for x in page["items"]]
    assert len(names) == page["total"], q
    return names


@pytest.mark.parametrize(("kind", "q", "expected"), TABLE, ids=[f"{k}:{q}" for k, q, _ in TABLE])
def test_search_table(small: tuple[Api, Api], kind: str, q: str, expected: list[str]) -> None:
    dev, ext = small
    assert hits(dev, kind, q) == expected
    assert hits(ext, kind, q) == expected


@pytest.mark.parametrize(
    ("kind", "q", "expected"), EXTENDED_ONLY, ids=[f"{k}:{q}" for k, q, _ in EXTENDED_ONLY]
)
def test_genre_filters_in_the_extended_profile_only(
    small: tuple[Api, Api], kind: str, q: str, expected: list[str]
) -> None:
    dev, ext = small
    assert hits(ext, kind, q) == expected
    assert hits(dev, kind, q) == []  # genres are absent in development mode (docs/spotify-api.md)


def test_tag_new_follows_the_day() -> None:
    with running_simulator(SimulatorConfig(seed=42, scale=100, day=16)) as sim:
        found = hits(Api(sim, app_token(sim)), "album", "tag:new")
    assert "Monsoon Machine" in found and "Copper in Blue" not in found  # out 2026-06-17


def test_default_and_largest_limits_per_profile(small: tuple[Api, Api]) -> None:
    dev, ext = small
    assert dev.ok("/search", q="a", type="track")["tracks"]["limit"] == 5
    assert ext.ok("/search", q="a", type="track")["tracks"]["limit"] == 20
    assert dev.get("/search", q="a", type="track", limit=11).status_code == 400
    assert ext.ok("/search", q="a", type="track", limit=50)["tracks"]["limit"] == 50
    assert dev.get("/search", q="a", type="track", offset=1001).status_code == 400


def test_query_grammar() -> None:
    q = parse('Love "in blue" artist:"Glacier Trio" year:1990-1999 tag:new isrc:qz1 x:y')
    assert q.text.terms == ("love", "x", "y") and q.text.phrases == (("in", "blue"),)
    assert q.fields["artist"].phrases == (("glacier", "trio"),)
    assert (q.years, q.isrc, q.tags) == ((1990, 1999), "QZ1", frozenset({"new"}))
    assert words("Ember & the Lights (feat. Guest) - Live") == (
        "ember", "the", "lights", "feat", "guest", "live",
    )  # fmt: skip
    assert parse("tag:old").broken and parse("year:soon").broken


def test_a_vague_query_over_a_large_catalog_is_bounded_and_deterministic(
    dev_sim: Simulator,
) -> None:
    api = Api(dev_sim, app_token(dev_sim))
    first = api.ok("/search", q="the", type="track", limit=10, offset=990)["tracks"]
    again = api.ok("/search", q="the", type="track", limit=10, offset=990)["tracks"]
    assert first == again and 0 < first["total"] <= 1010
    assert all("the" in words(t["name"]) for t in first["items"])

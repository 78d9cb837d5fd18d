"""The synthetic catalog: deterministic, varied like the real one, and lazy at any scale."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.ids import is_valid_id
from spotify_etl.simulator.catalog import ALBUM, ARTIST, PLAYLIST, TRACK, Catalog, isrc, upc
from spotify_etl.simulator.ids import IdCodec, h
from spotify_etl.simulator.names import KEYWORD_INDEX
from spotify_etl.simulator.playlists import Playlists
from spotify_etl.simulator.search import Search

CATALOG = Catalog(seed=42, scale=5_000)


@given(
    seed=st.integers(0, 2**63),
    kind=st.integers(1, 7),
    index=st.integers(0, 2**48),
    other=st.integers(1, 7),
)
def test_ids_are_22_base62_chars_and_decode_to_their_index(
    seed: int, kind: int, index: int, other: int
) -> None:
    codec = IdCodec(seed)
    entity_id = codec.encode(kind, index)
    assert is_valid_id(entity_id)
    assert codec.decode(kind, entity_id) == index
    if other != kind:
        assert codec.decode(other, entity_id) is None
    editorial = codec.encode_editorial(index % 2**40)
    assert is_valid_id(editorial) and editorial.startswith("37i9")
    assert codec.decode_editorial(editorial) == index % 2**40


def test_same_seed_same_catalog_other_seed_other_ids() -> None:
    again = Catalog(seed=42, scale=5_000)
    assert again.track_ids(50) == CATALOG.track_ids(50)
    assert again.track(123) == CATALOG.track(123)
    assert Catalog(seed=43, scale=5_000).track_ids(5) != CATALOG.track_ids(5)


def test_variety_of_albums_and_tracks() -> None:
    albums = [CATALOG.album(b) for b in range(CATALOG.n_albums)]
    assert {a.album_type for a in albums} == {"album", "single", "compilation"}
    assert {a.precision for a in albums} == {"year", "month", "day"}
    for a in albums:
        pattern = {"year": r"\d{4}", "month": r"\d{4}-\d\d", "day": r"\d{4}-\d\d-\d\d"}
        assert re.fullmatch(pattern[a.precision], a.release_date)
    counts = [a.total_tracks for a in albums]
    assert min(counts) == 1 and max(counts) <= 40 and max(counts) > 30
    tracks = [CATALOG.track(t) for t in range(2_000)]
    assert {t.explicit for t in tracks} == {True, False}
    assert any(len(t.artists) > 1 for t in tracks)
    assert any(t.disc_number > 1 for t in (CATALOG.track(t) for t in range(CATALOG.n_tracks)))
    names = [CATALOG.artist(a).name for a in range(CATALOG.n_artists)] + [t.name for t in tracks]
    scripts = {unicodedata.name(ch).split()[0] for name in names for ch in name if ord(ch) > 0x7F}
    assert {"LATIN", "CJK", "ARABIC", "HEBREW", "HANGUL"} <= scripts
    assert any(ord(ch) > 0xFFFF for name in names for ch in name)  # emoji


def test_album_tracks_cover_every_track_exactly_once() -> None:
    covered = []
    for b in range(CATALOG.n_albums):
        album = CATALOG.album(b)
        covered += range(album.first_track, album.first_track + album.total_tracks)
        assert all(CATALOG.track(t).album == b for t in (album.first_track,))
    assert covered == list(range(CATALOG.n_tracks))


def test_lookups_by_id_and_unknown_ids() -> None:
    album_id = CATALOG.id_of(ALBUM, 7)
    assert CATALOG.index_of(ALBUM, album_id, CATALOG.n_albums) == 7
    assert CATALOG.index_of(TRACK, album_id, CATALOG.n_tracks) is None
    beyond = CATALOG.id_of(ARTIST, CATALOG.n_artists)
    assert CATALOG.index_of(ARTIST, beyond, CATALOG.n_artists) is None


def test_search_is_exact_about_what_matches() -> None:
    term = CATALOG.search_terms(1)[0]
    k = KEYWORD_INDEX[term.casefold()]
    total = CATALOG.search_total(TRACK, k, CATALOG.n_tracks)
    brute = [t for t in range(CATALOG.n_tracks) if CATALOG.track(t).name.split()[0] == term]
    assert total == len(brute)
    assert CATALOG.search(TRACK, k, CATALOG.n_tracks, 0, 10_000) == brute
    playlists = Playlists(CATALOG)
    term = playlists.get(12).name.split()[0]
    k = KEYWORD_INDEX[term.casefold()]
    found = CATALOG.search(PLAYLIST, k, CATALOG.n_playlists, 0, 10)
    assert 12 in found and all(playlists.get(i).name.startswith(term) for i in found)


def test_playlist_sizes_and_owners() -> None:
    playlists = Playlists(CATALOG)
    assert len(playlists.content(playlists.get(29), 0)) == 10_000  # the big one
    assert len(playlists.content(playlists.get(1), 0)) == 0
    assert {playlists.get(i).owner for i in range(8)} == {0}
    assert playlists.get(8).collaborative and playlists.get(8).owner != 0
    assert playlists.get(0, editorial=True).owner == -1


def test_isrc_and_upc_are_well_formed_and_unique() -> None:
    isrcs = [CATALOG.track(t).isrc for t in range(CATALOG.n_tracks)]
    assert all(re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", i) for i in isrcs)
    assert len(set(isrcs)) == len(isrcs)
    assert re.fullmatch(r"QZ[A-Z0-9]{3}\d{7}", isrc(1_234_567, 99))
    upcs = [CATALOG.album(b).upc for b in range(CATALOG.n_albums)]
    assert len(set(upcs)) == len(upcs)
    for code in upcs:
        digits = [int(d) for d in code]
        assert len(digits) == 12
        assert (3 * sum(digits[0:11:2]) + sum(digits[1:11:2]) + digits[11]) % 10 == 0
    assert upc(0) == "190000000008"  # 3*1 + 9 + 8 = 20


def test_search_pages_skip_exactly_what_is_not_out_yet() -> None:
    search = Search(CATALOG)
    day_album = next(b for d, b in CATALOG.new_albums if d > 0)
    term = CATALOG.album(day_album).name.split()[0]
    k = KEYWORD_INDEX[term.casefold()]
    for day in (0, 30, 90, 400):
        brute = [
            t
            for t in CATALOG.search(TRACK, k, CATALOG.n_tracks, 0, CATALOG.n_tracks)
            if CATALOG.track_visible(t, day)
        ]
        # then the tracks of releases that appeared after day 0, by brute force over their slots
        slots = range(CATALOG.n_tracks, CATALOG.n_tracks + CATALOG.future_count(day) * 40)
        brute += [
            t
            for t in slots
            if CATALOG.track_visible(t, day) and CATALOG.track(t).name.split()[0] == term
        ]
        total, _ = search.find(TRACK, k, CATALOG.n_tracks, 0, 1, day)
        assert total == len(brute)
        for offset in (0, 1, 7, 13, len(brute) - 6, len(brute) - 3):
            assert (
                search.find(TRACK, k, CATALOG.n_tracks, offset, 5, day)[1]
                == brute[offset : offset + 5]
            )


def test_negative_parts_do_not_hash_like_positive_ones() -> None:
    # Editorial playlists are keyed -1 - index: they must not mirror playlist `index`.
    assert h(-1) != h(0) and h(42, -3) != h(42, 2)
    assert Catalog(seed=-1, scale=500).track_ids(3) != Catalog(seed=0, scale=500).track_ids(3)
    playlists = Playlists(CATALOG)
    for i in (0, 2, 3):
        editorial, regular = playlists.get(i, editorial=True), playlists.get(i)
        assert playlists.snapshot_id(editorial, 3) != playlists.snapshot_id(regular, 3)
        firsts = [[e.ref for e in playlists.content(pl, 0)[:10]] for pl in (editorial, regular)]
        assert firsts[0] != firsts[1]

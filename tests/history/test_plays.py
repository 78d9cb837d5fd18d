"""Export records -> PLAY lines: the transform writer's format exactly, names matched only
where unambiguous, short-format minutes folded into plays known to the second."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from spotify_etl import model
from spotify_etl.history.formats import Extended, Short
from spotify_etl.history.plays import AMBIGUOUS, Mapper, NameIndex
from spotify_etl.transform.writer import line_formatter

SONG = "74cksX4vgcm0cHKaV7XE2L"
OTHER = "2C0KFbb4v9CNWR5c9jWcKC"
maybe_text = st.none() | st.text(max_size=8)
maybe_flag = st.none() | st.booleans()


@settings(max_examples=80, deadline=None)
@given(
    st.none() | st.integers(0, 2**63 - 1), maybe_text, maybe_text, maybe_text, maybe_text,
    maybe_flag, maybe_flag, maybe_flag, maybe_text, maybe_text,
)  # fmt: skip
def test_a_play_line_is_what_the_transform_writer_writes(
    ms: int | None, track: str | None, artist: str | None, start: str | None, end: str | None,
    shuffle: bool | None, skipped: bool | None, offline: bool | None, platform: str | None,
    country: str | None,
) -> None:  # fmt: skip
    record = Extended(
        ts="2020-04-11T00:27:53Z", ms_played=ms, spotify_track_uri=f"spotify:track:{SONG}",
        master_metadata_track_name=track, master_metadata_album_artist_name=artist,
        reason_start=start, reason_end=end, shuffle=shuffle, skipped=skipped, offline=offline,
        platform=platform, conn_country=country,
    )  # fmt: skip
    mapper = Mapper(NameIndex(), "f.json")
    mapper.extended([record], 0)
    t = "2020-04-11 00:27:53"
    row = (t, SONG, None, ms, None, None, "export", track, artist, start, end, shuffle,
           skipped, offline, platform, country, t)  # fmt: skip
    assert list(mapper.lines.values()) == [line_formatter(model.PLAY)(row)]


def test_bad_uris_times_and_podcasts() -> None:
    mapper = Mapper(NameIndex(), "f.json")
    mapper.extended(
        [
            Extended(ts="2020-04-11T00:27:53Z", spotify_track_uri="spotify:track:short"),
            Extended(ts="2020-04-11T00:27:53Z", spotify_track_uri="spotify:episode:" + SONG),
            Extended(ts="2020-02-30T00:27:53Z", spotify_track_uri=f"spotify:track:{SONG}"),
            Extended(ts="2020-04-11T00:27:53Z", spotify_episode_uri="spotify:episode:" + SONG),
            Extended(
                ts="2020-04-11T02:27:53+02:00",
                spotify_track_uri=f"spotify:track:{SONG}",
                ms_played=-1,
            ),
            Extended(ts="2020-04-11T02:27:53+02:00", spotify_track_uri=f"spotify:track:{SONG}"),
        ],
        10,
    )
    assert [(q["source"], q["reason"][:20]) for q in mapper.quarantine] == [
        ("f.json[10]", "spotify_track_uri is"),
        ("f.json[11]", "spotify_track_uri is"),
        ("f.json[12]", "ts is not an ISO 860"),
        ("f.json[14]", "ms_played is negativ"),
    ]
    assert mapper.skipped == {"episodes": 1}
    assert list(mapper.lines) == [("2020-04-11 00:27:53", SONG)]  # +02:00 normalised to UTC


def test_names_match_only_where_they_fit_one_song() -> None:
    names = NameIndex(
        [(SONG, "Song", "Artist"), (OTHER, "Twin", "Artist"), (SONG, "Twin", "artist")]
    )
    mapper = Mapper(names, "StreamingHistory_music_0.json")
    mapper.short(
        [
            Short("2024-08-02 22:44", "ARTIST", "song", 1000),
            Short("2024-08-02 22:50", "Artist", "Twin", 1000),
            Short("2024-08-02 22:55", "Nobody", "Song", 1000),
            Short("2024-08-02 23:61", "Artist", "Song", 1000),
        ],
        0,
    )
    assert list(mapper.lines) == [("2024-08-02 22:44:00", SONG)]
    assert mapper.counts == {"matched_by_name": 2, "ambiguous": 1, "unmatched": 1}
    assert [q["reason"].split(":")[0] for q in mapper.quarantine] == [
        "ambiguous", "unmatched", "endTime is not a time",
    ]  # fmt: skip


def test_a_short_play_in_a_minute_known_to_the_second_is_that_play() -> None:
    minutes = {(SONG, "2024-08-02 22:44"): "2024-08-02 22:44:37"}
    mapper = Mapper(NameIndex([(SONG, "Song", "Artist")]), "s.json", minutes)
    mapper.short([Short("2024-08-02 22:44", "Artist", "Song", 1000)], 0)
    assert list(mapper.lines) == [("2024-08-02 22:44:37", SONG)]
    # fetched_at stays the minute: older than the precise row's, whose values then win, as
    # they do when the precise row arrives later and the warehouse folds (warehouse.fold)
    assert mapper.lines[("2024-08-02 22:44:37", SONG)].endswith(',"2024-08-02 22:44:00"\n')


def test_a_short_play_in_a_minute_with_two_plays_of_its_song_stays_its_own_row() -> None:
    minutes = {(SONG, "2024-08-02 22:44"): AMBIGUOUS}  # importer._minutes: two plays there
    mapper = Mapper(NameIndex([(SONG, "Song", "Artist")]), "s.json", minutes)
    mapper.short([Short("2024-08-02 22:44", "Artist", "Song", 1000)], 0)
    assert list(mapper.lines) == [("2024-08-02 22:44:00", SONG)]
    assert mapper.counts == {"matched_by_name": 1, "several_plays_in_its_minute": 1}


def test_the_same_play_twice_in_an_export_is_one_row_whatever_the_order() -> None:
    a = Extended(ts="2020-04-11T00:27:53Z", spotify_track_uri=f"spotify:track:{SONG}", ms_played=1)
    b = Extended(ts="2020-04-11T00:27:53Z", spotify_track_uri=f"spotify:track:{SONG}", ms_played=2)
    one, two = Mapper(NameIndex(), "f"), Mapper(NameIndex(), "f")
    one.extended([a, b], 0)
    two.extended([b, a], 0)
    assert one.lines == two.lines and len(one.lines) == 1 and one.duplicates == 1

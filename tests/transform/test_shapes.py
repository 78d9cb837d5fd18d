"""Obj is declared in the API's key order for speed; quarantine records keep their own order."""

from __future__ import annotations

from spotify_etl.transform.entities import builtin
from spotify_etl.transform.shapes import OBJ_DECODER, RECORD_ORDER, Obj

ENTRY = b"""{"added_at": "2025-04-09T07:56:37Z", "added_by": {"id": "u1"}, "is_local": false,
"item": {"artists": [{"href": "h", "id": "5gMCJyaV0NBWOKLTE3STRw", "type": "artist",
"name": "Static Trio"}], "disc_number": 1, "duration_ms": 417591, "explicit": false,
"id": "1kAa6KnKlklxElHKLkON7z", "type": "track", "name": "Waltz", "track_number": 9,
"album": {"album_type": "album", "total_tracks": 18, "id": "0cR1TyI7vPQXStxfe21SLf",
"images": [{"url": "i", "height": 640}], "name": "Sequoia", "release_date": "2012",
"release_date_precision": "year", "artists": [{"id": "5gMCJyaV0NBWOKLTE3STRw"}]}},
"track": {"id": "1kAa6KnKlklxElHKLkON7z", "zz": 1, "aa": 2}}"""


def test_record_keys_follow_record_order_at_every_level() -> None:
    record = builtin(OBJ_DECODER.decode(ENTRY))
    assert list(record) == ["is_local", "added_at", "added_by", "item", "track"]
    item = record["item"]
    assert list(item) == [
        "id",
        "name",
        "type",
        "album",
        "artists",
        "duration_ms",
        "explicit",
        "disc_number",
        "track_number",
    ]
    assert list(item["album"]) == [
        "id",
        "name",
        "images",
        "artists",
        "album_type",
        "total_tracks",
        "release_date",
        "release_date_precision",
    ]
    assert list(item["artists"][0]) == ["id", "name", "type", "href"]
    # `track` is the input's own JSON, kept as it came.
    assert list(record["track"]) == ["id", "zz", "aa"]


def test_record_order_names_every_field_once() -> None:
    assert sorted(RECORD_ORDER) == sorted(Obj.__struct_encode_fields__)
    assert len(set(RECORD_ORDER)) == len(RECORD_ORDER)


def test_the_readers_know_every_field_the_writer_writes() -> None:
    """A field added to rawzone.Envelope must reach the transform (`method` it never needs)."""
    from spotify_etl.rawzone import Envelope
    from spotify_etl.transform.shapes import Env, LooseEnv

    written = set(Envelope.__struct_fields__) - {"method"}
    assert set(Env.__struct_fields__) == written
    assert set(LooseEnv.__struct_fields__) == written

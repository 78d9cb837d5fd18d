"""The `fields` filter grammar on small literal objects."""

from __future__ import annotations

import pytest

from spotify_etl.simulator.fields import FieldsError, apply, parse

PLAYLIST = {
    "name": "n",
    "snapshot_id": "s",
    "owner": {"id": "u", "display_name": "U"},
    "items": {
        "total": 2,
        "items": [
            {"added_at": "t1", "item": {"id": "a", "name": "A", "album": {"id": "x", "name": "X"}}},
            {"added_at": None, "item": None},
        ],
    },
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("snapshot_id", {"snapshot_id": "s"}),
        ("name,owner.id", {"name": "n", "owner": {"id": "u"}}),
        ("items.total", {"items": {"total": 2}}),
        (
            "items(items(added_at,item(id,album(name))))",
            {"items": {"items": [
                {"added_at": "t1", "item": {"id": "a", "album": {"name": "X"}}},
                {"added_at": None, "item": None},
            ]}},
        ),
        (
            "items.items(item(!album,!name))",
            {"items": {"items": [{"item": {"id": "a"}}, {"item": None}]}},
        ),
        ("!items,!owner", {"name": "n", "snapshot_id": "s"}),
    ],
)  # fmt: skip
def test_fields_select_like_spotify(fields: str, expected: dict[str, object]) -> None:
    assert apply(PLAYLIST, parse(fields)) == expected


@pytest.mark.parametrize("fields", ["", "a((b", "a,,b", "a.(b)", "a)"])
def test_bad_fields_are_refused(fields: str) -> None:
    with pytest.raises(FieldsError):
        parse(fields)

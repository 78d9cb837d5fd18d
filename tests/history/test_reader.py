"""The streamed export reader: the same records as json.loads, whatever the chunking, and
bad elements quarantined one by one with their reasons."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotify_etl.history.reader import NotAnArray, read_pieces

URI = "spotify:track:74cksX4vgcm0cHKaV7XE2L"
names = st.text(alphabet=st.sampled_from('ab}{", :\\[]é\n'), max_size=12)
records = st.lists(
    st.fixed_dictionaries(
        {
            "ts": st.just("2020-04-11T00:27:53Z"),
            "ms_played": st.integers(0, 10**9),
            "master_metadata_track_name": names,
            "spotify_track_uri": st.just(URI),
            "ip_addr": st.just("192.0.2.1"),
        }
    ),
    max_size=30,
)


def _read(data: bytes, chunk: int) -> tuple[list[dict[str, Any]], list[tuple[int, str, Any]]]:
    good: list[dict[str, Any]] = []
    bad: list[tuple[int, str, Any]] = []
    for piece in read_pieces(io.BytesIO(data), "extended", chunk):
        good += [
            {"ms_played": r.ms_played, "name": r.master_metadata_track_name} for r in piece.records
        ]
        bad += [(b.index, b.reason, b.record) for b in piece.bad]
    return good, bad


@settings(max_examples=60, deadline=None)
@given(records, st.integers(1, 300), st.sampled_from([None, 1, 2]))
def test_any_chunking_reads_what_json_loads_reads(
    recs: list[dict[str, Any]], chunk: int, indent: int | None
) -> None:
    data = json.dumps(recs, indent=indent, ensure_ascii=False).encode()
    good, bad = _read(data, chunk)
    assert bad == []
    assert good == [
        {"ms_played": r["ms_played"], "name": r["master_metadata_track_name"]} for r in recs
    ]


def test_a_wrong_type_quarantines_that_element_only_without_personal_fields() -> None:
    recs = [
        {"ts": "2020-04-11T00:27:53Z", "ms_played": n, "ip_addr": "192.0.2.1"} for n in range(5)
    ]
    recs[2]["ms_played"] = "2 s"
    del recs[3]["ts"]
    good, bad = _read(json.dumps(recs, indent=2).encode(), 40)
    assert [g["ms_played"] for g in good] == [0, 1, 4]
    assert [(i, why.split(":")[0]) for i, why, _ in bad] == [
        (2, "wrong shape or types"),
        (3, "wrong shape or types"),
    ]
    assert "`$.ms_played`" in bad[0][1] and "`ts`" in bad[1][1]
    assert all("ip_addr" not in record for _, _, record in bad)


def test_a_truncated_file_keeps_every_whole_element_and_names_the_cut() -> None:
    data = json.dumps(
        [{"ts": "2020-04-11T00:27:53Z", "ip_addr": "192.0.2.1"}] * 3, indent=2
    ).encode()
    cut = data.rindex(b"192.0.2.1") + 12  # inside the last element, after its address
    good, bad = _read(data[:cut], 64)
    assert len(good) == 2
    assert [(i, why) for i, why, _ in bad] == [(2, "truncated at the end of the file")]
    assert "192.0.2.1" not in bad[0][2] and "<dropped>" in bad[0][2]


def test_a_broken_element_in_the_middle_is_quarantined_and_the_rest_read() -> None:
    text = (
        '[{"ts": "2020-04-11T00:27:53Z"}, {"ts": "2020-04-11T00:27:54Z" "x"}, '
        '{"ts": "2020-04-11T00:27:55Z"}]'
    )
    good, bad = _read(text.encode(), 1 << 20)
    assert len(good) == 2 and [(i, why) for i, why, _ in bad] == [(1, "not valid JSON")]


def test_an_empty_array_and_a_bom_are_fine_and_an_object_is_not_an_export() -> None:
    assert _read(b"\xef\xbb\xbf[ ]", 2) == ([], [])
    assert _read(b"", 2) == ([], [])
    with pytest.raises(NotAnArray, match="not a JSON array"):
        _read(b'{"ts": 1}', 2)

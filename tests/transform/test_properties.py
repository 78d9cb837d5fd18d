"""Law: the output depends on the set of replies, not their order, and a rerun changes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transform.fixtures import (
    API,
    album_simple,
    artist_simple,
    envelope,
    run_local,
    track,
    write_part,
)

IDS = [f"TRACK0000000000000000{i}" for i in range(3)]
ARTISTS = [f"ARTIST000000000000000{i}" for i in range(3)]
TIMES = ["2026-11-24T06:00:01Z", "2026-11-24T06:00:02Z", "2026-11-24T06:00:02.500000Z"]

replies = st.lists(
    st.tuples(
        st.sampled_from(IDS),
        st.text(alphabet="ab \u0301é", max_size=4),
        st.sampled_from(TIMES),
        st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=3, unique=True),
        st.integers(min_value=-5, max_value=400_000),
    ),
    min_size=1,
    max_size=8,
)


def _lines(spec: list[tuple[str, str, str, list[str], int]]) -> list[dict[str, Any]]:
    lines = []
    for tid, name, fetched, artist_ids, ms in spec:
        artists = [artist_simple(a, f"name {a[-1]}") for a in artist_ids]
        alb = album_simple("ALBUM00000000000000001", "A", "2020", "year", artists[:1])
        body = track(tid, name, alb, artists, duration_ms=ms)
        lines.append(envelope(body, f"{API}/tracks/{tid}", kind="tracks", fetched_at=fetched))
    return lines


def _outputs(lines: list[dict[str, Any]]) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_part(root, lines, kind="tracks")
        run_local(root)
        out = root / "transformed"
        first = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.csv.gz")}
        run_local(root)
        assert first == {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.csv.gz")}
        return first


@settings(max_examples=25, deadline=None)
@given(replies, st.randoms(use_true_random=False))
def test_output_is_independent_of_reply_order_and_idempotent(
    spec: list[tuple[str, str, str, list[str], int]], rnd: Any
) -> None:
    lines = _lines(spec)
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert _outputs(lines) == _outputs(shuffled)

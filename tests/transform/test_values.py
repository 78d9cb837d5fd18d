"""Enumerations read case-insensitively; Spotify's placeholders read as unknown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.transform.values import ALBUM_TYPES, Release, album_type


def _cased(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda ups: "".join(c.upper() if up else c for c, up in zip(word, ups, strict=True))
    )


@given(st.sampled_from(sorted(ALBUM_TYPES)).flatmap(lambda w: st.tuples(st.just(w), _cased(w))))
def test_album_type_is_read_whatever_its_case(pair: tuple[str, str]) -> None:
    word, cased = pair
    assert album_type(cased) == word


@given(
    st.sampled_from(["year", "month", "day"]).flatmap(lambda w: st.tuples(st.just(w), _cased(w)))
)
def test_precision_is_read_whatever_its_case(pair: tuple[str, str]) -> None:
    word, cased = pair
    date = {"year": "2012", "month": "2012-03", "day": "2012-03-04"}[word]
    assert Release(date, cased).precision == word


@pytest.mark.parametrize("raw", ["0000", "0000-00", "0000-00-00"])
@pytest.mark.parametrize("precision", ["year", "day", None])
def test_the_0000_placeholder_is_an_unknown_date(raw: str, precision: str | None) -> None:
    parsed = Release(raw, precision)
    assert (parsed.day, parsed.year, parsed.month, parsed.precision) == (None, None, None, None)


def test_other_album_types_are_kept_lower_cased_and_empty_is_unknown() -> None:
    assert album_type("APPEARS_ON") == "appears_on"
    assert album_type("") is None and album_type(None) is None

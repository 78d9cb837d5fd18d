from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.config import parse_config
from spotify_etl.errors import ConfigError
from spotify_etl.extract.sources import parse_id, resolve_sources

PID = "37i9dQZF1DXcBWIGoYBM5M"
AID = "4aawyAB9vmqN3uQ7FjRGTy"

ids = st.text(
    alphabet="0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=22,
    max_size=22,
)


@given(ids, st.sampled_from(["playlist", "album", "artist", "track"]))
def test_every_accepted_form_gives_the_bare_id(entity_id: str, kind: str) -> None:
    forms = [
        entity_id,
        f"  {entity_id} ",
        f"spotify:{kind}:{entity_id}",
        f"https://open.spotify.com/{kind}/{entity_id}",
        f"https://open.spotify.com/{kind}/{entity_id}?si=abc123&nd=1",
        f"https://open.spotify.com/intl-de/{kind}/{entity_id}/",
    ]
    assert {parse_id(kind, form) for form in forms} == {entity_id}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-an-id", "is not a playlist id"),
        (f"https://open.spotify.com/album/{AID}", "names a album, not a playlist"),
        (f"spotify:album:{AID}", "names a album, not a playlist"),
        ("https://open.spotify.com/playlist/short", "invalid id"),
        (f"https://evil.example.com/playlist/{PID}", "is not a playlist id"),
        (PID + "x", "is not a playlist id"),
    ],
)
def test_bad_forms_say_why(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_id("playlist", value)


def test_legacy_user_playlist_uri() -> None:
    assert parse_id("playlist", f"spotify:user:someone:playlist:{PID}") == PID


def test_every_bad_entry_is_named_at_once() -> None:
    config = parse_config(
        f"""
[sources]
playlists = ["{PID}", "https://open.spotify.com/album/{AID}", "oops"]
albums = ["{AID}"]
tracks = ["spotify:track:tooShort"]
artists = ["{AID}", {{ id = "bad id" }}]
"""
    )
    with pytest.raises(ConfigError) as info:
        resolve_sources(config.sources)
    text = str(info.value)
    for name in ("sources.playlists[1]", "sources.playlists[2]", "sources.tracks[0]",
                 "sources.artists[1]"):  # fmt: skip
        assert name in text
    assert "sources.playlists[0]" not in text and "sources.albums" not in text


def test_resolution_dedupes_and_fingerprints() -> None:
    config = parse_config(
        f"""
[sources]
playlists = ["{PID}", "spotify:playlist:{PID}", "https://open.spotify.com/playlist/{PID}"]
albums = ["spotify:album:{AID}"]
"""
    )
    resolved = resolve_sources(config.sources)
    assert resolved.playlists == (PID,)
    assert resolved.albums == (AID,)
    other = resolve_sources(parse_config(f'[sources]\nplaylists = ["{PID}"]\n').sources)
    assert resolved.fingerprint() != other.fingerprint()
    again = resolve_sources(config.sources)
    assert resolved.fingerprint() == again.fingerprint()


def test_an_id_with_a_newline_inside_a_uri_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid id"):
        parse_id("track", "spotify:track:4uLU6hMCjMI75M1A2tKUQ\n")

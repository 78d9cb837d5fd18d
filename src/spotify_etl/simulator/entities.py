"""The catalog's entities as plain values, and the identifiers (ISRC, UPC) they carry."""

from __future__ import annotations

from dataclasses import dataclass


def isrc(t: int, year: int) -> str:
    """CC-XXX-YY-NNNNN, unique per track: the registrant code carries t // 100000."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    high = t // 100_000
    registrant = digits[high // 1296 % 36] + digits[high // 36 % 36] + digits[high % 36]
    return f"QZ{registrant}{year:02d}{t % 100_000:05d}"


def upc(b: int) -> str:
    """A UPC-A (12 digits, valid check digit), unique per album."""
    body = f"19{b:09d}"
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


@dataclass(frozen=True, slots=True)
class Artist:
    index: int
    id: str
    name: str
    genres: tuple[str, ...]
    followers: int
    popularity: int


@dataclass(frozen=True, slots=True)
class Album:
    index: int
    id: str
    name: str
    album_type: str
    artist: int
    first_track: int
    total_tracks: int
    release_date: str
    precision: str
    appear_day: int
    label: str
    popularity: int
    upc: str
    markets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Track:
    index: int
    id: str
    name: str
    album: int
    artists: tuple[int, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int

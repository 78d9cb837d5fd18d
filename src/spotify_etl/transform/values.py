"""Value cleaning: names, timestamps, release dates, durations. Pure functions.

A value that cannot be read raises `BadValue`; the caller quarantines the record it came from
with that reason instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache

from spotify_etl.errors import BadValue

_YEAR_RE = re.compile(r"\d{4}")
_MONTH_RE = re.compile(r"\d{4}-\d{2}")
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# AlbumBase.album_type in openapi.yml. Older replies and some endpoints send the values in
# upper case ("ALBUM", "SINGLE"; seen in client libraries' recorded fixtures, issue #12).
ALBUM_TYPES = frozenset({"album", "single", "compilation"})
_PRECISIONS = ("year", "month", "day")


def album_type(value: str | None) -> str | None:
    """album | single | compilation, whatever the case; another value is kept, lower-cased;
    an empty one is unknown (NULL)."""
    if value is None or value in ALBUM_TYPES:
        return value
    return value.strip().lower() or None


def is_placeholder_date(raw: str) -> bool:
    """ "0000" (or "0000-00-00"): Spotify's release date for an unknown day, seen on
    taken-down tracks (issue #12). It means unknown, not the year 0."""
    return raw.strip("0-") == ""


def clean_name(value: str | None) -> str | None:
    """Trim surrounding whitespace and normalise to NFC; nothing else changes."""
    if value is None or value == "":
        return value
    if value.isascii():
        # The common case, without a copy: printable at both ends means nothing to trim.
        return value if value[0] > " " and value[-1] > " " else value.strip()
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return value.strip()


def utc_timestamp(value: str | None) -> str | None:
    """ISO 8601 -> 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC without offset (the file format)."""
    if value is None:
        return None
    try:
        # Parsed even in the API's usual forms: a day or hour that does not exist would
        # otherwise be written as a TIMESTAMP no loader can read (~0.1 us, in C).
        parsed = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        raise BadValue(f"not an ISO 8601 timestamp: {str(value)[:40]!r}") from None
    n = len(value)
    # The API's two usual forms (UTC, 'Z'), sliced rather than formatted; the separators are
    # checked because fromisoformat also takes week dates and basic (separator-less) forms.
    if n in (20, 27) and value[10] == "T" and value[7] == "-" and value[16] == ":":
        if n == 20 and value[19] == "Z":
            return f"{value[:10]} {value[11:19]}"
        if n == 27 and value[26] == "Z" and value[19] == ".":
            return f"{value[:10]} {value[11:26]}"
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.isoformat(sep=" ")


class Release:
    """A release date read by its precision; a year or a month never becomes a day."""

    __slots__ = ("day", "month", "precision", "year")

    def __init__(self, raw: str | None, precision: str | None) -> None:
        self.day: str | None = None
        self.year: int | None = None
        self.month: int | None = None
        self.precision: str | None = None
        if precision is not None and precision not in _PRECISIONS:
            precision = precision.lower()  # "DAY" is day; anything else is not a precision
            precision = precision if precision in _PRECISIONS else None
        if raw is None or raw == "" or is_placeholder_date(raw):
            self.precision = precision if not raw else None
            return
        # The string's own shape decides what is known; a declared precision finer than the
        # string supports is not trusted (that is how a made-up day would appear).
        if _DAY_RE.fullmatch(raw):
            try:
                parsed = date.fromisoformat(raw)
            except ValueError:
                raise BadValue(f"release_date is not a calendar date: {raw!r}") from None
            shape = "day"
            self.year, self.month = parsed.year, parsed.month
            if precision in (None, "day"):
                self.day = raw
        elif _MONTH_RE.fullmatch(raw):
            shape = "month"
            self.year, self.month = int(raw[:4]), int(raw[5:7])
            if not 1 <= self.month <= 12:
                raise BadValue(f"release_date has no such month: {raw!r}")
        elif _YEAR_RE.fullmatch(raw):
            shape = "year"
            self.year = int(raw)
        else:
            raise BadValue(f"release_date is not YYYY, YYYY-MM or YYYY-MM-DD: {raw[:40]!r}")
        order = _PRECISIONS
        declared = precision if precision in order else shape
        # Keep the coarser of what was declared and what the string shows.
        self.precision = min(declared, shape, key=order.index)
        if self.precision == "year":
            self.month = None
            self.day = None
        elif self.precision == "month":
            self.day = None


@lru_cache(maxsize=8192)
def release(raw: str | None, precision: str | None) -> Release:
    """Release, cached: the same album comes with every one of its tracks."""
    return Release(raw, precision)


def days_between(release_day: str | None, added_at: str | None) -> int | None:
    """Days from a day-precision release to an item's added_at (file-format timestamp)."""
    if release_day is None or added_at is None:
        return None
    return _ordinal(added_at[:10]) - _ordinal(release_day)


@lru_cache(maxsize=8192)
def _ordinal(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def duration_minutes(ms: int | None) -> float | None:
    return None if ms is None else round(ms / 60000, 3)


def duration_mmss(ms: int | None) -> str | None:
    """'m:ss', rounded to the nearest second (half up), as players show it."""
    if ms is None or ms < 0:
        return None
    minutes, seconds = divmod((ms + 500) // 1000, 60)
    return f"{minutes}:{seconds:02d}"

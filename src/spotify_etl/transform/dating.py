"""Which day a bare file belongs to, and why a found key is not transformed.

A raw part's day is its `dt=` folder. A bare Spotify JSON file (a backfill, an old bucket)
has none, so its snapshot date is, in this order: a timestamp in its name (the old pipeline
named files `spotify_raw_<str(datetime.now())>`), else the `--date` the user gave, else its
modification time. The modification time comes last because a copy (`cp`, `aws s3 sync`,
unzip) resets it: taking it first made every copied file "not of day D" (issue #12).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from spotify_etl.rawzone import parse_part_key
from spotify_etl.storage import ObjectStore

# The old pipeline named files with str(datetime.now()): 'spotify_raw_2024-01-15 10:23:11.123456'.
_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T_](\d{2})[:\-_.]?(\d{2})[:\-_.]?(\d{2})(?:\.(\d{1,6}))?)?"
)

# Why a found input is not transformed (SkippedInput.reason): constant texts, so the summary
# can group them.
OTHER_DAY_PART = "a raw part of another day than --date"
OTHER_DAY_NAME = "a bare file named for another day than --date"
NOT_INPUT = "not transform input: neither a raw part nor a .json / .json.gz file"
MISPLACED_PART = (
    "a raw part outside raw/<kind>/dt=…/run=…/: point --raw at the folder that holds raw/"
)
OTHER_KIND = "a raw part of a kind the transform does not read"
BOOKKEEPING = "bookkeeping, not input (state/ or a _-prefixed folder)"
UNDATED = "a bare file with no date in its name and no modification time: give --date"


def bare_file_date(raw: ObjectStore, key: str, date: str | None) -> tuple[str, str] | None:
    """(fetched_at in the file format, summary.DATED_BY key), or None when nothing dates it."""
    stamp = stamp_in(key)
    if stamp is not None:
        return stamp, "name"
    if date is not None:
        return f"{date} 00:00:00", "date"
    modified = modified_at(raw, key)
    if modified is not None:
        return modified, "mtime"
    return None


def not_input_reason(key: str) -> str:
    """Why `runner.source_for` found no batch in `key` (its conditions, in its order)."""
    part = parse_part_key(key)
    if part is not None:
        return OTHER_KIND
    name = key.rsplit("/", 1)[-1]
    if name.startswith("part-") and name.endswith(".jsonl.gz"):
        return MISPLACED_PART
    if not name.endswith((".json", ".json.gz")):
        return NOT_INPUT
    if key.split("/", 1)[0] == "state" or "/_" in f"/{key}":
        return BOOKKEEPING
    return UNDATED


def stamp_in(key: str) -> str | None:
    matches = list(_STAMP.finditer(key))
    if not matches:
        return None
    y, mo, d, h, mi, s, frac = matches[-1].groups()
    try:
        stamp = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    if frac:
        stamp = stamp.replace(microsecond=int(frac.ljust(6, "0")))
    return stamp.isoformat(sep=" ")


def modified_at(raw: ObjectStore, key: str) -> str | None:
    """When a bare file without a date in its name was written (UTC)."""
    try:
        return raw.modified(key).astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    except Exception:
        return None

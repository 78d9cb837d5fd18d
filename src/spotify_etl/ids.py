"""The Spotify id: 22 characters of base62 (0-9A-Za-z), as docs/spotify-api.md states.

One definition for every part that checks an id: the configured sources, what a reply
references, the transformed rows' checks, the endpoint templates and the simulator (which
answers 400 to anything else, as Spotify does).
"""

from __future__ import annotations

import re

__all__ = ["ID_LENGTH", "ID_RE", "is_valid_id"]

ID_LENGTH = 22
# Always fullmatch: with match(), `$` would accept a trailing newline.
ID_RE = re.compile(rf"[0-9A-Za-z]{{{ID_LENGTH}}}")


def is_valid_id(value: object) -> bool:
    """Whether `value` is a string that is a well-formed Spotify id."""
    return isinstance(value, str) and ID_RE.fullmatch(value) is not None

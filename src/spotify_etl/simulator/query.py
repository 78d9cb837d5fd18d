"""Search queries as users write them: words, prefixes, quoted phrases and field filters.

Grammar (Spotify's search reference, "Writing a query"): free words and `"quoted phrases"`,
and the filters `artist:`, `album:`, `track:`, `year:` (`2024` or `1990-1999`), `genre:`,
`isrc:`, `upc:`, `tag:new` and `tag:hipster`; a filter's value may be quoted
(`artist:"Aurora Trio"`). Matching is case-insensitive; a word matches any name word it is a
prefix of (`Midn` finds "Midnight"); the words of a phrase match whole, consecutive words.
A filter with no meaning for the type searched (e.g. `upc:` on tracks) matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FILTERS = ("artist", "album", "track", "year", "genre", "isrc", "upc", "tag")
_SPLIT = re.compile(r"[^\s()\[\]\-.,&!?\"':;/+]+")
_TOKEN = re.compile(r'(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))')
_YEARS = re.compile(r"(\d{4})(?:-(\d{4}))?")


def words(text: str) -> tuple[str, ...]:
    """The casefolded words of a name or a query (punctuation separates)."""
    return tuple(_SPLIT.findall(text.casefold()))


@dataclass(frozen=True)
class Text:
    """Free words (each a word or a word's prefix) and phrases (whole consecutive words)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    def matches(self, name: tuple[str, ...]) -> bool:
        if not all(any(w.startswith(t) for w in name) for t in self.terms):
            return False
        return all(_contains(name, p) for p in self.phrases)

    def matches_across(self, names: list[tuple[str, ...]]) -> bool:
        """Whether every term and phrase is in some name (each may be in a different one)."""
        if not all(any(w.startswith(t) for n in names for w in n) for t in self.terms):
            return False
        return all(any(_contains(n, p) for n in names) for p in self.phrases)

    def leads(self, name: tuple[str, ...]) -> bool:
        """Whether the name starts with the first term or phrase: the better match."""
        if self.terms:
            return bool(name) and name[0].startswith(self.terms[0])
        return bool(self.phrases) and name[: len(self.phrases[0])] == self.phrases[0]


def _contains(name: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(name[i : i + n] == phrase for i in range(len(name) - n + 1))


@dataclass(frozen=True)
class Query:
    text: Text = Text()
    fields: dict[str, Text] = field(default_factory=dict)  # artist, album, track, genre
    years: tuple[int, int] | None = None
    isrc: str | None = None
    upc: str | None = None
    tags: frozenset[str] = frozenset()
    broken: bool = False  # a filter value that can match nothing (bad year, unknown tag)

    def uses(self) -> set[str]:
        """The filters the query uses."""
        used = set(self.fields)
        used |= {"year"} if self.years else set()
        used |= {"isrc"} if self.isrc else set()
        used |= {"upc"} if self.upc else set()
        return used | {f"tag:{t}" for t in self.tags}


def _text(parts: list[tuple[str, bool]]) -> Text:
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for value, quoted in parts:
        found = words(value)
        if quoted and found:
            phrases.append(found)
        else:
            terms += found
    return Text(tuple(terms), tuple(phrases))


def parse(q: str) -> Query:
    free: list[tuple[str, bool]] = []
    by_field: dict[str, list[tuple[str, bool]]] = {}
    years: tuple[int, int] | None = None
    isrc = upc = None
    tags: set[str] = set()
    broken = False
    for match in _TOKEN.finditer(q):
        key, quoted, bare = match.group(1), match.group(2), match.group(3)
        value, is_quoted = (quoted, True) if quoted is not None else (bare or "", False)
        key = key.casefold() if key else None
        if key not in FILTERS:
            free.append((match.group(0).strip('"'), is_quoted and key is None))
        elif key == "year":
            found = _YEARS.fullmatch(value.strip())
            if found is None:
                broken = True
                continue
            low, high = int(found.group(1)), int(found.group(2) or found.group(1))
            years = (low, high) if low <= high else (high, low)
        elif key == "isrc":
            isrc = value.strip().upper()
        elif key == "upc":
            upc = value.strip()
        elif key == "tag":
            tag = value.strip().casefold()
            broken |= tag not in ("new", "hipster")
            tags.add(tag)
        else:
            by_field.setdefault(key, []).append((value, is_quoted))
    fields = {k: _text(v) for k, v in by_field.items()}
    broken |= any(not t for t in fields.values())
    return Query(_text(free), fields, years, isrc, upc, frozenset(tags), broken)

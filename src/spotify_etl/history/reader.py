"""Streaming a JSON array of flat objects (an export file) in bounded memory, at C speed.

The file is read in 1 MiB chunks. Each chunk is cut after its last `}`: export elements are
flat objects, so that brace ends an element unless it sits inside a string (a track named
"a}b"), in which case the cut piece is not valid JSON and an earlier brace is tried. A piece
of whole elements is decoded by msgspec in one call into typed structs; if one element has
the wrong types, the piece is decoded element by element instead, so only the bad ones go
to quarantine, each with its reason. Memory holds one chunk and its decoded records,
whatever the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import msgspec

from spotify_etl.errors import InputError
from spotify_etl.history.formats import RECORD_TYPES, Extended, Format, Short, scrub

CHUNK = 1 << 20
_TRIES = 8  # earlier braces tried before a piece is read element by element
_SPLIT = re.compile(rb"(?<=\})\s*,\s*(?=\{)")
_ANY = msgspec.json.Decoder()
_LEAD = b", \t\r\n"


@dataclass
class Bad:
    index: int  # element number in the file, from 0
    reason: str
    record: Any


@dataclass
class Piece:
    """Consecutive elements of one file: the good records, the bad ones, the raw bytes read
    (for a content digest of the batch) and the number of the first element."""

    first: int
    records: list[Extended] | list[Short]
    bad: list[Bad] = field(default_factory=list)
    raw: bytes = b""


class NotAnArray(InputError, ValueError):
    """The export file is not one JSON array: the importer reports the file and goes on."""


def read_pieces(stream: IO[bytes], fmt: Format, chunk: int = CHUNK) -> Iterator[Piece]:
    """The elements of the JSON array in `stream`, piece by piece."""
    typed = msgspec.json.Decoder(list[RECORD_TYPES[fmt]])  # type: ignore[valid-type]
    one = msgspec.json.Decoder(RECORD_TYPES[fmt])
    buf = b""
    started = False
    index = 0
    while True:
        data = stream.read(chunk)
        eof = not data
        buf += data
        if not started:
            stripped = buf.lstrip(b"\xef\xbb\xbf \t\r\n")
            if not stripped:
                if eof:
                    return
                continue
            if stripped[:1] != b"[":
                raise NotAnArray("not a JSON array (an export file starts with '[')")
            buf, started = stripped[1:], True
        if eof:
            tail = buf.strip(_LEAD)
            if tail.endswith(b"]"):
                tail = tail[:-1].rstrip(_LEAD)
            if tail:
                piece = _slow(tail, index, one, truncated=not buf.rstrip().endswith(b"]"))
                index += len(piece.records) + len(piece.bad)
                yield piece
            return
        cut = len(buf)
        for _ in range(_TRIES):
            cut = buf.rfind(b"}", 0, cut)
            if cut < 0:
                break
            body = buf[: cut + 1].lstrip(_LEAD)
            try:
                records = typed.decode(b"[" + body + b"]")
            except msgspec.ValidationError:
                piece = _slow(body, index, one)
            except msgspec.DecodeError:
                continue  # the brace was inside a string, or a broken element: try earlier
            else:
                piece = Piece(index, records, [], body)
            buf = buf[cut + 1 :]
            index += len(piece.records) + len(piece.bad)
            yield piece
            break
        else:
            if len(buf) > 8 * chunk:  # no cut decodes: read this stretch element by element
                cut = buf.rfind(b"}")
                piece = _slow(buf[: cut + 1].lstrip(_LEAD), index, one)
                buf = buf[cut + 1 :]
                index += len(piece.records) + len(piece.bad)
                yield piece


def _slow(
    body: bytes, first: int, one: msgspec.json.Decoder[Any], truncated: bool = False
) -> Piece:
    """Element by element: each bad one is quarantined with its reason, the rest kept."""
    records: list[Any] = []
    bad: list[Bad] = []
    parts = _SPLIT.split(body)
    k = 0
    while k < len(parts):
        text, used = parts[k], 1
        while True:
            try:
                records.append(one.decode(text))
                break
            except msgspec.ValidationError as exc:
                bad.append(Bad(first + len(records) + len(bad), _reason(exc), _decoded(text)))
                break
            except msgspec.DecodeError:
                if k + used < len(parts) and used < 4:  # a "}, {" inside a string: rejoin
                    text = text + b", " + parts[k + used]
                    used += 1
                    continue
                last = truncated and k + used >= len(parts)
                why = "truncated at the end of the file" if last else "not valid JSON"
                text, used = parts[k], 1
                bad.append(Bad(first + len(records) + len(bad), why, scrub(text)))
                break
        k += used
    return Piece(first, records, bad, body)


def _decoded(text: bytes) -> Any:
    try:
        return scrub(_ANY.decode(text))
    except msgspec.DecodeError:
        return scrub(text)


def _reason(exc: msgspec.ValidationError) -> str:
    # msgspec: "Expected `int | null`, got `str` - at `$.ms_played`" / "Object missing required
    # field `ts`"
    return f"wrong shape or types: {exc}"

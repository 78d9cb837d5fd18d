"""Reading raw inputs in bounded memory, and salvaging replies whose types are wrong.

A raw part is streamed line by line through gzip (ISA-L's, about twice zlib's speed); a line
longer than the limit is skipped (counted and quarantined by the caller) without ever being
held whole. A reply whose typed
decoding fails is decoded again untyped, and only the list elements that fail are cut out, so
one bad track does not cost its page.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

import msgspec
from isal import igzip
from isal.isal_zlib import IsalError, _GzipReader

from spotify_etl.errors import Unreadable
from spotify_etl.transform.shapes import OBJ_DECODER, Obj

_CHUNK = 1 << 20
_FAST_BUFFER = 512 * 1024
_IsalError = cast(type[Exception], IsalError)  # untyped in isal's stubs
QUARANTINE_TEXT_LIMIT = 64 * 1024  # how much of a bad line the quarantine record keeps
_LIST_FIELDS: tuple[str, ...] = ("items", "tracks", "albums", "artists", "playlists", "shows")
_LIST_FIELDS += ("episodes", "audiobooks", "chapters", "queue", "__elements__")
_OBJECT_FIELDS = ("album", "item", "track", "show", "episode", "audiobook", "currently_playing")


@dataclass(frozen=True)
class Oversized:
    size: int
    head: bytes


def iter_lines(fh: IO[bytes], limit: int, *, gzipped: bool = True) -> Iterator[bytes | Oversized]:
    """Lines of a (gzip) JSON Lines stream; a line over `limit` bytes comes as Oversized."""
    if not (gzipped and _seekable(fh)):
        yield from _lines(fh, limit, gzipped=gzipped, fast=False)
        return
    start, done = fh.tell(), 0
    try:
        for item in _lines(fh, limit, gzipped=True, fast=True):
            yield item
            done += 1
    except Unreadable:
        # A large read loses all it decoded when it meets a corrupt block, so the lines
        # just before the damage may be lost; read again the way that loses the fewest
        # (the result the small reads always give), from where the fast read stopped.
        fh.seek(start)
        for number, item in enumerate(_lines(fh, limit, gzipped=True, fast=False)):
            if number >= done:
                yield item


def _seekable(fh: IO[bytes]) -> bool:
    try:
        return bool(fh.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _lines(fh: IO[bytes], limit: int, *, gzipped: bool, fast: bool) -> Iterator[bytes | Oversized]:
    try:
        stream = (_gunzip_fast(fh) if fast else _gunzip(fh)) if gzipped else fh
        while True:
            line = stream.readline(limit + 1)
            if not line:
                return
            if len(line) > limit and not line.endswith(b"\n"):
                size, head = len(line), line[:4096]
                while not line.endswith(b"\n"):
                    line = stream.readline(_CHUNK)
                    if not line:
                        break
                    size += len(line)
                yield Oversized(size, head)
                continue
            if line.strip():
                yield line
    except EOFError:
        raise Unreadable("truncated gzip stream (the file ends early)") from None
    except (gzip.BadGzipFile, zlib.error, _IsalError, OSError) as exc:
        raise Unreadable(f"not a readable gzip file: {exc}") from None


def read_limited(fh: IO[bytes], limit: int, *, gzipped: bool) -> bytes | Oversized:
    """A whole (small) file; a file over `limit` bytes comes as Oversized, unread."""
    try:
        stream = _gunzip(fh) if gzipped else fh
        data = stream.read(limit + 1)
        if len(data) <= limit:
            return data
        size, head = len(data), data[:4096]
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
        return Oversized(size, head)
    except EOFError:
        raise Unreadable("truncated gzip stream (the file ends early)") from None
    except (gzip.BadGzipFile, zlib.error, _IsalError, OSError) as exc:
        raise Unreadable(f"not a readable gzip file: {exc}") from None


class _Prefixed(io.RawIOBase):
    """A stream with its first bytes, already read to check the gzip magic, put back."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _gunzip(fh: IO[bytes]) -> IO[bytes]:
    head = fh.read(2)
    if head and head != b"\x1f\x8b":
        raise Unreadable("not a gzip file (no gzip magic number)")
    source = io.BufferedReader(_Prefixed(head, fh))
    return cast(IO[bytes], igzip.IGzipFile(fileobj=source, mode="rb"))  # type: ignore[no-untyped-call]


def _gunzip_fast(fh: IO[bytes]) -> IO[bytes]:
    """IGzipFile's reader behind a larger buffer: a page of ~150 KB is one line, and
    BufferedReader's default 8 KB makes it twenty decompression calls (~40% slower)."""
    head = fh.read(2)
    if head and head != b"\x1f\x8b":
        raise Unreadable("not a gzip file (no gzip magic number)")
    source = io.BufferedReader(_Prefixed(head, fh))
    raw = _GzipReader(source, igzip.READ_BUFFER_SIZE)
    return cast(IO[bytes], io.BufferedReader(raw, _FAST_BUFFER))


@dataclass(frozen=True)
class Cut:
    """A list element removed from a reply because its shape or types are wrong."""

    path: str
    reason: str
    record: Any


def salvage(body: Any) -> tuple[Obj, list[Cut]]:
    """Convert an untyped reply to Obj, cutting out the list elements that fail.

    A top-level JSON array becomes an Obj holding its objects (`__elements__`) or, when it
    is an array of booleans (what the `contains` checks answer), their count
    (`__booleans__`). Raises msgspec.ValidationError when the reply itself (not one
    element) is wrong, or is not a catalogue reply at all.
    """
    cuts: list[Cut] = []
    if isinstance(body, list):
        if all(isinstance(v, bool) for v in body):
            return Obj(booleans=len(body)), cuts
        if not all(v is None or isinstance(v, dict) for v in body):
            kinds = sorted({_json_type(v) for v in body if not isinstance(v, dict)})
            raise msgspec.ValidationError(
                f"not a catalogue reply: a top-level JSON array of {', '.join(kinds)} values"
            )
        body = {"__elements__": body}
    elif not isinstance(body, dict):
        raise msgspec.ValidationError(
            f"not a catalogue reply: a top-level JSON {_json_type(body)}, not an object"
        )
    pruned = _prune(body, "$", cuts)
    return _to_obj(pruned), cuts


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {"int": "number", "float": "number", "str": "string"}.get(type(value).__name__, "array")


def _to_obj(value: Any) -> Obj:
    # Through JSON rather than msgspec.convert: Obj keeps `track` as Raw, which only the
    # decoder can fill. This is the rare path.
    return OBJ_DECODER.decode(msgspec.json.encode(value))


def _fits(value: Any) -> str | None:
    try:
        _to_obj(value)
    except msgspec.ValidationError as exc:
        return str(exc)
    return None


def _prune(value: Any, path: str, cuts: list[Cut]) -> Any:
    if not isinstance(value, dict) or _fits(value) is None:
        return value
    fixed = dict(value)
    for name in _OBJECT_FIELDS:
        inner = value.get(name)
        if isinstance(inner, dict):
            fixed[name] = _prune(inner, f"{path}.{name}", cuts)
    for name in _LIST_FIELDS:
        inner = value.get(name)
        if isinstance(inner, dict):
            fixed[name] = _prune(inner, f"{path}.{name}", cuts)
        elif isinstance(inner, list):
            fixed[name] = [_element(el, f"{path}.{name}[{i}]", cuts) for i, el in enumerate(inner)]
    return fixed


def _element(element: Any, path: str, cuts: list[Cut]) -> Any:
    if element is None:
        return None
    reason = _fits(element)
    if reason is None:
        return element
    # A playlist entry whose track is wrong: report the path inside the reply.
    cuts.append(Cut(path, reason.replace("`$", f"`{path}", 1), element))
    return {"__quarantined__": True}


def preview(data: bytes) -> str:
    """A bounded, printable piece of a bad record for the quarantine file."""
    return data[:QUARANTINE_TEXT_LIMIT].decode("utf-8", errors="replace")

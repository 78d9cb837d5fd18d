"""The fast gzip line reader gives exactly the lines of the plain one, damage or not."""

from __future__ import annotations

import io
import random

import pytest
from isal import igzip

from spotify_etl.errors import Unreadable
from spotify_etl.transform.reader import Oversized, iter_lines


def _blob() -> tuple[list[bytes], bytes]:
    rnd = random.Random(1)
    lines = [
        b'{"n": %d, "pad": "%s"}\n' % (i, "".join(rnd.choices("abcdefghij", k=20_000)).encode())
        for i in range(120)
    ]
    return lines, igzip.compress(b"".join(lines), 1, mtime=0)


def _plain(data: bytes) -> tuple[list[bytes], bool]:
    """The reference: IGzipFile's own readline (8 KB reads), up to its error."""
    got: list[bytes] = []
    stream = igzip.IGzipFile(fileobj=io.BytesIO(data))  # type: ignore[no-untyped-call]
    try:
        while line := stream.readline():  # type: ignore[no-untyped-call]
            got.append(line)
    except (EOFError, OSError):
        return got, True
    return got, False


def _ours(data: bytes, limit: int = 1 << 24) -> tuple[list[bytes], bool]:
    got: list[bytes] = []
    try:
        for line in iter_lines(io.BytesIO(data), limit):
            assert not isinstance(line, Oversized)
            got.append(line)
    except Unreadable:
        return got, True
    return got, False


def test_an_intact_file_reads_whole() -> None:
    lines, data = _blob()
    assert _ours(data) == (lines, False)


@pytest.mark.parametrize("at", [0.55, 0.7, 0.85, 0.97])
def test_a_corrupt_byte_loses_no_line_the_plain_reader_keeps(at: float) -> None:
    # A 512 KB read that meets the damage returns nothing of what it decoded; the lines
    # before the damage are read again with small reads, as the plain reader gets them.
    lines, data = _blob()
    damaged = bytearray(data)
    damaged[int(len(data) * at)] ^= 0x55
    got, failed = _ours(bytes(damaged))
    assert failed
    assert (got, failed) == _plain(bytes(damaged))
    assert len(got) > 100  # the damaged one garbled, the lines around it kept
    assert got[:60] == lines[:60]


def test_a_truncated_file_keeps_every_complete_line() -> None:
    lines, data = _blob()
    got, failed = _ours(data[: len(data) * 3 // 4])
    assert failed
    assert (got, failed) == _plain(data[: len(data) * 3 // 4])
    assert got == lines[: len(got)] and len(got) >= 80


def test_oversized_lines_are_reported_in_place() -> None:
    lines, data = _blob()
    items = list(iter_lines(io.BytesIO(data), 10_000))
    assert len(items) == len(lines)
    assert all(
        isinstance(i, Oversized) and i.size == len(line)
        for i, line in zip(items, lines, strict=True)
    )

"""Where an export's music files are: one file, a folder (the unpacked export) or the ZIP."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from spotify_etl.errors import ConfigError
from spotify_etl.history.formats import Format, format_of, sniff


@dataclass(frozen=True)
class ExportFile:
    name: str  # as shown in messages and quarantine records: "<zip>!<member>" or the path
    fmt: Format
    path: Path
    member: str | None = None  # inside a ZIP

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self.member is None:
            with self.path.open("rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as fh:
                yield fh  # decompressed as it is read, never whole


def find_exports(target: Path) -> list[ExportFile]:
    """The music history files of an export, in name order; a ConfigError names the fix."""
    if not target.exists():
        raise ConfigError(f"{target} does not exist", hint="give an export file, folder or ZIP")
    if target.is_dir():
        found = [
            ExportFile(str(p), fmt, p)
            for p in sorted(target.rglob("*.json"))
            if (fmt := format_of(p.name)) is not None
        ]
    elif zipfile.is_zipfile(target):
        with zipfile.ZipFile(target) as archive:
            names = sorted(n for n in archive.namelist() if not n.endswith("/"))
        found = [
            ExportFile(f"{target}!{n}", fmt, target, n)
            for n in names
            if (fmt := format_of(n)) is not None
        ]
    else:
        fmt = format_of(target.name)
        if fmt is None:
            with target.open("rb") as fh:
                fmt = sniff(fh.read(4096))
        if fmt is None:
            raise ConfigError(
                f"{target} is not a Spotify listening history file",
                hint="expected Streaming_History_Audio_*.json or StreamingHistory_music_*.json",
            )
        found = [ExportFile(str(target), fmt, target)]
    if not found:
        raise ConfigError(
            f"no listening history in {target}",
            hint="an export holds Streaming_History_Audio_*.json (extended streaming history) "
            "or StreamingHistory_music_*.json (account data)",
        )
    return found

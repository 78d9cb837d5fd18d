"""Carry-forward: an unchanged playlist's items, re-emitted for today from older raw parts.

An envelope with `carry_forward` says "playlist P still has snapshot S; its item pages are in
these parts" (rawzone.py). Each referenced part is read once per batch, whatever the number of
playlists it serves; the rows get today's snapshot_date and the check's fetched_at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from spotify_etl.errors import BadValue
from spotify_etl.transform.entities import Ctx
from spotify_etl.transform.reader import Oversized, iter_lines, salvage
from spotify_etl.transform.rows import emit_page, emit_playlist
from spotify_etl.transform.shapes import ENV_DECODER, LOOSE_ENV_DECODER, Env

if TYPE_CHECKING:
    from spotify_etl.transform.batch import Batch


@dataclass
class Carry:
    playlist_id: str
    snapshot_id: str | None
    parts: list[str]
    fetched_at: str
    where: str


class Carries:
    def __init__(self) -> None:
        self.by_playlist: dict[str, Carry] = {}

    def add(self, cf: dict[str, Any], fetched_at: str, where: str) -> str | None:
        """Record one carry-forward; the reason when it cannot be used."""
        pid, parts, snap = cf.get("playlist_id"), cf.get("parts"), cf.get("snapshot_id")
        if not isinstance(pid, str) or not isinstance(parts, list) or not parts:
            return "carry_forward without playlist_id or parts"
        known = self.by_playlist.get(pid)
        if known is None or known.fetched_at <= fetched_at:
            snapshot = snap if isinstance(snap, str) else None
            self.by_playlist[pid] = Carry(pid, snapshot, [str(p) for p in parts], fetched_at, where)
        return None

    def resolve(self, batch: Batch) -> None:
        by_part: dict[str, set[str]] = {}
        for carry in self.by_playlist.values():
            for part in carry.parts:
                by_part.setdefault(part, set()).add(carry.playlist_id)
        found: set[str] = set()
        for part in sorted(by_part):
            try:
                with batch.raw.open(part) as fh:
                    for line in iter_lines(fh, batch.limit):
                        self._line(batch, line, by_part[part], found)
            except Exception as exc:
                batch.unreadable_file(part, f"carried part: {exc.__class__.__name__}: {exc}")
        for carry in self.by_playlist.values():
            if carry.playlist_id not in found:
                batch.bad_input(
                    carry.where,
                    f"carry_forward: no items pages for playlist {carry.playlist_id} in "
                    f"{', '.join(carry.parts)}",
                )

    def _line(
        self, batch: Batch, line: bytes | Oversized, wanted: set[str], found: set[str]
    ) -> None:
        if isinstance(line, Oversized):
            return
        try:
            env = ENV_DECODER.decode(line)
        except msgspec.ValidationError:
            # A page with a bad element: as on the day it was fetched, only that element is
            # left out (it was quarantined then), and its neighbours keep their positions.
            salvaged = _salvaged(line)
            if salvaged is None:
                return
            env = salvaged
        except msgspec.DecodeError:
            return  # quarantined on the day it was fetched
        pid = env.source_id
        if pid not in wanted or env.body is None or not 200 <= env.status < 300:
            return
        carry = self.by_playlist[pid]
        ctx = Ctx(
            batch.out,
            f"{carry.where} (carried from {env.run_id or env.url})",
            carry.fetched_at,
            batch.source.dt,
            url=env.url,
            snapshot_id=carry.snapshot_id,
            items_only=True,
        )
        body = env.body
        try:
            if body.type == "playlist" and body.id == pid:
                emit_playlist(body, ctx)
            elif isinstance(body.items, list) and body.type is None:
                emit_page(body, ctx, playlist_id=pid)
            else:
                return
        except (BadValue, msgspec.ValidationError):
            return  # quarantined on the day it was fetched
        found.add(pid)


def _salvaged(line: bytes) -> Env | None:
    try:
        loose = LOOSE_ENV_DECODER.decode(line)
        body = salvage(loose.body)[0] if loose.body is not None else None
    except msgspec.DecodeError:  # ValidationError included: the reply itself is wrong
        return None
    env = Env(**{f: getattr(loose, f) for f in loose.__struct_fields__ if f != "body"})
    env.body = body
    return env

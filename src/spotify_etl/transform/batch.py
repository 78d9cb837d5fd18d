"""One batch: one raw part (or a run of bare response files) -> one file per table, a
quarantine file and a summary, under names derived from the input keys so a rerun replaces
them. Bare files are small (one page each): many of them form one batch (`members`), so the
per-batch costs (output files, summaries, writes) are paid once per batch, not per page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from spotify_etl.errors import BadValue, Unreadable
from spotify_etl.logs import redact
from spotify_etl.model import FileFormat
from spotify_etl.storage import ObjectStore
from spotify_etl.transform.carry import Carries
from spotify_etl.transform.collector import Collector
from spotify_etl.transform.entities import Ctx
from spotify_etl.transform.output import write_batch
from spotify_etl.transform.reader import (
    Oversized,
    iter_lines,
    preview,
    read_limited,
    salvage,
)
from spotify_etl.transform.rows import emit_body
from spotify_etl.transform.shapes import ENV_DECODER, LOOSE_ENV_DECODER, OBJ_DECODER, Env, Obj
from spotify_etl.transform.summary import BatchSummary, UnreadableFile
from spotify_etl.transform.values import utc_timestamp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    key: str
    batch: str
    dt: str
    kind: Literal["part", "file"]
    fetched_at: str | None = None  # bare files: when the response was saved (file format)
    gzipped: bool = True
    members: tuple[Source, ...] = ()  # a batch of bare files: each one's own Source
    stamped: bool = False  # a bare file whose name says when it was saved (the old pipeline's)
    dated_by: str | None = None  # bare files: how fetched_at was found (summary.DATED_BY)
    size: int = 0  # bytes, for stamped bare files (runner.batch_files bounds a batch by them)


class Batch:
    def __init__(self, raw: ObjectStore, source: Source, limit: int) -> None:
        self.raw = raw
        self.source = source
        self.limit = limit
        self.out = Collector(max_year=int(source.dt[:4]) + 1)
        self.unreadable: list[UnreadableFile] = []
        self.snapshots: dict[str, tuple[str, str]] = {}
        self.carries = Carries()

    def bad_input(self, where: str, reason: str, record: Any = None) -> None:
        self.out.reject(source=where, table=None, reason=reason, record=record)

    def unreadable_file(self, key: str, reason: str) -> None:
        reason = redact(reason)
        self.unreadable.append(UnreadableFile(key, reason))
        self.bad_input(key, f"file unreadable: {reason}")

    def read_part(self) -> None:
        key = self.source.key
        try:
            with self.raw.open(key) as fh:
                for number, line in enumerate(iter_lines(fh, self.limit), start=1):
                    self.guarded(line, f"{key}:{number}")
        except Unreadable as exc:
            self.unreadable_file(key, str(exc))
        except Exception as exc:  # the store itself failed (missing object, S3 error)
            self.unreadable_file(key, f"{exc.__class__.__name__}: {exc}")

    def guarded(self, line: bytes | Oversized, where: str) -> None:
        """One envelope; an unforeseen error in handling it quarantines that line only."""
        try:
            self.envelope(line, where)
        except Exception as exc:
            # A bug, or input this code did not foresee: logged in full for a fix, and the
            # line kept in quarantine, so the rest of the part still lands.
            log.error("transform: unexpected error at %s", where, exc_info=True)
            record = preview(line.head if isinstance(line, Oversized) else line)
            self.bad_input(where, f"internal error: {exc.__class__.__name__}: {exc}", record)

    def read_files(self) -> None:
        for member in self.source.members or (self.source,):
            self.read_file(member)

    def read_file(self, source: Source) -> None:
        key, fetched_at = source.key, source.fetched_at or ""
        try:
            with self.raw.open(key) as fh:
                data = read_limited(fh, self.limit, gzipped=source.gzipped)
        except Unreadable as exc:
            self.unreadable_file(key, str(exc))
            return
        except Exception as exc:
            self.unreadable_file(key, f"{exc.__class__.__name__}: {exc}")
            return
        if isinstance(data, Oversized):
            self.bad_input(key, _too_big(data, self.limit), preview(data.head))
            return
        try:
            body: Obj | None = OBJ_DECODER.decode(data)
        except msgspec.ValidationError:
            body = self.salvaged(msgspec.json.decode(data), key, data)
        except msgspec.DecodeError as exc:
            self.unreadable_file(key, f"not JSON: {exc}")
            return
        if body is not None:
            ctx = Ctx(self.out, key, fetched_at, self.source.dt, snapshots=self.snapshots)
            ctx.embedded_dims = True  # no extract run will fetch the referenced entities in full
            self.emit(body, ctx, key, lambda: preview(data))

    def salvaged(self, value: Any, where: str, raw: bytes) -> Obj | None:
        try:
            body, cuts = salvage(value)
        except msgspec.ValidationError as exc:
            self.bad_input(where, f"wrong shape or types: {exc}", preview(raw))
            return None
        for cut in cuts:
            self.bad_input(f"{where} {cut.path}", f"wrong shape or types: {cut.reason}", cut.record)
        return body

    def envelope(self, line: bytes | Oversized, where: str) -> None:
        if isinstance(line, Oversized):
            self.bad_input(where, _too_big(line, self.limit), preview(line.head))
            return
        try:
            env = ENV_DECODER.decode(line)
        except msgspec.ValidationError as exc:
            try:
                loose = LOOSE_ENV_DECODER.decode(line)
            except msgspec.DecodeError:
                self.bad_input(where, f"not a raw envelope: {exc}", preview(line))
                return
            env = Env(**{f: getattr(loose, f) for f in loose.__struct_fields__ if f != "body"})
            if loose.body is not None:
                env.body = self.salvaged(loose.body, where, line)
                if env.body is None:
                    return
        except msgspec.DecodeError as exc:
            self.bad_input(where, f"not JSON: {exc}", preview(line))
            return
        self.handle(env, where, line)

    def handle(self, env: Env, where: str, line: bytes) -> None:
        if not 200 <= env.status < 300:
            self.out.skip("error_replies")
            return
        try:
            fetched_at = utc_timestamp(env.fetched_at) or ""
        except BadValue as exc:
            self.bad_input(where, f"fetched_at: {exc}", preview(line))
            return
        if env.carry_forward is not None:
            problem = self.carries.add(env.carry_forward, fetched_at, where)
            if problem is not None:
                self.bad_input(where, problem, preview(line))
            self._snapshot_from_carry(env.carry_forward, fetched_at)
        if env.body is None:
            if env.body_text is not None and env.carry_forward is None:
                self.bad_input(where, "the reply was not JSON", preview(line))
            return
        ctx = Ctx(
            self.out,
            where,
            fetched_at,
            self.source.dt,
            url=env.url,
            snapshot_id=env.snapshot_id,  # an items page's own snapshot, wherever its playlist
            snapshots=self.snapshots,
        )
        if not _is_known(env.body) and (env.carry_forward is not None or _partial(env)):
            # A `fields=` reply (the daily snapshot_id check) is a known request for a part
            # of an object; it carries no rows.
            self.out.skip("partial_replies")
            return
        self.emit(env.body, ctx, where, lambda: preview(line))

    def _snapshot_from_carry(self, carry: dict[str, Any], fetched_at: str) -> None:
        """A resumed fetch's check names the snapshot its items pages in this batch belong
        to, when its playlist object is in an earlier run's part (raw parts written before
        item pages carried their own `snapshot_id`)."""
        pid, snap = carry.get("playlist_id"), carry.get("snapshot_id")
        if isinstance(pid, str) and isinstance(snap, str) and snap:
            seen = self.snapshots.get(pid)
            if seen is None or seen[0] <= fetched_at:
                self.snapshots[pid] = (fetched_at, snap)

    def emit(self, body: Obj, ctx: Ctx, where: str, record: Any) -> None:
        try:
            known = emit_body(body, ctx)
        except BadValue as exc:
            self.bad_input(where, str(exc), record())
            return
        if not known:
            self.bad_input(
                where, "unknown shape: not a Spotify object this transform reads", record()
            )


def _partial(env: Env) -> bool:
    return "fields" in env.params or (env.body is not None and env.body.snapshot_id is not None)


def _is_known(body: Obj) -> bool:
    return body.type is not None or body.items is not None or body.error is not None


def _too_big(data: Oversized, limit: int) -> str:
    return f"record of {data.size:,} bytes exceeds the {limit:,}-byte limit (max_record_bytes)"


def run_batch(
    raw: ObjectStore,
    out: ObjectStore,
    source: Source,
    *,
    fmt: FileFormat,
    limit: int,
    parquet: Any = None,
) -> BatchSummary:
    batch = Batch(raw, source, limit)
    if source.kind == "part":
        batch.read_part()
    else:
        batch.read_files()
    batch.carries.resolve(batch)
    batch.out.fill_snapshot_ids(batch.snapshots)
    batch.out.drop_stale_links()
    batch.out.finish_counts()
    return write_batch(out, source, batch.out, batch.unreadable, fmt=fmt, parquet=parquet)

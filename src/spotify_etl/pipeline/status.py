"""`spotify-etl status`: the lake and the warehouse at a glance, read-only.

Lists the raw and transformed zones once each, reads only the newest run manifests and the
extraction state, and asks the warehouse which files are still pending. A warehouse that
cannot be opened (locked, unreachable) is reported as such; the lake part still prints.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table

from spotify_etl.console import out, plural
from spotify_etl.errors import SpotifyEtlError
from spotify_etl.storage import ObjectStore, open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig

_DT = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")


def _runs(raw: ObjectStore, keys: list[str], newest: int) -> list[dict[str, Any]]:
    manifests = sorted(
        k for k in keys if k.startswith("raw/_runs/") and k.endswith("manifest.json")
    )
    found = []
    for key in manifests[-newest:]:
        try:
            found.append(json.loads(raw.get(key)))
        except (SpotifyEtlError, ValueError):
            found.append({"run_id": key, "outcome": "unreadable manifest"})
    return list(reversed(found))


def _per_day(keys: list[str]) -> Counter[str]:
    days: Counter[str] = Counter()
    for key in keys:
        match = _DT.search("/" + key)
        if match and not key.split("/", 1)[0].startswith("_"):
            days[match.group(1)] += 1
    return days


def _state_facts(raw: ObjectStore) -> dict[str, Any]:
    """The extraction state's facts, read with the extractor's own loader and model (so a
    corrupt object gives the very line `run` gives); nothing when there is no state yet."""
    import msgspec

    from spotify_etl.extract.state import StateStore

    state, etag = StateStore(raw).load()
    if etag is None:
        return {}
    return {
        "checkpoints": msgspec.to_builtins(state.checkpoints),
        "known_entities": {kind: len(ids) for kind, ids in state.known.items()},
        "tracked_playlists": len(state.playlists),
        "profile": state.profile,
        "quota_locked": dict(sorted(state.quota.items())),
        "refused_playlists": msgspec.to_builtins(state.refused),
        "listen": msgspec.to_builtins(state.listen),
        "queued": {kind: len(ids) for kind, ids in state.queued.items()},
    }


def collect_status(config: PipelineConfig, *, newest: int = 5) -> dict[str, Any]:
    raw = open_store(config.path(config.storage.raw))
    transformed = open_store(config.path(config.storage.transformed))
    raw_keys = [o.key for o in raw.list("raw/")]
    part_keys = [k for k in raw_keys if k.endswith(".jsonl.gz") and "/_" not in k]
    data_keys = [o.key for o in transformed.list() if not o.key.startswith("_")]
    status: dict[str, Any] = {
        "runs": _runs(raw, raw_keys, newest),
        "raw_parts_per_day": dict(sorted(_per_day(part_keys).items())),
        "transformed_files_per_day": dict(sorted(_per_day(data_keys).items())),
        "checkpoints": {},
    }
    status.update(_state_facts(raw))
    status["pending_load"], status["warehouse_error"] = None, None
    if not data_keys:  # nothing transformed yet: nothing to load, no warehouse to open (or make)
        status["pending_load"] = 0
        return status
    status["pending_load"], status["warehouse_error"] = _pending(config, transformed)
    return status


def _pending(config: PipelineConfig, transformed: ObjectStore) -> tuple[int | None, str | None]:
    from spotify_etl.config import load_secrets
    from spotify_etl.warehouse import open_configured

    try:
        warehouse = open_configured(config.warehouse, load_secrets(), base_dir=config.base_dir)
    except SpotifyEtlError as exc:
        return None, str(exc)
    try:
        return len(warehouse.pending_files(transformed)), None
    finally:
        warehouse.close()


def print_status(config: PipelineConfig) -> None:
    from spotify_etl.console import emit_json, json_mode

    status = collect_status(config)
    if json_mode():
        emit_json("status", status)
        return
    if not (status["runs"] or status["raw_parts_per_day"] or status["transformed_files_per_day"]):
        out.print(
            f"no runs yet: the raw zone {config.path(config.storage.raw)} is empty "
            "(start one with `spotify-etl run`)"
        )
        return
    runs = Table(title="last extraction runs", title_justify="left")
    for column in ("run", "outcome", "budget used", "parts", "skipped", "resume after"):
        runs.add_column(column, no_wrap=column == "run")  # a run id is copied whole
    for run in status["runs"]:
        budget = run.get("budget") or {}
        runs.add_row(
            str(run.get("run_id")),
            f"{run.get('outcome')}" + (f" ({run['reason']})" if run.get("reason") else ""),
            f"{budget.get('used', '?')}/{budget.get('limit', '?')}",
            str(len(run.get("parts") or [])),
            str(len(run.get("skipped") or [])),
            str(run.get("resume_after") or ""),
        )
    out.print(runs if status["runs"] else "no extraction runs yet")
    days = Table(title="files per day", title_justify="left")
    for column in ("day", "raw parts", "transformed files"):
        days.add_column(column)
    for day in sorted(set(status["raw_parts_per_day"]) | set(status["transformed_files_per_day"])):
        days.add_row(
            day,
            str(status["raw_parts_per_day"].get(day, 0)),
            str(status["transformed_files_per_day"].get(day, 0)),
        )
    out.print(days)
    for shard, cp in status["checkpoints"].items():
        out.print(
            f"checkpoint [{shard}]: run {cp.get('run_id')} stopped ({cp.get('reason')}) at "
            f"{cp.get('saved_at')}; resume after {cp.get('resume_after') or 'now'}"
        )
    if not status["checkpoints"]:
        out.print("checkpoint: none (the last run finished its work)")
    if status.get("known_entities") is not None:
        known = ", ".join(plural(n, kind) for kind, n in status["known_entities"].items())
        tracked = plural(status.get("tracked_playlists", 0), "playlist")
        out.print(f"known: {known}; {tracked} tracked")
    for line in [*access_lines(status), *listen_lines(status)]:
        out.print(line)
    if status["warehouse_error"]:
        out.print(f"warehouse: cannot open ({status['warehouse_error']})")
    else:
        out.print(f"files pending load: {status['pending_load']}")


def access_lines(status: dict[str, Any]) -> list[str]:
    """Quota buckets locked (with resume times) and playlists whose items were refused."""
    lines = []
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    locked = {b: t for b, t in status.get("quota_locked", {}).items() if t > now}
    for bucket, until in locked.items():
        lines.append(f"quota: the {bucket} bucket is locked until {until}; its work resumes then")
    if "quota_locked" in status and not locked:
        lines.append("quota: no bucket locked")
    for playlist_id, refusal in sorted(status.get("refused_playlists", {}).items()):
        lines.append(
            f"playlist {playlist_id}: header only, items refused ({refusal.get('status')}: "
            f"{refusal.get('reason')}) until {refusal.get('until')}"
        )
    return lines


def listen_lines(status: dict[str, Any]) -> list[str]:
    """`spotify-etl listen`'s cursor, its recorded gaps, and the ids queued for extraction."""
    out = []
    listen = status.get("listen")
    if listen:
        out.append(
            f"listen: {listen.get('polls', 0)} polls, {listen.get('plays', 0)} plays, last play "
            f"{listen.get('last_played_at') or 'none'}, "
            f"{len(listen.get('pending_parts') or [])} part(s) not yet loaded"
        )
        for gap in (listen.get("gaps") or [])[:5]:
            out.append(
                f"listen gap: plays between {gap['after']} and {gap['before']} may be missing"
            )
    if status.get("queued"):
        queued = ", ".join(plural(n, kind) for kind, n in sorted(status["queued"].items()))
        out.append(f"queued for the next extraction (from plays): {queued}")
    return out

"""The run manifest (raw/_runs/dt=.../run=.../manifest.json) and the result callers get.

The manifest is the run's own account: parts written, requests by endpoint and status, budget
used, skipped ids with reasons, deferred items (every attempt failed; the next run fetches
them) with reasons, each playlist's snapshot status, the checkpoint left for the next run
and the outcome. It never holds a secret: it is built from ids, counts and reasons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from spotify_etl.errors import EXIT_FAILED, EXIT_OK, EXIT_RESUMABLE

Outcome = Literal["complete", "stopped", "failed"]
EXIT_CODES: dict[str, int] = {
    "complete": EXIT_OK,
    "stopped": EXIT_RESUMABLE,
    "failed": EXIT_FAILED,
}


@dataclass
class ExtractResult:
    run_id: str
    dt: str
    outcome: Outcome
    reason: str | None
    resume_after: datetime | None
    manifest_key: str
    part_keys: list[str]
    requests: dict[str, dict[str, int]]  # endpoint -> status -> count
    budget_used: int
    skipped: list[dict[str, Any]]
    exit_code: int
    budget: int = 0
    entities_fetched: int = 0
    playlists: dict[str, dict[str, Any]] = field(default_factory=dict)
    resumed_from: str | None = None
    message: str = ""
    deferred: list[dict[str, Any]] = field(default_factory=list)  # for the next run, with why

    def summary(self) -> str:
        """One line for people: what happened and, when stopped, when to come back."""
        tokens = sum(
            n
            for endpoint, by in self.requests.items()
            if endpoint.startswith("accounts")
            for n in by.values()
        )
        line = (
            f"extract {self.outcome}: run {self.run_id}, {self.budget_used}/{self.budget} requests "
            f"of the budget (+{tokens} token), {len(self.part_keys)} parts, "
            f"{self.entities_fetched} entities fetched, {len(self.skipped)} skipped"
        )
        if self.deferred:
            line += f", {len(self.deferred)} deferred"
        if self.outcome == "stopped":
            when = (
                f"resume after {self.resume_after:%Y-%m-%d %H:%M:%S} UTC"
                if self.resume_after
                else "resume with the next run"
            )
            line += f"; stopped ({self.reason}): checkpoint saved, {when}"
        elif self.outcome == "complete" and self.message:
            line += f"; {self.message}"
        elif self.outcome == "failed":
            line += f"; failed: {self.message or self.reason}"
            if self.reason != "nothing_fetched" or self.deferred:
                line += "; checkpoint saved"
        return line


def requests_by_endpoint(stats: Mapping[tuple[str, int], int]) -> dict[str, dict[str, int]]:
    """client.stats ({(endpoint, status): n}) as endpoint -> status (text, for JSON) -> n."""
    out: dict[str, dict[str, int]] = {}
    for (endpoint, status), count in stats.items():
        slot = out.setdefault(endpoint, {})
        slot[str(status)] = slot.get(str(status), 0) + count
    return out


def any_success(stats: dict[tuple[str, int], int]) -> bool:
    """Whether any Web API request (token requests aside) had a 2xx reply."""
    return any(200 <= status < 300 for (endpoint, status) in stats if endpoint != "accounts:token")


def manifest_bytes(result: ExtractResult, extra: dict[str, Any]) -> bytes:
    body: dict[str, Any] = {
        "run_id": result.run_id,
        "dt": result.dt,
        "outcome": result.outcome,
        "reason": result.reason,
        "message": result.message or None,
        "resume_after": result.resume_after.isoformat() if result.resume_after else None,
        "resumed_from": result.resumed_from,
        "parts": result.part_keys,
        "requests": result.requests,
        "budget": {"limit": result.budget, "used": result.budget_used},
        "entities_fetched": result.entities_fetched,
        "skipped": result.skipped,
        "deferred": result.deferred,
        "playlists": result.playlists,
    }
    body.update(extra)
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def checkpoint_summary(checkpoint: object) -> dict[str, object] | None:
    """The manifest's `checkpoint` block: what a stopped run left to resume."""
    from spotify_etl.extract.state import STATE_KEY, Checkpoint

    if not isinstance(checkpoint, Checkpoint):
        return None
    return {
        "key": STATE_KEY,
        "reason": checkpoint.reason,
        "resume_after": checkpoint.resume_after,
        "pending": {kind: len(ids) for kind, ids in checkpoint.pending.items()},
        "listings_in_progress": sorted(checkpoint.listings),
        "playlists_left": len(checkpoint.playlists),
    }

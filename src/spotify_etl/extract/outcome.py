"""How an extraction ended, from what the engine did: the outcome, its reason and exit code.

complete                       0   everything planned was fetched (or skipped for a reason)
stopped: budget|quota|…       75   a checkpoint holds the rest; the next run continues
stopped: deferred             75   some requests failed every attempt; their items wait in
                                   the checkpoint and the next run fetches them first
failed: nothing_fetched        1   not one request succeeded (every one refused or failed):
                                   no progress was possible
complete: needs_user_token     2   configured playlists need a user token the run lacks
                                   (development mode): the fix is `spotify-etl auth login`
"""

from __future__ import annotations

from dataclasses import dataclass

from spotify_etl.errors import EXIT_USAGE
from spotify_etl.extract.manifest import EXIT_CODES, Outcome, any_success
from spotify_etl.extract.playlists import AUTH_HINT
from spotify_etl.extract.recorder import Recorder


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str | None
    message: str
    exit_code: int = 0


def settle(ended: Verdict, rec: Recorder, stats: dict[tuple[str, int], int], used: int) -> Verdict:
    """The final verdict of a run that ended as `ended` (see the module docstring)."""
    outcome, reason, message = ended.outcome, ended.reason, ended.message
    if outcome == "complete" and rec.deferred:
        first = rec.deferred[0]
        outcome, reason = "stopped", "deferred"
        message = (
            f"{len(rec.deferred)} item(s) deferred to the next run, every attempt failed "
            f"(first: {first.kind} {first.id}: {first.reason})"
        )
    unanswered = rec.deferred or rec.skipped
    considered = outcome != "failed" and reason in (None, "deferred") and used and unanswered
    if considered and not any_success(stats):
        # A wrong API base answers 404 to all, a dead one nothing: not a green run.
        return Verdict("failed", "nothing_fetched", _nothing(rec), EXIT_CODES["failed"])
    needs_user = [s.id for s in rec.skipped if s.kind == "playlist" and s.reason == AUTH_HINT]
    if outcome == "complete" and needs_user:
        message = (
            f"{len(needs_user)} configured playlist(s) could not be read: their items need a "
            "user token in development mode (the rest was fetched and loaded); "
            "run `spotify-etl auth login` once, then run again"
        )
        return Verdict(outcome, "needs_user_token", message, EXIT_USAGE)
    return Verdict(outcome, reason, message, EXIT_CODES[outcome])


def _nothing(rec: Recorder) -> str:
    if rec.deferred:
        first_d = rec.deferred[0]
        what, why = f"{first_d.kind} {first_d.id}", first_d.reason
        said = "every request failed, nothing was fetched"
    else:
        first = next((s for s in rec.skipped if s.status), rec.skipped[0])
        what, why = f"{first.kind} {first.id}", first.reason
        said = "every request was refused, nothing was fetched"
    message = f"{said} (first: {what}: {why})"
    if "api_base" not in why:
        message += "; check spotify.api_base / --api-base"
    return message

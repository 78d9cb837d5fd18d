"""Lambda: the daily schedule (or a shard message) -> one run_extract into the raw bucket.

With SPOTIFY_ETL_SHARDS = n > 1 the scheduled invocation only fans out: it sends n shard
messages to the shard queue, which this same function consumes (batch size 1), so each
invocation does 1/n of the work and reserved concurrency caps how many hit Spotify at once.

A stop on quota, rate limit or budget is an outcome, not a failure: run_extract has saved
the checkpoint, the next run resumes from it, and the `QuotaStops` metric counts it. A failed
run raises, so Lambda retries it and the dead-letter queue and the error alarm see it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from spotify_etl.aws.environment import LambdaSettings, spotify_app_secrets
from spotify_etl.aws.events import ShardTask, extract_trigger
from spotify_etl.aws.metrics import QUOTA_STOPS, emit
from spotify_etl.aws.runtime import Invocation, configure_logging
from spotify_etl.errors import ConfigError, FatalError, RetryableError, StopRun
from spotify_etl.extract import ExtractResult, run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.spotify import SecretsManagerTokenStore

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets
    from spotify_etl.spotify import TokenStore

log = logging.getLogger(__name__)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    configure_logging()
    settings = LambdaSettings.from_env()
    invocation = Invocation.of(context)
    if isinstance(event, dict) and event.get("listen") is True:
        return listen_poll(settings, invocation.request_id)
    trigger = extract_trigger(event)
    if not trigger.shards and settings.shards > 1:
        return fan_out(settings, trigger.scheduled_at)
    if not settings.app_secret_id:
        raise ConfigError("SPOTIFY_ETL_APP_SECRET_ID is not set", hint="see infra/template.yaml")
    config = settings.pipeline_config()
    secrets = spotify_app_secrets(settings.app_secret_id)
    token_store = (
        SecretsManagerTokenStore(settings.token_secret_id) if settings.token_secret_id else None
    )
    shards: list[tuple[int, int] | None] = [(t.index, t.count) for t in trigger.shards] or [None]
    runs = [
        run_one(config, secrets, token_store, settings, shard, invocation.request_id)
        for shard in shards
    ]
    return {"status": "ok", "runs": runs}


def listen_poll(settings: LambdaSettings, request_id: str) -> dict[str, Any]:
    """The `ListenSchedule` rule's event `{"listen": true}`: one poll of recently-played into
    the raw bucket; its part's S3 event runs the transform, Snowpipe loads the PLAY file."""
    import threading

    from spotify_etl.pipeline.listen import Listener

    if not settings.app_secret_id:
        raise ConfigError("SPOTIFY_ETL_APP_SECRET_ID is not set", hint="see infra/template.yaml")
    token_store = (
        SecretsManagerTokenStore(settings.token_secret_id) if settings.token_secret_id else None
    )
    listener = Listener(
        settings.pipeline_config(), secrets=spotify_app_secrets(settings.app_secret_id),
        token_store=token_store, settle=False,
    )  # fmt: skip
    try:
        report = listener.run(threading.Event(), once=True)
    except StopRun as exc:  # another poll still holds the listen lease
        log.warning("listen poll not run: %s", exc)
        return {"status": "not_run", "reason": exc.reason}
    emit(
        {"Polls": report.polls, "Plays": report.plays, "Gaps": len(report.gaps),
         QUOTA_STOPS: int(report.exit_code != 0)},
        dimensions={"Stage": "listen"}, namespace=settings.namespace,
        properties={"request_id": request_id, "stopped": report.stopped},
    )  # fmt: skip
    return {
        "status": "ok" if report.exit_code == 0 else "stopped",
        "plays": report.plays,
        "requests": report.requests,
        "gaps": [{"after": g.after, "before": g.before} for g in report.gaps],
        "stopped": report.stopped,
    }


def fan_out(settings: LambdaSettings, scheduled_at: str | None) -> dict[str, Any]:
    """Queue one message per shard; the queue's consumers (this function) do the work."""
    import boto3

    assert settings.shard_queue_url is not None  # LambdaSettings requires it when shards > 1
    sqs = boto3.client("sqs")
    tasks = [ShardTask(i, settings.shards, scheduled_at) for i in range(settings.shards)]
    for start in range(0, len(tasks), 10):  # SendMessageBatch takes ten at most
        batch = tasks[start : start + 10]
        reply = sqs.send_message_batch(
            QueueUrl=settings.shard_queue_url,
            Entries=[{"Id": str(t.index), "MessageBody": t.body()} for t in batch],
        )
        if reply.get("Failed"):
            ids = ", ".join(f["Id"] for f in reply["Failed"])
            raise RetryableError(f"could not queue extraction shards {ids}")
    emit(
        {"ShardsQueued": len(tasks)},
        dimensions={"Stage": "extract"},
        namespace=settings.namespace,
        properties={"scheduled_at": scheduled_at},
    )
    log.info("queued %d extraction shards", len(tasks))
    return {"status": "fanned_out", "shards": len(tasks)}


def run_one(
    config: PipelineConfig,
    secrets: Secrets,
    token_store: TokenStore | None,
    settings: LambdaSettings,
    shard: tuple[int, int] | None,
    request_id: str,
) -> dict[str, Any]:
    shard_name = f"{shard[0]}-of-{shard[1]}" if shard else "all"
    try:
        result = run_extract(
            config,
            ExtractRun(secrets=secrets, token_store=token_store, shard=shard),
            raw_store=settings.raw_store(),
        )
    except StopRun as exc:
        # The shard's lease is held: another delivery of the same shard is running it.
        emit(
            {"LockConflicts": 1},
            dimensions={"Stage": "extract"},
            namespace=settings.namespace,
            properties={"shard": shard_name, "reason": exc.reason, "request_id": request_id},
        )
        log.warning("extraction shard %s not run: %s", shard_name, exc)
        return {"shard": shard_name, "outcome": "not_run", "reason": exc.reason}
    _emit_result(result, settings, shard_name, request_id)
    if result.outcome == "failed":
        raise FatalError(
            f"extraction run {result.run_id} (shard {shard_name}) failed: "
            f"{result.message or result.reason}",
            hint=f"the checkpoint is saved; see {result.manifest_key} in the raw bucket",
        )
    return {
        "shard": shard_name,
        "run_id": result.run_id,
        "dt": result.dt,
        "outcome": result.outcome,
        "reason": result.reason,
        "resume_after": result.resume_after.isoformat() if result.resume_after else None,
        "parts": len(result.part_keys),
        "manifest_key": result.manifest_key,
        "budget_used": result.budget_used,
        "resumed_from": result.resumed_from,
    }


def _emit_result(
    result: ExtractResult, settings: LambdaSettings, shard_name: str, request_id: str
) -> None:
    requests = sum(sum(by_status.values()) for by_status in result.requests.values())
    emit(
        {
            "Runs": 1,
            QUOTA_STOPS: int(result.outcome == "stopped"),
            "Failures": int(result.outcome == "failed"),
            "Requests": requests,
        },
        dimensions={"Stage": "extract"},
        namespace=settings.namespace,
        properties={
            "run_id": result.run_id,
            "dt": result.dt,
            "shard": shard_name,
            "outcome": result.outcome,
            "reason": result.reason,
            "resume_after": result.resume_after.isoformat() if result.resume_after else None,
            "request_id": request_id,
            # Searchable in Logs Insights, not metrics: each metric costs $0.30 a month.
            "budget_used": result.budget_used,
            "parts_written": len(result.part_keys),
            "entities_fetched": result.entities_fetched,
            "items_skipped": len(result.skipped),
        },
    )

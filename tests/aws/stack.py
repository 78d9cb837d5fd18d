"""The deployed stack, rebuilt on a moto server from infra/template.yaml for handler tests.

Bucket names, queue and secret wiring and the functions' environment variables are read
from the template (Globals merged with each function's own), so a test exercises what
`sam deploy` would configure. The raw bucket's notification goes to an SQS queue standing in
for the transform function: tests read moto's real S3 event payloads from it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, Simulator
from spotify_etl.spotify import SecretsManagerTokenStore
from tests.aws import cfn
from tests.support.pkce import SCOPES, authorise


@dataclass
class LambdaTestContext:
    """The two members of Lambda's context object the handlers use."""

    aws_request_id: str = field(default_factory=lambda: secrets.token_hex(8))
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Stack:
    raw_bucket: str
    transformed_bucket: str
    config_key: str
    app_secret_arn: str
    token_secret_id: str  # created by `auth login`, not by the stack
    shard_queue_url: str
    raw_events_url: str  # stands in for the transform function's S3 trigger
    env: dict[str, dict[str, str]]  # function logical id -> environment

    def drain_raw_events(self) -> list[dict[str, Any]]:
        """S3 notification payloads for the raw bucket, as the transform function gets them."""
        return _drain(self.raw_events_url)

    def drain_shards(self) -> list[dict[str, Any]]:
        """SQS records (Lambda's shape) of the shard queue, as the extract function gets them."""
        sqs = boto3.client("sqs")
        records: list[dict[str, Any]] = []
        while True:
            reply = sqs.receive_message(QueueUrl=self.shard_queue_url, MaxNumberOfMessages=10)
            if not reply.get("Messages"):
                return records
            for m in reply["Messages"]:
                records.append(
                    {"messageId": m["MessageId"], "eventSource": "aws:sqs", "body": m["Body"]}
                )
                sqs.delete_message(QueueUrl=self.shard_queue_url, ReceiptHandle=m["ReceiptHandle"])

    def put_config(self, toml: str) -> None:
        boto3.client("s3").put_object(
            Bucket=self.raw_bucket, Key=self.config_key, Body=toml.encode()
        )

    def use(self, monkeypatch: pytest.MonkeyPatch, function: str, **overrides: str) -> None:
        for name, value in {**self.env[function], **overrides}.items():
            monkeypatch.setenv(name, value)


def _drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        if not reply.get("Messages"):
            return bodies
        for m in reply["Messages"]:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def _function_env(template: dict[str, Any], function: str) -> dict[str, Any]:
    merged = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    own = template["Resources"][function]["Properties"].get("Environment", {})
    merged.update(own.get("Variables", {}))
    return merged


def build_stack() -> Stack:
    """Create what the template creates (the parts the handlers touch) on the moto server."""
    template = cfn.load()
    s3, sqs, sm = boto3.client("s3"), boto3.client("sqs"), boto3.client("secretsmanager")
    params = cfn.parameters(template)
    raw = cfn.resolve(template["Resources"]["RawBucket"]["Properties"]["BucketName"], params, {})
    out = cfn.resolve(
        template["Resources"]["TransformedBucket"]["Properties"]["BucketName"], params, {}
    )
    s3.create_bucket(Bucket=raw)
    s3.put_bucket_versioning(Bucket=raw, VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket=out)
    # Versioned here (not in the template) so a test can count every write, duplicates too.
    s3.put_bucket_versioning(Bucket=out, VersioningConfiguration={"Status": "Enabled"})

    shard_url = sqs.create_queue(QueueName=f"{params['ProjectName']}-extract-shards")["QueueUrl"]
    events_url = sqs.create_queue(QueueName="raw-created-events")["QueueUrl"]
    events_arn = sqs.get_queue_attributes(QueueUrl=events_url, AttributeNames=["QueueArn"])
    trigger = template["Resources"]["TransformFunction"]["Properties"]["Events"]["RawCreated"]
    rules = trigger["Properties"]["Filter"]["S3Key"]["Rules"]
    s3.put_bucket_notification_configuration(
        Bucket=raw,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": events_arn["Attributes"]["QueueArn"],
                    "Events": cfn.as_list(trigger["Properties"]["Events"]),
                    "Filter": {"Key": {"FilterRules": rules}},
                }
            ]
        },
    )
    app = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
    app_arn = sm.create_secret(
        Name=f"{params['ProjectName']}/spotify-app", SecretString=json.dumps(app)
    )
    refs = {"SpotifyAppSecret": app_arn["ARN"], "ShardQueue": shard_url}
    env = {
        fn: {
            k: str(v)
            for k, v in cfn.resolve(_function_env(template, fn), {**params, **refs}, {}).items()
        }
        for fn in ("ExtractFunction", "TransformFunction")
    }
    stack = Stack(
        raw_bucket=raw,
        transformed_bucket=out,
        config_key=params["ConfigKey"],
        app_secret_arn=app_arn["ARN"],
        token_secret_id=env["ExtractFunction"]["SPOTIFY_ETL_TOKEN_SECRET_ID"],
        shard_queue_url=shard_url,
        raw_events_url=events_url,
        env=env,
    )
    stack.drain_raw_events()  # the s3:TestEvent from configuring the notification
    return stack


def login_into_secret(sim: Simulator, secret_id: str) -> str:
    """`spotify-etl auth login` with token_secret_id set: PKCE, token saved to the secret."""
    token = authorise(sim, DEMO_CLIENT_ID, SCOPES)
    SecretsManagerTokenStore(secret_id).save(token)
    return token.refresh_token


def pipeline_toml(sim: Simulator, sources: str, extract: str = "") -> str:
    return f"""
[spotify]
api_base = "{sim.base_url}"
requests_in_flight = 4
[extract]
{extract}
[sources]
{sources}
"""

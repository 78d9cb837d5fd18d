"""infra/template.yaml: cfn-lint, least-privilege IAM, no cycle, the issue's checklist."""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.api import lint  # type: ignore[import-untyped]
from cfnlint.config import ManualArgs  # type: ignore[import-untyped]

from spotify_etl.aws import metrics
from tests.aws import cfn


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return cfn.load()


def _lint(text: str, regions: tuple[str, ...] = ("us-east-1",)) -> list[str]:
    return [str(m) for m in lint(text, config=ManualArgs(regions=list(regions)))]


def test_cfn_lint_passes_with_the_sam_transform() -> None:
    assert _lint(cfn.TEMPLATE.read_text(), ("us-east-1", "eu-west-1", "ap-southeast-2")) == []


def test_cfn_lint_does_check_the_sam_resources() -> None:
    text = cfn.TEMPLATE.read_text()
    assert any("python2.7" in m for m in _lint(text.replace("python3.12", "python2.7")))
    typo = text.replace("ReservedConcurrentExecutions:", "ReservedConcurency:")
    assert any("ReservedConcurency" in m for m in _lint(typo))


def test_no_iam_statement_grants_every_action_or_resource(template: dict[str, Any]) -> None:
    documents = dict(cfn.policy_documents(template))
    assert {"ExtractRole/extract", "TransformRole/transform", "SnowflakeRole/read-transformed"} <= (
        set(documents)
    )
    violations = {name: cfn.wildcard_violations(doc) for name, doc in documents.items()}
    assert {name: v for name, v in violations.items() if v} == {}


def test_the_iam_check_catches_wildcards() -> None:
    doc = {
        "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "B", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
            {"Sid": "C", "Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"},
            {"Sid": "D", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"},
            {"Sid": "E", "Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"},
            {"Sid": "F", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        ]
    }
    assert [v.split(":")[0] for v in cfn.wildcard_violations(doc)] == ["A", "B", "C", "D"]


def test_sam_generates_no_roles_or_managed_policies(template: dict[str, Any]) -> None:
    # With an explicit Role, SAM attaches nothing (its defaults use Resource "*").
    functions = {
        n: r for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
    }
    assert set(functions) == {"ExtractFunction", "TransformFunction", "ReportFunction"}
    for resource in functions.values():
        assert "Role" in resource["Properties"] and "Policies" not in resource["Properties"]
    assert "Policies" not in template["Globals"]["Function"]
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Role":
            assert "ManagedPolicyArns" not in resource["Properties"]


def test_no_dependency_cycle_even_after_the_sam_s3_event(template: dict[str, Any]) -> None:
    graph = cfn.dependency_graph(template)
    assert "TransformFunction" in graph["RawBucket"]
    assert cfn.find_cycle(graph) is None


def test_the_cycle_check_catches_a_policy_that_refs_the_triggering_bucket() -> None:
    text = cfn.TEMPLATE.read_text()
    bucket = "${ProjectName}-raw-${AWS::AccountId}-${AWS::Region}"
    scoped = f"Resource: !Sub arn:${{AWS::Partition}}:s3:::{bucket}/raw/*"
    assert scoped in text
    broken = cfn.load(text.replace(scoped, "Resource: !Sub ${RawBucket.Arn}/raw/*"))
    cycle = cfn.find_cycle(cfn.dependency_graph(broken))
    assert cycle is not None and "RawBucket" in cycle


def _props(template: dict[str, Any], name: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][name]["Properties"]
    return props


def test_buckets_are_private_encrypted_and_raw_is_versioned_with_lifecycle(
    template: dict[str, Any],
) -> None:
    for name in ("RawBucket", "TransformedBucket"):
        props = _props(template, name)
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert len(props["PublicAccessBlockConfiguration"]) == 4
        [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert template["Resources"][name]["DeletionPolicy"] == "Retain"
    raw = _props(template, "RawBucket")
    assert raw["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r["Id"]: r for r in raw["LifecycleConfiguration"]["Rules"]}
    assert rules["raw-tiering-and-expiry"]["ExpirationInDays"] == {"Ref": "RawExpirationDays"}
    assert rules["noncurrent-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}


def test_functions_runtime_sizing_concurrency_and_dead_letters(template: dict[str, Any]) -> None:
    glob = template["Globals"]["Function"]
    assert glob["Runtime"] == "python3.12" and glob["Architectures"] == ["arm64"]
    extract, transform = _props(template, "ExtractFunction"), _props(template, "TransformFunction")
    assert extract["Handler"] == "spotify_etl.aws.extract_handler.handler"
    assert transform["Handler"] == "spotify_etl.aws.transform_handler.handler"
    assert extract["ReservedConcurrentExecutions"] == {"Ref": "ExtractReservedConcurrency"}
    assert extract["Timeout"] <= 900 and transform["Timeout"] <= 900
    for props, dlq in ((extract, "ExtractDLQ"), (transform, "TransformDLQ")):
        assert props["DeadLetterQueue"]["TargetArn"] == {"Fn::GetAtt": [dlq, "Arn"]}
    daily = extract["Events"]["Daily"]
    assert daily["Type"] == "Schedule"
    assert daily["Properties"]["Schedule"] == {"Ref": "ScheduleExpression"}
    assert extract["Events"]["Shards"]["Properties"]["BatchSize"] == 1
    redrive = _props(template, "ShardQueue")["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ShardDLQ", "Arn"]}
    assert _props(template, "ShardQueue")["VisibilityTimeout"] >= 6 * extract["Timeout"]


def test_alarms_cover_errors_dead_letters_and_quota_stops(template: dict[str, Any]) -> None:
    alarms = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    watched = {
        (a["Namespace"], a["MetricName"], cfn.references(a["Dimensions"]).pop())
        for a in alarms
        if cfn.references(a["Dimensions"])
    }
    assert ("AWS/Lambda", "Errors", "ExtractFunction") in watched
    assert ("AWS/Lambda", "Errors", "TransformFunction") in watched
    for dlq in ("ExtractDLQ", "ShardDLQ", "TransformDLQ"):
        assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq) in watched
    custom = {
        (a["MetricName"], a["Dimensions"][0]["Value"])
        for a in alarms
        if a["Namespace"] == metrics.NAMESPACE
    }
    assert custom == {(metrics.QUOTA_STOPS, "extract"), (metrics.UNREADABLE_OBJECTS, "transform")}
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)


def test_snowflake_role_trusts_the_integration_user_with_the_external_id(
    template: dict[str, Any],
) -> None:
    role = _props(template, "SnowflakeRole")
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    params = {
        "SnowflakeIamUserArn": "arn:aws:iam::999999999999:user/abc-s",
        "SnowflakeExternalId": "MYACCOUNT_SFCRole=2_abc=",
        "AWS::Partition": "aws",
        "AWS::AccountId": "123456789012",
    }
    resolved = cfn.resolve(trust, params, {"HasSnowflake": True})
    assert resolved["Principal"] == {"AWS": "arn:aws:iam::999999999999:user/abc-s"}
    assert resolved["Condition"] == {"StringEquals": {"sts:ExternalId": "MYACCOUNT_SFCRole=2_abc="}}
    placeholder = cfn.resolve(trust, params, {"HasSnowflake": False})
    assert placeholder["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    [policy] = role["Policies"]
    actions = {a for s in policy["PolicyDocument"]["Statement"] for a in cfn.as_list(s["Action"])}
    assert actions == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:GetBucketLocation",
    }


def test_outputs_hold_what_the_snowflake_setup_needs(template: dict[str, Any]) -> None:
    assert {
        "SnowflakeRoleArn",
        "SnowflakeStageUrl",
        "TransformedBucketName",
        "RawBucketName",
        "SpotifyAppSecretArn",
        "SpotifyTokenSecretName",
        "ConfigLocation",
        "AlarmTopicArn",
    } <= set(template["Outputs"])


def test_listen_is_the_extract_function_on_a_rate_schedule_parameter(
    template: dict[str, Any],
) -> None:
    listen = _props(template, "ExtractFunction")["Events"]["Listen"]
    assert listen["Type"] == "Schedule"
    assert listen["Properties"]["Input"] == '{"listen": true}'
    assert listen["Properties"]["Schedule"]["Fn::If"][:2] == [
        "HasListen",
        {"Ref": "ListenSchedule"},
    ]
    assert template["Parameters"]["ListenSchedule"]["Default"] == "rate(20 minutes)"

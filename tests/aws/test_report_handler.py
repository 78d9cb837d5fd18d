"""The optional daily report on AWS: off by default in the template; when enabled, the Lambda
writes the page to a bucket that is private by every S3 control (moto server)."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from spotify_etl.aws import report_handler
from spotify_etl.errors import ConfigError
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from tests.aws import cfn
from tests.aws.stack import LambdaTestContext, Stack, _function_env
from tests.warehouse.dataset import write_dataset

REPORT_RESOURCES = (
    "ReportBucket",
    "ReportBucketPolicy",
    "ReportLogGroup",
    "ReportRole",
    "ReportFunction",
)


def test_the_daily_report_is_off_by_default_and_all_of_it_is_conditional() -> None:
    template = cfn.load()
    assert template["Parameters"]["DailyReport"]["Default"] == "Disabled"
    assert template["Conditions"]["HasDailyReport"] == {
        "Fn::Equals": [{"Ref": "DailyReport"}, "Enabled"]
    }
    for name in REPORT_RESOURCES:
        assert template["Resources"][name]["Condition"] == "HasDailyReport", name
    props = template["Resources"]["ReportBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [statement] = template["Resources"]["ReportBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert statement["Effect"] == "Deny"  # the only statement naming everyone denies


def _report_bucket(template: dict[str, Any], params: dict[str, str]) -> str:
    """The report bucket as the template declares it, created on the moto server."""
    s3 = boto3.client("s3")
    props = cfn.resolve(template["Resources"]["ReportBucket"]["Properties"], params, {})
    bucket = props["BucketName"]
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
    )
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
    policy = template["Resources"]["ReportBucketPolicy"]["Properties"]["PolicyDocument"]
    arn = f"arn:aws:s3:::{bucket}"
    refs = {**params, "ReportBucket.Arn": arn}
    doc = cfn.resolve(
        json.loads(
            json.dumps(policy).replace('{"Fn::GetAtt": ["ReportBucket", "Arn"]}', f'"{arn}"')
        ),
        refs,
        {},
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc))
    return str(bucket)


def test_the_report_lambda_writes_a_private_report(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "transformed"
    root.mkdir()
    write_dataset(root)
    wh_path = tmp_path / "warehouse.duckdb"
    wh = open_warehouse(f"duckdb:///{wh_path}")
    assert load_pending(LocalStore(root), wh).exit_code == 0
    wh.close()
    stack.put_config(f'[warehouse]\nurl = "duckdb:///{wh_path}"\n')
    template = cfn.load()
    params = cfn.parameters(template, DailyReport="Enabled")
    bucket = _report_bucket(template, params)
    env = cfn.resolve(_function_env(template, "ReportFunction"), params, {})
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))

    # The moto server here speaks plain HTTP, so the TLS-only policy refuses every write:
    # that is the policy working; it is lifted for the handler's run.
    s3 = boto3.client("s3")
    with pytest.raises(s3.exceptions.ClientError, match="Forbidden"):
        s3.put_object(Bucket=bucket, Key="reports/x.html", Body=b"x")
    s3.delete_bucket_policy(Bucket=bucket)

    reply = report_handler.handler({"source": "aws.events"}, LambdaTestContext())

    assert reply["status"] == "written"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys[-1] == "reports/latest.html" and keys[0].startswith("reports/dt=")
    assert keys[0].endswith("/report.html") and len(keys) == 2
    obj = s3.get_object(Bucket=bucket, Key="reports/latest.html")
    assert obj["ContentType"] == "text/html; charset=utf-8"
    assert obj["ServerSideEncryption"] == "AES256"
    assert b'id="report-specs"' in obj["Body"].read()
    grants = s3.get_object_acl(Bucket=bucket, Key="reports/latest.html")["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner only, no group
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4


def test_a_snowflake_warehouse_logs_in_with_the_templates_secret(
    moto_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The function's environment names `<ProjectName>/snowflake`; its user and password are
    what the report logs in with, and without the variable a snowflake:// URL is refused."""
    url = "snowflake://acct/SPOTIFY_ETL/MODEL?warehouse=WH"
    assert report_handler._secrets("duckdb:///tmp/w.duckdb") is None  # DuckDB needs none
    monkeypatch.delenv("SPOTIFY_ETL_SNOWFLAKE_SECRET_ID", raising=False)
    with pytest.raises(ConfigError, match="SPOTIFY_ETL_SNOWFLAKE_SECRET_ID"):
        report_handler._secrets(url)
    template = cfn.load()
    env = cfn.resolve(_function_env(template, "ReportFunction"), cfn.parameters(template), {})
    secret_id = str(env["SPOTIFY_ETL_SNOWFLAKE_SECRET_ID"])
    arn = boto3.client("secretsmanager").create_secret(
        Name=secret_id, SecretString=json.dumps({"user": "reporter", "password": "pw-1"})
    )["ARN"]
    # The function's role may read that secret (its ARN ends in a random suffix).
    statements = template["Resources"]["ReportRole"]["Properties"]["Policies"][0]["PolicyDocument"][
        "Statement"
    ]
    [raw] = [st for st in statements if st["Action"] == "secretsmanager:GetSecretValue"]
    allowed = cfn.resolve(raw["Resource"], cfn.parameters(template), {})
    assert fnmatch.fnmatchcase(arn, allowed), (arn, allowed)
    monkeypatch.setenv("SPOTIFY_ETL_SNOWFLAKE_SECRET_ID", secret_id)
    secrets = report_handler._secrets(url)
    assert secrets is not None and secrets.snowflake_user == "reporter"
    assert secrets.snowflake_password is not None
    assert secrets.snowflake_password.get_secret_value() == "pw-1"

"""A real moto server on 127.0.0.1 for tests that need S3, SQS, Secrets Manager or DynamoDB.

    with moto_server() as endpoint:            # plain context manager, any test or benchmark
        boto3.client("s3", endpoint_url=endpoint)

In a conftest.py, import the fixtures (importing them into a test module trips ruff F811):

    from tests.support.moto_server import moto_endpoint, moto_env
    __all__ = ["moto_endpoint", "moto_env"]

`moto_endpoint` (session scope) is the server's URL. `moto_env` (function scope) resets the
server's state, points every boto3 client at it through the standard AWS_ENDPOINT_URL variable
(and SPOTIFY_ETL_S3_ENDPOINT_URL, which storage.S3Store reads), sets dummy credentials and a
region, and isolates the test from the developer's ~/.aws files.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """Start a moto server on a free loopback port; yield its endpoint URL; stop it."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset_moto(endpoint: str) -> None:
    """Forget every bucket, queue, secret and table (moto's state is process-wide)."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        reply.read()


def aws_test_env(monkeypatch: pytest.MonkeyPatch, endpoint: str, tmp: Path) -> None:
    """Point boto3 at `endpoint` with dummy credentials; ignore any real AWS configuration."""
    missing = tmp / "no-aws-config"
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "SPOTIFY_ETL_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(missing),
        "AWS_SHARED_CREDENTIALS_FILE": str(missing),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def moto_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    reset_moto(moto_endpoint)
    aws_test_env(monkeypatch, moto_endpoint, tmp_path)
    yield moto_endpoint

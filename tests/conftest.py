from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_real_cloud_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never reach AWS, Spotify or Snowflake: keep a developer's real credentials out.
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Simulator,
    SimulatorConfig,
    running_simulator,
)

REDIRECT = "http://127.0.0.1:8765/callback"
ALL_READ_SCOPES = (
    "playlist-read-private playlist-read-collaborative user-library-read "
    "user-read-recently-played user-top-read"
)


def app_token(sim: Simulator) -> str:
    reply = httpx.post(
        sim.token_url,
        data={"grant_type": "client_credentials"},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def pkce_login(sim: Simulator, scope: str = ALL_READ_SCOPES) -> dict[str, str]:
    """The Authorization Code + PKCE flow as a public client does it; returns the token reply."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    reply = httpx.get(
        sim.authorize_url,
        params={
            "client_id": DEMO_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "state": "xyz",
            "scope": scope,
            "code_challenge_method": "S256",
            "code_challenge": challenge.rstrip(b"=").decode(),
        },
    )
    assert reply.status_code == 302, reply.text
    query = parse_qs(urlsplit(reply.headers["location"]).query)
    assert query["state"] == ["xyz"]
    token = httpx.post(
        sim.token_url,
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": DEMO_CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    return dict(token.json())


class Api:
    """A bare client: the tests judge the simulator, so they use no project client code."""

    def __init__(self, sim: Simulator, token: str) -> None:
        self.sim = sim
        self.http = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def get(self, path: str, **params: object) -> httpx.Response:
        url = path if path.startswith("http") else self.sim.api_base + path
        return self.http.get(url, params=params or None)  # type: ignore[arg-type]

    def ok(self, path: str, **params: object) -> dict:  # type: ignore[type-arg]
        reply = self.get(path, **params)
        assert reply.status_code == 200, (path, reply.status_code, reply.text)
        return reply.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def dev_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="development", scale=5_000)) as sim:
        yield sim


@pytest.fixture(scope="module")
def ext_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="extended", scale=5_000)) as sim:
        yield sim


@pytest.fixture(scope="module")
def dev_api(dev_sim: Simulator) -> Api:
    return Api(dev_sim, app_token(dev_sim))


@pytest.fixture(scope="module")
def dev_user_api(dev_sim: Simulator) -> Api:
    return Api(dev_sim, pkce_login(dev_sim)["access_token"])


@pytest.fixture(scope="module")
def ext_api(ext_sim: Simulator) -> Api:
    return Api(ext_sim, app_token(ext_sim))

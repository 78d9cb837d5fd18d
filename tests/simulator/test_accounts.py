"""The accounts service: client credentials, authorization code with PKCE, refresh, errors."""

from __future__ import annotations

import httpx
import pytest

from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Simulator,
    SimulatorConfig,
    running_simulator,
)
from spotify_etl.simulator.accounts import redirect_uri_problem

from .conftest import REDIRECT, Api, pkce_login


def test_client_credentials_by_basic_header_or_form(dev_sim: Simulator) -> None:
    basic = httpx.post(
        dev_sim.token_url,
        data={"grant_type": "client_credentials"},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    ).json()
    assert basic["token_type"] == "Bearer" and basic["expires_in"] == 3600
    assert "refresh_token" not in basic
    form = httpx.post(
        dev_sim.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert form.status_code == 200


@pytest.mark.parametrize(
    ("data", "auth", "error"),
    [
        ({"grant_type": "client_credentials"}, (DEMO_CLIENT_ID, "wrong"), "invalid_client"),
        ({"grant_type": "client_credentials"}, ("someone-else", "x"), "invalid_client"),
        ({"grant_type": "client_credentials"}, None, "invalid_client"),
        ({}, (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), "unsupported_grant_type"),
        (
            {"grant_type": "password"},
            (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            "unsupported_grant_type",
        ),
        (
            {"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT},
            (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
            "invalid_grant",
        ),
        (
            {"grant_type": "refresh_token", "refresh_token": "nope", "client_id": DEMO_CLIENT_ID},
            None,
            "invalid_grant",
        ),
    ],
)
def test_token_errors_are_400_with_oauth_bodies(
    dev_sim: Simulator, data: dict[str, str], auth: tuple[str, str] | None, error: str
) -> None:
    reply = httpx.post(dev_sim.token_url, data=data, auth=auth)
    assert reply.status_code == 400
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]
    assert DEMO_CLIENT_SECRET not in reply.text


def test_pkce_flow_gives_a_user_token_and_rotating_refresh_tokens(dev_sim: Simulator) -> None:
    first = pkce_login(dev_sim, scope="user-read-private playlist-read-private")
    assert first["scope"] == "user-read-private playlist-read-private"
    me = Api(dev_sim, first["access_token"]).ok("/me")
    assert me["id"] == dev_sim.catalog.me_user_id
    refresh = {"grant_type": "refresh_token", "client_id": DEMO_CLIENT_ID}
    second = httpx.post(
        dev_sim.token_url, data={**refresh, "refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    rotated = second.json()["refresh_token"]
    assert rotated != first["refresh_token"]
    reused = httpx.post(
        dev_sim.token_url, data={**refresh, "refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    third = httpx.post(dev_sim.token_url, data={**refresh, "refresh_token": rotated})
    assert third.status_code == 200
    assert Api(dev_sim, third.json()["access_token"]).ok("/me")["id"] == dev_sim.catalog.me_user_id


def test_pkce_exchange_checks_the_verifier(dev_sim: Simulator) -> None:
    reply = httpx.get(
        dev_sim.authorize_url,
        params={
            "client_id": DEMO_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "code_challenge_method": "S256",
            "code_challenge": "A" * 43,
        },
    )
    code = httpx.URL(reply.headers["location"]).params["code"]
    exchange = httpx.post(
        dev_sim.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": DEMO_CLIENT_ID,
            "code_verifier": "not-the-verifier",
        },
    )
    assert exchange.status_code == 400 and exchange.json()["error"] == "invalid_grant"


def test_authorize_refuses_what_spotify_refuses(dev_sim: Simulator) -> None:
    base = {"client_id": DEMO_CLIENT_ID, "response_type": "code"}
    refused = ("http://localhost:8888/cb", "http://example.com/cb", "https://localhost/cb")
    for uri in (*refused, "http://[::1:8888/cb"):
        reply = httpx.get(dev_sim.authorize_url, params={**base, "redirect_uri": uri})
        assert reply.status_code == 400, uri
        assert "INVALID_CLIENT" in reply.text
    wrong_client = httpx.get(
        dev_sim.authorize_url, params={**base, "client_id": "x", "redirect_uri": REDIRECT}
    )
    assert wrong_client.status_code == 400
    bad_type = httpx.get(
        dev_sim.authorize_url, params={**base, "response_type": "token", "redirect_uri": REDIRECT}
    )
    assert bad_type.status_code == 302
    assert httpx.URL(bad_type.headers["location"]).params["error"] == "unsupported_response_type"


@pytest.mark.parametrize(
    ("uri", "accepted"),
    [
        ("https://example.com/callback", True),
        ("http://127.0.0.1:8080/callback", True),
        ("http://[::1]:8080/callback", True),
        ("http://localhost:8080/callback", False),
        ("http://192.168.1.5/callback", False),
        ("not a uri", False),
        ("http://[::1:8080/callback", False),  # urlsplit raises on it: a 400, never a 500
    ],
)
def test_redirect_uri_rules(uri: str, accepted: bool) -> None:
    assert (redirect_uri_problem(uri) is None) is accepted


def test_app_token_cannot_read_me(dev_api: Api) -> None:
    assert dev_api.get("/me").status_code == 401


def test_library_endpoints_need_their_scopes(dev_sim: Simulator) -> None:
    narrow = Api(dev_sim, pkce_login(dev_sim, scope="user-read-private")["access_token"])
    for path in ("/me/tracks", "/me/player/recently-played", "/me/top/artists"):
        reply = narrow.get(path)
        assert reply.status_code == 403, path
        assert reply.json()["error"]["message"] == "Insufficient client scope"
    public_only = narrow.ok("/me/playlists", limit=50)["items"]
    everything = Api(dev_sim, pkce_login(dev_sim)["access_token"]).ok("/me/playlists", limit=50)
    assert all(p["public"] for p in public_only)
    assert len(everything["items"]) > len(public_only)
    assert narrow.ok("/me")["id"] == dev_sim.catalog.me_user_id


def _code(sim: Simulator, **extra: str) -> str:
    reply = httpx.get(
        sim.authorize_url,
        params={
            "client_id": DEMO_CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            **extra,
        },
    )
    return str(httpx.URL(reply.headers["location"]).params["code"])


def test_confidential_client_keeps_its_refresh_token(dev_sim: Simulator) -> None:
    auth = (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    form = {"grant_type": "authorization_code", "code": _code(dev_sim), "redirect_uri": REDIRECT}
    first = httpx.post(dev_sim.token_url, data=form, auth=auth).json()
    again = httpx.post(dev_sim.token_url, data=form, auth=auth)  # codes are single-use
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    for _ in range(2):
        reply = httpx.post(dev_sim.token_url, data=refresh, auth=auth).json()
        assert "refresh_token" not in reply and reply["access_token"]
    without_secret = httpx.post(dev_sim.token_url, data={**refresh, "client_id": DEMO_CLIENT_ID})
    assert without_secret.json()["error"] == "invalid_client"


def test_refresh_tokens_die_six_months_after_authorisation() -> None:
    with running_simulator(SimulatorConfig(scale=500)) as sim:
        token = pkce_login(sim)["refresh_token"]
        sim.set_day(183)
        reply = httpx.post(
            sim.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": DEMO_CLIENT_ID,
            },
        )
        assert reply.status_code == 400 and reply.json()["error"] == "invalid_grant"

"""The bearer token as an httpx auth flow: attach it, and on a 401 renew it once and retry once.

docs/spotify-api.md, "Errors, rate limit and quota": the Web API answers an expired or invalid
access token with 401 and `{"error": {"status": 401, "message": ...}}`; the fix is to refresh
once and retry once. A token only seconds old that expired on the way (a short lifetime, a slow
queue) is not refused: when the 401's body says it expired, it may be renewed again while the
request has attempts to spare. A 401 the flow does not retry goes back to the session, which
raises AuthError.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import httpx

from spotify_etl.spotify.auth import Authenticator
from spotify_etl.spotify.retry import error_details

# The Web API's message for a token past its lifetime, per docs/spotify-api.md
# "Errors, rate limit and quota"; an invalid token says "Invalid access token".
EXPIRED_MESSAGE = "The access token expired"


def token_expired(reply: httpx.Response) -> bool:
    """Whether a 401 says the token expired (rather than that it is invalid)."""
    try:
        body: Any = reply.json()
    except ValueError:  # no JSON body at all: nothing says it merely expired
        return False
    message, _ = error_details(body)
    return message.strip().rstrip(".") == EXPIRED_MESSAGE


class BearerAuth(httpx.Auth):
    """One Web API call's token (app or user), renewed on a 401 as the module says.

    Built per call: `renewed` spans the call's attempts, so a 401 after a 5xx retry does not
    earn a second free renewal. `spare()` asks the call's retry budget for one more attempt
    (and spends it) before an expired token is renewed again.
    """

    requires_response_body = True  # the 401's body says whether the token expired

    def __init__(self, tokens: Authenticator, *, user: bool, spare: Callable[[], bool]) -> None:
        self._tokens = tokens
        self._user = user
        self._spare = spare
        self.renewed = False

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._attach(request)
        reply = yield request
        while reply.status_code == 401 and self._renew(reply):
            self._tokens.invalidate(token)
            # A new request, not the sent one changed: what was sent stays as it was sent.
            request = httpx.Request(
                request.method,
                request.url,
                headers=request.headers,
                extensions=dict(request.extensions),
            )
            token = self._attach(request)
            reply = yield request

    def _attach(self, request: httpx.Request) -> str:
        token = self._tokens.token(user=self._user)
        request.headers["Authorization"] = f"Bearer {token}"
        return token

    def _renew(self, reply: httpx.Response) -> bool:
        if self.renewed and not (token_expired(reply) and self._spare()):
            return False
        self.renewed = True
        return True

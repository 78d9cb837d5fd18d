"""Endpoints: what a call requests, and the template its stats, budget and quota bucket go by.

"albums/4aawyAB9vmqN3uQ7FjRGTy" is counted as "albums/{id}"; a `next` link as the template of
the list it continues.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spotify_etl.ids import ID_RE

_USER_SCOPED = ("users",)


@dataclass(frozen=True)
class Endpoint:
    """One call's endpoint: `template` names it (stats, budget, quota bucket), `path` is the
    path under the API base or the absolute URL (a `next` link) to request."""

    template: str  # e.g. "albums/{id}"
    path: str  # e.g. "albums/4aawyAB9vmqN3uQ7FjRGTy"

    @classmethod
    def at(cls, template: str, id: str | None = None) -> Endpoint:
        """The endpoint of `template`, with `id` in its `{id}` segment when it has one."""
        return cls(template, template if id is None else template.replace("{id}", id))

    @classmethod
    def of(cls, path_or_url: str, api_base: str) -> Endpoint:
        """The endpoint of a path or URL, its template read from it (`endpoint_of`)."""
        return cls(endpoint_of(path_or_url, api_base), path_or_url)

    def following(self, url: str) -> Endpoint:
        """The same endpoint at another URL: the next page of its list."""
        return replace(self, path=url)


def endpoint_of(path_or_url: str, api_base: str) -> str:
    """The path relative to the API base, without query, with each id segment as {id}."""
    path = path_or_url.split("?", 1)[0].split("#", 1)[0]
    base = api_base.rstrip("/")
    if path.startswith(base):
        path = path[len(base) :]
    elif "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
        path = path.removeprefix("v1/")
    segments = [s for s in path.strip("/").split("/") if s]
    out = []
    for index, segment in enumerate(segments):
        after_users = index > 0 and segments[index - 1] in _USER_SCOPED
        out.append("{id}" if ID_RE.fullmatch(segment) or after_users else segment)
    return "/".join(out)

"""The vendored chart runtime (Vega 6 + Vega-Lite 6), read once and checked byte for byte.

Why Vega-Lite: a chart is a small JSON spec with its data inline, so the Python side builds
plain dictionaries that tests can compare value by value; both runtimes together are about
780 KB minified, render to SVG (so a headless browser can count drawn marks), work offline,
and are maintained by the UW Interactive Data Lab under BSD-3-Clause. See vendor/README.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spotify_etl.errors import FatalError


@dataclass(frozen=True)
class Vendored:
    file: str
    package: str
    version: str
    sha256: str


RUNTIME: tuple[Vendored, ...] = (
    Vendored(
        "vega.min.js",
        "vega",
        "6.4.0",
        "8f6a3587cf8d4f42c7e08120e3eb05d067e746d554e39d2dcf52acc0bd5ba28f",
    ),
    Vendored(
        "vega-lite.min.js",
        "vega-lite",
        "6.5.0",
        "83e215e84e308ee8688fa6503ba0f1cf8a3c05c0d61df2841a0b92bf86809e00",
    ),
)

# The only URLs inside the vendored runtime. None is ever requested: three are XML namespace
# names (identifiers by definition), one is the Vega schema id, one sits in an error message.
RUNTIME_URLS = frozenset(
    {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/2000/xmlns/",
        "http://www.w3.org/1999/xlink",
        "https://vega.github.io/schema/vega/v6.json",
        "https://github.com/vega/vega-lite/issues/2415",
    }
)


@cache
def script(file: str) -> str:
    """One vendored file's text, after checking it is the pinned release."""
    entry = next((v for v in RUNTIME if v.file == file), None)
    if entry is None:
        raise FatalError(f"{file} is not a vendored runtime file")
    data = resources.files("spotify_etl.report").joinpath(f"vendor/{file}").read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise FatalError(
            f"vendored {file} is not {entry.package} {entry.version} as published",
            hint="restore it from the npm package (see report/vendor/README.md)",
        )
    return data.decode("utf-8")


def scripts() -> list[tuple[Vendored, str]]:
    return [(v, script(v.file)) for v in RUNTIME]

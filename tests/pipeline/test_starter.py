"""The starter config's examples can be uncommented as they stand."""

from __future__ import annotations

import re

import pytest

from spotify_etl.config import parse_config
from spotify_etl.pipeline.cli import starter_config

# A commented-out setting or table header, as opposed to a comment in prose.
SETTING = re.compile(r"^# (\[\[?[a-z_.]+\]\]?|[a-z_]+ = .+)$")


def uncomment(text: str, keep: set[int] | None = None) -> str:
    lines = text.splitlines()
    return "\n".join(
        line[2:] if SETTING.match(line) and (keep is None or i in keep) else line
        for i, line in enumerate(lines)
    )


def _example_blocks(text: str) -> list[set[int]]:
    """Runs of consecutive commented settings: each one example."""
    blocks: list[set[int]] = []
    current: set[int] = set()
    for i, line in enumerate(text.splitlines()):
        if SETTING.match(line):
            current.add(i)
        elif current:
            blocks.append(current)
            current = set()
    return [*blocks, current] if current else blocks


def test_every_example_uncommented_at_once_is_a_valid_config() -> None:
    config = parse_config(uncomment(starter_config()))
    assert [a.id for a in config.sources.artists] == ["0TnOYISbd1XYRBk9myaseg"]
    assert [s.q for s in config.sources.searches] == ["midnight year:2020-2026"]
    assert config.sources.artists[0].include_groups == ["album", "single"]
    assert config.spotify.market == "US" and config.transform.workers == 2


@pytest.mark.parametrize("block", range(len(_example_blocks(starter_config()))))
def test_each_example_uncommented_alone_is_a_valid_config(block: int) -> None:
    text = starter_config()
    parse_config(uncomment(text, _example_blocks(text)[block]))


def test_the_starter_as_written_parses() -> None:
    config = parse_config(starter_config())
    assert config.sources.artists == [] and config.sources.searches == []

from __future__ import annotations

from pathlib import Path

import pytest

from spotify_etl.config import load_config, parse_config
from spotify_etl.errors import ConfigError


def test_defaults_and_derived_bases() -> None:
    config = parse_config("")
    assert config.spotify.resolved_api_base() == "https://api.spotify.com/v1"
    assert config.spotify.resolved_accounts_base() == "https://accounts.spotify.com"
    sim = parse_config('[spotify]\napi_base = "http://127.0.0.1:5000"\n')
    assert sim.spotify.resolved_api_base() == "http://127.0.0.1:5000/v1"
    assert sim.spotify.resolved_accounts_base() == "http://127.0.0.1:5000"


def test_unknown_key_is_named() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'extract.budgett'"):
        parse_config("[extract]\nbudgett = 3\n")


def test_bad_value_is_named() -> None:
    with pytest.raises(ConfigError, match=r"'warehouse.url'"):
        parse_config('[warehouse]\nurl = "duckdbb:///x"\n')


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[extract\n")
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_relative_paths_resolve_against_config_dir(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[storage]\nraw = "lake"\ntransformed = "s3://b/t"\n')
    config = load_config(path)
    assert config.path(config.storage.raw) == str(tmp_path / "lake")
    assert config.path(config.storage.transformed) == "s3://b/t"
    artists = parse_config('[sources]\nartists = ["0TnOYISbd1XYRBk9myaseg"]\n').sources.artists
    assert artists[0].id == "0TnOYISbd1XYRBk9myaseg" and artists[0].discography


def test_a_budget_that_cannot_make_progress_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"'extract.budget'"):
        parse_config("[extract]\nbudget = 2\n")

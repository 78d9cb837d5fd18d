"""`simulator serve`'s options are SimulatorConfig's fields, with its defaults."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from typer.testing import CliRunner

from spotify_etl.simulator import cli
from spotify_etl.simulator.config import SimulatorConfig


def _options() -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(cli.serve_command).parameters)


def test_each_serve_option_defaults_to_the_simulator_config_field() -> None:
    defaults = SimulatorConfig()
    fields = {f.name for f in dataclasses.fields(SimulatorConfig)}
    checked = 0
    for name, param in _options().items():
        if name in cli.NOT_FIELDS:
            continue
        field = cli.RENAMED.get(name, name)
        assert field in fields, f"--{name} is neither a SimulatorConfig field nor in NOT_FIELDS"
        assert param.default == getattr(defaults, field), f"--{name}"
        checked += 1
    assert checked >= 18  # every knob of the config, not a handful


def test_serve_builds_the_config_from_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[SimulatorConfig, str, int]] = []
    from spotify_etl.simulator import server

    def fake_serve(config: SimulatorConfig, host: str, port: int) -> None:
        seen.append((config, host, port))

    monkeypatch.setattr(server, "serve", fake_serve)
    args = ["serve", "--seed", "7", "--quota-window", "60", "--token-lifetime", "5"]
    args += ["--bucket-quota", "search=3", "--port", "9"]
    result = CliRunner().invoke(cli.simulator_app, args)
    assert result.exit_code == 0, result.output
    [(config, host, port)] = seen
    assert (host, port) == ("127.0.0.1", 9)
    expected = dataclasses.replace(
        SimulatorConfig(),
        seed=7,
        quota_window_s=60,
        token_lifetime_s=5,
        bucket_quota={"search": 3},
    )
    assert config == expected

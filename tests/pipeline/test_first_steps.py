"""The first five minutes: config found and said, checks that agree with `run`, flags anywhere,
`--version`, readable help, `status` on a fresh project, and no made-up values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from spotify_etl import cli, console
from spotify_etl.config import load_secrets, parse_config
from spotify_etl.pipeline.checks import preflight, validate

cli.register_commands()
SOURCES = '[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n'
CREDENTIALS = {"SPOTIFY_CLIENT_ID": "my-app", "SPOTIFY_CLIENT_SECRET": "my-secret"}


@pytest.fixture
def invoke(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> object:
    """`spotify-etl ARGS` in-process, in tmp_path, through main() (as the executable runs)."""
    monkeypatch.chdir(tmp_path)
    # The global flags set console.Mode for the process: undone after each test, so a
    # `--log-format json` here does not turn later tests' output into JSON.
    monkeypatch.setattr(console.Mode, "log_format", "plain")
    monkeypatch.setattr(console.Mode, "quiet", False)
    for name in ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_ETL_CONFIG"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            for key in env or {}:
                monkeypatch.delenv(key)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


Invoke = object


def test_run_reads_pipeline_toml_in_the_current_folder_and_says_so(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "pipeline.toml").write_text(SOURCES)
    code, _out, err = invoke("run")  # type: ignore[operator]
    assert code == 2
    assert "no sources configured" not in err  # it read the file's sources
    assert "SPOTIFY_CLIENT_ID" in err
    assert "config: pipeline.toml (from ./pipeline.toml in the current folder)" in err


def test_config_check_reads_pipeline_toml_and_names_its_unknown_key(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "pipeline.toml").write_text("[extract]\nbudjet = 10\n")
    code, out, err = invoke("config", "check")  # type: ignore[operator]
    assert code == 2 and "config OK" not in out
    assert "unknown key 'extract.budjet'" in err


def test_the_config_variable_is_used_and_dash_c_wins_over_it(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere.toml").write_text(SOURCES)
    (tmp_path / "named.toml").write_text("[extract]\nbudjet = 1\n")
    env = {"SPOTIFY_ETL_CONFIG": str(tmp_path / "elsewhere.toml"), **CREDENTIALS}
    code, out, err = invoke("config", "check", env=env)  # type: ignore[operator]
    assert code == 0, err
    assert (
        "config OK" in out
        and "0 playlists, 0 artists, 1 album, 0 tracks" in out
        and "from SPOTIFY_ETL_CONFIG" in err
    )
    code, _out, err = invoke("config", "check", "-c", "named.toml", env=env)  # type: ignore[operator]
    assert code == 2 and "extract.budjet" in err


def _error_lines(err: str) -> list[str]:
    return sorted(line for line in err.splitlines() if line.startswith("error: "))


@pytest.mark.parametrize(
    ("config", "env"),
    [
        ("", CREDENTIALS),  # no sources
        (SOURCES, {}),  # no credentials
        ('[sources]\nplaylists = ["https://open.spotify.com/track/nope"]\n', CREDENTIALS),
        ('[sources]\nplaylists = ["spotify:album:4aawyAB9vmqN3uQ7FjRGTy"]\n', {}),  # two errors
    ],
    ids=["no-sources", "no-credentials", "bad-source", "two-errors"],
)
def test_config_check_reports_exactly_the_errors_run_stops_on(
    invoke: Invoke, tmp_path: Path, config: str, env: dict[str, str]
) -> None:
    (tmp_path / "pipeline.toml").write_text(config)
    check = invoke("config", "check", env=env)  # type: ignore[operator]
    run = invoke("run", env=env)  # type: ignore[operator]
    assert check[0] == run[0] == 2
    assert _error_lines(check[2]) == _error_lines(run[2]) != []


def test_warnings_are_the_same_and_a_passing_check_means_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "my-app")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "my-secret")
    config = parse_config(
        f'[spotify]\ntoken_file = "{tmp_path / "t.json"}"\n'
        "[sources.library]\nsaved_tracks = true\n",
        base_dir=tmp_path,
    )
    found = validate(config, load_secrets())
    assert found.errors == [] and len(found.warnings) == 1
    assert "needs a user token" in found.warnings[0] and "auth login" in found.warnings[0]
    preflight(config, load_secrets())  # what run calls: no exit
    assert capsys.readouterr().err.strip() == f"warning: {found.warnings[0]}"


def test_global_flags_are_accepted_after_the_subcommand(invoke: Invoke) -> None:
    code, out, err = invoke("status", "-q")  # type: ignore[operator]
    assert code == 0, err
    code, out, err = invoke("status", "--log-format", "json")  # type: ignore[operator]
    assert code == 0, err
    assert json.loads(out)["summary"] == "status"
    code, out, err = invoke("status", "--log-format=json", "--verbose")  # type: ignore[operator]
    assert code == 0 and json.loads(out)["runs"] == []


def test_version(invoke: Invoke) -> None:
    from spotify_etl import __version__

    assert invoke("--version") == (0, f"spotify-etl {__version__}\n", "")  # type: ignore[operator]


def _all_commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        found.append((*path, name))
        found += _all_commands(command, (*path, name))
    return found


def test_help_shows_no_type_placeholders_on_flags_or_lists(invoke: Invoke) -> None:
    commands = _all_commands(typer.main.get_command(cli.app))
    assert ("schedule",) in commands and ("auth", "login") in commands
    for command in [(), *commands]:
        code, out, _err = invoke(*command, "--help")  # type: ignore[operator]
        assert code == 0
        assert "<bool>" not in out and "<list[" not in out, (command, out)


def test_transform_takes_dash_c(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text('[storage]\nraw = "nowhere"\n')
    code, _out, err = invoke("transform", "-c", "p.toml")  # type: ignore[operator]
    assert code == 2 and "raw folder not found" in err and str(tmp_path / "nowhere") in err


def test_status_on_a_fresh_project_says_no_runs_yet(invoke: Invoke, tmp_path: Path) -> None:
    code, out, err = invoke("status")  # type: ignore[operator]
    assert (code, err) == (0, "")
    assert out.startswith("no runs yet")
    assert not (tmp_path / "spotify-data").exists()  # status creates nothing


def test_status_does_not_cut_run_ids_when_piped(tmp_path: Path) -> None:
    run_id = "20261202T060000Z-0123abcd"
    manifest = tmp_path / "lake" / "raw" / "_runs" / "dt=2026-12-02" / f"run={run_id}"
    manifest.mkdir(parents=True)
    (manifest / "manifest.json").write_text(
        json.dumps({"run_id": run_id, "outcome": "complete", "budget": {"used": 5, "limit": 9}})
    )
    (tmp_path / "p.toml").write_text(f'[storage]\nraw = "{tmp_path / "lake"}"\n')
    piped = subprocess.run(
        [sys.executable, "-m", "spotify_etl", "status", "-c", "p.toml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "50", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    assert run_id in piped.stdout


def test_snowflake_ddl_without_arguments_prints_no_made_up_role_arn(invoke: Invoke) -> None:
    code, out, err = invoke("snowflake", "ddl")  # type: ignore[operator]
    assert code == 0
    assert "arn:aws:iam::" not in out and "<SnowflakeRoleArn" in out
    assert "--aws-role-arn" in err
    code, out, _err = invoke(  # type: ignore[operator]
        "snowflake", "ddl", "--aws-role-arn", "arn:aws:iam::111122223333:role/sf"
    )
    assert "STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::111122223333:role/sf'" in out


def test_query_has_a_row_limit_and_says_what_it_left_out(invoke: Invoke, tmp_path: Path) -> None:
    from spotify_etl.storage import LocalStore
    from spotify_etl.warehouse import load_pending, open_warehouse
    from tests.warehouse.dataset import write_dataset

    write_dataset(tmp_path / "t")
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    load_pending(LocalStore(tmp_path / "t"), wh)
    wh.close()
    args = ("query", "top_artists_by_songs", "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}")
    code, out, _ = invoke(*args, "--format", "csv")  # type: ignore[operator]
    total = len(out.strip().splitlines()) - 1
    code, out, err = invoke(*args, "--format", "csv", "--limit", "1")  # type: ignore[operator]
    assert code == 0 and len(out.strip().splitlines()) == 2  # header + one row
    assert f"1 of {total} rows shown" in err and total > 1


def test_query_under_json_log_format_prints_one_json_object_not_a_box_table(
    invoke: Invoke, tmp_path: Path
) -> None:
    from spotify_etl.storage import LocalStore
    from spotify_etl.warehouse import load_pending, open_warehouse
    from tests.warehouse.dataset import write_dataset

    write_dataset(tmp_path / "t")
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    load_pending(LocalStore(tmp_path / "t"), wh)
    wh.close()
    args = ("query", "top_artists_by_songs", "--warehouse", f"duckdb:///{tmp_path / 'w.duckdb'}")
    code, out, err = invoke(*args, "--limit", "1", "--log-format", "json")  # type: ignore[operator]
    assert code == 0, err
    assert "┃" not in out and "━" not in out and "│" not in out
    [line] = out.splitlines()
    printed = json.loads(line)
    assert printed["summary"] == "query" and printed["name"] == "top_artists_by_songs"
    assert len(printed["rows"]) == 1 and printed["total"] > 1 and "artist_id" in printed["columns"]
    code, out, _err = invoke(*args, "--format", "csv", "--log-format", "json")  # type: ignore[operator]
    assert code == 0 and out.startswith("artist_id")  # an explicit --format is kept


def test_the_demos_next_steps_for_your_own_pipeline_work_as_printed(
    invoke: Invoke, tmp_path: Path
) -> None:
    """The closing block of `make demo`, followed in a fresh folder: init, the one edit it
    names, the exports, then `config check` passes (and `schedule` prints its recipe). `run`
    itself would call real Spotify, so it is the one step not run here."""
    import re
    import shlex

    from spotify_etl.pipeline.demo import next_steps

    block = next_steps(Path("examples/demo.toml"))
    own = block[next(i for i, line in enumerate(block) if "spotify-etl init" in line) :]
    env: dict[str, str] = {}
    edit: tuple[int, str] | None = None
    ran = []
    for line in own:
        text = line.strip()
        if m := re.match(
            r"# edit pipeline\.toml line (\d+) \(under \[sources\]\), `(.*)`, to:", text
        ):
            edit = (int(m[1]), m[2])
        elif text.startswith("#   ") and edit is not None:
            path = tmp_path / "pipeline.toml"
            lines = path.read_text().splitlines()
            number, old = edit
            assert lines[number - 1] == old, lines[number - 1]
            lines[number - 1] = text.removeprefix("#   ")
            path.write_text("\n".join(lines) + "\n")
            edit = None
        elif text.startswith("export "):
            env.update(dict(a.split("=", 1) for a in shlex.split(text)[1:]))
        elif text.startswith("spotify-etl"):
            for command in text.split("#")[0].split("&&"):
                args = shlex.split(command)[1:]
                if args == ["run"]:
                    continue
                code, out, err = invoke(*args, env=env)  # type: ignore[operator]
                assert code == 0, (command, out, err)
                ran.append(args[0] if args[0] != "config" else " ".join(args))
    assert ran == ["init", "config check", "schedule"]
    assert edit is None  # every edit the block names was made

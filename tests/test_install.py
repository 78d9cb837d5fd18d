"""A plain `pip install spotify-etl` (no extras) runs the local pipeline, queries and report.

The pipeline runs in a child process where every package that only an extra brings (per
pyproject.toml) cannot be imported, so a core module that needs one fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SimulatorConfig,
    running_simulator,
)

ROOT = Path(__file__).resolve().parents[1]


def extras_only_modules() -> set[str]:
    """Top-level modules of the packages named only in extras (boto3, snowflake, pandas, ...)."""
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {canonicalize_name(Requirement(s).name) for s in project["dependencies"]}
    extra = {
        canonicalize_name(Requirement(s).name)
        for specs in project["optional-dependencies"].values()
        for s in specs
    }
    only = extra - core
    return {
        module
        for module, dists in packages_distributions().items()
        if any(canonicalize_name(d) in only for d in dists) and not module.startswith("_")
    }


BLOCKED_RUN = """
import sys
blocked = set(sys.argv[1].split(","))
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (an extra's)")
sys.meta_path.insert(0, Block())
from spotify_etl.cli import main
main(sys.argv[2:])
"""


def test_extras_only_names_what_a_lean_install_lacks() -> None:
    blocked = extras_only_modules()
    assert {"boto3", "snowflake", "pandas"} <= blocked
    assert not {"sqlglot", "duckdb", "typer", "httptools"} & blocked


def test_the_local_pipeline_and_queries_run_without_any_extra(tmp_path: Path) -> None:
    blocked = ",".join(sorted(extras_only_modules()))
    with running_simulator(SimulatorConfig(profile="extended", seed=5, scale=2000)) as sim:
        [album] = sim.catalog.album_ids(1)
        (tmp_path / "pipeline.toml").write_text(f'[sources]\nalbums = ["{album}"]\n')
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
            "SPOTIFY_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        }

        def spotify_etl(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-c", BLOCKED_RUN, blocked, *args],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip

        # Each command imports only its own stage (cli.STAGES): `--help` imports them all.
        every = spotify_etl("--help")
        assert every.returncode == 0 and "ModuleNotFoundError" not in every.stderr, every.stderr
        run = spotify_etl("--log-format", "json", "run", "--api-base", sim.base_url)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout.splitlines()[-1])["warehouse_rows"]["SONGS"] > 0
    query = spotify_etl("query", "top_artists_by_songs", "--format", "json")
    assert query.returncode == 0, query.stderr
    assert "ModuleNotFoundError" not in run.stderr + query.stderr
    assert json.loads(query.stdout)
    # The report too: its charts and queries need no extra.
    report = spotify_etl("report", "--out", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr
    assert "ModuleNotFoundError" not in report.stderr
    assert 'id="report-specs"' in (tmp_path / "report.html").read_text(encoding="utf-8")

"""The Lambda packager: its pip invocations and the 250 MB gate, without the network.

The real build (wheels from the package index) is the slow test at the bottom.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from spotify_etl.aws import package
from spotify_etl.errors import ConfigError, FatalError

MB = 1024 * 1024


def test_measure_counts_every_file_once_and_names_the_biggest(tmp_path: Path) -> None:
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "a.so").write_bytes(b"x" * 3000)
    (tmp_path / "big" / "sub").mkdir()
    (tmp_path / "big" / "sub" / "b.py").write_bytes(b"x" * 1000)
    (tmp_path / "small.py").write_bytes(b"x" * 10)
    (tmp_path / "link.so").symlink_to(tmp_path / "big" / "a.so")
    report = package.measure(tmp_path, limit_bytes=5000)
    assert report.total_bytes == 4010
    assert report.largest == [("big", 4000), ("small.py", 10)]
    assert report.ok
    assert report.describe().startswith("unzipped size 0.0 MB of 0 MB (80%)")


def test_check_size_fails_above_the_limit_and_passes_at_it(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 100)
    assert package.check_size(tmp_path, limit_bytes=100).total_bytes == 100
    with pytest.raises(FatalError, match="too large"):
        package.check_size(tmp_path, limit_bytes=99)


def test_install_targets_lambda_arm64_python_312_from_wheels_only(tmp_path: Path) -> None:
    wheel = tmp_path / "spotify_etl-0.1.0-py3-none-any.whl"
    cmd = package.install_command(tmp_path / "out", wheel)
    assert cmd[-1] == str(wheel)  # a file, never a name PyPI could answer for
    assert "--no-deps" in cmd  # its dependencies are the Lambda's own set, installed first
    assert "--only-binary=:all:" in cmd and "--no-compile" in cmd
    assert cmd[cmd.index("--python-version") + 1] == "3.12"
    assert cmd[cmd.index("--implementation") + 1] == "cp"
    platforms = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--platform"]
    assert "manylinux2014_aarch64" in platforms and "manylinux_2_28_aarch64" in platforms
    assert all(p.endswith("_aarch64") for p in platforms)
    assert not any("x86_64" in arg for arg in cmd)


def test_the_lambda_gets_its_own_dependencies_with_the_projects_bounds(tmp_path: Path) -> None:
    requirements = package.lambda_requirements(Path.cwd())
    names = [r.split(">")[0].split("=")[0].split("<")[0] for r in requirements]
    assert names == list(package.LAMBDA_RUNTIME)
    assert "boto3>=1.36" in requirements  # S3 conditional writes
    lock = tmp_path / "requirements.lock"
    cmd = package.dependencies_command(tmp_path / "out", requirements, lock)
    assert cmd[cmd.index("-c") + 1] == str(lock) and cmd[-len(requirements) :] == requirements
    for absent in ("typer", "rich", "httptools", "uvicorn"):
        assert not any(r.startswith(absent) for r in requirements)
    # The report Lambda opens the warehouse: DuckDB's views and the named queries need
    # sqlglot, a snowflake:// warehouse the connector (bounds from the `snowflake` extra).
    assert any(r.startswith("sqlglot>=") for r in requirements)
    assert "snowflake-connector-python>=3.12,<5" in requirements


def test_extract_and_transform_import_without_the_cli_ui_simulator_or_warehouse() -> None:
    """The extract and transform handlers import neither what LAMBDA_RUNTIME leaves out nor
    what only the report Lambda needs (a blocked import fails)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'typer', 'rich', 'httptools', 'sqlglot', 'uvicorn',\n"
        "                                   'snowflake'}:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import spotify_etl.aws.extract_handler, spotify_etl.aws.transform_handler\n"
        "import spotify_etl.extract.run, spotify_etl.transform.runner, spotify_etl.spotify\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


_REPORT_PATH = """
import importlib.metadata as md, re, sys, tempfile
allowed = set(sys.argv[1:])
todo = list(allowed)
def requires(dist):
    try:
        return md.requires(dist) or []
    except md.PackageNotFoundError:  # another platform's requirement: not importable here
        return []
while todo:  # the closure of LAMBDA_RUNTIME over its (non-extra) requirements
    for req in requires(todo.pop()):
        if "extra ==" in req:
            continue
        name = re.split(r"[ ;<>=!~\\[(]", req, maxsplit=1)[0].lower().replace("_", "-")
        if name not in allowed:
            allowed.add(name)
            todo.append(name)
allowed.add("spotify-etl")  # its code, with --no-deps: not its pyproject's requirements
owners = md.packages_distributions()
class Block:
    def find_spec(self, name, path=None, target=None):
        dists = {d.lower().replace("_", "-") for d in owners.get(name.split(".")[0], [])}
        if dists and not dists & allowed:
            raise ImportError("not in the Lambda package: " + name)
sys.meta_path.insert(0, Block())
import spotify_etl.aws.report_handler
from spotify_etl.report.publish import build_for, publish
from spotify_etl.warehouse import open_warehouse
with tempfile.TemporaryDirectory() as tmp:
    open_warehouse(f"duckdb:///{tmp}/wh.duckdb").close()  # its views are written by sqlglot
from spotify_etl.warehouse import analytics, snowflake_adapter
import snowflake.connector
"""


def test_the_report_lambda_opens_a_warehouse_with_only_what_the_package_carries() -> None:
    """Everything outside LAMBDA_RUNTIME and its requirements is blocked, as on Lambda: the
    report handler's path (DuckDB views, named queries, the Snowflake adapter) still runs."""
    import subprocess
    import sys

    cmd = [sys.executable, "-c", _REPORT_PATH, *package.LAMBDA_RUNTIME]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _fake_pip(site: dict[str, int]) -> package.Runner:
    """Stands in for pip only: writes a wheel, then 'installs' files of the given sizes."""

    def run(cmd: Sequence[str]) -> None:
        if "wheel" in cmd:
            wheel_dir = Path(cmd[cmd.index("--wheel-dir") + 1])
            with zipfile.ZipFile(wheel_dir / "spotify_etl-0.1.0-py3-none-any.whl", "w") as zf:
                zf.writestr("spotify_etl/__init__.py", "")
            return
        out = Path(cmd[cmd.index("--target") + 1])
        if "--no-deps" not in cmd:
            return  # the dependencies: the sizes below stand for everything installed
        assert Path(cmd[-1]).name == "spotify_etl-0.1.0-py3-none-any.whl"
        for rel, size in site.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                fh.truncate(size)  # sparse: the size counts, the disk stays free

    return run


def test_build_replaces_the_folder_and_drops_host_bytecode(tmp_path: Path) -> None:
    out = tmp_path / "lambda"
    (out / "stale").mkdir(parents=True)
    (out / "stale" / "old.py").write_text("left from the last build")
    site = {"duckdb/_duckdb.so": 60 * MB, "spotify_etl/__init__.py": 100}
    pip = _fake_pip({**site, "spotify_etl/__pycache__/x.cpython-311.pyc": 5 * MB})
    report = package.build(out, project=Path.cwd(), runner=pip)
    assert report.total_bytes == 60 * MB + 100
    assert not (out / "stale").exists()
    assert not list(out.rglob("__pycache__"))


def test_build_fails_above_250_mb(tmp_path: Path) -> None:
    pip = _fake_pip({"pandas/_libs.so": 200 * MB, "pyarrow/lib.so": 60 * MB})
    with pytest.raises(FatalError, match=r"too large: unzipped size 260\.0 MB of 250 MB"):
        package.build(tmp_path / "lambda", project=Path.cwd(), runner=pip)


def test_build_needs_a_project(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pyproject\.toml"):
        package.build(tmp_path / "out", project=tmp_path, runner=_fake_pip({}))


def test_main_reports_failure_as_one_line_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(package, "PROJECT_ROOT", tmp_path)  # no pyproject.toml there
    assert package.main(["--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: not a project folder") and "Traceback" not in err


@pytest.mark.slow
def test_real_build_from_the_package_index(tmp_path: Path) -> None:
    out = tmp_path / "lambda"
    report = package.build(out)
    assert report.ok and report.total_bytes > 10 * MB
    assert (out / "spotify_etl" / "aws" / "transform_handler.py").is_file()
    assert (out / "boto3").is_dir() and not (out / "pandas").exists()
    assert (out / "sqlglot").is_dir() and (out / "snowflake" / "connector").is_dir()  # report
    so_files = list(out.rglob("*.so"))
    assert so_files and all(f.read_bytes()[:4] == b"\x7fELF" for f in so_files)
    # ELF e_machine 183 = AArch64: the binaries are for Lambda's arm64, not this host.
    assert {int.from_bytes(f.read_bytes()[18:20], "little") for f in so_files} == {183}

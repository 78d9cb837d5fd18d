"""Build the Lambda deployment folder for Linux arm64, CPython 3.12, from wheels only.

    python -m spotify_etl.aws.package --out build/lambda   (make lambda-package)

The project is built into a wheel, then pip installs the Lambda's dependencies for the target
platform (`--platform ... --only-binary=:all:`), so nothing is compiled on this machine and the
result runs on Lambda whatever the build host is, and the wheel itself with `--no-deps`. The
Lambda's dependencies are LAMBDA_RUNTIME, not the project's: the handlers use no command line,
terminal UI or simulator (typer, rich, httptools), and a test imports them with those blocked.
The report Lambda reads the warehouse, so the package carries sqlglot (DuckDB's views and every
named query are written through it) and snowflake-connector-python (a snowflake:// warehouse);
the extract and transform handlers import neither (the same test blocks both for them). Bounds
come from pyproject.toml and versions from requirements.lock, so the function runs what the
tests ran. boto3 is bundled rather than taken from the runtime:
the exactly-once markers need S3 conditional writes (IfMatch / IfNoneMatch on PutObject),
which older SDKs lack, and the runtime's copy is not ours to pin. Files are not byte-compiled:
the .pyc pip would write are for the build host's Python, not 3.12. The unzipped size is
measured and the build fails above Lambda's 250 MB limit (the function and its layers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spotify_etl.errors import ConfigError, FatalError, SpotifyEtlError

LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
PYTHON_VERSION = "3.12"
# Lambda's python3.12 runtime is Amazon Linux 2023 (glibc 2.34). pip does not widen a
# `manylinux_2_X` tag to older glibc versions, so every compatible tag is listed.
GLIBC_MINOR = 34
PLATFORMS = (
    "manylinux2014_aarch64",
    *(f"manylinux_2_{minor}_aarch64" for minor in range(17, GLIBC_MINOR + 1)),
)
PROJECT_ROOT = Path(__file__).resolve().parents[3]
_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]

Runner = Callable[[Sequence[str]], None]
# What the handlers import (extract: httpx, msgspec, pydantic; transform: duckdb, isal; report:
# the warehouse, i.e. duckdb, sqlglot and, for snowflake://, the Snowflake connector).
LAMBDA_RUNTIME = (
    "httpx",
    "duckdb",
    "msgspec",
    "isal",
    "pydantic",
    "pydantic-settings",
    "boto3",
    "sqlglot",
    "snowflake-connector-python",
)
# The extras whose bounds LAMBDA_RUNTIME may take (besides the core dependencies).
LAMBDA_EXTRAS = ("aws", "snowflake")


@dataclass(frozen=True)
class SizeReport:
    total_bytes: int
    limit_bytes: int
    largest: list[tuple[str, int]]  # top-level entries (packages), biggest first

    @property
    def ok(self) -> bool:
        return self.total_bytes <= self.limit_bytes

    def describe(self) -> str:
        mb = 1024 * 1024
        lines = [
            f"unzipped size {self.total_bytes / mb:.1f} MB of {self.limit_bytes / mb:.0f} MB "
            f"({self.total_bytes / self.limit_bytes:.0%})"
        ]
        lines += [f"  {size / mb:8.1f} MB  {name}" for name, size in self.largest]
        return "\n".join(lines)


def measure(folder: Path, *, limit_bytes: int = LAMBDA_UNZIPPED_LIMIT, top: int = 8) -> SizeReport:
    """Bytes of every regular file under `folder` (what Lambda counts once unzipped)."""
    per_entry: dict[str, int] = {}
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue  # a zip stores the link, not a second copy of its target
            size = path.stat().st_size
            total += size
            entry = path.relative_to(folder).parts[0]
            per_entry[entry] = per_entry.get(entry, 0) + size
    largest = sorted(per_entry.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return SizeReport(total, limit_bytes, largest)


def check_size(folder: Path, *, limit_bytes: int = LAMBDA_UNZIPPED_LIMIT) -> SizeReport:
    report = measure(folder, limit_bytes=limit_bytes)
    if not report.ok:
        raise FatalError(
            f"Lambda package {folder} is too large: {report.describe().splitlines()[0]}",
            hint="drop a dependency from the runtime set or move it to a layer-free extra",
        )
    return report


def build_wheel_command(wheel_dir: Path, project: Path) -> list[str]:
    return [*_PIP, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheel_dir), str(project)]


def lambda_requirements(project: Path) -> list[str]:
    """LAMBDA_RUNTIME with the bounds pyproject.toml gives each (core, `aws` or `snowflake`)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = meta.get("optional-dependencies", {})
    declared = [*meta["dependencies"], *(s for e in LAMBDA_EXTRAS for s in extras.get(e, []))]
    by_name = {}
    for spec in declared:
        name = spec.split(";")[0]
        for sep in "<>=!~[ ":
            name = name.split(sep)[0]
        by_name[name.lower()] = spec.split("#")[0].strip()
    missing = [n for n in LAMBDA_RUNTIME if n not in by_name]
    if missing:
        raise FatalError(f"pyproject.toml no longer declares {', '.join(missing)}")
    return [by_name[n] for n in LAMBDA_RUNTIME]


def _target(out: Path) -> list[str]:
    cmd = [*_PIP, "install", "--quiet", "--no-compile", "--target", str(out), "--upgrade"]
    for platform in PLATFORMS:
        cmd += ["--platform", platform]
    return [*cmd, "--implementation", "cp", "--python-version", PYTHON_VERSION,
            "--only-binary=:all:"]  # fmt: skip


def dependencies_command(out: Path, requirements: Sequence[str], lock: Path | None) -> list[str]:
    """pip install of the Lambda's dependencies (pinned by the lock file), for the target only."""
    return [*_target(out), *(["-c", str(lock)] if lock else []), *requirements]


def install_command(out: Path, wheel: Path) -> list[str]:
    """pip install of the project's wheel alone (its dependencies are the Lambda's own)."""
    # A wheel path, not a name: a same-named project on PyPI can never be picked instead.
    return [*_target(out), "--no-deps", str(wheel)]


def _run(cmd: Sequence[str]) -> None:
    result = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise FatalError(f"pip {cmd[4]} failed:\n{tail}")


def build(
    out: Path,
    *,
    project: Path | None = None,
    limit_bytes: int = LAMBDA_UNZIPPED_LIMIT,
    runner: Runner = _run,
) -> SizeReport:
    """Replace `out` with a fresh deployment folder; raise if it exceeds the size limit."""
    project = project or PROJECT_ROOT
    if not (project / "pyproject.toml").is_file():
        raise ConfigError(f"not a project folder (no pyproject.toml): {project}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="spotify-etl-wheel-") as tmp:
        wheel_dir = Path(tmp)
        runner(build_wheel_command(wheel_dir, project))
        wheels = sorted(wheel_dir.glob("spotify_etl-*.whl"))
        if len(wheels) != 1:
            raise FatalError(f"expected one spotify_etl wheel, pip built {len(wheels)}")
        lock = project / "requirements.lock"
        runner(
            dependencies_command(
                out, lambda_requirements(project), lock if lock.is_file() else None
            )
        )
        runner(install_command(out, wheels[0]))
    for cache in list(out.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    return check_size(out, limit_bytes=limit_bytes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spotify_etl.aws.package", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/lambda"))
    parser.add_argument("--limit-mb", type=float, default=LAMBDA_UNZIPPED_LIMIT / 1024 / 1024)
    args = parser.parse_args(argv)
    try:
        report = build(args.out, limit_bytes=int(args.limit_mb * 1024 * 1024))
    except SpotifyEtlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"built {args.out}\n{report.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

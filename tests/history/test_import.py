"""`import history` on generated exports: every play once, twice imported = once, personal
fields never stored, the API and the export of the same play combined into one row."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

import pytest

from spotify_etl.config import parse_config
from spotify_etl.extract.state import StateStore
from spotify_etl.history.importer import import_history
from spotify_etl.pipeline.listen import Listener
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.history_export import Bad, write_export, zip_export
from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings
from spotify_etl.storage import LocalStore
from tests.extract.conftest import demo_secrets
from tests.pipeline.listening import SCALE, SEED, START, Listening, key_of, listening

BAD = Bad(wrong_types=3, no_ts=2, bad_ts=2, episodes=4)


def _config(root: Path):  # type: ignore[no-untyped-def]
    return parse_config(
        f'[storage]\nraw = "{root / "lake"}"\ntransformed = "{root / "lake" / "transformed"}"\n'
        f'[warehouse]\nurl = "duckdb:///{root / "wh.duckdb"}"\n',
        base_dir=root,
    )


def _count(root: Path) -> int:
    import duckdb

    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM PLAY").fetchone()[0])  # type: ignore[index]
    finally:
        con.close()


def _import_and_check(
    tmp_path: Path, days: float, per_file: int | None = None, at_least: int = 1
) -> None:
    clock = PlayClock(Catalog(SEED, SCALE), PlayClockSettings(start=START))
    end = START + timedelta(days=days)
    files = write_export(clock, tmp_path / "export", START, end, bad=BAD, per_file=per_file)
    archive = zip_export(files, tmp_path / "export", tmp_path / "my_spotify_data.zip")
    plays = clock.plays_between(0, int(end.timestamp() * 1000) - 1)
    expected = {key_of(clock, p) for p in plays}
    assert len(expected) >= at_least  # the size the test is named for, not just any export
    config = _config(tmp_path)

    first = import_history(config, archive, secrets=demo_secrets())
    assert first.rows == len(expected) and _count(tmp_path) == len(expected)
    assert sum(first.quarantined.values()) == 7 and first.skipped == {"episodes": 4}
    assert first.load is not None and first.load.failed == []
    assert first.queued_tracks == len({s for _, s in expected})
    state, _ = StateStore(LocalStore(tmp_path / "lake")).load()
    assert len(state.queued["track"]) == first.queued_tracks  # for the next extraction

    written = {p: p.read_bytes() for p in (tmp_path / "lake").rglob("*") if p.is_file()}
    again = import_history(config, archive, secrets=demo_secrets())
    assert again.load is not None and again.load.loaded == [] and again.rows == first.rows
    assert _count(tmp_path) == len(expected)  # twice imported = once
    assert {p: p.read_bytes() for p in written} == written  # and not a byte changed

    # the unpacked folder is the same export: nothing new either
    assert import_history(config, tmp_path / "export", secrets=demo_secrets()).load.loaded == []  # type: ignore[union-attr]
    for path in [*(tmp_path / "lake").rglob("*"), tmp_path / "wh.duckdb"]:
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            assert b"203.0.113." not in data and b"simulated-listener" not in data, path


def test_a_generated_fortnight_imports_every_play_once_and_twice_is_once(tmp_path: Path) -> None:
    _import_and_check(tmp_path, days=14, per_file=1_500)


@pytest.mark.slow
def test_a_generated_year_of_100_000_plays_imports_exactly(tmp_path: Path) -> None:
    _import_and_check(tmp_path, days=366, at_least=100_000)


def _listen_hours(ctx: Listening, hours: int) -> None:
    listener = Listener(ctx.config, secrets=demo_secrets(), token_store=ctx.token)
    for _ in range(hours * 3):
        ctx.clock.advance(1200)
        listener.poll_once()


def _export(ctx: Listening, hours: int) -> list[Path]:
    return write_export(ctx.clock, ctx.root / "export", START, START + timedelta(hours=hours))


ROW = (
    "SELECT strftime(played_at, '%Y-%m-%d %H:%M:%S'), song_id, played_at_exact, ms_played, "
    "context_type, context_uri, source, reason_end, skipped, platform FROM PLAY ORDER BY ALL"
)


def test_a_play_seen_by_the_api_and_in_the_export_is_one_row_with_both_fields(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with listening(tmp_path / "a") as ctx:
        _listen_hours(ctx, 4)
        api_only = ctx.plays()
        summary = import_history(ctx.config, _export(ctx, 4)[0], secrets=demo_secrets())
        assert summary.rows == len(api_only) and ctx.plays() == api_only
        rows_a = ctx.warehouse_rows(ROW)
        assert {r[6] for r in rows_a} == {"api+export"}
        assert all(r[2] is not None and r[3] is not None and r[7] for r in rows_a)
        assert sum(r[4] is not None for r in rows_a) > len(rows_a) / 2  # contexts kept
    with listening(tmp_path / "b") as ctx:  # the other order: export first, then listen
        import_history(ctx.config, _export(ctx, 4)[0], secrets=demo_secrets())
        _listen_hours(ctx, 4)
        assert ctx.warehouse_rows(ROW) == rows_a


def test_short_format_plays_fold_into_the_plays_the_api_knows(tmp_path: Path) -> None:
    with listening(tmp_path) as ctx:
        _listen_hours(ctx, 3)
        api = ctx.plays()
        files = write_export(
            ctx.clock, tmp_path / "short", START, START + timedelta(hours=3), fmt="short"
        )
        summary = import_history(ctx.config, files[0], secrets=demo_secrets())
        matched = summary.counts["matched_by_name"]
        assert matched + summary.counts["ambiguous"] + summary.counts["unmatched"] == len(api)
        assert matched > len(api) * 0.8
        assert ctx.plays() == api  # folded into the API's plays, none added
        (filled,) = ctx.warehouse_rows("SELECT count(*) FROM PLAY WHERE ms_played IS NOT NULL")[0]
        assert filled == matched


def test_the_cli_imports_a_folder_and_an_unreadable_file_fails_the_command_alone(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from spotify_etl import cli

    clock = PlayClock(Catalog(SEED, SCALE), PlayClockSettings(start=START))
    export = tmp_path / "export"
    write_export(clock, export, START, START + timedelta(days=1))
    broken = export / "Spotify Extended Streaming History" / "Streaming_History_Audio_2026_9.json"
    broken.write_text('{"ts": "2026-11-24T00:00:00Z"}')
    config = tmp_path / "p.toml"
    config.write_text(
        f'[storage]\nraw = "{tmp_path / "lake"}"\ntransformed = "{tmp_path / "out"}"\n'
        f'[warehouse]\nurl = "duckdb:///{tmp_path / "wh.duckdb"}"\n'
    )
    cli.register_commands()
    result = CliRunner().invoke(
        cli.app,
        ["import", "history", str(export), "--config", str(config)],
        prog_name="spotify-etl",
    )
    assert result.exit_code == 1, result.output
    assert "unreadable:" in result.output and "not a JSON array" in result.output
    assert _count(tmp_path) > 200  # the readable file still landed


def test_json_log_format_prints_one_json_summary(tmp_path: Path) -> None:
    """`import history --log-format json`: stdout is one JSON object, the load's included."""
    import json
    import subprocess
    import sys

    clock = PlayClock(Catalog(SEED, SCALE), PlayClockSettings(start=START))
    export = tmp_path / "export"
    write_export(clock, export, START, START + timedelta(days=1))
    config = tmp_path / "p.toml"
    config.write_text(
        f'[storage]\nraw = "{tmp_path / "lake"}"\ntransformed = "{tmp_path / "out"}"\n'
        f'[warehouse]\nurl = "duckdb:///{tmp_path / "wh.duckdb"}"\n'
    )
    cmd = [sys.executable, "-m", "spotify_etl", "--log-format", "json", "import", "history"]
    done = subprocess.run(
        [*cmd, str(export), "--config", str(config)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    summary = json.loads(line)
    assert summary["summary"] == "import_history" and summary["exit_code"] == 0
    assert summary["plays"] == _count(tmp_path) > 200 and summary["unreadable"] == []
    assert summary["load"]["files_loaded"] >= 1 and summary["load"]["failed"] == 0


def _catalogue(ctx: Listening, hours: int) -> None:
    """The songs of the window's plays with their first artists, as an extraction leaves
    them in SONGS / ARTIST / SONG_ARTIST: the names a short-format play is matched by."""
    from spotify_etl.model import ARTIST, SONG_ARTIST, SONGS
    from spotify_etl.warehouse import load_pending, open_warehouse
    from tests.warehouse.filegen import write_csv

    c, at = ctx.clock.catalog, "2026-11-23 00:00:00"
    until = int((START + timedelta(hours=hours)).timestamp() * 1000)
    songs, artists = {}, {}
    for play in ctx.clock.plays_between(0, until):
        track = c.track(play.track)
        first = c.artist(track.artists[0])
        songs[track.id] = (track.name, first.id)
        artists[first.id] = first.name
    root = ctx.root / "catalogue"
    rows = [{"song_id": s, "song_name": n, "fetched_at": at} for s, (n, _a) in songs.items()]
    write_csv(root, SONGS, "2026-11-23", rows)
    write_csv(root, ARTIST, "2026-11-23", [
        {"artist_id": a, "artist_name": n, "fetched_at": at} for a, n in artists.items()
    ])  # fmt: skip
    write_csv(root, SONG_ARTIST, "2026-11-23", [
        {"song_id": s, "artist_position": 0, "artist_id": a, "fetched_at": at}
        for s, (_n, a) in songs.items()
    ])  # fmt: skip
    wh = open_warehouse(ctx.config.warehouse.url)
    try:
        assert load_pending(LocalStore(root), wh).failed == []
    finally:
        wh.close()


PRECISE_ROW = (
    "SELECT strftime(played_at, '%Y-%m-%d %H:%M:%S'), song_id, played_at_exact IS NOT NULL, "
    "ms_played, context_uri, source, reason_end FROM PLAY ORDER BY ALL"
)


@pytest.mark.parametrize("precise", ["listen", "extended export"])
def test_a_short_format_play_folds_into_a_precise_play_that_arrives_later(
    tmp_path: Path, precise: str
) -> None:
    """The short format (minute precision, names only) first, then the play known to the
    second (the API, or the extended export): one row per play, as in the other order."""

    def short(ctx: Listening) -> None:
        files = write_export(
            ctx.clock, ctx.root / "short", START, START + timedelta(hours=3), fmt="short"
        )
        summary = import_history(ctx.config, files[0], secrets=demo_secrets())
        assert summary.counts["matched_by_name"] > 0

    def exact(ctx: Listening) -> None:
        if precise == "listen":
            _listen_hours(ctx, 3)
        else:
            ctx.clock.advance(3 * 3600)
            files = write_export(ctx.clock, ctx.root / "ext", START, START + timedelta(hours=3))
            import_history(ctx.config, files[0], secrets=demo_secrets())

    rows = {}
    for order in ("precise first", "short first"):
        (tmp_path / order).mkdir()
        with listening(tmp_path / order) as ctx:
            _catalogue(ctx, 3)
            steps = (exact, short) if order == "precise first" else (short, exact)
            for step in steps:
                step(ctx)
            expected = ctx.expected(int((START + timedelta(hours=3)).timestamp() * 1000))
            assert ctx.plays() == expected, order  # each play once: no HH:MM:00 twin left
            rows[order] = ctx.warehouse_rows(PRECISE_ROW)
    assert rows["short first"] == rows["precise first"]
    folded = [r for r in rows["short first"] if r[3] is not None]
    assert len(folded) > len(rows["short first"]) * 0.8  # the short rows' ms_played carried
    if precise == "listen":
        assert {r[5] for r in folded} == {"api+export"}

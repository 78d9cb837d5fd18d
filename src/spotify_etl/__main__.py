"""`spotify-etl` and `python -m spotify_etl`.

The console script imports this module and calls `main`. Importing it costs nothing: a
transform worker (multiprocessing's forkserver) re-runs the console script to set up its
`__main__`, and would otherwise carry the whole CLI (typer, rich: ~18 MB) in every worker.
"""


def main() -> None:
    from spotify_etl.cli import main as run

    run()


if __name__ == "__main__":
    main()

"""`python -m spotify_etl.simulator serve ...`: the simulator without the rest of the CLI."""

from spotify_etl.simulator.cli import main

main()

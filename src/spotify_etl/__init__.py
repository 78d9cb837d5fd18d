"""spotify-etl: the Spotify Web API (2026) into a warehouse, daily, resumable, exactly once.

The packages, outside in (ARCHITECTURE.md draws them): `cli` assembles the commands;
`pipeline` runs the stages; `extract`, `transform` and `warehouse` are the stages, over
`spotify` (the API client) and `storage` (the raw and transformed zones); `history` imports
the privacy export; `report` draws the warehouse; `aws` holds the Lambda entry points;
`simulator` is a Spotify to test against. Each package's `__all__` is its public surface
(tests/test_public_surface.py pins them).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

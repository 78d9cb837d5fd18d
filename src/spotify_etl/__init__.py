"""spotify-etl: the Spotify Web API (2026) into a warehouse, daily, resumable, exactly once."""

__version__ = "0.1.0"

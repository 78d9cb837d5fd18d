"""The listening history from Spotify's privacy export: `spotify-etl import history`.

formats   the two export formats (extended streaming history, account data), what is kept
sources   an export file, its unpacked folder or its ZIP
reader    a JSON array streamed piece by piece in bounded memory
plays     records -> PLAY rows (URIs, or names where unambiguous)
importer  batches written as transformed files and loaded like any other

The entry point is `importer.import_history` (and `cli`, the command); it is not imported
here so that `spotify-etl` starts without loading what only an import needs.
"""

__all__ = ["cli", "importer"]

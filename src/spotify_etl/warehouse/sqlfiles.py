"""The block format of warehouse/sql/*.sql, read by the named queries and the views.

A file is blocks, each opened by a header line `-- KEY: value` naming it (`-- name:` for a
query, `-- view:` for a view), then more header lines, then the statement. Comment lines
inside the statement are dropped; its closing `;` is not part of it.
"""

from __future__ import annotations

import re
from importlib import resources


def read_sql(filename: str) -> str:
    """The text of warehouse/sql/`filename`, from the installed package."""
    return resources.files("spotify_etl.warehouse").joinpath(f"sql/{filename}").read_text()


def sql_blocks(text: str, keys: tuple[str, ...]) -> list[tuple[dict[str, str], str]]:
    """(headers, statement) of each block; a block opens with a `-- keys[0]:` line.

    Only the header keys listed count as headers; any other `--` line is a comment.
    """
    header = re.compile(rf"^--\s*({'|'.join(map(re.escape, keys))}):\s*(.*)$")
    blocks: list[tuple[dict[str, str], str]] = []
    for block in re.split(rf"\n(?=--\s*{re.escape(keys[0])}:)", text)[1:]:
        meta: dict[str, str] = {}
        body: list[str] = []
        for line in block.splitlines():
            m = header.match(line)
            if m and not body:
                meta[m.group(1)] = m.group(2).strip()
            elif line.strip() and not line.lstrip().startswith("--"):
                body.append(line)
        blocks.append((meta, "\n".join(body).strip().rstrip(";")))
    return blocks

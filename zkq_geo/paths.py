"""Where things are on disk: the source checkout, the geodata folder (``$ZKQ_GEODATA``).

The one place these are worked out; catalog, schemes, control indicators, assets and the
benchmark all ask here.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
"""The source checkout (or the site-packages folder of an installed package)."""
DEFAULT_GEODATA = REPO_ROOT / "geodata"
"""The shipped geodata of a source checkout."""


def geodata_root(root: str | Path | None = None) -> Path:
    """``root`` if given, else ``$ZKQ_GEODATA``, else the shipped geodata; resolved."""
    return Path(root or os.environ.get("ZKQ_GEODATA") or DEFAULT_GEODATA).resolve()

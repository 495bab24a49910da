"""Every limit on untrusted input, in one place, each read from an environment variable.

An office server reads files from many people; each limit keeps one file from taking the
server's time or memory from everyone else. A limit that is hit ends in a one-line message
(English and Chinese) that names the limit and the variable that raises it.

=========================  =================  =================================================
variable                   default            what it bounds
=========================  =================  =================================================
``ZKQ_MAX_UPLOAD_MB``      200                one file, and a zip's uncompressed total
``ZKQ_MAX_FEATURES``       1,000,000          features (or table rows) of one imported layer
``ZKQ_MAX_VERTICES``       20,000,000         coordinates of one imported layer
``ZKQ_MAX_CELLS``          2,000,000          cells of one Excel sheet (empty ones included)
``ZKQ_PARSE_CPU_SECONDS``  20                 CPU time of reading one file
``ZKQ_PARSE_MEMORY_MB``    1536               memory (address space) of the process reading it
``ZKQ_MAP_MAX_FEATURES``   20,000             features of one layer drawn on the inline map
``ZKQ_MAP_MAX_VERTICES``   500,000            coordinates of one layer drawn on the inline map
``ZKQ_TILE_THRESHOLD``     2,000              features above which an imported layer is drawn
                                              from vector tiles instead of inline GeoJSON
``ZKQ_TILE_BUILD_SECONDS`` 1,800              time of building one layer version's tiles
=========================  =================  =================================================

The parse limits apply to the child process that reads the file (:mod:`zkq_geo.safety.sandbox`);
the wall-clock limit is the CPU limit plus ten seconds (30 s by default): a read that waits
instead of computing ends too, and a loaded machine has some slack.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import msg

DEFAULTS = {
    "ZKQ_MAX_FEATURES": 1_000_000,
    "ZKQ_MAX_VERTICES": 20_000_000,
    "ZKQ_MAX_CELLS": 2_000_000,
    "ZKQ_PARSE_CPU_SECONDS": 20,
    "ZKQ_PARSE_MEMORY_MB": 1536,
    "ZKQ_MAP_MAX_FEATURES": 20_000,
    "ZKQ_MAP_MAX_VERTICES": 500_000,
    "ZKQ_TILE_THRESHOLD": 2000,
    "ZKQ_TILE_BUILD_SECONDS": 1800,
}


def limit(name: str) -> int:
    """The value of limit ``name`` (a key of :data:`DEFAULTS`): the environment's, else the default.

    >>> limit("ZKQ_MAX_CELLS") > 0
    True
    """
    if name not in DEFAULTS:
        raise OptionError(msg("choice_not_allowed", name="limit", value=name, choices=", ".join(DEFAULTS)))
    raw = os.environ.get(name, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return DEFAULTS[name]
    try:
        value = int(float(raw))
    except ValueError:
        raise OptionError(msg("limit_not_number", name=name, raw=raw, default=DEFAULTS[name])) from None
    if value <= 0:
        raise OptionError(msg("limit_not_number", name=name, raw=raw, default=DEFAULTS[name]))
    return value


@dataclass(frozen=True)
class ParseLimits:
    """CPU seconds, memory (MB of address space) and wall-clock seconds of one bounded read."""

    cpu_seconds: int
    memory_mb: int

    @property
    def wall_seconds(self) -> int:
        return self.cpu_seconds + 10

    @classmethod
    def from_env(cls) -> ParseLimits:
        return cls(limit("ZKQ_PARSE_CPU_SECONDS"), limit("ZKQ_PARSE_MEMORY_MB"))


@dataclass(frozen=True)
class MapLoad:
    """How much a layer would put on the inline map: features and coordinates, against
    ``ZKQ_MAP_MAX_FEATURES`` and ``ZKQ_MAP_MAX_VERTICES``. A layer over either limit is not drawn
    inline (its features would make a page message of hundreds of MB); tables, filters and
    exports still work on it."""

    features: int
    vertices: int
    max_features: int
    max_vertices: int

    @property
    def too_big(self) -> bool:
        return self.features > self.max_features or self.vertices > self.max_vertices


def map_load(gdf) -> MapLoad:
    """The :class:`MapLoad` of a GeoDataFrame (any CRS; coordinates are counted, not measured)."""
    import shapely

    vertices = int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum()) if len(gdf) else 0
    return MapLoad(len(gdf), vertices, limit("ZKQ_MAP_MAX_FEATURES"), limit("ZKQ_MAP_MAX_VERTICES"))

"""Column names shared across the package: what every park/project/imported layer carries.

Units are in the names (``investment_yi``, ``land_area_mu``, ``floor_area_m2``); the computed
per-mu columns are named in :mod:`zkq_geo.analysis.metrics`.
"""

from __future__ import annotations

# Columns every park/project layer has after loading (empty when a source gives nothing).
FEATURE_TEXT_COLUMNS = (
    "aliases",
    "industry",
    "industries",
    "investment_qualifier",
    "land_area_qualifier",
    "floor_area_qualifier",
    "plate_id",
    "source",
    "geometry_quality",
)
FEATURE_NUMBER_COLUMNS = ("investment_yi", "land_area_mu", "floor_area_m2")
# Shipped layers with feature columns and 亩均 (imported layers get them too).
EFFICIENCY_LAYERS = ("parks", "projects")

"""What planners read for a column name or a coded value, in English and Chinese.

One table of the same shape as :data:`zkq_geo.i18n.messages.MESSAGES` (labels.toml,
loaded by :func:`zkq_geo.i18n.tables.load_table`): ``key -> {"en", "zh"}``.
Keys are ``<family>.<code>``: ``field.<column>`` is the label of a column (with its unit),
``qualifier.<code>`` the kind of a figure, ``status.``, ``plate_basis.``, ``geometry_quality.``
and ``kind.`` the coded values of the shipped layers and tables, ``bool.`` yes/no. Industry labels
are not here: they come from the catalogue (``Catalog.industry_label``, geodata/industries.yaml).
:mod:`zkq_geo.i18n.format` is the one place that reads this table.
"""

from __future__ import annotations

from pathlib import Path

from zkq_geo.i18n.tables import load_table

LABELS: dict[str, dict[str, str]] = load_table(Path(__file__).with_name("labels.toml"))

#: Columns whose values are codes of a family of :data:`LABELS` (column -> family).
CODE_COLUMNS: dict[str, str] = {
    "status": "status",
    "plate_basis": "plate_basis",
    "geometry_quality": "geometry_quality",
    "kind": "kind",
    "investment_qualifier": "qualifier",
    "land_area_qualifier": "qualifier",
    "floor_area_qualifier": "qualifier",
    "invest_intensity_qualifier": "qualifier",
    "floor_area_ratio_qualifier": "qualifier",
}

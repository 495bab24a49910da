"""Pure computations over layers (GeoDataFrames): attribute joins (:mod:`.join`), land
efficiency per 亩 (:mod:`.metrics`), filters (:mod:`.filters`) and the app's selection
(:mod:`.selection`). No disk, no network.

May import: the core (errors, units, crs, catalog, columns) and i18n.
"""

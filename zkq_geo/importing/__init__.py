"""Readers of planners' untrusted files: the import pipeline (:mod:`.reader`), CRS detection
(:mod:`.crs_detect`), encodings (:mod:`.encodings`), CSV/Excel tables (:mod:`.sheets`), geometry
checks (:mod:`.geomcheck`), shapefile headers (:mod:`.shapefile_check`), GeoJSON preparation
(:mod:`.geojson_prep`), KML census (:mod:`.kml_census`) and ledger joins (:mod:`.ledger_join`).

May import: the core, i18n, safety and analysis.
"""

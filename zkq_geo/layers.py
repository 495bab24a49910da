"""Load a catalogue layer: geometry + attributes joined by key, conflicts marked, metrics added.

This is the one place that composes I/O (:mod:`zkq_geo.io`), joins (:mod:`zkq_geo.analysis.join`) and
metrics (:mod:`zkq_geo.analysis.metrics`); the app and the CLI call :func:`load_layer`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from zkq_geo.analysis.join import JoinReport, attach_alt_figures, join_attributes
from zkq_geo.analysis.metrics import add_efficiency
from zkq_geo.catalog import Catalog, LayerSpec
from zkq_geo.columns import EFFICIENCY_LAYERS, FEATURE_NUMBER_COLUMNS, FEATURE_TEXT_COLUMNS
from zkq_geo.errors import DataSourceError, SchemaError
from zkq_geo.i18n.messages import msg
from zkq_geo.io import read_table, read_vector
from zkq_geo.workspace import full_catalog


@dataclass(frozen=True)
class LayerData:
    """A loaded layer and the report of the join that built it."""

    name: str
    gdf: gpd.GeoDataFrame
    report: JoinReport


def load_layer(name: str, catalog: Catalog | None = None) -> LayerData:
    """Load layer ``name`` of the catalogue as a GeoDataFrame in EPSG:4326.

    Parks and projects also get the per-mu columns of :func:`zkq_geo.analysis.metrics.add_efficiency`.
    """
    catalog = catalog or full_catalog()
    spec = catalog.layer(name)
    if spec.origin == "workspace":  # imported by the user: feature columns and 亩均 like parks/projects
        return _load_imported(name, spec)
    geom = read_vector(spec.geometry).to_crs("EPSG:4326")
    if spec.attributes is None:
        return LayerData(name, _finish(geom, name), report=_self_report(geom, spec.key))
    gdf, report = join_attributes(geom, read_table(spec.attributes), key=spec.key, how="left")
    if catalog.alt_figures is not None and name in EFFICIENCY_LAYERS:
        gdf = attach_alt_figures(gdf, read_table(catalog.alt_figures), layer=name)
    gdf = _finish(gdf, name)
    if name in EFFICIENCY_LAYERS:
        gdf = _order_columns(add_efficiency(gdf))
    return LayerData(name, gdf, report)


def load_layers(names=None, catalog: Catalog | None = None) -> dict[str, LayerData]:
    """Load several layers (default: every layer of the catalogue)."""
    catalog = catalog or full_catalog()
    return {n: load_layer(n, catalog) for n in (names or catalog.layers)}


def load_catalog_layers(catalog: Catalog | None = None) -> tuple[dict[str, LayerData], Catalog]:
    """Load every layer of the catalogue; an imported layer whose file cannot be read is left out.

    Returns the loaded layers and the catalogue without the layers that failed; these join
    ``catalog.broken`` (name -> message saying why and what to do), so one damaged file in the
    workspace never hides the other layers. A shipped layer that fails still raises.
    """
    catalog = catalog or full_catalog()
    loaded, failed = {}, {}
    for name, spec in catalog.layers.items():
        try:
            loaded[name] = load_layer(name, catalog)
        except DataSourceError as exc:
            if spec.origin != "workspace":
                raise
            failed[name] = exc.message
    return loaded, catalog.without(failed)


def _load_imported(name: str, spec: LayerSpec) -> LayerData:
    """An imported layer; any failure to read its file (damaged on disk) is one
    :class:`DataSourceError` naming the layer and what to do."""
    try:
        with warnings.catch_warnings(record=True):  # GDAL's warnings on a damaged file: the error says it
            geom = (spec.read() if spec.read is not None else read_vector(spec.geometry)).to_crs("EPSG:4326")
        gdf = _order_columns(add_efficiency(_finish(geom, name, features=True)))
        return LayerData(name, gdf, report=_self_report(geom, spec.key))
    except Exception as exc:  # the file is data on disk: whatever GDAL or pandas says, the layer is broken
        file = "/".join(spec.geometry.parts[-3:])  # layers/<name>/v<N>.gpkg, never the server's path
        error = " ".join(str(exc).replace(str(spec.geometry.parents[2]) + "/", "").split())
        raise DataSourceError(
            msg("ws_broken_file", name=name, reason=msg("ws_file_unreadable", file=file, error=error))
        ) from None


def _finish(gdf: gpd.GeoDataFrame, name: str, features: bool = False) -> gpd.GeoDataFrame:
    """Add ``layer``, make sure the shared columns exist, text columns have no NaN."""
    out = gdf.copy()
    out["layer"] = name
    if name in EFFICIENCY_LAYERS or features:
        for col in FEATURE_TEXT_COLUMNS:
            if col not in out.columns:
                out[col] = ""
        for col in FEATURE_NUMBER_COLUMNS:
            out[col] = pd.to_numeric(out[col], errors="coerce") if col in out.columns else float("nan")
        if "has_conflict" not in out.columns:
            out["has_conflict"] = False
            out["conflicts"] = ""
    text_cols = [
        c
        for c in out.columns
        if c != out.geometry.name and (out[c].dtype == object or str(out[c].dtype) in ("string", "str"))
    ]
    out[text_cols] = out[text_cols].fillna("")
    return _order_columns(out)


def _order_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """id, name, layer first; geometry last."""
    first = [c for c in ("id", "name", "layer") if c in gdf.columns]
    rest = [c for c in gdf.columns if c not in first and c != gdf.geometry.name]
    return gdf[first + rest + [gdf.geometry.name]]


def _self_report(gdf: gpd.GeoDataFrame, key: str) -> JoinReport:
    if key not in gdf.columns:
        raise SchemaError(f"layer has no key column {key!r}")
    n = len(gdf)
    return JoinReport("left", n, 0, n, (), (), (), (), ())

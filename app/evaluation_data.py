"""Cached access to the per-mu evaluation (亩均评价) for the app. All st.cache_* wrappers of the
evaluation page live here; every function only calls zkq_geo.

Cache keys are the inputs themselves: the ledger's bytes and file name, the units chosen for
headers without one, the scheme's YAML text and the control settings. Results kept with
``st.cache_resource`` are shared objects: never modify them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import data
import geopandas as gpd
import pandas as pd
import streamlit as st
from map_component import cached_map_payload

from zkq_geo.analysis.join import JoinReport
from zkq_geo.cells import neutralise_frame
from zkq_geo.evaluation.control import ControlRules, control_check, load_control_rules
from zkq_geo.evaluation.evaluate import (
    Evaluation,
    evaluate,
    evaluation_points,
    join_parcels,
    summarize_classes,
)
from zkq_geo.evaluation.ledger import read_ledger
from zkq_geo.evaluation.report import evaluation_html, evaluation_xlsx, ledger_template_xlsx
from zkq_geo.evaluation.scheme import Scheme, parse_scheme

DEMO_LEDGER = Path(__file__).resolve().parents[1] / "geodata" / "examples" / "demo_ledger_synthetic.csv"
CREDIT_KEYS = ("credit_code", "统一社会信用代码", "社会信用代码", "信用代码")
SUMMARY_TITLES = {"park": "按园区 by park", "plate": "按板块 by plate", "industry": "按产业 by industry"}
Units = tuple[tuple[str, str], ...]


def demo_ledger() -> tuple[str, bytes]:
    """File name and bytes of the shipped SYNTHETIC demo ledger."""
    return DEMO_LEDGER.name, DEMO_LEDGER.read_bytes()


@st.cache_data(show_spinner=False)
def template() -> bytes:
    return ledger_template_xlsx()


@st.cache_resource(show_spinner=False)
def control_rules() -> ControlRules:
    return load_control_rules()


@st.cache_resource(show_spinner=False, max_entries=16)
def ledger(name: str, content: bytes, units: Units) -> pd.DataFrame:
    return read_ledger(content, filename=name, units=dict(units))


def scheme(text: str, origin: str) -> Scheme:
    """Parsed each rerun (it is fast): a SchemeError names the field to fix."""
    return parse_scheme(text, origin)


@st.cache_resource(show_spinner=False, max_entries=16)
def evaluation(name: str, content: bytes, units: Units, scheme_text: str, origin: str) -> Evaluation:
    return evaluate(ledger(name, content, units), scheme(scheme_text, origin))


@st.cache_resource(show_spinner=False, max_entries=16)
def control(
    name: str,
    content: bytes,
    units: Units,
    city_class: str | None,
    invest_min: float | None,
    source: str = "ledger",
) -> pd.DataFrame:
    """Control check of the ledger's firms, or of the shipped project sites (``source="projects"``)."""
    table = projects_table() if source == "projects" else ledger(name, content, units)
    return control_check(table, control_rules(), city_class=city_class, investment_min_wan_per_mu=invest_min)


def summaries(ev: Evaluation) -> dict[str, pd.DataFrame]:
    """Summaries by park, plate and industry, for the ledger columns that exist."""
    return {
        title: summarize_classes(ev, key) for key, title in SUMMARY_TITLES.items() if key in ev.table.columns
    }


def zone_outline() -> gpd.GeoDataFrame:
    return data.all_layers()["zone"].gdf


def parcel_layers() -> dict[str, str]:
    """Loaded layers (e.g. imported parcels) that carry a credit-code column: name -> that column."""
    found = {}
    for name, layer in data.all_layers().items():
        column = next((c for c in CREDIT_KEYS if c in layer.gdf.columns), None)
        if column:
            found[name] = column
    return found


def features(ev: Evaluation, parcels: str | None) -> tuple[gpd.GeoDataFrame, JoinReport | None]:
    """What to map: the firms' points, or parcels of layer ``parcels`` joined by credit code."""
    if not parcels:
        return evaluation_points(ev), None
    return join_parcels(ev, data.all_layers()[parcels].gdf, key=parcel_layers()[parcels])


@st.cache_data(show_spinner=False, max_entries=16)
def report(
    kind: Literal["xlsx", "html"],
    name: str,
    content: bytes,
    units: Units,
    scheme_text: str,
    origin: str,
    city_class: str | None,
    invest_min: float | None,
    notice: str,
    parcels: str | None = None,
    lang: str = "zh",
) -> bytes:
    """The Excel workbook or the HTML report (with the map of ``parcels``, or of the firms' points)."""
    ev = evaluation(name, content, units, scheme_text, origin)
    checked = control(name, content, units, city_class, invest_min)
    if kind == "xlsx":
        extra = {**summaries(ev), "控制指标 Control": checked}
        return evaluation_xlsx(ev, extra_sheets=extra, notice=notice, lang=lang)
    page = evaluation_html(
        ev,
        features=features(ev, parcels)[0],
        backdrop=zone_outline(),
        summaries=summaries(ev),
        control=checked,
        notice=notice,
        lang=lang,
    )
    return page.encode("utf-8")


def csv_bytes(ev: Evaluation) -> bytes:
    """One row per enterprise (the CLI's CSV columns), formula-like text neutralised, UTF-8 with BOM."""
    return neutralise_frame(ev.table[ev.result_columns]).to_csv(index=False).encode("utf-8-sig")


def map_payload(
    name: str,
    content: bytes,
    units: Units,
    scheme_text: str,
    origin: str,
    lang: str,
    parcels: str | None = None,
) -> dict:
    """The A/B/C/D map, built and rendered once per inputs (see map_component.cached_map_payload)."""

    def build():
        from zkq_geo.evaluation.class_map import abcd_map

        ev = evaluation(name, content, units, scheme_text, origin)
        return abcd_map(
            features(ev, parcels)[0], backdrop=zone_outline(), lang=lang, asset_base_url=data.ASSET_BASE_URL
        )

    return cached_map_payload(("abcd", name, content, units, scheme_text, origin, lang, parcels), build)


def projects_table() -> pd.DataFrame:
    """The shipped project sites as a plain table, for the control-indicator check."""
    gdf = data.all_layers()["projects"].gdf
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))

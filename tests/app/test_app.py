"""AppTest tests of every page: filters drive counts and table rows; export bytes hold exactly the
selected ids; the language switch; errors are shown, not raised."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import streamlit as st
from grids import shown
from streamlit.testing.v1 import AppTest

from zkq_geo.catalog import load_catalog

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")


pytestmark = pytest.mark.usefixtures("fresh_caches")


def run_app(page: str | None = None, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def table_ids(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value.index)


def test_map_page_defaults_show_everything_and_the_schematic_note():
    at = run_app()
    assert metric(at, "小微企业园") == "10"
    assert metric(at, "项目") == "36"
    assert len(table_ids(at)) == 46
    assert any("示意范围，非法定边界" in w.value for w in at.warning)
    assert at.title[0].value == "郑州经开区 空间规划与用地一张图"


RAW_WORDS = re.compile(
    r"\b(None|nan|NaN|NaT|planned|signed|negotiating|completed|none|user|schematic|at_least|exact|about|"
    r"no_land_area|no_investment|auto|equipment|logistics|biomed|ict|materials_env|plate_\w+|park_\w+)\b"
)


def _raw_cells(frame: pd.DataFrame, codes: bool = True) -> list:
    """Cells of a shown table that are not words for a planner: None/NaN, or (``codes``) an internal
    code (in English some codes are the English word itself: exact, planned)."""
    cells = frame.reset_index(drop=True).to_numpy().ravel().tolist()
    blank = [v for v in cells if v is None or (isinstance(v, float) and v != v) or str(v) in ("None", "nan")]
    return blank + [v for v in cells if codes and v is not None and RAW_WORDS.search(str(v))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_page_tables_show_no_none_nan_or_codes(lang):
    at = run_app(detail_id="prj_xpeng", lang=lang)  # a project with blanks: no land area, no plate
    table, detail = shown(at.dataframe[0]), at.dataframe[1].value
    values = detail.drop(columns=detail.columns[-1])  # the last column names the export column
    assert _raw_cells(table, lang == "zh") == [] and _raw_cells(values, lang == "zh") == []
    assert "—" in table.to_numpy().ravel().tolist()  # blanks read as a dash


def test_efficiency_page_tables_show_no_none_or_nan():
    at = run_app("app_pages/efficiency_page.py")
    for frame in (shown(d) for d in at.dataframe):
        cells = frame.to_numpy().ravel().tolist()
        assert not [
            v for v in cells if v is None or (isinstance(v, float) and v != v) or v in ("None", "nan")
        ]


def test_industry_filter_changes_counts_and_table():
    at = run_app()
    at.multiselect(key="f_industries").set_value(["biomed"]).run()
    # any-of on the full industry list: two parks list biomed besides their primary industry
    assert metric(at, "小微企业园") == "3" and metric(at, "项目") == "7"
    ids = table_ids(at)
    assert len(ids) == 10 and {"park_biomed", "park_smartmfg", "park_zhongyuan", "prj_tuoren"} <= set(ids)


def test_search_plate_and_investment_filters():
    at = run_app()
    at.text_input(key="f_search").set_value("富泰华").run()
    assert table_ids(at) == ["prj_foxconn_5g"]
    at.text_input(key="f_search").set_value("").run()
    at.selectbox(key="f_plate").set_value("plate_binhe").run()
    assert table_ids(at) == ["park_binhe_digital"]
    at.selectbox(key="f_plate").set_value("").run()
    at.slider(key="f_investment").set_value((35.0, 44.0)).run()
    ids = table_ids(at)
    assert "park_zhenxing" in ids and "prj_weihua" in ids and "park_info" not in ids
    assert all(i.startswith(("park_", "prj_")) for i in ids)


def test_clear_filters_button():
    at = run_app()
    at.multiselect(key="f_industries").set_value(["auto"]).run()
    assert len(table_ids(at)) < 46
    next(b for b in at.button if b.label == "清除筛选").click().run()
    assert len(table_ids(at)) == 46


def test_detail_panel_shows_source_and_conflicts():
    at = run_app(detail_id="park_zhenxing")
    titles = load_catalog().source_titles()  # sources read as "document title，section"
    conflict = next(
        w.value.replace("\\", "")
        for w in at.warning
        if titles["001_e47359d1892c03bd.txt"] in w.value.replace("\\", "")
    )
    assert "投资额（亿元）:" in conflict and "investment_yi" not in conflict and ".txt" not in conflict
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(titles["002_8e3b18d49bf5da6c.txt"] + "，" in c for c in captions)
    assert not any("002_8e3b18d49bf5da6c.txt" in c for c in captions)
    detail = at.dataframe[1].value
    assert list(detail.columns) == ["数值", "单位", "列名"]
    by_column = detail.reset_index().set_index("列名")
    assert by_column.loc["investment_yi", "数值"] == "44" and by_column.loc["investment_yi", "单位"] == "亿元"
    assert by_column.loc["investment_yi", "字段"] == "投资额（亿元）"
    assert by_column.loc["land_area_mu", "单位"] == "亩" and by_column.loc["land_area_mu", "数值"] == "180"
    assert by_column.loc["layer", "数值"] == "小微企业园" and by_column.loc["has_conflict", "数值"] == "是"
    assert "population_wan" not in by_column.index  # the zone's columns: empty for a park, left out


def test_detail_panel_in_english():
    at = run_app(detail_id="park_zhenxing", lang="en")
    by_column = at.dataframe[1].value.reset_index().set_index("Column")
    assert by_column.loc["investment_yi", "Field"] == "Investment (亿元)"
    assert by_column.loc["geometry_quality", "Value"] == "schematic"
    assert by_column.loc["layer", "Value"] == "Small-and-micro enterprise parks"
    assert "Figures from other sources：Investment (亿元):" in " ".join(
        w.value.replace("\\", "") for w in at.warning
    )


def _export_bytes(at: AppTest, media_files: dict) -> bytes:
    button = at.get("download_button")[0]
    return media_files[button.proto.url]


def test_export_holds_exactly_the_filtered_ids(media_files):
    at = run_app()
    at.multiselect(key="f_industries").set_value(["biomed"]).run()
    at.selectbox(key="export_layer").set_value("projects").run()
    data = json.loads(_export_bytes(at, media_files))
    ids = {f["properties"]["id"] for f in data["features"]}
    assert ids == {i for i in table_ids(at) if i.startswith("prj_")}
    assert len(ids) == 7
    assert any("将导出 7 个要素" in c.value for c in at.caption)


@pytest.mark.parametrize(("lang", "id_header", "about"), [("zh", "编号", "字段说明"), ("en", "id", "about")])
def test_the_excel_download_follows_the_ui_language(lang, id_header, about, media_files):
    at = run_app(lang=lang, export_format=("xlsx", "wgs84"))
    sheets = pd.read_excel(io.BytesIO(_export_bytes(at, media_files)), sheet_name=None, dtype=str)
    features, about_sheet = sheets.values()
    assert features.columns[0] == id_header and list(sheets)[1] == about
    if lang == "zh":
        assert "投资额（亿元）" in features.columns and "investment_yi" in about_sheet.to_numpy().ravel()
        assert not {"exact", "schematic", "none"} & set(features.to_numpy().ravel())


EXPORT_CHOICES = [
    ("geojson", "wgs84"),
    ("geojson", "gcj02"),
    ("gpkg", "wgs84"),
    ("shp", "wgs84"),
    ("csv", "wgs84"),
    ("xlsx", "wgs84"),
]


def _exported_ids(fmt: str, payload: bytes, tmp_path: Path) -> list[str]:
    if fmt == "geojson":
        return [f["properties"]["id"] for f in json.loads(payload)["features"]]
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(payload), dtype=str)["id"].tolist()
    if fmt == "xlsx":  # the workbook follows the UI language: 编号 is the id column in Chinese
        frame = pd.read_excel(io.BytesIO(payload), dtype=str)
        return frame["id" if "id" in frame else "编号"].tolist()
    path = tmp_path / ("out.gpkg" if fmt == "gpkg" else "out.zip")
    path.write_bytes(payload)
    if fmt == "shp":
        assert zipfile.ZipFile(path).testzip() is None
    return gpd.read_file(path)["id"].tolist()


@pytest.mark.parametrize("choice", EXPORT_CHOICES, ids=lambda c: "-".join(c))
def test_every_export_form_holds_exactly_the_filtered_ids(choice, media_files, tmp_path):
    at = run_app()
    at.multiselect(key="f_industries").set_value(["auto"]).run()
    at.selectbox(key="export_format").set_value(choice).run()
    expected = {i for i in table_ids(at) if i.startswith("park_")}
    ids = _exported_ids(choice[0], _export_bytes(at, media_files), tmp_path)
    assert sorted(ids) == sorted(expected) and 0 < len(ids) < 10


def test_language_switch_to_english():
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Zhengzhou ETDZ spatial planning & land use"
    assert metric(at, "Parks") == "10"
    assert any("Schematic extent, not a legal boundary" in w.value for w in at.warning)


def test_efficiency_page():
    at = run_app("app_pages/efficiency_page.py")
    zone = at.dataframe[0].value
    assert round(zone["数值"].iloc[0], 2) == 53.18
    assert zone["分子（亿元）"].iloc[0] == 1265.9 and round(zone["分母：规划面积（亩）"].iloc[0]) == 238050
    texts = " ".join(s.value for s in at.subheader)
    assert "投资强度排名" in texts and "无法计算投资强度" in texts and "仅为下限" in texts
    missing_ids = list(at.dataframe[1].value.index)
    assert "prj_jd_asia1" in missing_ids and "park_jianye" not in missing_ids
    # no feature has a lower-bound intensity (every "超X亿" project lacks a land area): said in words
    assert len(at.dataframe) == 3 and "（无）" in [c.value for c in at.caption]
    summary = at.dataframe[2].value
    assert list(summary.columns[:2]) == ["产业", "要素数"] and "生物医药大健康" in set(summary["产业"])
    assert not {"biomed", "feature_count"} & (set(summary["产业"]) | set(summary.columns))


def test_efficiency_page_filter_and_summary():
    at = run_app("app_pages/efficiency_page.py")
    at.multiselect(key="f_industries").set_value(["ict"]).run()
    summary = at.dataframe[-1].value
    assert "新一代信息技术" in set(summary.iloc[:, 0])  # primary industries of the features that list ict
    at.radio(key="summary_by").set_value("plate").run()
    assert not at.exception
    plates = set(at.dataframe[-1].value["板块"])
    assert plates and not any(p.startswith("plate_") for p in plates)


def test_data_page_lists_sources_conflicts_joins_and_zone_indicators():
    at = run_app("app_pages/data_page.py")
    assert not at.error, [e.value for e in at.error]
    sources = at.dataframe[0].value
    assert len(sources) == 5 and set(sources["类型"]) == {"新闻", "规划"}
    conflicts = at.dataframe[1].value
    assert "park_zhenxing" in set(conflicts["编号"]) and "小微企业园" in set(conflicts["图层"])
    assert list(at.dataframe[2].value.columns[:2]) == ["图层", "已匹配"]
    indicators = at.dataframe[3].value  # some values are words: "提升 2.9 个 百分点"
    assert "提升 2.9 个 百分点" in set(indicators["数值"]) and len(indicators) == 124


def test_errors_are_shown_not_raised(monkeypatch, tmp_path):
    monkeypatch.setenv("ZKQ_GEODATA", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("catalogue" in e.value for e in at.error)


def test_tianditu_basemap_offered_only_with_a_key(monkeypatch):
    monkeypatch.delenv("ZKQ_TIANDITU_KEY", raising=False)
    at = run_app()
    assert "tianditu" not in at.selectbox(key="basemap").options
    assert {"none", "osm", "amap"} <= set(at.selectbox(key="basemap").options) or len(
        at.selectbox(key="basemap").options
    ) == 3
    monkeypatch.setenv("ZKQ_TIANDITU_KEY", "test-key")
    st.cache_data.clear()
    at = run_app()
    assert len(at.selectbox(key="basemap").options) == 4

"""AppTest tests of every page: filters drive counts and table rows; export bytes hold exactly the
selected ids; the language switch; errors are shown, not raised."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


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
    assert any("001_e47359d1892c03bd.txt" in w.value.replace("\\", "") for w in at.warning)
    assert any("002_8e3b18d49bf5da6c.txt" in c.value.replace("\\", "") for c in at.caption)
    detail = at.dataframe[1].value
    assert detail.loc["investment_yi", "value"] == "44.0" and detail.loc["investment_yi", "unit"] == "亿元"
    assert detail.loc["land_area_mu", "unit"] == "亩"


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
    texts = " ".join(s.value for s in at.subheader)
    assert "投资强度排名" in texts and "无法计算投资强度" in texts
    missing_ids = list(at.dataframe[1].value.index)
    assert "prj_jd_asia1" in missing_ids and "park_jianye" not in missing_ids
    lower_ids = list(at.dataframe[2].value.index)
    assert lower_ids == [] or all(i.startswith(("park_", "prj_")) for i in lower_ids)


def test_efficiency_page_filter_and_summary():
    at = run_app("app_pages/efficiency_page.py")
    at.multiselect(key="f_industries").set_value(["ict"]).run()
    summary = at.dataframe[-1].value
    assert "ict" in set(summary.iloc[:, 0])  # primary industries of the features that list ict
    at.radio(key="summary_by").set_value("plate").run()
    assert not at.exception


def test_data_page_lists_sources_and_conflicts():
    at = run_app("app_pages/data_page.py")
    sources = at.dataframe[0].value
    assert len(sources) == 5
    conflicts = at.dataframe[1].value
    assert "park_zhenxing" in set(conflicts["id"])


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
    assert {"none", "osm", "amap"} <= set(at.selectbox(key="basemap").options) or len(at.selectbox(key="basemap").options) == 3
    monkeypatch.setenv("ZKQ_TIANDITU_KEY", "test-key")
    st.cache_data.clear()
    at = run_app()
    assert len(at.selectbox(key="basemap").options) == 4

"""The last codes that reached a planner on the import and 亩均评价 pages: the class charts'
tooltips (``group_label``, ``cls``, ``firms``), the join report's computed lines (``land_area_mu
(亩) from ...``), the field types of an import report (``int64``, ``object``...), the file format
and geometry types (``geojson``, ``Polygon``) and the evaluation's summary/control options. Each
now reads in the UI language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import importdata as d
import pytest
from apppages import APP, open_page
from geojsondocs import collection, feature, write_geojson
from streamlit.testing.v1 import AppTest

APP_DIR = Path(APP).parent
FIELD_CODES = re.compile(r"\b(group_label|cls|firms|land|group|count_\w+|land_mu_\w+)\b")
DTYPES = re.compile(r"\b(u?int\d*|Int\d+|float\d*|object|str|string|bool|boolean|datetime64.*|category)\b")
COLUMN_CODES = re.compile(r"land_area_mu|investment_yi|_wan_per_mu|_previous|\bin 亩\b|\bfrom '")


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ----------------------------------------------------------------------------- 亩均评价 charts
def chart_titles(at: AppTest) -> list[dict]:
    """Per chart: the title of every encoding channel and tooltip field, by field name."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
        titles = {}
        for channel, enc in encoding.items():
            for item in enc if isinstance(enc, list) else [enc]:
                titles[f"{channel}:{item['field']}"] = item.get("title", "<no title>")
        out.append(titles)
    return out


def evaluation_page(monkeypatch, lang: str) -> AppTest:
    """The 亩均评价 page run by itself, in ``lang``, with the demo ledger. (In the whole app,
    AppTest cannot read back a widget whose labels follow the language after a switch: it calls
    the widget's format_func outside the app, where the language is always the default.)"""
    monkeypatch.syspath_prepend(str(APP_DIR))
    at = AppTest.from_file(str(APP_DIR / "app_pages" / "evaluation_page.py"), default_timeout=180)
    at.session_state["lang"], at.session_state["eval_use_demo"] = lang, True
    return run(at)


@pytest.mark.usefixtures("fresh_caches")
@pytest.mark.parametrize(
    "lang, words",
    [
        ("zh", {"评价组", "分类", "企业数", "用地面积（亩）", "各类企业数", "各类用地（亩）"}),
        ("en", {"Group", "Class", "Firms", "Land area (亩)", "Firms by class", "Land by class (亩)"}),
    ],
)
def test_class_charts_title_every_field_in_the_ui_language(monkeypatch, lang, words):
    charts = chart_titles(evaluation_page(monkeypatch, lang))
    assert len(charts) == 2
    for titles in charts:
        tooltips = {k: v for k, v in titles.items() if k.startswith("tooltip:")}
        assert len(tooltips) == 3, titles
        # every channel has a title (y: none at all, the group names are the axis labels)
        assert all(v != "<no title>" for v in titles.values()), titles
        assert titles["y:group_label"] is None
        shown = [v for v in titles.values() if v is not None]
        assert not [v for v in shown if FIELD_CODES.fullmatch(v)], titles
    assert set(charts[0].values()) | set(charts[1].values()) >= words


@pytest.mark.usefixtures("fresh_caches")
def test_summary_and_control_options_read_in_the_ui_language_and_keep_the_choice(monkeypatch):
    at = evaluation_page(monkeypatch, "zh")
    summary_by, source = at.radio(key="eval_summary_by"), at.radio(key="eval_control_source")
    assert summary_by.options == ["按园区", "按板块", "按产业"]
    assert source.options == ["台账企业", "项目点位"]
    assert all("（huangyan" not in o and "_" not in o for o in at.selectbox(key="eval_preset").options)
    summary_by.set_value("plate")
    run(at).session_state["lang"] = "en"
    run(at)
    assert at.radio(key="eval_summary_by").options == ["By park", "By plate", "By industry"]
    assert at.radio(key="eval_summary_by").value == "plate"  # the choice survives the switch
    assert at.selectbox(key="eval_preset").value == "huangyan_2022"


# ----------------------------------------------------------------------------- import page
@pytest.fixture
def workspace(tmp_path, monkeypatch, fresh_caches) -> Path:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return tmp_path / "ws"


def import_page() -> AppTest:
    return open_page("app_pages/import_page.py")


def upload(at: AppTest, key: str, path: Path) -> AppTest:
    at.file_uploader(key=key).set_value((path.name, path.read_bytes(), "application/octet-stream"))
    return run(at)


def typed_geojson(path: Path) -> Path:
    props = {"名称": "甲", "编号": 1, "面积": 1.5, "入园": True, "登记": "2020-01-15T00:00:00"}
    square = {
        "type": "Polygon",
        "coordinates": [[[113.75, 34.7], [113.76, 34.7], [113.76, 34.71], [113.75, 34.7]]],
    }
    write_geojson(path, collection(feature(square, props)))
    return path


def table(at: AppTest, header: str):
    return next(df.value for df in at.dataframe if header in df.value.columns)


@pytest.mark.usefixtures("workspace")
def test_import_report_words_field_types_format_and_geometry(tmp_path):
    at = upload(import_page(), "imp_file", typed_geojson(tmp_path / "typed.geojson"))
    facts = at.dataframe[0].value.iloc[:, 0].tolist()
    assert "GeoJSON" in facts and "面 × 1" in facts and "geojson" not in facts
    types = table(at, "类型")["类型"].tolist()
    assert set(types) == {"文本", "整数", "小数", "是否", "日期时间"}
    assert not [t for t in types if DTYPES.search(t)], types


@pytest.mark.parametrize(
    "lang, kinds, geometry",
    [
        ("zh", ["文本", "整数", "小数", "是否", "日期时间", "时长", "几何图形", "其他"], "多面 × 2、点 × 1"),
        (
            "en",
            ["Text", "Integer", "Decimal", "Yes/no", "Date-time", "Duration", "Geometry", "Other"],
            "Multi-polygon × 2, Point × 1",
        ),
    ],
)
def test_field_types_and_geometries_read_in_either_language(monkeypatch, lang, kinds, geometry):
    from zkq_geo.importing.reader import ImportReport

    monkeypatch.syspath_prepend(str(APP_DIR))
    from i18n import STRINGS
    from importing import fields_table, report_facts

    t = lambda key, **fmt: STRINGS[key][lang].format(**fmt)  # noqa: E731
    dtypes = (
        "object",
        "int64",
        "float64",
        "bool",
        "datetime64[ns]",
        "timedelta64[ns]",
        "geometry",
        "complex128",
    )
    report = ImportReport(
        source="a.gpkg",
        format="gpkg",
        fields=tuple((f"f{i}", d) for i, d in enumerate(dtypes)),
        geometry_types=(("MultiPolygon", 2), ("Point", 1)),
    )
    assert fields_table(report, t).iloc[:, 1].tolist() == kinds
    facts = report_facts(report, t, lang).iloc[:, 0].tolist()
    assert "GeoPackage" in facts and "gpkg" not in facts and geometry in facts


@pytest.mark.usefixtures("workspace")
def test_join_report_says_what_it_computed_in_words(tmp_path):
    """(The English words are tested with the library: tests/unit/importing/test_ledger_join_computed.py.)"""
    expected = [
        "计算：用地面积（亩）← 台账列「用地面积（亩）」（亩）",
        "计算：投资额（亿元）← 台账列「总投资（万元）」（万元）",
    ]
    at = upload(import_page(), "imp_file", d.gbk_shapefile_zip(tmp_path / "in"))
    at.button(key="imp_go").click()
    run(at).selectbox(key="join_layer").set_value("dikuai")
    upload(run(at), "join_file", d.ledger_xlsx(tmp_path / "台账.xlsx"))
    at.radio(key="join_match").set_value("name")
    run(at)
    computed = [i.value.replace("\\", "") for i in at.info if i.value.startswith(("计算", "Computed"))]
    assert computed == expected
    assert not [c for c in computed if COLUMN_CODES.search(c)]

"""AppTest: the tables the app shows keep numeric columns numeric (a click on a header sorts 9
before 10), while their cells read as the formatter writes them (1,234.5; blanks "—"); the
ranking chart's tooltips and the import page's join preview are worded by the formatter."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import importdata as d
import pandas as pd
import pytest
import shapely
from grids import is_numeric, shown
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from zkq_geo.workspace import Workspace

APP = str(Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py")
INVESTMENT_YI = [10.0, 9.0, 1234.5, None]  # as text, "9" would sort after "10"


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, fresh_caches) -> Workspace:
    monkeypatch.setenv("ZKQ_WORKSPACE", str(tmp_path / "ws"))
    return Workspace()


def page(path: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if path:
        at.switch_page(path)
        at.run()
    if lang != "zh":
        at.radio(key="lang").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def odd_sites(workspace: Workspace) -> None:
    """An imported layer whose figures sort differently as text and as numbers; one has none."""
    gdf = gpd.GeoDataFrame(
        {
            "id": ["s10", "s9", "s1234", "sblank"],
            "name": ["十号地", "九号地", "大地块", "空地块"],
            "investment_yi": INVESTMENT_YI,
            "land_area_mu": [1.0, 1.0, 1.0, 1.0],
        },
        geometry=[shapely.Point(113.75 + i / 100, 34.72) for i in range(4)],
        crs="EPSG:4326",
    )
    workspace.save_layer("odd", gdf, title="排序")


def test_the_map_table_sorts_numbers_as_numbers_and_shows_the_formatters_text(workspace):
    odd_sites(workspace)
    at = page()
    table = at.dataframe[0]
    column = "总投资（亿元）"
    assert is_numeric(table, column)
    ours = table.value.loc[["s10", "s9", "s1234", "sblank"], column]
    assert ours.sort_values().index.tolist() == ["s9", "s10", "s1234", "sblank"]  # 9 < 10 < 1,234.5
    text = shown(table).loc[["s10", "s9", "s1234", "sblank"], column].tolist()
    assert text == ["10", "9", "1,234.5", "—"]
    assert table.proto.placeholder == "—"  # the grid draws a missing number as a dash, not "None"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_numbers_in_every_table_have_separators_and_at_most_two_decimals(lang):
    for path in (None, "app_pages/efficiency_page.py", "app_pages/data_page.py"):
        at = page(path, lang)
        for element in at.dataframe[: None if path else 1]:  # the detail panel is a list of texts
            frame, text = element.value, shown(element)
            for column in [c for c in frame.columns if is_numeric(element, c)]:
                for value, cell in zip(frame[column], text[column], strict=True):
                    assert cell == ("—" if pd.isna(value) else f"{value:,.2f}".rstrip("0").rstrip("."))


def test_the_efficiency_tables_keep_counts_and_figures_numeric():
    at = page("app_pages/efficiency_page.py")
    zone, summary = at.dataframe[0], at.dataframe[-1]
    assert is_numeric(zone, "数值") and is_numeric(zone, "分母：规划面积（亩）")
    assert set(shown(zone)["年份"]) <= {"—"} | {str(y) for y in range(1990, 2100)}  # years: no separator
    assert is_numeric(summary, "要素数") and summary.value["要素数"].sum() > 0


def test_the_evaluation_tables_keep_scores_numeric_and_blanks_a_dash():
    at = page("app_pages/evaluation_page.py")
    at.button(key="eval_demo_button").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    numeric = [(e, c) for e in at.dataframe for c in e.value.columns if is_numeric(e, c)]
    assert numeric and all(e.proto.placeholder == "—" for e in at.dataframe)
    cells = {cell for e, c in numeric for cell in shown(e)[c]}
    assert "—" in cells and not {"None", "nan"} & cells
    assert all(len(c.split(".")[1]) <= 2 for c in cells if "." in c)


def ranking_tooltips(at: AppTest) -> tuple[list[str], list[dict]]:
    """The tooltip titles of the ranking chart and the rows it draws."""
    chart = next(c for c in at.get("vega_lite_chart") if "invest_intensity_wan_per_mu" in c.proto.spec)
    spec = json.loads(chart.proto.spec)
    titles = [tip["title"] for tip in spec["encoding"]["tooltip"]]
    fields = [tip["field"] for tip in spec["encoding"]["tooltip"]]
    rows = [
        r
        for data in chart.proto.datasets
        for r in dataframe_util.convert_arrow_bytes_to_pandas_df(data.data.data).to_dict("records")
    ]
    return titles, [{title: row[field] for title, field in zip(titles, fields, strict=True)} for row in rows]


@pytest.mark.parametrize(
    ("lang", "investment", "unit"), [("zh", "总投资", "万元/亩"), ("en", "Investment", "万元/亩")]
)
def test_the_ranking_tooltips_read_as_the_formatter_writes_them(lang, investment, unit):
    at = page("app_pages/efficiency_page.py", lang)
    titles, rows = ranking_tooltips(at)
    assert investment in titles and rows
    intensity = titles[3]
    assert all(str(row[intensity]).endswith(f" {unit}") for row in rows)  # numbers with units
    for row in rows:  # figures are text: separators, at most two decimals, a sign for a lower bound
        assert isinstance(row[investment], str) and row[investment] != "nan"
        number = row[intensity].split(" ")[0].lstrip("≥≤约≈").replace(",", "")
        assert len(number.partition(".")[2]) <= 2
    words = " ".join(str(v) for row in rows for v in row.values())
    codes = {"at_least", "None", "nan"} | ({"exact"} if lang == "zh" else set())  # "exact" is English
    assert not codes & set(words.replace("（", " ").split())


def test_the_join_preview_is_worded_by_the_formatter(tmp_path):
    at = page("app_pages/import_page.py")
    at.selectbox(key="join_layer").set_value("parks")
    at.file_uploader(key="join_file").set_value(
        ("t.xlsx", d.ledger_xlsx(tmp_path / "t.xlsx", rows=[("中兴产业园", 12345, 10)]).read_bytes(), "x")
    )
    at.run()
    at.radio(key="join_match").set_value("name")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.dataframe[-1]
    assert list(preview.value.columns[:4]) == ["编号", "名称", "用地面积（亩）", "投资额（亿元）"]
    assert is_numeric(preview, "用地面积（亩）") and is_numeric(preview, "亩均投资（万元/亩）")
    text = shown(preview).set_index("名称")
    assert text.loc["中兴产业园", "亩均投资（万元/亩）"] == "1,234.5"  # 12,345 万元 over 10 亩
    assert text.loc["中兴产业园", "用地面积（亩）"] == "10"
    assert "—" in set(text["亩均投资（万元/亩）"])  # parks without a ledger row: a dash, not None

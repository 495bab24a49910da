"""AppTest: the tables the app shows keep numeric columns numeric (a click on a header sorts 9
before 10), while their cells read as the formatter writes them (1,234.5; blanks "—")."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from grids import is_numeric, shown
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

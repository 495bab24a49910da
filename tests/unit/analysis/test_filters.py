"""Tests of zkq_geo.analysis.filters on tiny tables with known answers."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from zkq_geo.analysis.filters import filter_features, resolve_industry, resolve_plate
from zkq_geo.errors import OptionError, SchemaError

NAN = float("nan")

VOCABULARY = {
    "auto": {"zh": "新能源汽车及零部件", "en": "New-energy vehicles and parts"},
    "equipment": {"zh": "高端装备", "en": "High-end equipment"},
    "biomed": {"zh": "生物医药大健康", "en": "Biomedicine and health"},
    "ict": {"zh": "新一代信息技术", "en": "Next-generation information technology"},
}


@pytest.fixture
def projects() -> pd.DataFrame:
    rows = [
        ("p1", "振兴科创园", "振兴产业园", "equipment|auto", "plate_ydyl", 44.0, "exact"),
        ("p2", "中兴5G微基站项目", "", "ict", "plate_binhe", 30.0, "at_least"),
        ("p3", "安图生物诊断仪器产业园", "Autobio|安图三期", "biomed", "", 16.0, "exact"),
        ("p4", "上汽乘用车基地", "", "auto|equipment", "plate_ydyl", NAN, ""),
        ("p5", "华夏碧水环保科技", "", "ict|biomed", "plate_binhe", 5.0, "at_least"),
    ]
    columns = ["id", "name", "aliases", "industries", "plate_id", "investment_yi", "investment_qualifier"]
    df = pd.DataFrame(rows, columns=columns, index=[10, 11, 12, 13, 14])
    return df.assign(industry=df["industries"].str.split("|").str[0])


@pytest.fixture
def plates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["plate_ydyl", "plate_binhe", "plate_xiangyun"],
            "name": ["“一带一路”国际商务区核心板块", "滨河新城核心板块", "祥云板块"],
            "aliases": ["一带一路国际商务区|经开起步区核心板块|起步区", "滨河国际新城|滨河新城", ""],
        }
    )


def ids(df: pd.DataFrame) -> list[str]:
    return df["id"].tolist()


# ----------------------------------------------------------------------------- industries
def test_industries_any_of(projects):
    out = filter_features(projects, industries=["auto", "biomed"], vocabulary=VOCABULARY)
    assert ids(out) == ["p1", "p3", "p4", "p5"]
    assert out.index.tolist() == [10, 12, 13, 14]


def test_industry_matches_whole_codes_only(projects):
    df = projects.assign(industries=["autoparts", "ict", "biomed", "x|auto", "ict"])
    out = filter_features(df, industries=["auto"], vocabulary={**VOCABULARY, "autoparts": {}})
    assert ids(out) == ["p4"]


def test_industries_chinese_label_and_single_string(projects):
    by_label = filter_features(projects, industries=["高端装备"], vocabulary=VOCABULARY)
    by_code = filter_features(projects, industries="equipment", vocabulary=VOCABULARY)
    assert ids(by_label) == ids(by_code) == ["p1", "p4"]


def test_industries_flat_zh_to_code_vocabulary(projects):
    flat = {entry["zh"]: code for code, entry in VOCABULARY.items()}
    out = filter_features(projects, industries=["生物医药大健康"], vocabulary=flat)
    assert ids(out) == ["p3", "p5"]


def test_unknown_industry_lists_codes(projects):
    with pytest.raises(OptionError, match=r"'pharma'.*auto \(新能源汽车及零部件\).*biomed"):
        filter_features(projects, industries=["pharma"], vocabulary=VOCABULARY)


def test_industries_need_vocabulary(projects):
    with pytest.raises(OptionError, match="vocabulary"):
        filter_features(projects, industries=["auto"])


def test_empty_industries_is_no_filter(projects):
    assert ids(filter_features(projects, industries=[], vocabulary=VOCABULARY)) == ids(projects)


@pytest.mark.parametrize("text", ["biomed", " BIOMED ", "生物医药大健康", "biomedicine and health"])
def test_resolve_industry(text):
    assert resolve_industry(text, VOCABULARY) == "biomed"


def test_resolve_industry_from_yaml_list():
    entries = [{"code": c, **e} for c, e in VOCABULARY.items()]
    assert resolve_industry("高端装备", entries) == "equipment"


# ----------------------------------------------------------------------------- plates
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plate_ydyl", "plate_ydyl"),
        ("“一带一路”国际商务区核心板块", "plate_ydyl"),
        ('"一带一路"国际商务区核心板块', "plate_ydyl"),
        ("起步区", "plate_ydyl"),  # 2021 board name -> 2023 plate
        (" 经开起步区核心板块 ", "plate_ydyl"),
        ("滨河国际新城", "plate_binhe"),
        ("祥云板块", "plate_xiangyun"),
    ],
)
def test_resolve_plate(plates, text, expected):
    assert resolve_plate(plates, text) == expected


def test_resolve_plate_unknown_lists_plates(plates):
    with pytest.raises(OptionError, match=r"'圃田'.*plate_ydyl.*plate_xiangyun \(祥云板块\)"):
        resolve_plate(plates, "圃田")


def test_resolve_plate_empty_text(plates):
    with pytest.raises(OptionError, match="not known"):
        resolve_plate(plates, "  ")


def test_resolve_plate_ambiguous_alias(plates):
    shared = plates.assign(aliases=["核心区", "核心区", ""])
    with pytest.raises(OptionError, match="ambiguous.*plate_binhe, plate_ydyl"):
        resolve_plate(shared, "核心区")


def test_filter_by_resolved_plate(projects, plates):
    out = filter_features(projects, plate_id=resolve_plate(plates, "起步区"))
    assert ids(out) == ["p1", "p4"]


def test_filter_unassigned_plate(projects):
    assert ids(filter_features(projects, plate_id="")) == ["p3"]


# ----------------------------------------------------------------------------- investment
def test_min_investment_excludes_unknown_and_low_bounds(projects):
    # p2 "超30亿" passes min 30; p5 "超5亿" is not known to reach 10; p4 has no figure
    out = filter_features(projects, min_investment_yi=10)
    assert ids(out) == ["p1", "p2", "p3"]
    assert ids(filter_features(projects, min_investment_yi=31)) == ["p1"]


def test_max_investment_and_lower_bounds(projects):
    # at_least 30 passes max 30 (30 <= 30) but not max 29
    assert ids(filter_features(projects, max_investment_yi=30)) == ["p2", "p3", "p5"]
    assert ids(filter_features(projects, max_investment_yi=29)) == ["p3", "p5"]


def test_investment_range(projects):
    out = filter_features(projects, min_investment_yi=5, max_investment_yi=16)
    assert ids(out) == ["p3", "p5"]


def test_min_greater_than_max(projects):
    with pytest.raises(OptionError, match="min_investment_yi=40 is greater than max_investment_yi=10"):
        filter_features(projects, min_investment_yi=40, max_investment_yi=10)


def test_bound_must_be_a_number(projects):
    with pytest.raises(OptionError, match="min_investment_yi='lots'"):
        filter_features(projects, min_investment_yi="lots")


# ----------------------------------------------------------------------------- search
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("安图三期", ["p3"]),  # alias
        ("  autobio ", ["p3"]),  # alias, case and whitespace
        ("P2", ["p2"]),  # id
        ("园", ["p1", "p3"]),  # name substring
        ("", ["p1", "p2", "p3", "p4", "p5"]),
        ("   ", ["p1", "p2", "p3", "p4", "p5"]),
        ("不存在", []),
    ],
)
def test_search(projects, text, expected):
    assert ids(filter_features(projects, search=text)) == expected


def test_search_is_literal_not_regex(projects):
    assert ids(filter_features(projects, search="5G.")) == []


# ----------------------------------------------------------------------------- general
def test_filters_combine_and_keep_order(projects):
    out = filter_features(
        projects,
        industries=["biomed", "auto"],
        vocabulary=VOCABULARY,
        plate_id="plate_binhe",
        max_investment_yi=10,
    )
    assert ids(out) == ["p5"]
    assert out.index.tolist() == [14]


def test_input_unchanged_and_result_is_new(projects):
    before = projects.copy()
    out = filter_features(projects)
    pd.testing.assert_frame_equal(out, projects)
    assert out is not projects
    filter_features(
        projects,
        industries=["ict"],
        vocabulary=VOCABULARY,
        search="中兴",
        min_investment_yi=1,
        max_investment_yi=100,
        plate_id="plate_binhe",
    )
    pd.testing.assert_frame_equal(projects, before)


def test_geodataframe_stays_geodataframe(projects):
    gdf = gpd.GeoDataFrame(projects, geometry=[Point(i, 0) for i in range(5)], crs="EPSG:4326")
    out = filter_features(gdf, search="中兴")
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == gdf.crs


def test_missing_column_named(projects):
    with pytest.raises(SchemaError, match="aliases"):
        filter_features(projects.drop(columns="aliases"), search="x")

"""Data tests: the shipped layers hold the seeds' figures, every record is sourced, geometry is sound.

Figures are re-read from the seed text here, independently of geodata/, so a transcription
error in the attribute tables fails a test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zkq_geo.catalog import load_catalog
from zkq_geo.layers import load_layer
from zkq_geo.validate import validate_geodata

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
PLAN = SEEDS / "002_8e3b18d49bf5da6c.txt"


@pytest.fixture(scope="module")
def plan_text() -> str:
    assert PLAN.exists(), f"seed documents not found at {SEEDS} (CI clones main with shared/ beside it)"
    return PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def layers():
    catalog = load_catalog()
    return {n: load_layer(n, catalog).gdf for n in catalog.layers}


def _column_4_2(text: str) -> list[tuple[str, float, float]]:
    block = text.split("专栏 4-2：小微企业园", 1)[1].split("第三节", 1)[0]
    return [
        (m[0], float(m[1]), float(m[2]))
        for m in re.findall(r"^(\S+?)。总投资 (\d+(?:\.\d+)?) 亿元，规划占地 (\d+) 亩", block, flags=re.M)
    ]


def test_all_ten_parks_of_column_4_2_with_seed_figures(plan_text, layers):
    seed_parks = _column_4_2(plan_text)
    assert len(seed_parks) == 10
    parks = layers["parks"].set_index("name")
    for name, invest, land in seed_parks:
        assert name in parks.index, name
        assert parks.loc[name, "investment_yi"] == invest
        assert parks.loc[name, "land_area_mu"] == land
        assert parks.loc[name, "investment_qualifier"] == "exact"


def _table_projects(text: str) -> dict[str, float]:
    """Rows '序号<TAB>项目名称<TAB>项目(计划)总投资 X 亿元...' of the plan's project tables."""
    rows = re.findall(r"^\d+\t(\S+)\t项目(?:计划)?总投资 (\d+(?:\.\d+)?) 亿元", text, flags=re.M)
    return {re.sub(r"\s+", "", name): float(v) for name, v in rows}


def test_every_plan_table_project_with_investment_is_present(plan_text, layers):
    seed = _table_projects(plan_text)
    assert len(seed) >= 20
    projects = layers["projects"]
    by_name = {
        re.sub(r"\s+", "", n): v for n, v in zip(projects["name"], projects["investment_yi"], strict=False)
    }
    for name, invest in seed.items():
        assert name in by_name, name
        assert by_name[name] == invest, name


def test_completed_double_ten_project_is_a_lower_bound(plan_text, layers):
    # 第一章: "京东亚洲一号、上汽郑州基地项目、宇通二期等单个投资超 20 亿元的重大产业项目建成"
    sentence = re.search(r"千亿，(\S+?)等单个投资超 (\d+) 亿元的重大产业项目建成", plan_text)
    assert sentence is not None
    names, bound = sentence[1].split("、"), float(sentence[2])
    assert "宇通二期" in names
    p = layers["projects"].set_index("name")
    assert p.loc["宇通二期", "investment_yi"] == bound
    assert p.loc["宇通二期", "investment_qualifier"] == "at_least"
    assert p.loc["宇通二期", "invest_intensity_qualifier"] == "no_land_area"


def test_floor_area_is_never_land_area(layers):
    p = layers["projects"].set_index("id")
    assert p.loc["prj_jd_asia1", "floor_area_m2"] == 540000
    assert p.loc["prj_jd_asia1", "land_area_mu"] != p.loc["prj_jd_asia1", "land_area_mu"]  # NaN
    assert p.loc["prj_jd_asia1", "invest_intensity_qualifier"] == "no_land_area"
    assert p.loc["prj_autobio_phase3", "floor_area_qualifier"] == "at_least"  # "超10万平方米"


def test_lower_bound_investments_keep_their_qualifier(layers):
    p = layers["projects"].set_index("id")
    assert p.loc["prj_gaotu_hq", "investment_qualifier"] == "at_least"
    assert p.loc["prj_gaotu_hq", "investment_yi"] == 10


def test_conflicting_figures_are_kept_with_their_sources(layers):
    parks = layers["parks"].set_index("id")
    assert parks.loc["park_zhenxing", "investment_yi"] == 44
    assert parks.loc["park_zhenxing", "has_conflict"]
    assert "≥30亿元" in parks.loc["park_zhenxing", "conflicts"]
    assert "001_e47359d1892c03bd.txt" in parks.loc["park_zhenxing", "conflicts"]
    assert not parks.loc["park_info", "has_conflict"]


def test_every_record_has_source_and_quality(layers):
    for name, gdf in layers.items():
        assert (gdf["source"].str.len() > 0).all(), name
        assert set(gdf["geometry_quality"]) == {"schematic"}, name
        for src in gdf["source"]:
            assert re.match(r"\d{3}_[0-9a-f]{16}\.txt", src), (name, src)
            assert (SEEDS / src.split()[0]).exists(), src


def test_boards_link_to_2023_plates(layers):
    plates = layers["plates"].set_index("id")
    assert plates.loc["plate_ydyl", "board_id"] == "board_qibu"
    assert "起步区" in plates.loc["plate_ydyl", "aliases"].split("|")
    assert (layers["boards"]["area_km2"].tolist()) == [2.92, 1.37, 2.31]
    assert len(plates) == 6


def test_zone_facts(layers):
    z = layers["zone"].iloc[0]
    assert (z.planned_area_km2, z.gdp_yi, z.industrial_va_yi, z.figures_year) == (158.7, 1265.9, 581.1, 2022)


def test_validate_passes_on_shipped_data():
    failed = [c for c in validate_geodata() if not c.ok]
    assert not failed, failed


def _geodata_copy(tmp_path) -> Path:
    """A copy of the shipped geodata to break on purpose."""
    import shutil

    root = tmp_path / "geodata"
    shutil.copytree(load_catalog().root, root)
    (root / "catalog.yaml").write_text(
        (root / "catalog.yaml")
        .read_text(encoding="utf-8")
        .replace("seeds_dir: ../../shared/seeds", "seeds_dir: null"),
        encoding="utf-8",
    )
    return root


def _failed_checks(root: Path) -> dict[str, str]:
    return {c.name: c.detail for c in validate_geodata(load_catalog(root)) if not c.ok}


def _replace_in(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert data.count(old.encode("utf-8")) == 1, old
    path.write_bytes(data.replace(old.encode("utf-8"), new.encode("utf-8")))


def _move_feature(path: Path, fid: str, dx_deg: float, dy_deg: float) -> None:
    import json

    import shapely
    from shapely.geometry import mapping, shape

    doc = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in doc["features"] if f["properties"]["id"] == fid)
    moved = shapely.affinity.translate(shape(feature["geometry"]), dx_deg, dy_deg)
    feature["geometry"] = mapping(moved)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_validate_catches_a_bad_area(tmp_path):
    root = _geodata_copy(tmp_path)
    _replace_in(root / "attributes" / "parks.csv", ",35,exact,295,", ",35,exact,400,")
    failed = _failed_checks(root)
    assert "parks: measured area within 5% of documented (EPSG:4547)" in failed
    assert "park_jianye (-26.3%)" in failed["parks: measured area within 5% of documented (EPSG:4547)"]


def test_validate_catches_a_plate_that_does_not_contain_its_board(tmp_path):
    root = _geodata_copy(tmp_path)
    _move_feature(root / "geometry" / "plates.geojson", "plate_binhe", 0.005, 0.0)  # about 460 m east
    failed = _failed_checks(root)
    assert failed["plates contain their boards"] == "plate_binhe !⊇ board_binhe"


def test_validate_catches_a_park_outside_its_plate(tmp_path):
    root = _geodata_copy(tmp_path)
    # 经开信息产业园 has no plate in the seeds; claiming 祥云板块 must fail: it is drawn elsewhere
    _replace_in(
        root / "attributes" / "parks.csv",
        ",11,exact,147,exact,,,,none,",
        ",11,exact,147,exact,,,plate_xiangyun,seed,",
    )
    failed = _failed_checks(root)
    assert (
        failed["parks and projects inside their assigned plate/park"] == "park_info not inside plate_xiangyun"
    )


def test_validate_catches_a_project_outside_its_plate_and_park(tmp_path):
    root = _geodata_copy(tmp_path)
    geometry = root / "geometry" / "projects.geojson"
    _move_feature(geometry, "prj_road_port", 0.0, -0.03)  # 公路港 out of 国际物流园区 (about 3.3 km south)
    _move_feature(geometry, "prj_biomed_park", 0.0, 0.03)  # out of 生物医药大健康产业园
    detail = _failed_checks(root)["parks and projects inside their assigned plate/park"]
    assert "prj_road_port not inside plate_logistics" in detail
    assert "prj_biomed_park not inside park_biomed" in detail

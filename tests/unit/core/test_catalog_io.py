from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from zkq_geo.catalog import SHIPPED_LAYERS, load_catalog
from zkq_geo.errors import CRSError, DataSourceError, OptionError, SchemaError
from zkq_geo.io import read_table, read_vector


def test_catalog_lists_the_five_layers_and_vocabulary():
    cat = load_catalog()
    assert tuple(cat.layers) == SHIPPED_LAYERS
    assert cat.layer("parks").geometry.exists()
    assert cat.industry_label("biomed") == "生物医药大健康"
    assert len(cat.industries) == 8
    with pytest.raises(OptionError, match="choose one of: zone, boards"):
        cat.layer("roads")


def test_catalog_missing_folder(tmp_path):
    with pytest.raises(DataSourceError, match="catalogue"):
        load_catalog(tmp_path)


def test_read_table_types_and_errors(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,name,investment_yi\n0012,园区,\n13,二,3.5\n", encoding="utf-8")
    df = read_table(p)
    assert df["id"].tolist() == ["0012", "13"]  # keys stay text
    assert df["investment_yi"].isna().tolist() == [True, False]
    p.write_text("id,investment_yi\n1,三十\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="'investment_yi' must be numeric; row 0 has '三十'"):
        read_table(p)
    assert read_table(p, numeric=False)["investment_yi"].tolist() == ["三十"]  # as written, for display
    p.write_bytes("id,name\n1,园区\n".encode("gbk"))
    with pytest.raises(DataSourceError, match="not UTF-8"):
        read_table(p)
    with pytest.raises(DataSourceError, match="not found"):
        read_table(tmp_path / "none.csv")


def test_read_vector_requires_crs(tmp_path):
    p = tmp_path / "a.geojson"
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(113.7, 34.7)], crs="EPSG:4326").to_file(p)
    assert read_vector(p).crs.to_epsg() == 4326
    shp = tmp_path / "n.shp"
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(1, 2)]).to_file(shp)
    with pytest.raises(CRSError, match="declares no coordinate reference system"):
        read_vector(shp)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataSourceError, match="cannot read bad.geojson"):
        read_vector(bad)


def test_import_zkq_geo_never_imports_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, zkq_geo, zkq_geo.cli.main, zkq_geo.layers, zkq_geo.validate, zkq_geo.export;"
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""bench: the parcel generator, the app's map payload vs st_folium's, and a tiny-n smoke run.

No timing assertions: the bench reports figures, the suite only checks they are there.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest

from zkq_geo import bench
from zkq_geo.catalog import load_catalog
from zkq_geo.render.builder import build_map


def test_make_parcels_is_deterministic_and_realistic():
    a, b = bench.make_parcels(50), bench.make_parcels(50)
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    )
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    assert a.crs == "EPSG:4326" and a.geometry.is_valid.all() and (a.geom_type == "Polygon").all()
    lon_min, lat_min, lon_max, lat_max = bench.PARCEL_REGION
    x0, y0, x1, y1 = a.total_bounds
    assert lon_min <= x0 and x1 <= lon_max and lat_min <= y0 and y1 <= lat_max
    assert 14 <= len(a.columns) - 1 <= 17 and a["id"].is_unique
    assert a["name"].str.endswith("号地块").all() and set(a["industry"]) <= set(load_catalog().industries)
    mu = a.to_crs("EPSG:4547").area / (10000 / 15)
    assert ((a["land_area_mu"] - mu).abs() < 0.01).where(a["land_area_mu"].notna(), True).all()


def test_map_payload_sends_what_st_folium_sends(monkeypatch):
    import streamlit_folium

    component = bench.load_map_component()
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    gdf = bench.make_parcels(30)

    def make():
        return build_map({"parcels": gdf}, catalog=load_catalog())

    streamlit_folium.st_folium(make(), key="x")
    payload = component.map_payload(make())
    for name in ("script", "header", "html", "id", "css_links", "js_links"):
        assert payload[name] == sent[name], name
    assert payload["defaults"] == sent["default"]


def test_show_map_sends_the_payload_and_limits_returned_objects(monkeypatch):
    import streamlit_folium

    component = bench.load_map_component()
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs) or None)
    payload = component.map_payload(build_map({"parcels": bench.make_parcels(5)}, catalog=load_catalog()))
    assert component.show_map(payload, key="m") == {}
    assert sent["script"] is payload["script"] and sent["js_links"] == payload["js_links"]
    assert sent["returned_objects"] == ["last_object_clicked"]
    assert sent["default"] == {"last_object_clicked": None}
    key = sent["key"]
    component.show_map(payload, key="other")
    assert sent["key"] != key  # one component instance per app key and map content


def test_payload_bytes_counts_utf8():
    assert bench.payload_bytes({"script": "郑州", "header": "ab", "html": ""}) == 8


def test_bench_smoke_run_reports_every_figure(tmp_path, capsys):
    report = bench.run_bench(120, out_dir=tmp_path, reruns=1)
    figures = report.as_dict()
    for name in (
        "naive_build_s",
        "app_build_s",
        "naive_payload_bytes",
        "app_payload_bytes",
        "naive_rerun_s",
        "app_rerun_s",
        "build_ratio",
        "payload_ratio",
        "rerun_ratio",
    ):
        assert figures[name] > 0, name
    assert set(figures["verdicts"]) == {"rerun", "payload"}
    assert (tmp_path / "bench_naive.py").exists() and (tmp_path / "bench_app.py").exists()
    text = bench.format_report(report)
    assert "120 parcels" in text and "<= 0.35x" in text and "<= 0.10x" in text
    assert len(re.findall(r"\b(?:PASS|MISS)\b", text)) == 2


def test_bench_command_exits_zero_and_prints_the_table(tmp_path, capsys):
    assert bench.main(["--parcels", "40", "--reruns", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "payload (bytes)" in out and "rerun, median of 1 (s)" in out
    assert bench.main(["--parcels", "0"]) == 2


def test_import_zkq_geo_bench_does_not_import_streamlit():
    import subprocess
    import sys

    code = "import sys, zkq_geo.bench, zkq_geo.render.builder; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("n", [1, 7])
def test_tiny_parcel_layers_build(n):
    gdf = bench.make_parcels(n)
    assert isinstance(gdf, gpd.GeoDataFrame) and len(gdf) == n
    bench.app_map(gdf).get_root().render()


def test_sessions_bench_office_gives_each_user_one_private_layer(tmp_path):
    from zkq_geo.bench_sessions import SessionFigures, format_sessions, seed_office, user_name
    from zkq_geo.office.store import office_store
    from zkq_geo.office.userspace import UserWorkspace
    from zkq_geo.workspace import Workspace

    seed_office(tmp_path / "ws", 3)
    store = office_store(tmp_path / "ws")
    workspace = Workspace(tmp_path / "ws")
    for i in range(3):
        seen = UserWorkspace(workspace, store, store.user(user_name(i))).visible_names()
        assert seen == [f"own_{user_name(i)}"]
    assert sorted(UserWorkspace(workspace, store, store.user("admin")).visible_names()) == [
        f"own_{user_name(i)}" for i in range(3)
    ]
    table = format_sessions([SessionFigures(2, [1.0, 3.0], 512.4, 2, 0, 4.25)])
    assert re.search(r"^\s+2\s+2\.00\s+3\.00\s+4\.2\s+512\s+2/2\s+0$", table, re.M), table


@pytest.mark.parametrize("counts", [["0"], ["101"], ["1", "--big"]])
def test_sessions_bench_refuses_bad_counts(counts, capsys):
    from zkq_geo.cli.main import main

    assert main(["bench", "--sessions", *counts]) == 2
    assert "--sessions takes counts from 1 to 100" in capsys.readouterr().err

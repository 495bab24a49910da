"""`zkq-geo map`: drives the real command and reads the HTML file it writes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from zkq_geo.catalog import load_catalog
from zkq_geo.paths import DEFAULT_GEODATA
from zkq_geo.render.assets import missing_assets, remote_urls

ZKQ = shutil.which("zkq-geo", path=str(Path(sys.executable).parent))
XSS = "<img src=x onerror=alert(1)>"
ALL_LAYERS = ("zone", "boards", "plates", "parks", "projects")

pytestmark = pytest.mark.skipif(
    bool(missing_assets()), reason="vendored Leaflet missing: run bash scripts/setup.sh"
)


def run(*args, env=None):
    assert ZKQ, "zkq-geo console script not installed in the venv (pip install -e .)"
    full_env = {k: v for k, v in os.environ.items() if k not in ("ZKQ_TIANDITU_KEY", "ZKQ_GEODATA")}
    full_env.update(env or {})
    return subprocess.run([ZKQ, *args], capture_output=True, text=True, timeout=180, env=full_env)


def write_map(tmp_path, *args, env=None, name="map.html"):
    out = tmp_path / name
    result = run("map", *args, "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8"), result


def test_map_writes_one_offline_file_with_every_feature(tmp_path):
    html, result = write_map(tmp_path, *ALL_LAYERS)
    assert "wrote" in result.stderr and "36 projects" in result.stderr
    for name in ALL_LAYERS:
        ids = pd.read_csv(DEFAULT_GEODATA / "attributes" / f"{name}.csv")["id"]
        assert all(f'"id":"{fid}"' in html for fid in ids), name  # each feature's popup data
    assert "建业之窗" in html and "示意范围，非法定边界" in html
    assert remote_urls(html) == []  # basemap none: nothing to fetch from anywhere
    assert 'data-zkq-vendor="leaflet/leaflet.js"' in html
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="[^"]*(?:cdn|unpkg|jsdelivr)', html)


def test_filters_apply_to_parks_and_projects_only(tmp_path):
    html, result = write_map(
        tmp_path,
        "zone",
        "plates",
        "parks",
        "projects",
        "--industry",
        "生物医药大健康",
        "--lang",
        "en",
        "--color-by",
        "intensity",
    )
    assert '"id":"park_biomed"' in html and '"id":"park_zte"' not in html
    assert '"id":"prj_tuoren"' in html and '"id":"prj_saic_base"' not in html
    assert '"id":"zone"' in html and '"id":"plate_binhe"' in html  # not filtered
    assert "Schematic extent, not a legal boundary" in html and "Investment per mu" in html


def test_escaped_park_name_stays_escaped(tmp_path):
    geodata = tmp_path / "geodata"
    shutil.copytree(DEFAULT_GEODATA, geodata)
    catalog_file = geodata / "catalog.yaml"
    doc = yaml.safe_load(catalog_file.read_text(encoding="utf-8"))
    doc["seeds_dir"] = str(load_catalog(DEFAULT_GEODATA).seeds_dir)  # it is relative to the folder
    catalog_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    parks_csv = geodata / "attributes" / "parks.csv"
    parks = pd.read_csv(parks_csv, dtype=str, keep_default_na=False)
    parks.loc[parks["id"] == "park_zte", "name"] = XSS
    parks.to_csv(parks_csv, index=False)
    html, _ = write_map(tmp_path, "parks", env={"ZKQ_GEODATA": str(geodata)})
    assert XSS not in html and "onerror=alert(1)>" not in html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html  # escaped, inside the data


def test_tianditu_needs_a_key_from_the_environment(tmp_path):
    result = run("map", "parks", "--basemap", "tianditu", "-o", str(tmp_path / "t.html"))
    assert result.returncode == 2 and "ZKQ_TIANDITU_KEY" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "t.html").exists()
    html, _ = write_map(tmp_path, "parks", "--basemap", "tianditu", env={"ZKQ_TIANDITU_KEY": "k3y"})
    assert "tk=k3y" in html and any("tianditu.gov.cn" in url for url in remote_urls(html))


def test_amap_basemap_and_bad_arguments(tmp_path):
    html, _ = write_map(tmp_path, "projects", "--basemap", "amap")
    assert "autonavi.com" in html and "GCJ-02" in html
    assert run("map", "-o", str(tmp_path / "x.html")).returncode == 2  # no layer
    bad = run("map", "nope", "-o", str(tmp_path / "x.html"))
    assert bad.returncode == 2 and "choose one of" in bad.stderr
    assert run("map", "parks", "--basemap", "google", "-o", str(tmp_path / "x.html")).returncode == 2

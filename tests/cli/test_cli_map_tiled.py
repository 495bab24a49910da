"""zkq-geo map -o with a big imported layer: one offline file with the layer's tiles embedded
(never its GeoJSON), the selection as row bits, and a note on the map and on stderr."""

from __future__ import annotations

import json
import re

from zkqcli import run

from zkq_geo.bench import make_parcels


def test_a_big_layer_goes_into_the_file_as_tiles(tmp_path):
    ws = tmp_path / "ws"
    src = tmp_path / "parcels.gpkg"
    parcels = make_parcels(3000)
    parcels.to_crs(4547).to_file(src, driver="GPKG", engine="pyogrio")
    assert run(ws, "import", str(src), "--as", "parcels", "--title", "宗地").returncode == 0
    out = tmp_path / "m.html"
    done = run(ws, "map", "zone", "parcels", "--industry", "auto", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "embedded tiles up to zoom" in done.stderr
    html = out.read_text(encoding="utf-8")
    cfg = json.loads(re.search(r"var cfg = (\{.*?\});\n", html).group(1))
    assert cfg["url"] == "zkq-tile:{z}/{x}/{y}" and len(cfg["embedded"]) > 10
    assert cfg["selected"] is not None  # the industry filter, as row bits
    assert parcels["name"].iat[5] not in html  # no GeoJSON of the layer: its names live in the tiles
    assert "以矢量瓦片绘制" in html
    assert "unpkg.com" not in html and "DecompressionStream" in html

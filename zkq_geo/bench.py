"""Benchmark the app's map path against naive folium + st_folium on N synthetic parcels.

Run ``python -m zkq_geo.bench [--parcels 10000] [--reruns 5] [--out DIR]`` or ``zkq-geo bench``.
It prints, in one run, for the naive path (``folium.GeoJson(gdf)`` with a tooltip of every
field, shown with ``st_folium``) and the app path (:func:`zkq_geo.render.builder.build_map` shown
through ``app/map_component.py``):

(a) build time: map building plus st_folium's rendering (``map_payload``);
(b) payload: bytes of script + header + html the component sends (UTF-8);
(c) Streamlit rerun time: the median of ``--reruns`` reruns with unchanged inputs of two tiny
    scripts run with ``streamlit.testing.v1.AppTest`` after one warm-up run (caches filled).

It reports ratios app/naive against the targets (rerun <= 0.10x, payload <= 0.35x) and says
PASS or MISS; it never fails (exit 0). Streamlit and the app module are imported inside
functions only, so ``import zkq_geo`` stays free of streamlit. Needs the repository checkout
(``app/map_component.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zkq_geo.analysis.metrics import add_efficiency
from zkq_geo.crs import AREA_CRS, WGS84
from zkq_geo.errors import DataSourceError
from zkq_geo.paths import REPO_ROOT
from zkq_geo.units import M2_PER_MU

APP_DIR = REPO_ROOT / "app"
PARCEL_REGION = (113.72, 34.65, 113.86, 34.75)  # lon_min, lat_min, lon_max, lat_max (WGS84)
SEED = 20230615
TARGETS = {"rerun": 0.10, "payload": 0.35}  # app/naive must be at most this
APP_SIMPLIFY_M = 0.5  # parcel outlines: 0.5 m is below what a screen shows at zoom 18
M_PER_DEG_LAT = 111_320.0

_ROADS = (
    "航海东路",
    "第八大街",
    "经南五路",
    "前程大道",
    "浔江东路",
    "经开第十五大街",
    "朝凤路",
    "南三环",
    "宇工路",
    "经北四路",
    "龙善街",
    "经开第二十二大街",
)
_SIDES = ("东侧", "西侧", "南侧", "北侧")
_FIRMS = ("宇通", "海马", "中原", "嵩山", "黄河", "郑开", "豫信", "同鑫", "安图", "中兴")
_TRADES = ("智能装备", "新能源科技", "物流", "生物科技", "电子信息", "国际贸易", "新材料", "建设发展")
_STATUS = ("已供地", "在建", "已投产", "拟供地")
_INDUSTRIES = ("auto", "equipment", "logistics", "biomed", "ict", "trade", "materials_env", "urban")
_INDUSTRY_WEIGHTS = (0.2, 0.18, 0.14, 0.1, 0.14, 0.08, 0.1, 0.06)
_PLATES = (
    "plate_ydyl",
    "plate_binhe",
    "plate_logistics",
    "plate_xiangyun",
    "plate_putian",
    "plate_expansion",
)
_COLUMNS = (
    "id",
    "name",
    "industry",
    "industries",
    "investment_yi",
    "investment_qualifier",
    "land_area_mu",
    "land_area_qualifier",
    "floor_area_m2",
    "plate_id",
    "status",
    "owner",
    "source",
    "geometry_quality",
    "invest_intensity_wan_per_mu",
    "invest_intensity_qualifier",
)


# ----------------------------------------------------------------------------- data
def make_parcels(n: int = 10_000, seed: int = SEED) -> gpd.GeoDataFrame:
    """N deterministic land parcels (quadrilaterals 40-220 m a side) in EPSG:4326.

    Inside ``PARCEL_REGION``; 16 attribute columns like a land-supply ledger (Chinese names,
    industry codes, investment 亿元 with qualifiers, land area 亩 from the geometry, 亩均投资).
    """
    if n < 1:
        raise ValueError(f"n={n!r}: give at least 1 parcel")
    rng = np.random.default_rng(seed)
    geometry = _quadrilaterals(rng, n)
    land_mu = gpd.GeoSeries(geometry, crs=WGS84).to_crs(AREA_CRS).area.to_numpy() / M2_PER_MU
    industry = rng.choice(_INDUSTRIES, size=n, p=_INDUSTRY_WEIGHTS)
    second = rng.choice(_INDUSTRIES, size=n)
    invest = np.round(np.exp(rng.normal(1.3, 0.8, n)), 2)
    invest[rng.random(n) < 0.08] = np.nan
    invest_q = np.where(
        np.isnan(invest), "", rng.choice(["exact", "at_least", "about"], n, p=[0.8, 0.15, 0.05])
    )
    land = np.round(land_mu, 2)
    land[rng.random(n) < 0.05] = np.nan
    floor = np.round(land_mu * M2_PER_MU * rng.uniform(0.8, 3.0, n), -2)
    floor[rng.random(n) < 0.3] = np.nan
    table = pd.DataFrame(
        {
            "id": [f"PCL-{i:05d}" for i in range(1, n + 1)],
            "name": [
                f"{_ROADS[a]}{_SIDES[b]}{c}号地块"
                for a, b, c in zip(
                    rng.integers(0, len(_ROADS), n),
                    rng.integers(0, 4, n),
                    rng.integers(1, 80, n),
                    strict=False,
                )
            ],
            "industry": industry,
            "industries": [a if a == b else f"{a}|{b}" for a, b in zip(industry, second, strict=False)],
            "investment_yi": invest,
            "investment_qualifier": invest_q,
            "land_area_mu": land,
            "land_area_qualifier": np.where(np.isnan(land), "", "exact"),
            "floor_area_m2": floor,
            "floor_area_qualifier": np.where(np.isnan(floor), "", "exact"),
            "plate_id": rng.choice(_PLATES, n),
            "status": rng.choice(_STATUS, n),
            "owner": [
                f"郑州{_FIRMS[a]}{_TRADES[b]}有限公司"
                for a, b in zip(
                    rng.integers(0, len(_FIRMS), n), rng.integers(0, len(_TRADES), n), strict=False
                )
            ],
            "source": [
                f"经开区土地供应台账（2023）第{p}页 第{r}行"
                for p, r in zip(rng.integers(1, 400, n), rng.integers(1, 30, n), strict=False)
            ],
            "geometry_quality": "surveyed",
        }
    )
    table = add_efficiency(table)
    return gpd.GeoDataFrame(table[list(_COLUMNS)], geometry=geometry, crs=WGS84)


def _quadrilaterals(rng: np.random.Generator, n: int) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = PARCEL_REGION
    cx = rng.uniform(lon_min + 0.003, lon_max - 0.003, n)
    cy = rng.uniform(lat_min + 0.003, lat_max - 0.003, n)
    half_w, half_h = rng.uniform(20, 110, n), rng.uniform(20, 110, n)
    angle = rng.uniform(-0.5, 0.5, n)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
    dx = corners[None, :, 0] * half_w[:, None] + rng.uniform(-6, 6, (n, 5))
    dy = corners[None, :, 1] * half_h[:, None] + rng.uniform(-6, 6, (n, 5))
    dx[:, 4], dy[:, 4] = dx[:, 0], dy[:, 0]  # close the ring
    east = dx * np.cos(angle)[:, None] - dy * np.sin(angle)[:, None]
    north = dx * np.sin(angle)[:, None] + dy * np.cos(angle)[:, None]
    lon = cx[:, None] + east / (M_PER_DEG_LAT * np.cos(np.radians(cy))[:, None])
    lat = cy[:, None] + north / M_PER_DEG_LAT
    return shapely.polygons(np.stack([lon, lat], axis=-1))


# ----------------------------------------------------------------------------- the two paths
def naive_map(gdf: gpd.GeoDataFrame):
    """What a first version would do: folium.GeoJson(gdf) with a tooltip of every field."""
    import folium

    fields = [c for c in gdf.columns if c != gdf.geometry.name]
    m = folium.Map(location=[34.70, 113.79], zoom_start=12)
    folium.GeoJson(gdf, name="parcels", tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
    return m


def app_map(gdf: gpd.GeoDataFrame):
    """The app's map of the parcels: :func:`zkq_geo.render.builder.build_map`, no basemap."""
    from zkq_geo.catalog import load_catalog
    from zkq_geo.render.builder import build_map

    return build_map({"parcels": gdf}, catalog=load_catalog(), simplify_m=APP_SIMPLIFY_M)


def load_map_component():
    """Import ``app/map_component.py`` (as module ``map_component``, as the app pages do)."""
    if "map_component" in sys.modules:
        return sys.modules["map_component"]
    path = APP_DIR / "map_component.py"
    if not path.exists():
        raise DataSourceError(
            f"{path} not found: the bench measures the app's map path, so it needs "
            f"the repository checkout (run it from there with the editable install)"
        )
    spec = importlib.util.spec_from_file_location("map_component", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["map_component"] = module
    spec.loader.exec_module(module)
    return module


def payload_bytes(payload: dict) -> int:
    """Bytes the component sends for the map: script + header + html, UTF-8."""
    return sum(len(payload[k].encode("utf-8")) for k in ("script", "header", "html"))


# ----------------------------------------------------------------------------- measuring
@dataclass(frozen=True)
class BenchReport:
    """Figures of one bench run; times in seconds, payloads in bytes."""

    parcels: int
    naive_build_s: float
    app_build_s: float
    naive_payload_bytes: int
    app_payload_bytes: int
    naive_rerun_s: float
    app_rerun_s: float
    reruns: int

    @property
    def build_ratio(self) -> float:
        return self.app_build_s / self.naive_build_s

    @property
    def payload_ratio(self) -> float:
        return self.app_payload_bytes / self.naive_payload_bytes

    @property
    def rerun_ratio(self) -> float:
        return self.app_rerun_s / self.naive_rerun_s

    def verdicts(self) -> dict[str, bool]:
        return {
            "rerun": self.rerun_ratio <= TARGETS["rerun"],
            "payload": self.payload_ratio <= TARGETS["payload"],
        }

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "build_ratio": self.build_ratio,
            "payload_ratio": self.payload_ratio,
            "rerun_ratio": self.rerun_ratio,
            "verdicts": self.verdicts(),
        }


def measure_build(gdf: gpd.GeoDataFrame) -> dict[str, float]:
    """Build + st_folium rendering time (s) and payload bytes of both paths."""
    component = load_map_component()
    out = {}
    for path, make in (("naive", naive_map), ("app", app_map)):
        start = time.perf_counter()
        payload = component.map_payload(make(gdf))
        out[f"{path}_build_s"] = time.perf_counter() - start
        out[f"{path}_payload_bytes"] = payload_bytes(payload)
    return out


_NAIVE_SCRIPT = """
import streamlit as st
from streamlit_folium import st_folium
from zkq_geo.bench import make_parcels, naive_map

@st.cache_data(show_spinner=False)
def parcels(n):
    return make_parcels(n)

st_folium(naive_map(parcels({n})), key="naive", height=600)
"""
_APP_SCRIPT = """
import sys
sys.path.insert(0, {app_dir!r})
from map_component import cached_map_payload, show_map
from zkq_geo.bench import app_map, make_parcels

payload = cached_map_payload(("bench", {n}), lambda: app_map(make_parcels({n})))
show_map(payload, key="app", height=600)
"""


def measure_reruns(n: int, out_dir: Path, reruns: int = 5) -> dict[str, float]:
    """Median Streamlit rerun time (s) of the naive and the app script, caches warm."""
    from streamlit.testing.v1 import AppTest

    load_map_component()
    out_dir.mkdir(parents=True, exist_ok=True)
    out = {}
    for path, source in (("naive", _NAIVE_SCRIPT), ("app", _APP_SCRIPT)):
        script = out_dir / f"bench_{path}.py"
        script.write_text(textwrap.dedent(source).format(n=n, app_dir=str(APP_DIR)), encoding="utf-8")
        app = AppTest.from_file(str(script), default_timeout=900)
        app.run()  # warm-up: fills st.cache_data
        _raise_on_exception(app, path)
        times = []
        for _ in range(reruns):
            start = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - start)
        _raise_on_exception(app, path)
        out[f"{path}_rerun_s"] = statistics.median(times)
    return out


def _raise_on_exception(app, path: str) -> None:
    if len(app.exception):
        raise RuntimeError(f"the {path} bench script failed: {app.exception[0].message}")


def run_bench(n: int = 10_000, out_dir: Path | None = None, reruns: int = 5) -> BenchReport:
    """Measure both paths on ``n`` parcels; scripts go to ``out_dir`` (default: a temp dir)."""
    gdf = make_parcels(n)
    build = measure_build(gdf)
    if out_dir is None:
        with tempfile.TemporaryDirectory(prefix="zkq-bench-") as tmp:
            rerun = measure_reruns(n, Path(tmp), reruns)
    else:
        rerun = measure_reruns(n, Path(out_dir), reruns)
    return BenchReport(parcels=n, reruns=reruns, **build, **rerun)


def format_report(report: BenchReport) -> str:
    """The printed table: figures, ratios app/naive, targets and PASS/MISS."""
    ok = report.verdicts()
    rows = [
        (
            "build + render (s)",
            f"{report.naive_build_s:.3f}",
            f"{report.app_build_s:.3f}",
            f"{report.build_ratio:.3f}x",
            "-",
            "",
        ),
        (
            "payload (bytes)",
            f"{report.naive_payload_bytes:,}",
            f"{report.app_payload_bytes:,}",
            f"{report.payload_ratio:.3f}x",
            f"<= {TARGETS['payload']:.2f}x",
            "PASS" if ok["payload"] else "MISS",
        ),
        (
            f"rerun, median of {report.reruns} (s)",
            f"{report.naive_rerun_s:.3f}",
            f"{report.app_rerun_s:.3f}",
            f"{report.rerun_ratio:.3f}x",
            f"<= {TARGETS['rerun']:.2f}x",
            "PASS" if ok["rerun"] else "MISS",
        ),
    ]
    head = ("measure", "naive", "app", "app/naive", "target", "result")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]

    def line(r):
        return "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False))
        )

    verdict = (
        "all targets met" if all(ok.values()) else "MISSED: " + ", ".join(k for k, v in ok.items() if not v)
    )
    return "\n".join(
        [
            f"zkq-geo map bench: {report.parcels:,} parcels (seed {SEED})",
            line(head),
            "  ".join("-" * w for w in widths),
            *map(line, rows),
            verdict,
        ]
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--parcels", type=int, default=10_000, help="number of parcels (default 10000)")
    parser.add_argument("--reruns", type=int, default=5, help="timed Streamlit reruns per path (default 5)")
    parser.add_argument("--out", metavar="DIR", help="keep the two Streamlit scripts in DIR")


def run_from_args(args: argparse.Namespace) -> int:
    """Run and print the table; 0 even when a target is missed (it reports, it does not assert)."""
    if args.parcels < 1 or args.reruns < 1:
        print("zkq-geo bench: --parcels and --reruns must be at least 1", file=sys.stderr)
        return 2
    report = run_bench(args.parcels, Path(args.out) if args.out else None, args.reruns)
    print(format_report(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zkq_geo.bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

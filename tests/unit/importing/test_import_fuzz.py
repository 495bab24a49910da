"""Property-based tests: random and damaged files fed to the importers only ever succeed or
raise a ZkqGeoError (one line), and never leave anything in the workspace."""

from __future__ import annotations

import functools
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import importdata as d
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zkq_geo.errors import ZkqGeoError
from zkq_geo.importing.reader import inspect_file
from zkq_geo.importing.sheets import read_sheet
from zkq_geo.workspace import Workspace, import_into_workspace

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".kmz", ".csv", ".txt", ".xlsx", ".shp")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def valid_files() -> dict[str, bytes]:
    """One small valid file per format, to truncate and corrupt."""
    folder = Path(tempfile.mkdtemp(prefix="zkq_fuzz_seed_"))
    gdf = gpd.GeoDataFrame(
        {"name": ["甲", "乙"]},
        geometry=[shapely.Point(113.75, 34.72), shapely.Point(113.76, 34.73)],
        crs="EPSG:4326",
    )
    gdf.to_file(folder / "a.geojson", engine="pyogrio")
    gdf.to_file(folder / "a.gpkg", engine="pyogrio")
    gdf.to_file(folder / "a.kml", driver="KML", engine="pyogrio")
    (folder / "a.csv").write_bytes("名称,经度,纬度\n甲,113.75,34.72\n乙,113.76,34.73\n".encode("gbk"))
    files = {name: (folder / name).read_bytes() for name in ("a.geojson", "a.gpkg", "a.kml", "a.csv")}
    files["a.zip"] = d.gbk_shapefile_zip(folder / "shp").read_bytes()
    files["a.xlsx"] = d.ledger_xlsx(folder / "l.xlsx").read_bytes()
    return files


def _attempt(name: str, data: bytes) -> None:
    """Inspect then import ``data`` as file ``name``; only ZkqGeoError may escape, and a failed
    import leaves the workspace untouched."""
    with tempfile.TemporaryDirectory(prefix="zkq_fuzz_") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        workspace = Workspace(Path(tmp) / "ws")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                inspect_file(path, max_bytes=5_000_000)
            except ZkqGeoError as exc:
                assert "\n" not in str(exc)
            try:
                saved, _ = import_into_workspace(path, "fuzzed", workspace=workspace, max_bytes=5_000_000)
            except ZkqGeoError as exc:
                assert "\n" not in str(exc)
                assert d.tree(workspace.root) == []
            else:
                assert saved.path.is_file() and workspace.latest("fuzzed").version == 1


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(min_size=0, max_size=2048))
def test_random_bytes(suffix, data):
    _attempt(f"random{suffix}", data)


@FUZZ
@given(
    name=st.sampled_from(["a.geojson", "a.gpkg", "a.kml", "a.csv", "a.zip", "a.xlsx"]), cut=st.floats(0, 1)
)
def test_truncated_files(name, cut):
    data = valid_files()[name]
    _attempt(name, data[: int(len(data) * cut)])


@FUZZ
@given(
    name=st.sampled_from(["a.geojson", "a.gpkg", "a.kml", "a.csv", "a.zip", "a.xlsx"]),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
)
@example(
    name="a.gpkg", flips=[(0.6484375, 128)]
)  # found by hypothesis: a schema byte not UTF-8 (sqlite3 raised)
def test_corrupted_files(name, flips):
    data = bytearray(valid_files()[name])
    for where, value in flips:
        data[min(int(where * len(data)), len(data) - 1)] = value
    _attempt(name, bytes(data))


@FUZZ
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_arbitrary_csv_text(text, encoding):
    _attempt("t.csv", text.encode(encoding, errors="ignore"))


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=True), st.integers()), max_size=6
        ),
        max_size=8,
    )
)
@example(rows=[["0\n0"]])  # a header cell with a line break: the message stays one line
def test_arbitrary_sheets(rows):
    with tempfile.TemporaryDirectory(prefix="zkq_fuzz_") as tmp:
        import openpyxl

        wb = openpyxl.Workbook()
        for row in rows:
            try:
                wb.active.append(row)
            except Exception:  # openpyxl refuses some characters: not our input
                return
        path = Path(tmp) / "s.xlsx"
        wb.save(path)
        try:
            read_sheet(path)
        except ZkqGeoError as exc:
            assert "\n" not in str(exc)
        _attempt("s.xlsx", path.read_bytes())


def test_the_seed_files_themselves_import():
    for name, data in valid_files().items():
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            report = inspect_file(path)
            assert report.feature_count >= 2, (name, report.problems)
            if name != "a.xlsx":  # the ledger has no coordinates
                assert report.ok, (name, report.problems)

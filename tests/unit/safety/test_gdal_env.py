"""The process is hardened whatever was imported first: pyogrio before zkq_geo registers every
GDAL driver, and importing zkq_geo then removes the ones outside the allow-list."""

import os
import subprocess
import sys
import textwrap

from zkq_geo.safety.gdal_env import SETTINGS


def _run(code: str) -> str:
    """``code`` in a fresh interpreter whose environment holds none of zkq_geo's GDAL settings
    (this process, having imported zkq_geo, has them in os.environ)."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return done.stdout.strip()


def test_pyogrio_imported_first_keeps_every_driver_until_zkq_geo_is_imported():
    out = _run(
        """
        import pyogrio
        before = len(pyogrio.list_drivers())
        import zkq_geo
        from zkq_geo.safety.gdal_env import registered_outside_allow_list
        print(before > 20, registered_outside_allow_list(), sorted(pyogrio.list_drivers()))
        """
    )
    assert out == "True [] ['ESRI Shapefile', 'GPKG', 'GeoJSON', 'KML', 'MEM']"


def test_a_vrt_cannot_be_opened_when_pyogrio_came_first(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("x,y\n1,2\n", encoding="utf-8")
    vrt = tmp_path / "a.vrt"
    vrt.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="secret"><SrcDataSource>{secret}</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    read = f"""
        import pyogrio
        {{}}
        try:
            pyogrio.read_info({str(vrt)!r})
            print("opened")
        except Exception as exc:
            print("refused", type(exc).__name__)
        """
    assert _run(read.format("pass")) == "opened"  # the check can fail: plain pyogrio reads a VRT
    assert _run(read.format("import zkq_geo")).startswith("refused")

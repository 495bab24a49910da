"""Process-wide GDAL and PROJ settings: no network, and only the drivers zkq-geo reads and writes.

GDAL picks a driver from a file's content, not its name, and several of its drivers reach
outside the file they are given: a VRT document reads any file the server can read, GDALG
runs pipelines, LIBKML follows network links, WFS/OAPIF/HTTP fetch URLs, GPSBabel runs a
program. :func:`harden` runs when :mod:`zkq_geo` is imported, before GDAL registers its
drivers, and

* skips every driver that is not in :data:`ALLOWED_DRIVERS` (``GDAL_SKIP``),
* points GDAL's HTTP client at a proxy that does not exist, with no retries, so even a code
  path we did not foresee cannot fetch a URL,
* switches PROJ's network access (grid downloads) off, for pyproj and for GDAL's PROJ.

:func:`registered_outside_allow_list` lets a caller check that it worked: the child process
that reads untrusted files refuses to read anything when it returns a driver.
"""

from __future__ import annotations

import os
import sys

# What zkq-geo reads (uploads: GeoJSON, GeoPackage, Shapefile, KML) and writes (GPKG, Shapefile).
ALLOWED_DRIVERS = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "KML", "MEM"})
# Every vector driver of the pinned GDAL build (pyogrio 0.13.0 wheel, GDAL 3.12) outside the allow-list.
# A test compares this list with the build's drivers, so a new build cannot add one unnoticed.
SKIPPED_DRIVERS = (
    "ADBC",
    "AIVector",
    "AVCBin",
    "AVCE00",
    "AmigoCloud",
    "CSV",
    "CSW",
    "Carto",
    "DGN",
    "DXF",
    "EDIGEO",
    "EEDA",
    "ESRIJSON",
    "Elasticsearch",
    "FlatGeobuf",
    "GDALG",
    "GML",
    "GPSBabel",
    "GPX",
    "GTFS",
    "GeoJSONSeq",
    "GeoRSS",
    "HTTP",
    "Idrisi",
    "JML",
    "JSONFG",
    "LIBKML",
    "LVBAG",
    "MBTiles",
    "MVT",
    "MapInfo File",
    "MapML",
    "MiraMonVector",
    "NGW",
    "OAPIF",
    "OGCAPI",
    "ODS",
    "OGR_GMT",
    "OGR_PDS",
    "OGR_VRT",
    "VRT",
    "OSM",
    "OpenFileGDB",
    "PCIDSK",
    "PDF",
    "PDS4",
    "PGDUMP",
    "PLSCENES",
    "PMTiles",
    "S57",
    "SQLite",
    "SXF",
    "Selafin",
    "TopoJSON",
    "VDV",
    "VFK",
    "VICAR",
    "WAsP",
    "WFS",
    "XLSX",
)
# An address nothing listens on (port 9, "discard", on the loopback): a request GDAL tries fails at once.
NO_PROXY_ADDRESS = "127.0.0.1:9"
SETTINGS = {
    "GDAL_SKIP": ",".join(SKIPPED_DRIVERS),
    "GDAL_HTTP_PROXY": NO_PROXY_ADDRESS,
    "GDAL_HTTPS_PROXY": NO_PROXY_ADDRESS,
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".zkq-geo-no-network",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "PROJ_NETWORK": "OFF",
}


def harden() -> None:
    """Apply :data:`SETTINGS` to this process (before GDAL loads, where possible) and turn
    PROJ's network off. Safe to call more than once."""
    os.environ.update(SETTINGS)
    if "pyogrio" in sys.modules:  # GDAL already registered its drivers: GDAL_SKIP came too late
        import pyogrio

        pyogrio.set_gdal_config_options({k: v for k, v in SETTINGS.items() if k != "GDAL_SKIP"})
        _deregister(SKIPPED_DRIVERS)
    import pyproj.network

    pyproj.network.set_network_enabled(False)


def registered_outside_allow_list() -> list[str]:
    """The GDAL vector drivers registered in this process that are not allowed (should be [])."""
    import pyogrio

    return sorted(set(pyogrio.list_drivers()) - ALLOWED_DRIVERS)


def _deregister(names) -> None:
    """Remove already-registered drivers ``names`` from GDAL's driver manager.

    pyogrio registers every driver when it is imported; a process that imported it before
    :mod:`zkq_geo` (a script, a test) would otherwise keep VRT and the network drivers. pyogrio
    has no call for this, so GDAL's own C functions are called on the library pyogrio loaded.
    """
    import ctypes
    import ctypes.util
    import glob

    import pyogrio

    libs = glob.glob(os.path.join(os.path.dirname(pyogrio.__file__) + ".libs", "libgdal*.so*"))
    if not libs:  # a pyogrio built against a system GDAL: that library is already in the process
        libs = [ctypes.util.find_library("gdal") or "libgdal.so"]
    gdal = ctypes.CDLL(libs[0])
    gdal.GDALGetDriverByName.restype = ctypes.c_void_p
    gdal.GDALGetDriverByName.argtypes = [ctypes.c_char_p]
    gdal.GDALDeregisterDriver.argtypes = [ctypes.c_void_p]
    gdal.GDALDestroyDriver.argtypes = [ctypes.c_void_p]
    for name in names:
        driver = gdal.GDALGetDriverByName(name.encode())
        if driver:
            gdal.GDALDeregisterDriver(driver)
            gdal.GDALDestroyDriver(driver)

"""zkq_geo.safety.sniff: a file's first bytes against what its suffix promises; VRT always refused."""

from __future__ import annotations

import pytest

from zkq_geo.errors import DataSourceError
from zkq_geo.safety.sniff import check_content, sniff

VRT = b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"SQLite format 3\x00" + b"\0" * 100, "sqlite"),
        (b"PK\x03\x04rest", "zip"),
        (b"\x00\x00\x27\x0a" + b"\0" * 100, "shapefile"),
        (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">', "kml"),
        (b"\xef\xbb\xbf<kml>", "kml"),
        (VRT, "gdal_vrt"),
        (b"<!-- x -->" + VRT, "gdal_vrt"),
        (b"<gpx/>", "xml"),
        (b' {"type": "FeatureCollection"}', "json"),
        ("名称,经度\n".encode("gbk"), "text"),
        (b"\x00\x01\x02\x03", "binary"),
    ],
)
def test_sniff(head, kind):
    assert sniff(head) == kind


@pytest.mark.parametrize(
    "suffix, kind", [("gpkg", "gpkg"), ("kml", "kml"), ("geojson", "geojson"), ("csv", "csv")]
)
def test_a_vrt_is_refused_under_any_name(tmp_path, suffix, kind):
    path = tmp_path / f"x.{suffix}"
    path.write_bytes(VRT)
    with pytest.raises(DataSourceError, match="GDAL document") as exc:
        check_content(path, kind)
    assert "GDAL 文档" in exc.value.text("zh")


def test_content_that_is_not_what_the_suffix_says_is_refused(tmp_path):
    path = tmp_path / "x.gpkg"
    path.write_bytes(b'{"type": "FeatureCollection"}')
    with pytest.raises(DataSourceError, match="should be a GeoPackage .* but its content is JSON"):
        check_content(path, "gpkg")

"""zkq_geo.safety.safe_input: size limits, safe names, zips that climb out, links, bombs, GBK names."""

from __future__ import annotations

import zipfile

import pytest

from zkq_geo.errors import DataSourceError
from zkq_geo.safety.safe_input import check_file, check_zip, extract_zip, safe_filename, staged_upload


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_safe_filename_drops_folders_and_control_characters():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("园区\x00 2023.zip") == "园区_ 2023.zip"
    assert safe_filename("...") == "upload"


def test_check_file_refuses_empty_and_too_large(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    with pytest.raises(DataSourceError, match="empty"):
        check_file(path)
    path.write_bytes(b"x" * 2048)
    with pytest.raises(DataSourceError, match="over the limit"):
        check_file(path, max_bytes=1024)


@pytest.mark.parametrize("name", ["../evil.shp", "/abs/evil.shp", "a/../../evil.shp"])
def test_zip_members_that_leave_the_folder_are_refused(tmp_path, name):
    with pytest.raises(DataSourceError, match="leaves the folder|leave"):
        check_zip(_zip(tmp_path / "z.zip", {name: b"x"}))


def test_a_zip_bomb_is_stopped_at_the_limit(tmp_path):
    bomb = _zip(tmp_path / "b.zip", {"a.shp": b"\0" * 3_000_000})
    with pytest.raises(DataSourceError, match="decompresses to"):
        extract_zip(bomb, tmp_path / "out", max_bytes=1_000_000)
    assert not any((tmp_path / "out").glob("**/*.shp"))


def test_staged_upload_uses_a_safe_name_and_cleans_up():
    with staged_upload(b"id\n1\n", "../x.csv") as path:
        assert path.name == "x.csv" and path.read_bytes() == b"id\n1\n"
    assert not path.exists()

"""Tests of scripts/install_assets.py on fake npm tarballs in a file:// mirror (no network)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import tarfile
from pathlib import Path

import pytest

from zkq_geo.paths import REPO_ROOT
from zkq_geo.render import assets
from zkq_geo.render.assets import VendorFile


def _load_installer():
    path = REPO_ROOT / "scripts" / "install_assets.py"
    spec = importlib.util.spec_from_file_location("install_assets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


installer = _load_installer()

MEMBER = "package/dist/fake.min.js"
CODE = b"window.fakeLib = 1;\n"


@pytest.fixture(autouse=True)
def _no_pip(monkeypatch):
    """Only file:// mirrors here: a test that reached pip (so PyPI) would fail."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a test ran {args[:1]}")

    monkeypatch.setattr(installer.subprocess, "run", refuse)


def _tarball(members: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (symlinks or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def _row(integrity: str, sha256: str = hashlib.sha256(CODE).hexdigest()) -> VendorFile:
    return VendorFile(
        "fake-lib/fake.min.js", "fake-lib", "0.0.1", MEMBER, sha256, registry="npm", integrity=integrity
    )


def _mirror(tmp_path: Path, tarball: bytes) -> str:
    """A file:// folder laid out like the npm registry, holding fake-lib 0.0.1."""
    folder = tmp_path / "mirror" / "fake-lib" / "-"
    folder.mkdir(parents=True)
    (folder / "fake-lib-0.0.1.tgz").write_bytes(tarball)
    return (tmp_path / "mirror").as_uri()


def _install_verified(tmp_path: Path, tarball: bytes) -> None:
    """Install fake-lib from ``tarball``, pinned by its own (matching) integrity."""
    installer.install(
        tmp_path / "vendor", [_row(_integrity(tarball))], npm_registry=_mirror(tmp_path, tarball)
    )


def test_installs_the_member_of_a_verified_tarball(tmp_path):
    tarball = _tarball({"package/package.json": b"{}", MEMBER: CODE})
    row = _row(_integrity(tarball))
    vendor = tmp_path / "vendor"
    installer.install(vendor, [row], npm_registry=_mirror(tmp_path, tarball))
    assert (vendor / "fake-lib" / "fake.min.js").read_bytes() == CODE
    assert sorted(p.relative_to(vendor).as_posix() for p in vendor.rglob("*")) == [
        "fake-lib",
        "fake-lib/fake.min.js",
        "manifest.json",
    ]
    assert installer.up_to_date(vendor, [row])


def test_manifest_lists_package_version_source_and_hash(tmp_path):
    tarball = _tarball({MEMBER: CODE})
    row = _row(_integrity(tarball))
    installer.install(tmp_path / "vendor", [row], npm_registry=_mirror(tmp_path, tarball))
    [entry] = assets.asset_manifest(tmp_path / "vendor")["files"]
    assert entry == {
        "file": "fake-lib/fake.min.js",
        "package": "fake-lib",
        "version": "0.0.1",
        "registry": "npm",
        "source": MEMBER,
        "sha256": hashlib.sha256(CODE).hexdigest(),
        "bytes": len(CODE),
        "integrity": row.integrity,
    }


def test_refuses_a_tarball_whose_integrity_does_not_match(tmp_path):
    tarball = _tarball({MEMBER: CODE})
    row = _row(_integrity(tarball + b"x"))
    with pytest.raises(RuntimeError, match=r"has integrity sha512-.*expected sha512-.*refusing to extract"):
        installer.install(tmp_path / "vendor", [row], npm_registry=_mirror(tmp_path, tarball))
    assert not (tmp_path / "vendor").exists()


def test_refuses_a_tarball_without_the_member(tmp_path):
    tarball = _tarball({"package/dist/other.js": CODE})
    with pytest.raises(RuntimeError, match=r"fake-lib-0\.0\.1\.tgz has no regular file package/dist/fake"):
        _install_verified(tmp_path, tarball)


def test_refuses_a_member_that_is_a_link(tmp_path):
    tarball = _tarball({}, symlinks={MEMBER: "/etc/passwd"})
    with pytest.raises(RuntimeError, match="has no regular file"):
        _install_verified(tmp_path, tarball)


def test_refuses_a_member_whose_hash_differs_from_the_pin(tmp_path):
    tarball = _tarball({MEMBER: b"window.evil = 1;"})
    with pytest.raises(RuntimeError, match=r"has sha256 \w+, expected \w+ \(the upstream file\); refusing"):
        _install_verified(tmp_path, tarball)


def test_no_path_from_the_tarball_is_written(tmp_path):
    absolute = str(tmp_path / "absolute.js")
    tarball = _tarball({"../escaped.js": CODE, absolute: CODE, "package/../../up.js": CODE, MEMBER: CODE})
    vendor = tmp_path / "deep" / "vendor"
    installer.install(vendor, [_row(_integrity(tarball))], npm_registry=_mirror(tmp_path, tarball))
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.js"))
    assert written == ["deep/vendor/fake-lib/fake.min.js"]


def test_an_unreachable_registry_says_what_to_do(tmp_path):
    tarball = _tarball({MEMBER: CODE})
    missing = (tmp_path / "no-mirror").as_uri()
    fix = r"cannot download .*set ZKQ_NPM_REGISTRY to a reachable mirror"
    with pytest.raises(RuntimeError, match=fix) as info:
        installer.install(tmp_path / "vendor", [_row(_integrity(tarball))], npm_registry=missing)
    assert "\n" not in str(info.value)


def test_the_registry_comes_from_the_environment_and_must_be_https_or_file(tmp_path, monkeypatch):
    tarball = _tarball({MEMBER: CODE})
    monkeypatch.setenv("ZKQ_NPM_REGISTRY", _mirror(tmp_path, tarball))
    installer.install(tmp_path / "vendor", [_row(_integrity(tarball))])
    assert (tmp_path / "vendor" / "fake-lib" / "fake.min.js").is_file()
    monkeypatch.setenv("ZKQ_NPM_REGISTRY", "http://mirror.example/npm")
    with pytest.raises(RuntimeError, match=r"neither an https:// URL nor a file:// folder"):
        installer.install(tmp_path / "vendor", [_row(_integrity(tarball))], force=True)


def test_files_already_installed_are_kept_without_downloading(tmp_path):
    tarball = _tarball({MEMBER: CODE})
    row = _row(_integrity(tarball))
    vendor = tmp_path / "vendor"
    installer.install(vendor, [row], npm_registry=_mirror(tmp_path, tarball))
    (vendor / "stray.txt").write_text("not in the table", encoding="utf-8")
    offline = (tmp_path / "no-mirror").as_uri()  # would fail if anything were downloaded
    installer.install(vendor, [row], npm_registry=offline)
    assert (vendor / "fake-lib" / "fake.min.js").read_bytes() == CODE
    assert not (vendor / "stray.txt").exists()  # the folder is replaced as a whole
    assert json.loads((vendor / "manifest.json").read_text(encoding="utf-8"))["files"][0]["file"] == row.file
    with pytest.raises(RuntimeError, match="cannot download"):
        installer.install(vendor, [row], npm_registry=offline, force=True)


def test_main_reports_a_failure_in_one_line(tmp_path, monkeypatch, capsys):
    tarball = _tarball({MEMBER: CODE})
    monkeypatch.setattr(installer, "VENDOR_DIR", tmp_path / "vendor")
    monkeypatch.setattr(installer, "VENDOR_FILES", (_row(_integrity(b"other")),))
    monkeypatch.setenv("ZKQ_NPM_REGISTRY", _mirror(tmp_path, tarball))
    assert installer.main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("[assets] error: ") and err.count("\n") == 1
    assert "refusing to extract" in err


# --- the real table ------------------------------------------------------------------------


def test_vectorgrid_comes_from_npm_pinned_by_integrity_and_hash():
    [row] = [row for row in assets.VENDOR_FILES if row.registry == "npm"]
    assert (row.package, row.version, row.member) == (
        "leaflet.vectorgrid",
        "1.3.0",
        "package/dist/Leaflet.VectorGrid.bundled.min.js",
    )
    assert row.integrity == (
        "sha512-kWmj1pKM+MVdo/7Mg5zsB3YrGZvo/uIuiANV9MvWUFOG+Y2xAJzrteDhoIcCgTjHSSRJ36xdeGdIQVhuWjnCZw=="
    )
    assert installer.npm_tarball_url(row) == (
        "https://registry.npmjs.org/leaflet.vectorgrid/-/leaflet.vectorgrid-1.3.0.tgz"
    )


def test_installed_manifest_lists_vectorgrid():
    entries = {entry["file"]: entry for entry in assets.asset_manifest()["files"]}
    entry = entries["leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js"]
    assert entry["package"] == "leaflet.vectorgrid" and entry["version"] == "1.3.0"
    assert entry["registry"] == "npm" and entry["source"] == "package/dist/Leaflet.VectorGrid.bundled.min.js"
    assert entry["sha256"] == "ed1e89e4c9582593890d0e869d03ed7a4ab56f511c6d2036392d6d50938aa4d5"

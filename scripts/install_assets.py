"""Install the browser files the maps need (Leaflet, jQuery, Leaflet.VectorGrid) into app/static/vendor/.

Run with the project's virtualenv Python (scripts/setup.sh does):

    .venv/bin/python scripts/install_assets.py [--force]

What to install is the table ``zkq_geo.render.assets.VENDOR_FILES``: each row names a release
that carries an upstream file, the file inside it and the SHA-256 of the upstream file. Two
kinds of release:

- a PyPI wheel (XStatic packages carry the upstream release files), fetched with pip, so pip's
  own settings apply (PIP_INDEX_URL, PIP_FIND_LINKS, proxies);
- an npm tarball, fetched over HTTPS from https://registry.npmjs.org, or from the mirror named by
  ``ZKQ_NPM_REGISTRY``: an ``https://`` URL laid out like the registry, or a ``file://`` folder
  holding ``<package>/-/<package>-<version>.tgz`` for a machine without internet. The standard
  ``https_proxy`` variable applies. The tarball must match npm's published ``dist.integrity``
  (SHA-512) before anything is read from it; only the one member is read, in memory, and no
  path from the tarball is ever written to.

Files already in the folder with their pinned hash are kept, so only what is missing is
downloaded (none of it when the folder already matches the table; ``--force`` fetches
everything). Every file is checked against its pinned hash and the folder is replaced in one
step, with a manifest.json listing file, package, version, registry, source (the member),
sha256 and size. Standard library and pip only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from zkq_geo.render.assets import (  # noqa: E402
    MANIFEST_NAME,
    VENDOR_DIR,
    VENDOR_FILES,
    VendorFile,
)

NPM_REGISTRY = "https://registry.npmjs.org"
NPM_REGISTRY_ENV = "ZKQ_NPM_REGISTRY"
DOWNLOAD_TIMEOUT_S = 60
MAX_TARBALL_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 10 * 1024 * 1024
_FAILURES = (OSError, RuntimeError, zipfile.BadZipFile, tarfile.TarError)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download everything again")
    args = parser.parse_args(argv)
    if not args.force and up_to_date(VENDOR_DIR):
        print(f"[assets] up to date in {_shown(VENDOR_DIR)} ({len(VENDOR_FILES)} files)")
        return 0
    try:
        install(VENDOR_DIR, force=args.force)
    except _FAILURES as exc:
        print(f"[assets] error: {exc}", file=sys.stderr)
        return 1
    return 0


def install(
    vendor_dir: Path,
    rows: Sequence[VendorFile] | None = None,
    *,
    force: bool = False,
    npm_registry: str | None = None,
) -> None:
    """Fetch what ``vendor_dir`` lacks, verify every file, and replace ``vendor_dir`` with the result.

    ``rows`` defaults to ``VENDOR_FILES``; ``npm_registry`` to ``$ZKQ_NPM_REGISTRY``, else
    https://registry.npmjs.org. Raises RuntimeError (or OSError, ...) with a one-line message;
    ``vendor_dir`` is then untouched.
    """
    rows = VENDOR_FILES if rows is None else rows
    kept = {} if force else {row.file: data for row in rows if (data := _pinned_bytes(vendor_dir, row))}
    needed = [row for row in rows if row.file not in kept]
    registry = _npm_registry(npm_registry) if any(row.registry == "npm" for row in needed) else ""
    with tempfile.TemporaryDirectory(prefix="zkq-assets-") as tmp:
        archives: dict[str, Path | bytes] = {}
        archives |= _download_wheels(Path(tmp) / "wheels", [r for r in needed if r.registry == "pypi"])
        for row in needed:
            if row.registry == "npm" and row.package not in archives:
                archives[row.package] = _download_npm_tarball(row, registry)
        staging = Path(tmp) / "vendor"
        entries = []
        for row in rows:
            data = kept[row.file] if row.file in kept else _checked_member(row, archives[row.package])
            entries.append(_write(row, data, staging))
        manifest = {"generated_by": "scripts/install_assets.py", "files": entries}
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        vendor_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(vendor_dir, ignore_errors=True)
        shutil.copytree(staging, vendor_dir)
    total = sum(entry["bytes"] for entry in entries)
    print(
        f"[assets] installed {len(entries)} files ({total / 1024:.0f} KiB, {len(needed)} downloaded) "
        f"in {_shown(vendor_dir)}"
    )


def up_to_date(vendor_dir: Path, rows: Sequence[VendorFile] | None = None) -> bool:
    """True if every file is present with its pinned hash and the manifest lists exactly them."""
    rows = VENDOR_FILES if rows is None else rows
    if not all(_pinned_bytes(vendor_dir, row) for row in rows):
        return False
    try:
        listed = json.loads((vendor_dir / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
        return [(e["file"], e["version"], e["sha256"]) for e in listed] == [
            (row.file, row.version, row.sha256) for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _pinned_bytes(vendor_dir: Path, row: VendorFile) -> bytes | None:
    """The installed file's bytes if it has the pinned hash, else None."""
    try:
        data = (vendor_dir / row.file).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == row.sha256 else None


# --- PyPI wheels ---------------------------------------------------------------------------


def _download_wheels(dest: Path, rows: Sequence[VendorFile]) -> dict[str, Path]:
    """Fetch each package's pinned wheel with pip; return {package: wheel path}."""
    if not rows:
        return {}
    pins = sorted({f"{row.package}=={row.version}" for row in rows})
    print(f"[assets] downloading {', '.join(pins)} with pip")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "--quiet", "--dest", str(dest), *pins]
    if subprocess.run(command).returncode != 0:
        raise RuntimeError(
            f"pip could not download {', '.join(pins)}; check the network or pip's index "
            "(PIP_INDEX_URL, PIP_FIND_LINKS, https_proxy) and rerun `bash scripts/setup.sh`"
        )
    wheels = {}
    for row in rows:
        stem = f"{row.package.replace('-', '_')}-{row.version}-"
        found = [p for p in dest.glob("*.whl") if p.name.lower().startswith(stem.lower())]
        if not found:
            raise RuntimeError(f"pip did not download a wheel of {row.package}=={row.version}")
        wheels[row.package] = found[0]
    return wheels


# --- npm tarballs --------------------------------------------------------------------------


def npm_tarball_url(row: VendorFile, registry: str = NPM_REGISTRY) -> str:
    """URL of the row's tarball in an npm registry (or a mirror laid out the same way)."""
    basename = row.package.rsplit("/", 1)[-1]  # "@scope/name" -> "name"
    return f"{registry.rstrip('/')}/{row.package}/-/{basename}-{row.version}.tgz"


def _npm_registry(given: str | None) -> str:
    """The registry to use: ``given``, else $ZKQ_NPM_REGISTRY, else npm's; https:// or file:// only."""
    registry = given or os.environ.get(NPM_REGISTRY_ENV) or NPM_REGISTRY
    if urlsplit(registry).scheme not in ("https", "file"):
        raise RuntimeError(
            f"npm registry {registry!r} is neither an https:// URL nor a file:// folder; set "
            f"{NPM_REGISTRY_ENV} to one, or unset it to use {NPM_REGISTRY}"
        )
    return registry


def _download_npm_tarball(row: VendorFile, registry: str) -> bytes:
    """Fetch the tarball (https:// or file://) and check npm's integrity; return its bytes."""
    url = npm_tarball_url(row, registry)
    print(f"[assets] downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data = response.read(MAX_TARBALL_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise RuntimeError(
            f"cannot download {url} ({reason}); check the network or https_proxy, or set "
            f"{NPM_REGISTRY_ENV} to a reachable mirror (https:// or a file:// folder holding "
            f"{row.package}/-/{url.rsplit('/', 1)[-1]}), then rerun `bash scripts/setup.sh`"
        ) from None
    if len(data) > MAX_TARBALL_BYTES:
        raise RuntimeError(f"{url} is larger than {MAX_TARBALL_BYTES // 2**20} MiB; refusing it")
    _check_integrity(row, data, url)
    return data


def _check_integrity(row: VendorFile, data: bytes, url: str) -> None:
    algorithm, _, expected = (row.integrity or "").partition("-")
    if algorithm != "sha512" or not expected:
        raise RuntimeError(f"{row.package}: integrity {row.integrity!r} in VENDOR_FILES is not 'sha512-...'")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual != expected:
        raise RuntimeError(
            f"{url} has integrity sha512-{actual}, expected {row.integrity} (npm's published "
            f"dist.integrity of {row.package}@{row.version}); refusing to extract it; check that "
            f"{NPM_REGISTRY_ENV} points at a faithful mirror and rerun `bash scripts/setup.sh`"
        )


def _tar_member(row: VendorFile, tarball: bytes) -> bytes:
    """Read the row's member from a verified tarball in memory; nothing is written to disk."""
    name = f"{row.package}-{row.version}.tgz"
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        found = [info for info in archive.getmembers() if info.name == row.member]
        if not found or not found[-1].isreg():
            raise RuntimeError(f"{name} has no regular file {row.member}; refusing to install it")
        if found[-1].size > MAX_MEMBER_BYTES:
            raise RuntimeError(f"{row.member} in {name} is larger than {MAX_MEMBER_BYTES // 2**20} MiB")
        member = archive.extractfile(found[-1])
        return member.read() if member else b""


# --- both ----------------------------------------------------------------------------------


def _checked_member(row: VendorFile, archive: Path | bytes) -> bytes:
    """The row's file out of its wheel (a path) or npm tarball (verified bytes), hash checked."""
    if row.registry == "npm":
        data, where = _tar_member(row, archive), f"{row.package}-{row.version}.tgz"
    else:
        with zipfile.ZipFile(archive) as wheel:
            try:
                data = wheel.read(row.member)
            except KeyError:
                raise RuntimeError(f"{archive.name} has no {row.member}") from None
        where = archive.name
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.sha256:
        raise RuntimeError(
            f"{row.member} in {where} has sha256 {digest}, expected "
            f"{row.sha256} (the upstream file); refusing to install it"
        )
    return data


def _write(row: VendorFile, data: bytes, staging: Path) -> dict:
    target = staging / row.file  # a path from our table, never from an archive
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    entry = {
        "file": row.file,
        "package": row.package,
        "version": row.version,
        "registry": row.registry,
        "source": row.member,
        "sha256": row.sha256,
        "bytes": len(data),
    }
    if row.integrity:
        entry["integrity"] = row.integrity
    return entry


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())

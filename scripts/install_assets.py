"""Install the browser files the maps need (Leaflet, jQuery) into app/static/vendor/.

Run with the project's virtualenv Python (scripts/setup.sh does):

    .venv/bin/python scripts/install_assets.py [--force]

What to install is the table ``zkq_geo.render.assets.VENDOR_FILES``: each row names a PyPI wheel
(XStatic packages carry the upstream release files), the file inside it and the SHA-256 of
the upstream file. The wheels are fetched with pip, every file is checked against its pinned
hash, and the folder is replaced in one step, with a manifest.json listing file, source
package, version, sha256 and size. Does nothing when the folder already matches the table.
Standard library and pip only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from zkq_geo.render.assets import (  # noqa: E402
    MANIFEST_NAME,
    VENDOR_DIR,
    VENDOR_FILES,
    VendorFile,
    missing_assets,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="reinstall even if up to date")
    args = parser.parse_args(argv)
    if not args.force and _up_to_date():
        print(f"[assets] up to date in {_shown(VENDOR_DIR)} ({len(VENDOR_FILES)} files)")
        return 0
    try:
        install(VENDOR_DIR)
    except (OSError, RuntimeError, subprocess.CalledProcessError, zipfile.BadZipFile) as exc:
        print(f"[assets] error: {exc}", file=sys.stderr)
        return 1
    return 0


def install(vendor_dir: Path) -> None:
    """Download the wheels, verify every file, and replace ``vendor_dir`` with the result."""
    with tempfile.TemporaryDirectory(prefix="zkq-assets-") as tmp:
        wheels = _download_wheels(Path(tmp) / "wheels")
        staging = Path(tmp) / "vendor"
        entries = [_extract(row, wheels[row.package], staging) for row in VENDOR_FILES]
        manifest = {"generated_by": "scripts/install_assets.py", "files": entries}
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        vendor_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(vendor_dir, ignore_errors=True)
        shutil.copytree(staging, vendor_dir)
    total = sum(entry["bytes"] for entry in entries)
    print(f"[assets] installed {len(entries)} files ({total / 1024:.0f} KiB) in {_shown(vendor_dir)}")


def _up_to_date() -> bool:
    manifest_path = VENDOR_DIR / MANIFEST_NAME
    if missing_assets() or not manifest_path.is_file():
        return False
    try:
        listed = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return False
    return [(e["file"], e["version"], e["sha256"]) for e in listed] == [
        (row.file, row.version, row.sha256) for row in VENDOR_FILES
    ]


def _download_wheels(dest: Path) -> dict[str, Path]:
    """Fetch each package's pinned wheel with pip; return {package: wheel path}."""
    pins = sorted({f"{row.package}=={row.version}" for row in VENDOR_FILES})
    print(f"[assets] downloading {', '.join(pins)} with pip")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            str(dest),
            *pins,
        ],
        check=True,
    )
    wheels = {}
    for row in VENDOR_FILES:
        stem = f"{row.package.replace('-', '_')}-{row.version}-"
        found = [p for p in dest.glob("*.whl") if p.name.lower().startswith(stem.lower())]
        if not found:
            raise RuntimeError(f"pip did not download a wheel of {row.package}=={row.version}")
        wheels[row.package] = found[0]
    return wheels


def _extract(row: VendorFile, wheel: Path, staging: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        try:
            data = archive.read(row.member)
        except KeyError:
            raise RuntimeError(f"{wheel.name} has no {row.member}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != row.sha256:
        raise RuntimeError(
            f"{row.member} in {wheel.name} has sha256 {digest}, expected "
            f"{row.sha256} (the upstream file); refusing to install it"
        )
    target = staging / row.file
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return {
        "file": row.file,
        "package": row.package,
        "version": row.version,
        "source": row.member,
        "sha256": digest,
        "bytes": len(data),
    }


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())

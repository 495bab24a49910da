"""The layer catalogue: what layers exist and where their files are (geodata/catalog.yaml).

No geometry is read here; see :mod:`zkq_geo.io` and :mod:`zkq_geo.layers`.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.paths import geodata_root

SHIPPED_LAYERS = ("zone", "boards", "plates", "parks", "projects")
_REQUIRED_SPEC_KEYS = ("name", "title_zh", "title_en", "geometry", "key", "geometry_type", "crs")


@dataclass(frozen=True)
class LayerSpec:
    """One catalogue entry. Paths are absolute."""

    name: str
    title_zh: str
    title_en: str
    geometry: Path
    attributes: Path | None
    key: str
    geometry_type: str
    crs: str
    origin: str = "shipped"  # or "workspace": imported by the user (zkq_geo.workspace)
    #: How to read an imported layer kept in a database (the PostGIS workspace) instead of the
    #: file ``geometry``: a function of no arguments returning its GeoDataFrame in EPSG:4326.
    read: Callable[[], object] | None = field(default=None, compare=False, repr=False)

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class Catalog:
    """The parsed catalogue: layer specs plus the shared tables."""

    root: Path
    layers: dict[str, LayerSpec]
    industries: dict[str, dict[str, str]]
    sources: Path
    alt_figures: Path | None
    zone_indicators: Path | None
    seeds_dir: Path | None = None
    extra: dict = field(default_factory=dict)

    def layer(self, name: str) -> LayerSpec:
        """Return the spec of ``name``; the error lists the layers there are, or says why an
        imported layer is broken and what to do."""
        if name in self.layers:
            return self.layers[name]
        if name in self.broken:
            raise DataSourceError(self.broken[name])
        raise OptionError(f"unknown layer {name!r}; choose one of: {', '.join(self.layers)}")

    @property
    def broken(self) -> dict:
        """Imported layers that cannot be shown: name -> message saying why and what to do
        (``extra["workspace_broken"]``; see :mod:`zkq_geo.workspace`)."""
        return self.extra.get("workspace_broken", {})

    def without(self, broken: dict) -> Catalog:
        """A copy without the layers of ``broken`` (name -> message), which join :attr:`broken`."""
        if not broken:
            return self
        layers = {n: s for n, s in self.layers.items() if n not in broken}
        return replace(
            self, layers=layers, extra={**self.extra, "workspace_broken": {**self.broken, **broken}}
        )

    def industry_label(self, code: str, lang: str = "zh") -> str:
        entry = self.industries.get(code)
        return entry[lang] if entry else code

    def source_titles(self) -> dict[str, str]:
        """Seed file name -> document title (``source_file`` -> ``title_zh`` of sources.csv);
        empty when the file is missing or unreadable (sources then show their file names)."""
        return dict(_source_titles(str(self.sources)))


def load_catalog(root: str | Path | None = None) -> Catalog:
    """Read ``catalog.yaml`` from ``root`` (default: ``$ZKQ_GEODATA`` or the shipped geodata/): the
    shipped layers. :func:`zkq_geo.workspace.full_catalog` adds the imported ones."""
    root = geodata_root(root)
    path = root / "catalog.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataSourceError(f"cannot read the layer catalogue {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path} is not valid YAML: {exc}") from exc
    layers = {spec.name: spec for spec in (_layer_spec(root, raw) for raw in doc.get("layers", []))}
    return Catalog(
        root=root,
        layers=layers,
        industries=_load_industries(root / doc.get("industries", "industries.yaml")),
        sources=root / doc.get("sources", "sources.csv"),
        alt_figures=_opt_path(root, doc.get("alt_figures")),
        zone_indicators=_opt_path(root, doc.get("zone_indicators")),
        seeds_dir=_opt_path(root, doc.get("seeds_dir")),
    )


def _opt_path(root: Path, rel: str | None) -> Path | None:
    return (root / rel).resolve() if rel else None


def _layer_spec(root: Path, raw: dict) -> LayerSpec:
    missing = [k for k in _REQUIRED_SPEC_KEYS if k not in raw]
    if missing:
        raise SchemaError(f"catalogue layer {raw.get('name', '?')!r} lacks {', '.join(missing)}")
    return LayerSpec(
        name=raw["name"],
        title_zh=raw["title_zh"],
        title_en=raw["title_en"],
        geometry=(root / raw["geometry"]).resolve(),
        attributes=_opt_path(root, raw.get("attributes")),
        key=raw["key"],
        geometry_type=raw["geometry_type"],
        crs=raw["crs"],
    )


@functools.lru_cache(maxsize=8)
def _source_titles(path: str) -> tuple[tuple[str, str], ...]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ()
    return tuple(
        (r["source_file"], r["title_zh"]) for r in rows if r.get("source_file") and r.get("title_zh")
    )


def _load_industries(path: Path) -> dict[str, dict[str, str]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataSourceError(f"cannot read the industry vocabulary {path}: {exc.strerror}") from exc
    return {e["code"]: {"zh": e["zh"], "en": e["en"]} for e in doc["industries"]}

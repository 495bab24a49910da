"""Browser assets for maps that work without internet.

folium links Leaflet and friends from public CDNs. This module swaps those links for local
copies that ``scripts/install_assets.py`` (run by ``scripts/setup.sh``) puts in
``app/static/vendor/``, and can embed them all in one self-contained HTML file.

Three ways to use a folium map offline:

- in the Streamlit app, through streamlit-folium::

      st_folium(localize_map(m, APP_VENDOR_URL), ...)

  ``APP_VENDOR_URL`` is where Streamlit's static file serving (``enableStaticServing``) shows
  ``app/static/vendor/``. The streamlit-folium frontend loads every ``default_js`` and
  ``default_css`` link of the map and its children itself, so rewriting them is all it takes.
- as a page next to a copy of the vendor folder: ``localize_map(m, "vendor/")``;
- as one file with everything embedded: :func:`render_standalone_html`.

Which elements are supported is decided by :data:`VENDOR_FILES` (what we ship) and
:data:`UNUSED_LINKS` (what folium links but our maps do not need). Anything else that would
load a remote file raises :class:`~zkq_geo.errors.OptionError` instead of silently going online.
A ``folium.plugins.VectorGridProtobuf`` layer also gets our Leaflet 1.9 fix for Leaflet.VectorGrid
1.3.0 (:mod:`zkq_geo.render.vectorgrid_compat`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.paths import REPO_ROOT

if TYPE_CHECKING:
    from branca.element import Element

VENDOR_DIR = REPO_ROOT / "app" / "static" / "vendor"
"""Where ``scripts/install_assets.py`` writes the files (gitignored)."""
APP_VENDOR_URL = "/app/static/vendor/"
"""URL path of :data:`VENDOR_DIR` in the Streamlit app (prefix it with ``server.baseUrlPath``)."""
MANIFEST_NAME = "manifest.json"
SETUP_FIX = "run `bash scripts/setup.sh` (it installs them from PyPI and npm into app/static/vendor/)"


@dataclass(frozen=True)
class VendorFile:
    """One file we serve instead of a CDN.

    ``file`` is its path under :data:`VENDOR_DIR`; ``package``/``version``/``member`` say which
    release ships it and where: a PyPI wheel (``registry="pypi"``) or an npm tarball
    (``registry="npm"``, whose ``integrity`` is npm's published ``dist.integrity`` of the whole
    tarball, checked before anything is read from it); ``sha256`` is the hash of the upstream
    release file; ``url_tail`` is how folium's CDN URL for it ends (``None`` for files that only
    a CSS file refers to).
    """

    file: str
    package: str
    version: str
    member: str
    sha256: str
    url_tail: str | None = None
    registry: Literal["pypi", "npm"] = "pypi"
    integrity: str | None = None


_LEAFLET = ("xstatic-leaflet", "1.9.3.0", "xstatic/pkg/leaflet/data/")
_JQUERY = ("xstatic-jquery", "3.7.1.1", "xstatic/pkg/jquery/data/")


def _row(
    source: tuple[str, str, str], file: str, name: str, sha256: str, url_tail: str | None = None
) -> VendorFile:
    package, version, prefix = source
    return VendorFile(file, package, version, prefix + name, sha256, url_tail)


# The one table of vendored files. Leaflet 1.9.3 and jQuery 3.7.1 are what folium 0.20 links;
# the XStatic wheels hold byte-identical copies of the upstream release files.
VENDOR_FILES: tuple[VendorFile, ...] = (
    _row(
        _LEAFLET,
        "leaflet/leaflet.js",
        "leaflet.js",
        "5819285cec137b229c94e1ee5ad73e8b6b84345a4367d60f75fe477fe0fb7b03",
        "/leaflet@1.9.3/dist/leaflet.js",
    ),
    _row(
        _LEAFLET,
        "leaflet/leaflet.css",
        "leaflet.css",
        "90b693d86392a4779c861b28cf307e7e59c3fb35328c4d8b95f58f814d38c722",
        "/leaflet@1.9.3/dist/leaflet.css",
    ),
    _row(
        _LEAFLET,
        "leaflet/images/layers.png",
        "images/layers.png",
        "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6",
    ),
    _row(
        _LEAFLET,
        "leaflet/images/layers-2x.png",
        "images/layers-2x.png",
        "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf",
    ),
    _row(
        _LEAFLET,
        "leaflet/images/marker-icon.png",
        "images/marker-icon.png",
        "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437",
    ),
    _row(
        _LEAFLET,
        "leaflet/images/marker-icon-2x.png",
        "images/marker-icon-2x.png",
        "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528",
    ),
    _row(
        _LEAFLET,
        "leaflet/images/marker-shadow.png",
        "images/marker-shadow.png",
        "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da",
    ),
    # folium.Popup and Map(objects_to_stay_in_front=...) call jQuery's $(...).
    _row(
        _JQUERY,
        "jquery/jquery.min.js",
        "jquery.min.js",
        "fc9a93dd241f6b045cbff0481cf4e1901becd0e12fb45166a8f17f95823f0b1a",
        "/jquery-3.7.1.min.js",
    ),
    # folium.plugins.VectorGridProtobuf (Mapbox Vector Tiles). No PyPI package carries it, so it
    # comes from the npm tarball. folium links "@latest" of the unminified bundle; 1.3.0 (2017)
    # is the latest release, and the minified bundle is the same code with pbf and vector-tile.
    VendorFile(
        "leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
        "leaflet.vectorgrid",
        "1.3.0",
        "package/dist/Leaflet.VectorGrid.bundled.min.js",
        "ed1e89e4c9582593890d0e869d03ed7a4ab56f511c6d2036392d6d50938aa4d5",
        "/leaflet.vectorgrid@latest/dist/Leaflet.VectorGrid.bundled.js",
        registry="npm",
        integrity="sha512-kWmj1pKM+MVdo/7Mg5zsB3YrGZvo/uIuiANV9MvWUFOG+Y2xAJzrteDhoIcCgTjHSSRJ36xdeGdIQVhuWjnCZw==",
    ),
)

# Links folium.Map adds that none of the elements we allow need: localize_map drops them.
UNUSED_LINKS: dict[str, str] = {
    "/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "Bootstrap JS (no folium element we allow uses it)",
    "/bootstrap@5.2.2/dist/css/bootstrap.min.css": "Bootstrap CSS (page styling only)",
    "/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "glyph icons of folium.Icon",
    "/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": "Font Awesome icons of folium.Icon",
    "/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": "folium.Icon markers",
    "/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": "folium.Icon markers",
    "/folium/folium/templates/leaflet.awesome.rotate.min.css": "rotated folium.Icon markers",
}

# Elements whose code needs a library we do not ship (so they would break or go online).
_ICON_REASON = (
    "folium.Icon needs Leaflet.awesome-markers, Bootstrap and Font Awesome, which are "
    "not vendored; use folium.CircleMarker, folium.DivIcon or the default marker icon"
)
_COLORMAP_REASON = (
    "a branca colormap on the map makes streamlit-folium load d3 from two CDNs; "
    "draw the legend as plain HTML instead (e.g. a branca MacroElement)"
)

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
_NOT_FETCHED = ("http://www.w3.org/",)  # XML namespace names, never requested


# --- the vendor folder ---------------------------------------------------------------------


def asset_manifest(vendor_dir: Path | None = None) -> dict:
    """Return the manifest that ``scripts/install_assets.py`` wrote (file, package, sha256...).

    Raises
    ------
    DataSourceError
        If the manifest is missing or unreadable.
    """
    path = Path(vendor_dir or VENDOR_DIR) / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataSourceError(f"cannot read the asset manifest {path}: {exc}; {SETUP_FIX}") from exc


def missing_assets(vendor_dir: Path | None = None) -> list[str]:
    """Return the files of :data:`VENDOR_FILES` that are absent or differ from the pinned hash."""
    root = Path(vendor_dir or VENDOR_DIR)
    return [row.file for row in VENDOR_FILES if _file_sha256(root / row.file) != row.sha256]


def check_assets(vendor_dir: Path | None = None) -> None:
    """Raise :class:`DataSourceError` naming the missing files and the fix, if any are missing."""
    missing = missing_assets(vendor_dir)
    if missing:
        root = Path(vendor_dir or VENDOR_DIR)
        raise DataSourceError(
            f"browser assets missing or damaged in {root}: {', '.join(missing)}; {SETUP_FIX}"
        )


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# --- rewriting a folium map ----------------------------------------------------------------


def localize_map(m: Element, base_url: str = APP_VENDOR_URL, *, vendor_dir: Path | None = None) -> Element:
    """Point the JS/CSS links of ``m`` and all its children at local copies under ``base_url``.

    Modifies ``m`` in place (like folium's own ``add_to``) and returns it. Works on a
    ``folium.Map`` or on any element tree, e.g. a FeatureGroup handed to st_folium separately.
    Links in :data:`UNUSED_LINKS` are dropped. Tile layers are not touched: a map without a
    basemap (``tiles=None``) makes no remote request at all, and a ``VectorGridProtobuf``
    layer's tile URL is its own (give it a local one). Each such layer gets the fix of
    :mod:`zkq_geo.render.vectorgrid_compat` for Leaflet 1.9.

    Parameters
    ----------
    m : folium.Map or branca Element
    base_url : str
        URL of the vendor folder as the page will see it, ending in "/":
        :data:`APP_VENDOR_URL` in the Streamlit app, "vendor/" for a page beside a copy.

    Raises
    ------
    DataSourceError
        If the vendored files are missing (the message says to run ``bash scripts/setup.sh``).
    OptionError
        If an element needs a library that is not vendored (folium.Icon, branca colormaps,
        plugins such as Fullscreen); the message names it and what to use instead.
    """
    if not base_url.endswith("/"):
        raise OptionError(f"base_url={base_url!r} must end with '/', e.g. {APP_VENDOR_URL!r}")
    check_assets(vendor_dir)
    from folium import Map
    from folium.elements import JSCSSMixin
    from folium.plugins import VectorGridProtobuf

    from zkq_geo.render.vectorgrid_compat import ELEMENT_NAME, vectorgrid_compat_element

    for element in list(_walk(m)):
        _refuse_unsupported(element)
        if isinstance(element, JSCSSMixin):
            # Instance attributes: folium's class-level lists stay untouched.
            element.default_js = _local_links(element, element.default_js, base_url)
            element.default_css = _local_links(element, element.default_css, base_url)
        if isinstance(element, Map):
            _set_icon_path(element, base_url + "leaflet/images/")
        if isinstance(element, VectorGridProtobuf):
            element.add_child(vectorgrid_compat_element(), name=ELEMENT_NAME)
    _drop_cdn_header_links(m)
    return m


def _set_icon_path(m: Element, images_url: str) -> None:
    """Tell Leaflet where its default marker images are, before any marker is made.

    Leaflet otherwise guesses from leaflet.css and, when the CSS is not applied yet (as in
    streamlit-folium, which adds the CSS after running the scripts), guesses wrong.
    Keeps a path set earlier (the data: URIs of :func:`inline_assets`).
    """
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = "LeafletIconPath"
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "if (typeof L.Icon.Default.imagePath !== 'string') {"
        f" L.Icon.Default.imagePath = {json.dumps(images_url)}; }}"
        "{% endmacro %}"
    )
    m.add_child(element, name="zkq_leaflet_icon_path", index=0)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for name in ("m1", "m2"):  # folium.plugins.DualMap keeps its maps outside _children
        if hasattr(element, name) and getattr(element, name) is not None:
            yield from _walk(getattr(element, name))
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _refuse_unsupported(element: Element) -> None:
    from branca.colormap import ColorMap
    from folium.map import Icon

    reason = (
        _ICON_REASON
        if type(element) is Icon  # CustomIcon (a subclass) is fine
        else _COLORMAP_REASON
        if isinstance(element, ColorMap)
        else None
    )
    if reason:
        raise OptionError(f"{type(element).__name__} cannot be shown offline: {reason}")


def _local_links(element: Element, links: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    local = []
    for name, url in links:
        if url.startswith(base_url):
            local.append((name, url))
            continue
        row = _vendor_row_for(url)
        if row is not None:
            local.append((name, base_url + row.file))
        elif _unused_reason(url) is None:
            raise OptionError(
                f"{type(element).__name__} loads {url}, which has no local copy; use an element "
                f"that needs only {', '.join(_linked_files())}, or add a row to "
                "VENDOR_FILES in zkq_geo/render/assets.py and rerun `bash scripts/setup.sh`"
            )
    return local


def _vendor_row_for(url: str) -> VendorFile | None:
    path = urlsplit(url).path
    for row in VENDOR_FILES:
        if row.url_tail and path.endswith(row.url_tail):
            return row
    return None


def _unused_reason(url: str) -> str | None:
    path = urlsplit(url).path
    return next((why for tail, why in UNUSED_LINKS.items() if path.endswith(tail)), None)


def _linked_files() -> list[str]:
    return [row.file for row in VENDOR_FILES if row.url_tail]


def _drop_cdn_header_links(m: Element) -> None:
    """Remove CDN links a previous render already put in the figure header."""
    header = getattr(m.get_root(), "header", None)
    children = getattr(header, "_children", {})
    for key, child in list(children.items()):
        url = getattr(child, "url", None)
        if url and _is_network_url(url) and (_vendor_row_for(url) or _unused_reason(url)):
            del children[key]


# --- one self-contained HTML file ----------------------------------------------------------


def render_standalone_html(m: Element, *, vendor_dir: Path | None = None) -> str:
    """Render ``m`` as ONE HTML page with every vendored JS/CSS file and image embedded.

    The page needs no server and no internet (unless the map has a remote basemap).
    Modifies ``m`` like :func:`localize_map`.

    Raises
    ------
    DataSourceError, OptionError
        As :func:`localize_map`.
    """
    localize_map(m, "vendor/", vendor_dir=vendor_dir)
    return inline_assets(m.get_root().render(), "vendor/", vendor_dir=vendor_dir)


_SCRIPT_TAG = r'<script\s+src="{base}(?P<file>[^"]+)"\s*>\s*</script>'
_CSS_TAG = r'<link\s+rel="stylesheet"\s+href="{base}(?P<file>[^"]+)"\s*/?>'


def inline_assets(html: str, base_url: str = "vendor/", *, vendor_dir: Path | None = None) -> str:
    """Replace ``<script src>``/``<link>`` tags pointing under ``base_url`` by the files' content.

    CSS ``url(...)`` references become data: URIs, and Leaflet's default marker icon is set
    to data: URIs too, so the result refers to no other file.

    Raises
    ------
    DataSourceError
        If a referenced file is not a vendored one or is missing.
    """
    root = Path(vendor_dir or VENDOR_DIR)
    base = re.escape(base_url)
    html = re.sub(_SCRIPT_TAG.format(base=base), lambda match: _inline_script(root, match["file"]), html)
    return re.sub(_CSS_TAG.format(base=base), lambda match: _inline_style(root, match["file"]), html)


def _vendored_text(root: Path, file: str) -> str:
    if file not in {row.file for row in VENDOR_FILES}:
        raise DataSourceError(f"{file!r} is not a vendored file; known: {', '.join(_linked_files())}")
    try:
        return (root / file).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(f"cannot read {root / file}: {exc}; {SETUP_FIX}") from exc


def _inline_script(root: Path, file: str) -> str:
    code = _vendored_text(root, file)
    code = re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
    code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
    tag = f'<script data-zkq-vendor="{file}">{code}</script>'
    if file == "leaflet/leaflet.js":
        tag += _default_icon_script(root)
    return tag


def _default_icon_script(root: Path) -> str:
    # Leaflet finds its marker images through a CSS url(); once inlined that is a data: URI,
    # so give L.Icon.Default the images directly.
    urls = {
        option: _data_uri(root / "leaflet" / "images" / name)
        for option, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    return f"<script>L.Icon.Default.imagePath = '';L.Icon.Default.mergeOptions({json.dumps(urls)});</script>"


def _inline_style(root: Path, file: str) -> str:
    css = _vendored_text(root, file)
    folder = (root / file).parent

    def to_data_uri(match: re.Match) -> str:
        ref = match["ref"]
        if ref.startswith(("#", "data:")) or urlsplit(ref).scheme:
            return match[0]
        return f'url("{_data_uri(folder / ref)}")'

    css = re.sub(r"""url\(\s*(['"]?)(?P<ref>[^'")]+)\1\s*\)""", to_data_uri, css)
    return f'<style data-zkq-vendor="{file}">{css}</style>'


def _data_uri(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"cannot read {path}: {exc}; {SETUP_FIX}") from exc
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# --- proving a page stays offline ----------------------------------------------------------


def is_remote_url(url: str) -> bool:
    """True if loading ``url`` would use the network beyond this machine.

    http(s)/ws(s)/ftp URLs and protocol-relative ``//host/...`` count unless the host is
    localhost, 127.0.0.1, ::1 or 0.0.0.0; relative paths, data:, blob:, about: and file:
    URLs do not.
    """
    return _is_network_url(url) and (urlsplit(url).hostname or "") not in _LOCAL_HOSTS


def _is_network_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in _NETWORK_SCHEMES or (not parts.scheme and url.strip().startswith("//"))


def remote_urls(html: str) -> list[str]:
    """Return every non-localhost URL a browser could fetch when showing ``html``, sorted.

    Looks at resource attributes (``src``, ``<link href>``, ``data``, ``poster``, ``srcset``),
    CSS ``url()``/``@import`` in ``<style>`` and ``style=""``, and quoted URLs in inline
    scripts (tile URL templates, for instance). Plain links (``<a href>``) are not fetched and
    are ignored, as is the code of vendored libraries embedded by :func:`inline_assets`.
    This is a conservative static check: a quoted URL in map data also counts.
    """
    finder = _UrlFinder()
    finder.feed(html)
    finder.close()
    return sorted({url for url in finder.urls if is_remote_url(url) and not url.startswith(_NOT_FETCHED)})


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
# A quoted URL in inline script, unless it is the href of a link inside an HTML string.
_JS_URL = re.compile(r"""(?<!href=)(?<!href=\\)["'`]((?:https?:|wss?:)?//[^"'`\s\\]+)""")
_FETCHING_ATTRS = {"src", "data", "poster", "background"}


class _UrlFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._text_kind: str | None = None  # "css", "js" or None while inside a tag's text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.urls += [values[name] for name in _FETCHING_ATTRS & values.keys()]
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"])
        for candidate in values.get("srcset", "").split(","):
            self.urls += candidate.split()[:1]
        self.urls += _css_urls(values.get("style", ""))
        self._text_kind = {"style": "css", "script": "js"}.get(tag)
        if tag == "script" and ("src" in values or "data-zkq-vendor" in values):
            self._text_kind = None

    def handle_endtag(self, tag: str) -> None:
        self._text_kind = None

    def handle_data(self, data: str) -> None:
        if self._text_kind == "css":
            self.urls += _css_urls(data)
        elif self._text_kind == "js":
            self.urls += _JS_URL.findall(data)


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]

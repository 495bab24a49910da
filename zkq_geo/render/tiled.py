"""A big layer on the map, drawn from its vector tiles (:mod:`zkq_geo.render.tiles`).

The browser fetches tiles from the app's own server and keeps them in its HTTP cache (the tile
URL names the layer version, so a tile never changes). What the filters select travels as a
bit set of row numbers, base64-encoded (12.5 kB for 100,000 rows), not as geometry: a feature is
drawn when its row's bit is set, so a filter change sends the bits again and the tiles come
from the cache. The fill follows the same styles as inline layers (:data:`STYLES`: industry
colour or 亩均投资 class); the tooltip shows the name, the industry in words and 亩均投资, from
the tile's properties. A click is looked up on the server (``feature_at`` on the full layer),
as for inline layers, so the detail panel shows every attribute. The inline layers' canvas lies
above the tiles and takes the pointer: :data:`TILED_FIRST_JS` hands it a tiled feature first.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

import numpy as np
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import VectorGridProtobuf
from folium.template import Template

from zkq_geo.render.tiles import MAX_ZOOM, MIN_ZOOM, TILE_LAYER
from zkq_geo.render.vectorgrid_compat import VECTORGRID_COMPAT_JS

# No "{{", "{%" or "{#": branca renders a MacroElement's script a second time as a template.
TILED_FIRST_JS = """
(function () {
  // zkq-geo: the inline layers share one canvas in the overlay pane, above the tiled layers'
  // canvases (tile pane), and that canvas takes every pointer event over the map: the zone's
  // tooltip showed wherever a parcel was. Its handlers are rebound so that a tiled feature under
  // the pointer goes first (as app/clicks.py looks up a click: imported layers first), found in
  // the tile's own pixels (right at fractional zooms too); elsewhere the inline layers get the
  // event as before. The tiles stay drawn under the inline layers.
  if (window.zkqTiledFirst) { return; }
  function featureAt(map, e) {
    var grids = (window.zkqTiled || []).filter(function (g) { return g._map === map; });
    for (var i = grids.length - 1; i >= 0; i--) {
      var tiles = grids[i]._vectorTiles || {};
      for (var key in tiles) {
        var tile = tiles[key], found = null;
        if (tile._tileCoord.z !== grids[i]._tileZoom || !tile._container) { continue; }
        var box = tile._container.getBoundingClientRect();
        if (!box.width || !box.height) { continue; }
        var p = L.point((e.clientX - box.left) * tile._size.x / box.width,
                        (e.clientY - box.top) * tile._size.y / box.height);
        if (p.x < 0 || p.y < 0 || p.x >= tile._size.x || p.y >= tile._size.y) { continue; }
        for (var id in tile._layers) {
          var layer = tile._layers[id];
          if (layer.options.interactive && layer._containsPoint(p)) { found = layer; }  // drawn last wins
        }
        if (found) { return found; }
      }
    }
    return null;
  }
  window.zkqTiledFirst = function (map) {
    var top = map._renderer;  // the canvas of the inline layers (preferCanvas)
    if (!(top instanceof L.Canvas) || !top._container || top._zkqTiledFirst) { return; }
    top._zkqTiledFirst = true;
    var c = top._container, hovered = null, clicks = "click dblclick mousedown mouseup contextmenu";
    L.DomEvent.off(c, "mousemove", top._onMouseMove, top);
    L.DomEvent.off(c, clicks, top._onClick, top);
    L.DomEvent.off(c, "mouseout", top._handleMouseOut, top);
    function leave(e) {
      if (!hovered) { return; }
      L.DomUtil.removeClass(c, "leaflet-interactive");
      map._fireDOMEvent(e, "mouseout", [hovered]);
      hovered = null;
    }
    L.DomEvent.on(c, "mousemove", function (e) {
      if ((map.dragging && map.dragging.moving()) || map._animatingZoom) { return; }
      var feature = featureAt(map, e);
      if (feature !== hovered) { leave(e); }
      if (!feature) { top._onMouseMove(e); return; }
      top._handleMouseOut(e);  // the inline feature the pointer was on
      L.DomUtil.addClass(c, "leaflet-interactive");
      if (feature !== hovered) { hovered = feature; map._fireDOMEvent(e, "mouseover", [feature]); }
      map._fireDOMEvent(e, "mousemove", [feature]);
    });
    L.DomEvent.on(c, clicks, function (e) {
      var feature = featureAt(map, e);
      if (!feature || (e.type === "click" && map._draggableMoved(feature))) { top._onClick(e); return; }
      map._fireDOMEvent(e, e.type, [feature]);
    });
    L.DomEvent.on(c, "mouseout", function (e) { leave(e); top._handleMouseOut(e); });
  };
})();
"""


def selection_bits(rows: np.ndarray | list[int], n: int) -> str:
    """Base64 of a little-endian bit set of ``n`` rows with ``rows`` set (bit ``r & 7`` of byte
    ``r >> 3``), as the tiled layer's script reads it."""
    bits = np.zeros(n, dtype=bool)
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise ValueError(f"row numbers must lie in 0..{n - 1}")
    bits[rows] = True
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode("ascii")


class TiledLayer(JSCSSMixin, MacroElement):
    """Leaflet.VectorGrid layer of one tile set, added to a folium FeatureGroup.

    Parameters
    ----------
    url : str
        Tile URL template with ``{z}``, ``{x}``, ``{y}`` (the app's tile route).
    base_style : dict
        Leaflet path options of the layer kind (outline, fill opacity).
    fill : dict
        ``{"by": "industry", "colors": {code: colour}, "unknown": colour}`` or
        ``{"by": "intensity", "breaks": [...], "colors": [...], "nodata": colour}`` or
        ``{"by": "fixed", "color": colour}``.
    labels : dict
        Tooltip words: ``{"name": .., "industry": .., "intensity": .., "codes": {code: word},
        "blank": "—"}`` in the map's language.
    selected : str or None
        :func:`selection_bits` of the rows to draw; None draws every row.
    bounds : [[south, west], [north, east]], optional
        The layer's extent: no tile outside it is requested.
    embedded, max_native_zoom :
        For one offline file: the tiles themselves (:func:`zkq_geo.render.tiles.embedded_tiles`,
        the URL then ``zkq-tile:{z}/{x}/{y}``) and the deepest zoom they hold.
    """

    default_js = list(VectorGridProtobuf.default_js)  # the same file, swapped for the local copy
    _template = Template("""
{% macro script(this, kwargs) %}
{{ this.compat_js }}
{{ this.tiled_first_js }}
var {{ this.get_name() }} = (function () {
    var cfg = {{ this.config_js }};
    if (cfg.embedded) {
        // one offline file: tiles come from the page itself, "zkq-tile:<z>/<x>/<y>" (gzip, base64)
        var tiles = cfg.embedded, realFetch = window.fetch.bind(window);
        window.fetch = function (url, options) {
            if (typeof url !== "string" || url.indexOf("zkq-tile:") !== 0) { return realFetch(url, options); }
            var b64 = tiles[url.slice(9)];
            if (!b64) { return Promise.resolve(new Response(null, {status: 204})); }
            var raw = atob(b64), bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
            var plain = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
            return Promise.resolve(new Response(plain));
        };
    }
    var bits = null;
    if (cfg.selected !== null) {
        var raw = atob(cfg.selected);
        bits = new Uint8Array(raw.length);
        for (var i = 0; i < raw.length; i++) { bits[i] = raw.charCodeAt(i); }
    }
    function shown(row) {
        return bits === null || ((row >> 3) < bits.length && (bits[row >> 3] & (1 << (row & 7))) !== 0);
    }
    function fill(p) {
        var f = cfg.fill;
        if (f.by === "fixed") { return f.color; }
        if (f.by === "industry") { return f.colors[p.industry] || f.unknown; }
        var v = p.invest_intensity_wan_per_mu;
        if (v === undefined || v === null) { return f.nodata; }
        var k = 0;
        while (k < f.breaks.length && v >= f.breaks[k]) { k++; }
        return f.colors[k];
    }
    function esc(text) {
        return String(text).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    }
    function number(v) {
        return (Math.round(v * 100) / 100).toLocaleString(cfg.locale, {maximumFractionDigits: 2});
    }
    var layers = {};
    layers[cfg.layer] = function (p) {
        if (!shown(p.fid)) { return []; }
        return Object.assign({}, cfg.base, {fill: true, fillColor: fill(p)});
    };
    var grid = L.vectorGrid.protobuf(cfg.url, {
        rendererFactory: L.canvas.tile,
        interactive: true,
        minNativeZoom: cfg.minNativeZoom,
        maxNativeZoom: cfg.maxNativeZoom,
        bounds: cfg.bounds,  // no request for a tile outside the layer
        getFeatureId: function (f) { return f.properties.fid; },
        vectorTileLayerStyles: layers
    });
    var tip = L.tooltip({sticky: true, direction: "top", offset: [0, -6], className: "zkq-tile-tip"});
    grid.on("mouseover", function (e) {
        var p = e.layer.properties || {}, L_ = cfg.labels;
        var rows = [
            [L_.name, p.name !== undefined ? p.name : (p.id !== undefined ? p.id : L_.blank)],
            [L_.industry, p.industry !== undefined ? (L_.codes[p.industry] || p.industry) : L_.blank],
            [L_.intensity, p.invest_intensity_wan_per_mu !== undefined
                ? number(p.invest_intensity_wan_per_mu) + " " + L_.intensity_unit : L_.blank]
        ];
        tip.setContent("<table>" + rows.map(function (r) {
            return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
        }).join("") + "</table>");
        tip.setLatLng(e.latlng);
        if (grid._map) { grid._map.openTooltip(tip); }
    });
    grid.on("mouseout", function () { if (grid._map) { grid._map.closeTooltip(tip); } });
    // streamlit-folium's click handler (on every layer of the map, added after this one) calls
    // e.layer.toGeoJSON(): Leaflet's throws for a tile's feature (it has no lat/lngs), and the
    // click never reached the app. The app looks the click up by its lat/lng (app/clicks.py).
    grid.on("click", function (e) {
        var feature = e.layer;
        if (feature && !feature._latlngs) {
            feature.toGeoJSON = function () {
                return {type: "Feature", properties: feature.properties || null, geometry: null};
            };
        }
    });
    // for the browser tests and the benchmark: when the visible tiles were last all drawn
    grid.on("load", function () { grid.zkqLoadedAt = performance.now(); });
    grid.on("add", function () { window.zkqTiledFirst(grid._map); });  // pointer events: see TILED_FIRST_JS
    window.zkqTiled = (window.zkqTiled || []).concat([grid]);
    return grid;
})();
{{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
{% endmacro %}
""")

    def __init__(
        self,
        url: str,
        *,
        base_style: Mapping,
        fill: Mapping,
        labels: Mapping,
        selected: str | None,
        bounds: list[list[float]] | None = None,
        lang: str = "zh",
        embedded: dict[str, str] | None = None,
        max_native_zoom: int = MAX_ZOOM,
    ):
        super().__init__()
        self._name = "TiledLayer"
        self.compat_js = VECTORGRID_COMPAT_JS  # VectorGrid 1.3 clicks on Leaflet 1.9
        self.tiled_first_js = TILED_FIRST_JS  # hover and click reach the tiles under the inline layers
        config = {
            "url": url,
            "layer": TILE_LAYER,
            "minNativeZoom": MIN_ZOOM,
            "maxNativeZoom": max_native_zoom,
            "embedded": embedded,
            "bounds": bounds,
            "base": dict(base_style),
            "fill": dict(fill),
            "labels": dict(labels),
            "selected": selected,
            "locale": "zh-CN" if lang == "zh" else "en-US",
        }
        # </script> cannot end the page's script: "<" is written as a JSON escape
        self.config_js = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")

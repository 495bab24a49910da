"""Our fix that lets Leaflet.VectorGrid 1.3.0 run on Leaflet 1.8+ (we ship Leaflet 1.9.3).

VectorGrid 1.3.0 (2017, still its latest release) was written for Leaflet 1.0-1.7. Its canvas
renderer ``L.Canvas.Tile`` inherits Leaflet's ``L.Canvas`` and overrides ``_onClick``, which calls
``L.DomEvent.fakeStop(e)`` when a feature is hit. Leaflet 1.8 removed ``fakeStop`` (and
``skipped``), so every click, mousedown or mouseup on a feature of a canvas-rendered vector grid
throws "L.DomEvent.fakeStop is not a function" and the feature's click handlers never run
(Leaflet.VectorGrid issue #274; fixed on its master by PR #288, never released).

``fakeStop`` used to keep the map's own DOM handler from firing the event a second time. Since
1.8, ``L.Canvas`` marks its canvas ``_leaflet_disable_events`` so the map ignores the native
event, and the renderer hands the event to the map itself through ``_fireEvent``, which
propagates it from the feature to its layer and the map. The fix therefore replaces
``L.Canvas.Tile#_onClick`` by Leaflet 1.9's ``L.Canvas#_onClick`` (plus VectorGrid's per-tile
offset): the hit feature gets the event and it bubbles as usual; a click beside every feature
reaches the map (so it still closes popups). The SVG renderer (VectorGrid's default) is
unaffected. The script does nothing if VectorGrid is not loaded or Leaflet still has
``fakeStop``, and patches once however many layers include it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from branca.element import MacroElement

ELEMENT_NAME = "zkq_vectorgrid_compat"
"""Child name of the element on a VectorGridProtobuf layer (adding it again replaces it)."""

# No "{{", "{%" or "{#": branca renders a MacroElement's script a second time as a template.
VECTORGRID_COMPAT_JS = """
(function () {
  // zkq-geo: Leaflet.VectorGrid 1.3.0 calls L.DomEvent.fakeStop, removed in Leaflet 1.8;
  // see zkq_geo/render/vectorgrid_compat.py.
  if (!window.L || !L.Canvas || !L.Canvas.Tile || L.DomEvent.fakeStop) { return; }
  if (L.Canvas.Tile.prototype._zkqCompat) { return; }
  L.Canvas.Tile.include({
    _zkqCompat: true,
    _onClick: function (e) {
      var point = this._map.mouseEventToLayerPoint(e).subtract(this.getOffset());
      var clicked = null;
      var isClick = e.type === 'click' || e.type === 'preclick';
      for (var id in this._layers) {
        var layer = this._layers[id];
        if (layer.options.interactive && layer._containsPoint(point) &&
            !(isClick && this._map._draggableMoved(layer))) {
          clicked = layer;
        }
      }
      this._fireEvent(clicked ? [clicked] : false, e);
    }
  });
})();
"""


def vectorgrid_compat_element() -> MacroElement:
    """Return the element whose script applies the fix; add it to the VectorGridProtobuf layer.

    Its script runs with the map's script, after every library in the page header, so after
    Leaflet.VectorGrid, and before any click can reach a vector tile.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = "VectorGridCompat"
    element._template = Template("{% macro script(this, kwargs) %}" + VECTORGRID_COMPAT_JS + "{% endmacro %}")
    return element

"""The app's fast map path: render a folium map once, cache it, and only send it on reruns.

``st_folium(m)`` renders the whole map on every call (``get_root().render()``, ``m.render()``,
then once more per element to build the Leaflet script, plus regexes over it), i.e. on every
rerun, even when nothing changed. Here the two halves are split:

- :func:`map_payload` does that rendering once and returns the component's arguments as plain
  strings and dicts (cacheable with ``st.cache_data``);
- :func:`show_map` hands a cached payload to streamlit-folium's component: per rerun that is
  one JSON serialisation and no map work.

Caching pattern (``app/data.py`` uses the first form)::

    @st.cache_data(show_spinner=False, max_entries=32)
    def map_payload_for(selection, shown, basemap, color_by, lang):   # the inputs are the key
        return map_payload(build_map(...))

    payload = cached_map_payload((selection, shown, basemap, color_by, lang),
                                 lambda: build_map(...))               # same, as a helper
    clicked = show_map(payload, key="main_map").get("last_object_clicked")

The builder is only called on a cache miss, so a rerun with unchanged inputs builds and renders
nothing. Keep the key tuple to plain hashable values (str, numbers, tuples, frozen dataclasses).

streamlit-folium is pinned at 0.27.4 (requirements), so this module relies on its module-level
helpers (``_get_html``, ``_get_header``, ``_get_map_string``, ``get_full_id``,
``generate_js_hash``, ``_component_func``) exactly as ``st_folium`` uses them; tests/test_map_component
style checks (and the bench) compare against ``st_folium``'s arguments after an upgrade.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

DEFAULT_RETURNED = ("last_object_clicked",)


def map_payload(m: folium.Map) -> dict:
    """Render ``m`` the way ``st_folium`` does and return what it would send to the frontend.

    Keys: ``script``, ``header``, ``html``, ``id``, ``css_links``, ``js_links`` (the component's
    arguments), ``defaults`` (the initial return value for every returned object, incl. the
    map's ``bounds`` and ``zoom``) and ``script_hash`` (identifies the map's content).
    Like ``st_folium``, this renames the map's elements in place: build a new map per call.
    """
    m.get_root().render()
    m.render()
    html = sf._get_html(m)  # before _get_map_string, which renames the elements
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css_links, js_links = _asset_links(m)
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": sf.get_full_id(m),
        "css_links": css_links,
        "js_links": js_links,
        "defaults": _defaults(m),
        "script_hash": sf.generate_js_hash(script, None, False),
    }


def show_map(
    payload: dict, *, key: str, height: int = 620, returned_objects: Iterable[str] = DEFAULT_RETURNED
) -> dict:
    """Show a :func:`map_payload` with streamlit-folium's component; return the component value.

    Only ``returned_objects`` rerun the script when they change (by default a click on a
    feature: ``{"last_object_clicked": {"lat": ..., "lng": ...}}``), so panning and zooming do
    not. The map fills the container's width. ``st.session_state[key]`` holds the last value.
    """
    returned = list(returned_objects)
    defaults = {k: v for k, v in payload["defaults"].items() if k in returned}
    component_key = hashlib.sha256(f"{payload['script_hash']}|{key}".encode()).hexdigest()

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    value = sf._component_func(
        script=payload["script"],
        header=payload["header"],
        html=payload["html"],
        id=payload["id"],
        key=component_key,
        height=height,
        width=None,
        returned_objects=returned,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=payload["css_links"],
        js_links=payload["js_links"],
        on_change=_on_change,
        wrap_longitude=False,
    )
    return value or {}


def cached_map_payload(key_tuple: Hashable, builder: Callable[[], folium.Map]) -> dict:
    """``map_payload(builder())``, cached with ``st.cache_data`` under ``key_tuple``."""
    return _cached_payload(key_tuple, builder)


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_payload(key_tuple: Hashable, _builder: Callable[[], folium.Map]) -> dict:
    return map_payload(_builder())


def _asset_links(m: folium.Map) -> tuple[list[str], list[str]]:
    """The CSS and JS links st_folium collects (its inner ``walk``), deduplicated in order."""
    css: list[str] = []
    js: list[str] = []
    for element in _walk(m):
        if isinstance(element, branca.colormap.ColorMap):  # st_folium adds d3 from CDNs
            js[:0] = [
                "https://d3js.org/d3.v4.min.js",
                "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
            ]
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def _walk(element):
    if isinstance(element, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _defaults(m: folium.Map) -> dict:
    (south, west), (north, east) = m.get_bounds()
    return {
        "last_clicked": None,
        "last_object_clicked": None,
        "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
        "zoom": m.options.get("zoom"),
        "last_circle_radius": None,
        "last_circle_polygon": None,
        "selected_layers": None,
        "selected_tags": None,
        "last_geocoder_result": None,
    }

"""A tiny folium map like the app's (two squares, tooltip, popup, marker) for asset and browser tests."""

from __future__ import annotations

import folium

# Two 0.01-degree squares near the zone's centre, side by side (EPSG:4326, lon/lat).
SQUARES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[lon, 34.70], [lon + 0.01, 34.70], [lon + 0.01, 34.71], [lon, 34.71], [lon, 34.70]]
                ],
            },
        }
        for name, lon in (("Parcel A", 113.80), ("Parcel B", 113.82))
    ],
}


def make_map(*, marker: bool = False) -> folium.Map:
    """The elements the app uses: GeoJson with tooltip and popup, LayerControl, no basemap."""
    m = folium.Map(location=[34.705, 113.815], zoom_start=14, tiles=None)
    folium.GeoJson(
        SQUARES, name="parcels", tooltip=folium.GeoJsonTooltip(["name"]), popup=folium.GeoJsonPopup(["name"])
    ).add_to(m)
    if marker:  # default icon (Leaflet images) and a folium.Popup (jQuery)
        folium.Marker([34.705, 113.815], popup="centre").add_to(m)
    folium.LayerControl().add_to(m)
    return m

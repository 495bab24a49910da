"""Maps for the browser: the map builder (:mod:`.builder`: styles, compact payload, elements,
folium map) and the offline assets (:mod:`.assets`: vendored Leaflet, no CDN).

May import: the core, i18n and analysis.
"""

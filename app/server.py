"""The app's server: Streamlit's own, plus the map tiles of imported layers. One process, one port.

Start it with ``streamlit run app/server.py`` (scripts/run.sh does): Streamlit finds ``app``
below and serves app/streamlit_app.py as ``streamlit run app/streamlit_app.py`` would (pages,
/app/static/, /_stcore/...), with one more route::

    GET /tiles/<name>/<version>/<z>/<x>/<y>.pbf     a tile of an imported layer version

What it answers is decided by :func:`zkq_geo.render.tiles.tile_reply` (200 gzip-compressed MVT,
204 empty tile, 404); this module only turns that into a Starlette response.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from zkq_geo.render import tiles
from zkq_geo.workspace import Workspace


def tile(request: Request) -> Response:
    """A tile from the workspace ($ZKQ_WORKSPACE); a plain function, so Starlette runs it in a
    worker thread (it reads the index and stats files)."""
    p = request.path_params
    etags = request.headers.get("if-none-match", "")
    reply = tiles.tile_reply(
        Workspace(), p["name"], p["version"], p["z"], p["x"], p["y"], if_none_match=etags
    )
    if reply.status == 404:
        return not_found(request)
    if reply.status == 200:
        return FileResponse(reply.path, headers=reply.headers, media_type=tiles.TILE_MEDIA_TYPE)
    return Response(status_code=reply.status, headers=reply.headers)


def not_found(request: Request) -> Response:
    """Every other path under /tiles/ (a name with a slash, a part that is not an integer...)."""
    return PlainTextResponse(tiles.tile_not_found(), status_code=404, headers={"Cache-Control": "no-store"})


ROUTES = [
    Route(tiles.TILE_ROUTE, tile, methods=["GET"]),
    Route("/tiles/{rest:path}", not_found),
]

app = st.App(Path(__file__).with_name("streamlit_app.py"), routes=ROUTES)

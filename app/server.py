"""The app's server: Streamlit's own behind the sign-in gate, plus the map tiles of imported
layers. One process, one port.

Start it with ``streamlit run app/server.py`` (scripts/run.sh does): Streamlit finds ``app``
below and serves app/streamlit_app.py as ``streamlit run app/streamlit_app.py`` would (pages,
/app/static/, /_stcore/...), with the sign-in gate (gate.py: /signin, /signout; nothing else
without a session) in front and one more route::

    GET /tiles/<name>/<version>/<z>/<x>/<y>.pbf     a tile of an imported layer version

What a tile request answers is decided by :func:`zkq_geo.render.tiles.tile_reply` (the folder
workspace: tippecanoe's files) or :func:`zkq_geo.render.tiles.database_tile_reply` (the PostGIS
workspace, $ZKQ_DATABASE_URL: the database makes the tile) (200 gzip-compressed MVT, 204 empty
tile, 304, 404), and 404 for a layer the session's user may not see; this module only turns that
into a Starlette response.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the app's small modules (gate, office)

import gate  # noqa: E402
import office  # noqa: E402

from zkq_geo.office.postgis import PostgisWorkspace  # noqa: E402
from zkq_geo.render import tiles  # noqa: E402


def tile(request: Request) -> Response:
    """A tile from the workspace ($ZKQ_WORKSPACE) of a layer the session's user may see; a plain
    function, so Starlette runs it in a worker thread (it reads the store, the index and stats)."""
    p = request.path_params
    user = office.session_user(request.cookies.get(office.SESSION_COOKIE))
    if user is None or not office.user_workspace(user).may_see(p["name"]):
        return not_found(request)
    etags = request.headers.get("if-none-match", "")
    workspace = office.office()[0]
    reply_of = tiles.database_tile_reply if isinstance(workspace, PostgisWorkspace) else tiles.tile_reply
    reply = reply_of(workspace, p["name"], p["version"], p["z"], p["x"], p["y"], if_none_match=etags)
    if reply.status == 404:
        return not_found(request)
    if reply.status == 200 and reply.body is not None:
        return Response(reply.body, headers=reply.headers, media_type=tiles.TILE_MEDIA_TYPE)
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

gate.record_real_peer()  # before uvicorn wraps the app (it imports this module first)
app = st.App(
    Path(__file__).with_name("streamlit_app.py"), routes=ROUTES, middleware=[Middleware(gate.SignInGate)]
)

"""Which workspace a server uses: the embedded GeoPackage folder, or PostgreSQL + PostGIS when
``ZKQ_DATABASE_URL`` (or ``url``) is a ``postgresql://`` URL. The app and the CLI open the
workspace and the office store only through :func:`open_office`."""

from __future__ import annotations

from pathlib import Path

from zkq_geo.errors import OptionError
from zkq_geo.i18n.messages import msg
from zkq_geo.office.db import database_url, is_postgres, redacted
from zkq_geo.office.postgis import PostgisWorkspace
from zkq_geo.office.store import OfficeStore, office_store
from zkq_geo.workspace import Workspace


def open_workspace(root: str | Path | None = None, url: str | None = None) -> Workspace | PostgisWorkspace:
    """The layer store: :class:`~zkq_geo.workspace.Workspace` at ``root`` (default
    ``$ZKQ_WORKSPACE``), or the :class:`~zkq_geo.office.postgis.PostgisWorkspace` of a
    ``postgresql://`` ``url`` / ``$ZKQ_DATABASE_URL`` (``root`` then only holds local caches)."""
    url = url if url is not None else database_url()
    if url and not is_postgres(url):
        raise OptionError(msg("database_url_bad", url=redacted(url)))
    if url:
        return PostgisWorkspace(url, root)
    return Workspace(root)


def open_office(root: str | Path | None = None, url: str | None = None) -> tuple[object, OfficeStore]:
    """The workspace and the office store (users, teams, access, audit) of one server."""
    workspace = open_workspace(root, url)
    store = office_store(getattr(workspace, "root", root), url=url)
    return workspace, store

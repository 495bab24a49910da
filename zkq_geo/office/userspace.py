"""The workspace as one signed-in user sees and changes it: the layers they may see, and imports,
joins, versions, sharing, deletes and restores checked against their role and recorded in the
audit trail (who, when, what, the file's name and SHA-256, the report's warnings).

The app and the CLI go through :class:`UserWorkspace`; the storage underneath (the GeoPackage
:class:`~zkq_geo.workspace.Workspace` or the PostGIS workspace) knows nothing of users.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from zkq_geo.catalog import Catalog
from zkq_geo.errors import AccessError, OptionError
from zkq_geo.i18n.messages import msg
from zkq_geo.office.access import (
    LayerAccess,
    Visibility,
    can_add_version,
    can_see,
    can_share,
    check_visibility,
    require,
)
from zkq_geo.office.accounts import User
from zkq_geo.office.store import OfficeStore, file_sha256
from zkq_geo.workspace import (
    SavedLayer,
    check_layer_name,
    full_catalog,
    import_into_workspace,
    save_joined_layer,
)


class UserWorkspace:
    """``workspace`` (either backend) as ``user`` sees it, with ``store`` keeping access and audit."""

    def __init__(self, workspace, store: OfficeStore, user: User):
        self.workspace, self.store, self.user = workspace, store, user

    # ------------------------------------------------------------------ seeing
    def access(self) -> dict[str, LayerAccess]:
        return self.store.all_access()

    def may_see(self, name: str, access: dict[str, LayerAccess] | None = None) -> bool:
        access = self.store.all_access() if access is None else access
        return can_see(self.user, access.get(name))

    def visible_names(self) -> list[str]:
        """The imported layers (broken ones included) this user may see."""
        access = self.store.all_access()
        return [n for n in self.workspace.names() if can_see(self.user, access.get(n))]

    def catalog(self, root=None) -> Catalog:
        """The shipped catalogue with the imported layers this user may see (and only their
        problems: a hidden layer's name is never shown)."""
        return restrict_catalog(full_catalog(root, workspace=self.workspace), self.hidden())

    def hidden(self) -> set[str]:
        """Imported layers this user may not see."""
        access = self.store.all_access()
        return {n for n in self.workspace.names() if not can_see(self.user, access.get(n))}

    def versions(self, name: str):
        self._require_visible(name)
        return self.workspace.versions(name)

    def read_layer(self, name: str, version: int | None = None) -> gpd.GeoDataFrame:
        self._require_visible(name)
        return self.workspace.read_layer(name, version)

    def may_version(self, name: str) -> bool:
        """May this user import a file, join or restore under ``name`` (new or existing)?"""
        access = self.store.access(name)
        if access is None and name not in self.workspace.names():
            return self.user.can_edit
        return can_add_version(self.user, access)

    # ------------------------------------------------------------------ changing
    def import_file(
        self,
        path: str | Path,
        name: str,
        *,
        visibility: Visibility = "private",
        team: str | None = None,
        source_name: str | None = None,
        **options,
    ):
        """:func:`zkq_geo.workspace.import_into_workspace` as this user: ``(SavedLayer, ImportReport)``."""
        new = self._claim(name, visibility, team)
        source = source_name or Path(path).name
        try:
            saved, report = import_into_workspace(
                path, name, workspace=self.workspace, source_name=source, **options
            )
        except BaseException:
            self._unclaim(name, new)
            raise
        self._audit(
            "import" if saved.version == 1 else "version",
            saved,
            file_name=source,
            sha256=file_sha256(path),
            warnings=report.warnings,
            detail={"features": report.feature_count, "title": saved_title(self.workspace, saved)},
        )
        return saved, report

    def save_join(
        self,
        name: str,
        joined: gpd.GeoDataFrame,
        report: dict,
        *,
        title: str,
        table_path: str | Path,
        visibility: Visibility = "private",
        team: str | None = None,
        source_name: str | None = None,
    ) -> SavedLayer:
        """:func:`zkq_geo.workspace.save_joined_layer` as this user."""
        new = self._claim(name, visibility, team)
        try:
            saved = save_joined_layer(
                name, joined, report, title=title, table_path=table_path, workspace=self.workspace
            )
        except BaseException:
            self._unclaim(name, new)
            raise
        self._audit(
            "join",
            saved,
            file_name=source_name or Path(table_path).name,
            sha256=file_sha256(table_path),
            warnings=join_warnings(report),
            detail={"features": len(joined)},
        )
        return saved

    def restore_version(self, name: str, version: int | None = None) -> SavedLayer:
        self._require_visible(name)
        require(self.may_version(name), "version", name, self.user)
        saved = self.workspace.restore_version(name, version)
        self._audit("restore_version", saved, detail={"restored_from": saved.restored_from})
        return saved

    def share(self, name: str, visibility: Visibility, team: str | None = None, owner: str | None = None):
        """Change who sees ``name`` (its owner or an admin; only an admin changes the owner)."""
        self._require_visible(name)
        access = self.store.access(name)
        require(can_share(self.user, access), "share", name, self.user)
        check_visibility(visibility, team)
        new_owner = access.owner if access is not None else None
        if owner is not None and owner != new_owner:
            require(self.user.is_admin, "share", name, self.user)
            if self.store.user(owner) is None:
                raise OptionError(msg("user_unknown", name=owner))
            new_owner = owner
        self._check_team(team, visibility)
        self.store.set_access(self.user.name, name, new_owner, team, visibility)

    def delete_layer(self, name: str):
        require(self.user.is_admin, "delete", name, self.user)
        message = self.workspace.delete_layer(name)
        self.store.record(self.user.name, "delete", name, detail={"message": str(message)})
        return message

    def trash(self):
        """The deleted layers (admins only), newest first."""
        require(self.user.is_admin, "delete", "trash/", self.user)
        return self.workspace.trash()

    def undelete(self, trash_id: str):
        """Put a deleted layer back (admins only); its owner and visibility are as before."""
        require(self.user.is_admin, "delete", str(trash_id)[:60], self.user)
        item = next((t for t in self.workspace.trash() if t.id == trash_id), None)
        message = self.workspace.undelete(trash_id)
        self.store.record(
            self.user.name,
            "undelete",
            item.name if item else None,
            detail={"trash_id": trash_id, "versions": item.versions if item else None},
        )
        return message

    # ------------------------------------------------------------------ inside
    def _require_visible(self, name: str) -> None:
        check_layer_name(name)
        if not can_see(self.user, self.store.access(name)):
            raise AccessError(msg("denied_see", layer=name))

    def _check_team(self, team: str | None, visibility: str) -> None:
        if team is not None and team not in self.store.teams():
            raise OptionError(msg("team_unknown", name=team))
        if (
            team is not None
            and visibility == "team"
            and not self.user.is_admin
            and team not in self.user.teams
        ):
            raise OptionError(msg("team_not_member", team=team))

    def _claim(self, name: str, visibility: Visibility, team: str | None) -> bool:
        """Check this user may write ``name``; for a new layer, make them its owner. True when
        this call made the claim (undone if the first save then fails)."""
        check_layer_name(name)
        require(self.user.can_edit, "import", name, self.user)
        check_visibility(visibility, team)
        access = self.store.access(name)
        made = False
        if access is None and name not in self.workspace.names():
            self._check_team(team, visibility)
            access = self.store.claim_layer(name, self.user.name, team, visibility)
            made = access.owner == self.user.name and access.visibility == visibility and access.team == team
        if not can_see(self.user, access):
            raise AccessError(msg("layer_name_taken", layer=name))
        require(can_add_version(self.user, access), "version", name, self.user)
        return made

    def _unclaim(self, name: str, made: bool) -> None:
        if made and not self.workspace.versions(name):
            self.store.release_claim(name, self.user.name)

    def _audit(self, action, saved: SavedLayer, *, file_name=None, sha256=None, warnings=(), detail=None):
        self.store.record(
            self.user.name,
            action,
            saved.name,
            file_name=file_name,
            file_sha256=sha256,
            warnings=warnings,
            detail={"version": saved.version, **(detail or {})},
        )


def saved_title(workspace, saved: SavedLayer) -> str:
    versions = workspace.versions(saved.name)
    return versions[-1].title if versions else saved.name


def restrict_catalog(catalog: Catalog, hidden: set[str]) -> Catalog:
    """``catalog`` without the imported layers in ``hidden``, and without their problems."""
    layers = {n: s for n, s in catalog.layers.items() if n not in hidden}
    extra = dict(catalog.extra)
    if "workspace_broken" in extra:
        extra["workspace_broken"] = {n: m for n, m in extra["workspace_broken"].items() if n not in hidden}
        if not extra["workspace_broken"]:
            del extra["workspace_broken"]
    return replace(catalog, layers=layers, extra=extra)


def join_warnings(report: dict) -> list[str]:
    """What a join report says a planner should look at (unmatched rows, type mismatches)."""
    join = report.get("join", {}) if isinstance(report, dict) else {}
    out = [str(w) for w in report.get("warnings", [])] if isinstance(report, dict) else []
    for key in ("unmatched_left", "unmatched_right", "duplicate_left", "duplicate_right"):
        items = join.get(key) or []
        if items:
            out.append(f"{key}: {len(items)}")
    out += [f"type mismatch: {a} / {b}" for a, b in join.get("type_mismatches", [])]
    return out

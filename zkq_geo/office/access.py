"""Who may see and change which imported layer: ownership, teams and the three visibilities.

Pure rules over :class:`~zkq_geo.office.accounts.User` and :class:`LayerAccess`. Shipped layers
(geodata/) are everyone's and have no LayerAccess. An imported layer that predates accounts has
none either: it stays visible to everyone, as it was, and only an admin may change it (give it
an owner with ``zkq-geo layer share``).

=============  ===========================================================================
visibility     who sees the layer (an admin always does)
=============  ===========================================================================
``private``    its owner
``team``       its owner and the members of its team
``everyone``   every signed-in user
=============  ===========================================================================

Adding a version (an import or a join under the same name, restoring an earlier version) needs
the editor role and: owning the layer, or being in its team while it is shared with the team or
everyone. Changing the visibility: the owner or an admin. Deleting, and putting a deleted layer
back: an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zkq_geo.errors import AccessError, OptionError
from zkq_geo.i18n.messages import Items, msg
from zkq_geo.office.accounts import User

Visibility = Literal["private", "team", "everyone"]
VISIBILITIES: tuple[Visibility, ...] = ("private", "team", "everyone")


@dataclass(frozen=True)
class LayerAccess:
    """The owner, team and visibility of one imported layer."""

    layer: str
    owner: str | None
    team: str | None
    visibility: Visibility


def check_visibility(visibility: str, team: str | None) -> Visibility:
    if visibility not in VISIBILITIES:
        raise OptionError(msg("visibility_bad", visibility=str(visibility)[:40], allowed=Items(VISIBILITIES)))
    if visibility == "team" and not team:
        raise OptionError(msg("visibility_needs_team"))
    return visibility  # type: ignore[return-value]


def can_see(user: User, access: LayerAccess | None) -> bool:
    if access is None or user.is_admin or access.visibility == "everyone":
        return True
    if access.owner == user.name:
        return True
    return access.visibility == "team" and access.team is not None and access.team in user.teams


def can_add_version(user: User, access: LayerAccess | None) -> bool:
    """May ``user`` add a version to a layer with ``access`` (None: a new layer, or one from before
    accounts — new: any editor; from before: an admin)."""
    if not user.can_edit:
        return False
    if user.is_admin:
        return True
    if access is None:
        return False
    if access.owner == user.name:
        return True
    return access.visibility in ("team", "everyone") and access.team is not None and access.team in user.teams


def can_share(user: User, access: LayerAccess | None) -> bool:
    return user.is_admin or (access is not None and user.can_edit and access.owner == user.name)


def require(allowed: bool, action: str, layer: str, user: User) -> None:
    """Raise :class:`AccessError` saying who may do ``action`` when ``allowed`` is False."""
    if not allowed:
        raise AccessError(msg(f"denied_{action}", layer=layer, user=user.name, role=msg(f"role_{user.role}")))

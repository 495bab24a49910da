"""Who is signed in, for the script: the ``zkq_session`` cookie of this browser session checked
with the office store (the gate in front of the server checked it too; this is the script's own
check). Every page reads the user here; no user, no app."""

from __future__ import annotations

import office
import streamlit as st
from i18n import lang, t

from zkq_geo.i18n.messages import msg
from zkq_geo.office.accounts import User
from zkq_geo.office.userspace import UserWorkspace


def current_user() -> User | None:
    """The signed-in user of this session, or None (no cookie, a non-text one, or a dead session)."""
    try:
        token = st.context.cookies.get(office.SESSION_COOKIE)
    except Exception:  # no request context at all (a bare script run)
        return None
    return office.session_user(token)


def require_user() -> User:
    """The signed-in user; without one the page shows only a link to the sign-in page and stops."""
    user = current_user()
    if user is None:
        st.markdown(f"[{t('please_sign_in')}](/signin)")
        st.stop()
    return user


def user_workspace(user: User) -> UserWorkspace:
    return office.user_workspace(user)


def role_name(role: str) -> str:
    return msg(f"role_{role}").text(lang())


def sidebar_identity(user: User) -> None:
    """ "已登录：显示名（角色）" and the sign-out link, in the sidebar."""
    st.sidebar.caption(t("signed_in_as", name=user.shown_name, role=role_name(user.role)))
    st.sidebar.markdown(f"[{t('sign_out')}](/signout)")

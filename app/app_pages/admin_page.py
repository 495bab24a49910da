"""Admin page (admins only; others never see it in the navigation): users, teams, every imported
layer (who sees it, its owner; delete), the trash (put a deleted layer back) and the audit trail
(read-only; CSV and Excel). Every change goes through the office store or UserWorkspace, which
check the admin role again and record it in the audit trail."""

from __future__ import annotations

import datetime

import data
import office
import pandas as pd
import state
import streamlit as st
from i18n import lang, t
from tables import md_text
from user import role_name, user_workspace

from zkq_geo.errors import ZkqGeoError
from zkq_geo.i18n.messages import text_of
from zkq_geo.office.access import VISIBILITIES
from zkq_geo.office.accounts import ROLES
from zkq_geo.office.audit import audit_csv, audit_frame, audit_xlsx
from zkq_geo.office.userspace import UserWorkspace


def said(message) -> str:
    return md_text(text_of(message, lang()))


def done(message: str) -> None:
    st.success(md_text(message))


def users_tab(uw: UserWorkspace) -> None:
    store, me = uw.store, uw.user.name
    users = store.users()
    locked = office.locked_names(store)
    st.dataframe(
        pd.DataFrame(
            {
                t("adm_col_user"): [u.name for u in users],
                t("adm_col_display"): [u.display_name for u in users],
                t("adm_col_role"): [role_name(u.role) for u in users],
                t("adm_col_teams"): ["、".join(u.teams) for u in users],
                t("adm_col_disabled"): [t("yes") if u.disabled else t("no") for u in users],
                t("adm_col_locked"): [t("yes") if u.name in locked else t("no") for u in users],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    add_user_form(uw)
    names = [u.name for u in users]
    st.subheader(t("adm_change_user"))
    name = st.selectbox(t("adm_col_user"), names, key=state.ADM_USER)
    if name is None:
        return
    chosen = next(u for u in users if u.name == name)
    c1, c2, c3 = st.columns(3)
    role = c1.selectbox(
        t("adm_col_role"), ROLES, index=ROLES.index(chosen.role), format_func=role_name, key=state.ADM_ROLE
    )
    if c1.button(t("adm_set_role"), key=state.ADM_ROLE_GO):
        store.set_role(me, name, role)
        done(t("adm_done"))
    flip = t("adm_enable") if chosen.disabled else t("adm_disable")
    if c2.button(flip, key=state.ADM_DISABLE_GO):
        store.set_disabled(me, name, not chosen.disabled)
        done(t("adm_done"))
    with c3.form(state.ADM_PASSWD_FORM, clear_on_submit=True):
        first = st.text_input(t("adm_password"), type="password", key=state.ADM_PASSWD)
        again = st.text_input(t("adm_password_again"), type="password", key=state.ADM_PASSWD_AGAIN)
        if st.form_submit_button(t("adm_reset_password")):
            if first != again:
                st.error(t("adm_password_mismatch"))
            else:
                store.set_password(me, name, first)
                done(t("adm_done"))


def add_user_form(uw: UserWorkspace) -> None:
    st.subheader(t("adm_add_user"))
    with st.form(state.ADM_ADD_FORM, clear_on_submit=False):
        c1, c2 = st.columns(2)
        name = c1.text_input(t("adm_col_user"), key=state.ADM_NEW_NAME).strip()
        display = c2.text_input(t("adm_col_display"), key=state.ADM_NEW_DISPLAY).strip()
        role = c1.selectbox(t("adm_col_role"), ROLES, format_func=role_name, key=state.ADM_NEW_ROLE)
        teams = c2.multiselect(
            t("adm_col_teams"), list(uw.store.teams()), placeholder=t("choose"), key=state.ADM_NEW_TEAMS
        )
        first = c1.text_input(t("adm_password"), type="password", key=state.ADM_NEW_PASSWORD)
        again = c2.text_input(t("adm_password_again"), type="password", key=state.ADM_NEW_PASSWORD_AGAIN)
        if st.form_submit_button(t("adm_add_user_button")):
            if first != again:
                st.error(t("adm_password_mismatch"))
                return
            uw.store.add_user(uw.user.name, name, role, password=first, display_name=display, teams_=teams)
            done(t("adm_user_added", name=name))


def teams_tab(uw: UserWorkspace) -> None:
    store = uw.store
    teams = store.teams()
    st.dataframe(
        pd.DataFrame(
            {t("adm_col_team"): list(teams), t("adm_col_members"): ["、".join(m) for m in teams.values()]}
        ),
        hide_index=True,
        width="stretch",
    )
    with st.form(state.ADM_TEAM_FORM, clear_on_submit=True):
        c1, c2 = st.columns(2)
        name = c1.text_input(t("adm_col_team"), key=state.ADM_TEAM_NAME).strip()
        title = c2.text_input(t("adm_team_title"), key=state.ADM_TEAM_TITLE).strip()
        if st.form_submit_button(t("adm_add_team")):
            store.add_team(uw.user.name, name, title)
            done(t("adm_done"))
    if not teams:
        return
    st.subheader(t("adm_members"))
    c1, c2, c3 = st.columns(3)
    who = c1.selectbox(t("adm_col_user"), [u.name for u in store.users()], key=state.ADM_MEMBER_USER)
    team = c2.selectbox(t("adm_col_team"), list(teams), key=state.ADM_MEMBER_TEAM)
    if c3.button(t("adm_join"), key=state.ADM_JOIN_GO):
        store.set_membership(uw.user.name, who, team, True)
        done(t("adm_done"))
    if c3.button(t("adm_leave"), key=state.ADM_LEAVE_GO):
        store.set_membership(uw.user.name, who, team, False)
        done(t("adm_done"))


def layers_tab(uw: UserWorkspace) -> None:
    names = uw.workspace.names()
    if not names:
        st.info(t("admin_none"))
        return
    access = uw.store.all_access()
    versions = {n: uw.workspace.versions(n) for n in names}
    st.dataframe(
        pd.DataFrame(
            {
                t("adm_col_layer"): names,
                t("adm_col_title"): [v[-1].title if v else "" for v in versions.values()],
                t("adm_col_versions"): [len(v) for v in versions.values()],
                t("adm_col_owner"): [getattr(access.get(n), "owner", None) or "—" for n in names],
                t("adm_col_visibility"): [visibility_word(access.get(n)) for n in names],
                t("adm_col_team"): [getattr(access.get(n), "team", None) or "—" for n in names],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    name = st.selectbox(t("admin_layer"), names, key=state.ADM_LAYER)
    share_layer(uw, name, access.get(name))
    st.subheader(t("admin_delete"))
    sure = st.checkbox(t("admin_delete_confirm", name=md_text(name)), key=f"{state.ADM_CONFIRM}_{name}")
    if st.button(t("admin_delete_button"), disabled=not sure, key=state.ADM_DELETE):
        message = uw.delete_layer(name)
        data.refresh_layers()
        st.success(t("admin_done", message=said(message)))


def share_layer(uw: UserWorkspace, name: str, current) -> None:
    st.subheader(t("adm_share"))
    users = [u.name for u in uw.store.users()]
    teams = list(uw.store.teams())
    c1, c2, c3 = st.columns(3)
    visibility = c1.selectbox(
        t("adm_col_visibility"),
        VISIBILITIES,
        index=VISIBILITIES.index(current.visibility) if current else 0,
        format_func=lambda v: t(f"visibility_{v}"),
        key=f"{state.ADM_VISIBILITY}_{name}",
    )
    team = c2.selectbox(
        t("adm_col_team"),
        [""] + teams,
        index=([""] + teams).index(current.team) if current and current.team in teams else 0,
        format_func=lambda v: v or "—",
        key=f"{state.ADM_SHARE_TEAM}_{name}",
    )
    owner = c3.selectbox(
        t("adm_col_owner"),
        users,
        index=users.index(current.owner) if current and current.owner in users else 0,
        key=f"{state.ADM_OWNER}_{name}",
    )
    if st.button(t("adm_share_button"), key=state.ADM_SHARE_GO):
        uw.share(name, visibility, team or None, owner=owner)
        done(t("adm_done"))


def visibility_word(access) -> str:
    return t(f"visibility_{access.visibility}") if access else t("adm_no_owner")


def trash_tab(uw: UserWorkspace) -> None:
    items = uw.trash()
    if not items:
        st.info(t("adm_trash_empty"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("adm_col_layer"): [i.name for i in items],
                t("adm_col_deleted"): [i.deleted_at for i in items],
                t("adm_col_versions"): [i.versions for i in items],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    labels = {i.id: t("adm_trash_label", name=i.name, at=i.deleted_at, n=i.versions) for i in items}
    chosen = st.selectbox(t("adm_trash_item"), list(labels), format_func=labels.get, key=state.ADM_TRASH)
    if st.button(t("adm_undelete"), key=state.ADM_UNDELETE):
        message = uw.undelete(chosen)
        data.refresh_layers()
        st.success(t("admin_done", message=said(message)))


def audit_tab(uw: UserWorkspace) -> None:
    c1, c2 = st.columns(2)
    since = c1.date_input(t("adm_since"), value=None, key=state.ADM_SINCE)
    users = [""] + [u.name for u in uw.store.users()]
    who = c2.selectbox(
        t("adm_col_user"), users, format_func=lambda u: u or t("adm_everyone"), key=state.ADM_WHO
    )
    since_text = since.isoformat() if isinstance(since, datetime.date) else None
    events = uw.store.events(since=since_text, user=who or None)
    st.dataframe(audit_frame(events, lang()), hide_index=True, width="stretch")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")
    c1, c2 = st.columns(2)
    c1.download_button(
        t("adm_audit_csv"),
        audit_csv(events, lang()),
        file_name=f"audit-{stamp}.csv",
        mime="text/csv",
        key=state.ADM_AUDIT_CSV,
    )
    c2.download_button(
        t("adm_audit_xlsx"),
        audit_xlsx(events, lang()),
        file_name=f"audit-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=state.ADM_AUDIT_XLSX,
    )


st.title(t("page_admin"))
user = st.session_state[state.USER]
if not user.is_admin:  # the navigation offers this page to admins only; a stale link still stops here
    st.error(t("adm_only"))
    st.stop()
uw = user_workspace(user)
TABS = (
    ("adm_tab_users", users_tab),
    ("adm_tab_teams", teams_tab),
    ("adm_tab_layers", layers_tab),
    ("adm_tab_trash", trash_tab),
    ("adm_tab_audit", audit_tab),
)
for tab, (_, section) in zip(st.tabs([t(k) for k, _ in TABS]), TABS, strict=True):
    with tab:
        try:
            section(uw)
        except ZkqGeoError as exc:  # one line; the rest of the page keeps working
            st.error(md_text(t("error")) + said(exc))

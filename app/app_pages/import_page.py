"""Import page: planners' own files into the workspace, and ledgers joined to layers. Each shows
its report (what was found, every problem) before anything is applied; errors are one line.
Only editors and admins import and join (as themselves: UserWorkspace checks and audits it), each
new layer with who may see it (only me / my team / everyone); a layer's earlier version is
restored by those who may add versions to it. Deleting layers is on the admin page."""

from __future__ import annotations

from dataclasses import dataclass

import data
import importing
import pandas as pd
import state
import streamlit as st
import tables
from i18n import choice_radio, lang, t
from tables import md_text
from user import role_name, user_workspace

from zkq_geo.errors import ZkqGeoError
from zkq_geo.i18n.format import EMPTY, field_label
from zkq_geo.i18n.labels import LABELS
from zkq_geo.i18n.messages import msg, text_of
from zkq_geo.importing.ledger_join import LAND_UNITS, MONEY_UNITS, UnitSpec, join_ledger, preview_join
from zkq_geo.importing.reader import ACCEPTED_SUFFIXES
from zkq_geo.office.userspace import UserWorkspace
from zkq_geo.safety.safe_input import staged_upload
from zkq_geo.workspace import check_layer_name

UPLOAD_TYPES = [s.lstrip(".") for s in ACCEPTED_SUFFIXES]


def said(message) -> str:
    """A library message (or an error carrying one) in the UI language, escaped for markdown."""
    return md_text(text_of(message, lang()))


def name_ok(name: str) -> bool:
    """True if ``name`` can name a layer; else the reason is shown under the field."""
    try:
        check_layer_name(name)
    except ZkqGeoError as exc:
        st.error(said(exc))
        return False
    return True


def show_messages(kind, lines) -> None:
    for line in lines:
        kind(said(line))


def show_report(report) -> None:
    st.subheader(t("report"))
    st.dataframe(importing.report_facts(report, t, lang()), width="stretch")
    if report.fields:
        with st.expander(t("r_fields_n", n=len(report.fields))):
            st.dataframe(importing.fields_table(report, t), hide_index=True, width="stretch")
    show_messages(st.error, report.problems)
    show_messages(st.warning, report.warnings)
    if report.notes:  # choices made for the user, in one box
        st.info("\n\n".join(said(n) for n in report.notes))
    if report.repairs:
        st.dataframe(importing.repairs_table(report, t, lang()), hide_index=True, width="stretch")


def import_section(uw: UserWorkspace) -> None:
    st.header(t("import_header"))
    upload = st.file_uploader(
        t("import_file"),
        type=UPLOAD_TYPES,
        key=state.IMPORT_FILE,
        max_upload_size=importing.upload_limit_mb(),
    )
    st.caption(t("upload_limit", mb=importing.upload_limit_mb()))
    if upload is None:
        return
    first = importing.inspect_upload(
        upload.file_id,
        upload.name,
        importing.read_options(None, "auto", "auto", None, None),
        upload.getvalue(),
    )
    c1, c2, c3 = st.columns(3)
    layers = ([""] if len(first.layers) > 1 else []) + list(first.layers)  # several: the user chooses
    layer = c1.selectbox(
        t("import_layer"),
        layers or [""],
        key=state.IMPORT_LAYER,
        disabled=len(layers) < 2,
        format_func=lambda n: n or t("import_choose_layer"),
    )
    crs = c2.selectbox(
        t("import_crs"),
        importing.CRS_CHOICES,
        key=state.IMPORT_CRS,
        format_func=lambda c: t(f"crs_{c}") if not c.startswith("EPSG:") else importing.crs_label(c),
    )
    encoding = c3.selectbox(
        t("import_encoding"),
        importing.ENCODING_CHOICES,
        key=state.IMPORT_ENCODING,
        format_func=lambda e: t("auto") if e == "auto" else e,
    )
    x = y = None
    if first.format in ("csv", "xlsx"):
        columns = [importing.AUTO] + [f for f, _ in first.fields]
        c4, c5 = st.columns(2)
        x = c4.selectbox(t("import_x"), columns, key=state.IMPORT_X, format_func=lambda c: c or t("auto"))
        y = c5.selectbox(t("import_y"), columns, key=state.IMPORT_Y, format_func=lambda c: c or t("auto"))
        if bool(x) != bool(y):
            st.info(t("import_xy_both"))
            x = y = None
    existing = data.catalog().layers
    name = st.text_input(
        t("import_name"), value=importing.suggest_name(upload.name, existing), key=state.IMPORT_NAME
    )
    options = importing.read_options(layer, crs, encoding, x, y, id_prefix=f"{name}_")
    report = importing.inspect_upload(upload.file_id, upload.name, options, upload.getvalue())
    show_report(report)
    title = st.text_input(t("import_title"), value=upload.name.rsplit(".", 1)[0], key=state.IMPORT_TITLE)
    valid = name_ok(name) and may_write(uw, name)
    versions = [v.version for v in uw.versions(name)] if valid and name in uw.visible_names() else []
    visibility, team = visibility_choice(uw, "imp") if valid and not versions else ("private", None)
    if versions:
        st.warning(
            t(
                "import_exists",
                name=md_text(name),
                versions=", ".join(map(str, versions)),
                next=max(versions) + 1,
            )
        )
    if st.button(
        t("import_button"), type="primary", disabled=not (report.ok and valid), key=state.IMPORT_BUTTON
    ):
        with staged_upload(upload.getvalue(), upload.name) as path:
            saved, _ = uw.import_file(
                path,
                name,
                visibility=visibility,
                team=team,
                source_name=upload.name,
                title=title or name,
                **dict(options),
            )
        data.refresh_layers()
        st.success(t("import_done", message=said(saved.message)))


def join_section(uw: UserWorkspace) -> None:
    st.header(t("join_header"))
    cat = data.catalog()
    layer = st.selectbox(
        t("join_layer"),
        list(cat.layers),
        key=state.JOIN_LAYER,
        format_func=lambda n: cat.layer(n).title(st.session_state.get(state.LANG, "zh")),
    )
    gdf = data.all_layers()[layer].gdf
    upload = st.file_uploader(
        t("join_file"),
        type=["xlsx", "xlsm", "csv", "txt"],
        key=state.JOIN_FILE,
        max_upload_size=importing.upload_limit_mb(),
    )
    st.caption(t("upload_limit", mb=importing.upload_limit_mb()))
    if upload is None:
        return
    sheet_name, encoding = (
        st.session_state.get(state.JOIN_SHEET),
        st.session_state.get(state.JOIN_ENCODING, "auto"),
    )
    sheet = importing.read_ledger_upload(
        upload.file_id, upload.name, sheet_name or None, encoding, upload.getvalue()
    )
    c1, c2 = st.columns(2)
    c1.selectbox(
        t("import_layer"),
        list(sheet.sheets) or [""],
        key=state.JOIN_SHEET,
        disabled=len(sheet.sheets) < 2,
        format_func=lambda n: n or EMPTY,  # a CSV has no sheets: "—", in both languages (the
        placeholder=EMPTY,  # label stays valid across a language switch), never "Choose an option"
    )
    c2.selectbox(
        t("import_encoding"),
        importing.ENCODING_CHOICES,
        key=state.JOIN_ENCODING,
        format_func=lambda e: t("auto") if e == "auto" else e,
        disabled=bool(sheet.sheets),
    )
    show_messages(st.info, sheet.warnings)
    layer_cols = [c for c in gdf.columns if c != gdf.geometry.name]
    table_cols = list(map(str, sheet.frame.columns))
    match = choice_radio(
        t("join_match"),
        ["key", "name"],
        "join_match_",
        key=state.JOIN_MATCH,
        on_change=match_changed,
        args=(layer_cols, table_cols),
    )
    c3, c4, c5 = st.columns(3)
    default_key = "name" if match == "name" else "id"
    key = c3.selectbox(
        t("join_key"),
        layer_cols,
        key=state.JOIN_KEY,
        index=layer_cols.index(default_key) if default_key in layer_cols else 0,
    )
    table_key = c4.selectbox(t("join_table_key"), table_cols, key=state.JOIN_TABLE_KEY)
    how = choice_radio(
        t("join_how"), ["left", "inner"], "join_how_", where=c5, horizontal=False, key=state.JOIN_HOW
    )
    units = units_choice(table_cols, layer_cols)
    report = preview_join(gdf, sheet.frame, key=key, table_key=table_key, how=how, match=match)
    show_join_report(report)
    if report.problems:
        return
    joined, report = join_ledger(
        gdf, sheet.frame, key=key, table_key=table_key, how=how, match=match, units=units
    )
    for line in report.computed_texts(lang()):  # field labels and unit words, never column codes
        st.info(md_text(t("j_computed", what=line)))
    st.subheader(t("join_preview"))
    tables.show(preview_table(joined), hide_index=True, width="stretch")
    save_join(uw, joined, report, cat.layer(layer).title_zh, upload)


def match_changed(layer_cols: list[str], table_cols: list[str]) -> None:
    """Matching by name: preselect the name columns; by key: ``id`` and a ledger column of that name."""
    by_name = st.session_state[state.JOIN_MATCH] == "name"
    key = "name" if by_name else "id"
    if key in layer_cols:
        st.session_state[state.JOIN_KEY] = key
    table_key = importing.guess_name_column(table_cols) if by_name else (key if key in table_cols else "")
    if table_key:
        st.session_state[state.JOIN_TABLE_KEY] = table_key


def unit_follows(column_key: str, unit_key: str, table: tuple) -> None:
    """When a column is picked, take the unit its header names (用地面积（亩） -> 亩)."""
    st.session_state[unit_key] = importing.guess_unit(
        st.session_state[column_key], table, st.session_state[unit_key]
    )


@dataclass(frozen=True)
class Quantity:
    """A ledger figure the join converts: the widgets of its column and of that column's unit."""

    column_label: str
    column_key: str
    header_words: tuple[str, ...]  # a column whose header holds one of these is preselected
    unit_label: str
    unit_key: str
    units: tuple[str, ...]
    unit_words: tuple  # importing.LAND_UNIT_WORDS / MONEY_UNIT_WORDS
    default_unit: str


LAND = Quantity(
    "join_land", state.JOIN_LAND, ("用地", "占地", "土地面积", "land"),
    "join_land_unit", state.JOIN_LAND_UNIT, LAND_UNITS, importing.LAND_UNIT_WORDS, "mu",
)  # fmt: skip
MONEY = Quantity(
    "join_investment", state.JOIN_INVESTMENT, ("投资", "invest"),
    "join_money_unit", state.JOIN_MONEY_UNIT, MONEY_UNITS, importing.MONEY_UNIT_WORDS, "wan",
)  # fmt: skip


def units_choice(table_cols: list[str], layer_cols: list[str]) -> UnitSpec:
    c1, c2, c3 = st.columns(3)
    c4, c5 = st.columns(2)
    land, land_unit = column_and_unit(c1, c2, LAND, table_cols)
    invest, money_unit = column_and_unit(c4, c3, MONEY, table_cols)
    per_mu = c5.multiselect(t("join_per_mu"), table_cols, key=state.JOIN_PER_MU, placeholder=t("none"))
    rename = lambda c: importing.joined_name(c, layer_cols) if c else None  # noqa: E731
    return UnitSpec(
        land_col=rename(land),
        land_unit=land_unit,
        investment_col=rename(invest),
        per_mu_cols=tuple(rename(c) for c in per_mu),
        money_unit=money_unit,
    )


def column_and_unit(column_where, unit_where, quantity: Quantity, table_cols: list[str]) -> tuple[str, str]:
    """The ledger column of ``quantity`` (or none) and its unit, preselected from the headers;
    picking a column takes the unit its header names."""
    q, columns = quantity, [importing.AUTO, *table_cols]
    guess = importing.guess_column(table_cols, q.header_words)
    column = column_where.selectbox(
        t(q.column_label),
        columns,
        key=q.column_key,
        index=columns.index(guess),
        format_func=lambda c: c or t("none"),
        on_change=unit_follows,
        args=(q.column_key, q.unit_key, q.unit_words),
    )
    unit = unit_where.selectbox(
        t(q.unit_label),
        q.units,
        key=q.unit_key,
        index=q.units.index(importing.guess_unit(guess, q.unit_words, q.default_unit)),
        format_func=lambda u: t(f"unit_{u}"),
    )
    return column, unit


def show_join_report(report) -> None:
    st.subheader(t("join_report"))
    j = report.join
    st.markdown(md_text(t("j_matched", m=j.matched, n=j.left_count, r=j.right_count)))
    for label, items in importing.join_lists(report, t):
        st.markdown(f"**{md_text(label)}** ({len(items)})")
        st.dataframe(pd.DataFrame({label: items}), hide_index=True, width="stretch")
    show_messages(st.error, report.problems)


def preview_table(joined) -> pd.DataFrame:
    """The joined layer's names and figures, worded by the formatter, headed by label and unit."""
    per_mu = [c for c in joined.columns if str(c).endswith("_wan_per_mu")]
    cols = [c for c in dict.fromkeys(["id", "name", "land_area_mu", "investment_yi", *per_mu]) if c in joined]
    return tables.worded(pd.DataFrame(joined[cols])).rename(columns={c: preview_label(c) for c in cols})


def preview_label(column: str) -> str:
    """``land_area_mu`` -> 用地面积（亩）; a ledger's ``税收_wan_per_mu`` -> 税收（亩均，万元/亩）."""
    if f"field.{column}" in LABELS or not column.endswith("_wan_per_mu"):
        return field_label(column, lang())
    return t("col_per_mu", name=column.removesuffix("_wan_per_mu"))


def save_join(uw: UserWorkspace, joined, report, layer_title: str, upload) -> None:
    name = st.text_input(t("join_name"), key=state.JOIN_NAME)
    valid = bool(name) and name_ok(name) and may_write(uw, name)
    new = valid and name not in uw.visible_names()
    visibility, team = visibility_choice(uw, "join") if new else ("private", None)
    if st.button(t("join_button"), type="primary", disabled=not valid, key=state.JOIN_BUTTON):
        with staged_upload(upload.getvalue(), upload.name) as path:
            saved = uw.save_join(
                name,
                joined,
                report.to_dict(),
                title=f"{layer_title} + {upload.name}",
                table_path=path,
                visibility=visibility,
                team=team,
                source_name=upload.name,
            )
        data.refresh_layers()
        st.success(t("import_done", message=said(saved.message)))


def may_write(uw: UserWorkspace, name: str) -> bool:
    """True if this user may save ``name`` (a new layer, or a version of one they may version);
    else why not is shown under the field."""
    if uw.may_version(name):
        return True
    user = uw.user
    if name in uw.hidden():
        st.error(said(msg("layer_name_taken", layer=name)))
    else:
        st.error(said(msg("denied_version", layer=name, user=user.name, role=role_name(user.role))))
    return False


def visibility_choice(uw: UserWorkspace, prefix: str) -> tuple[str, str | None]:
    """Who will see a new layer: only me (the default) / a team of mine / everyone."""
    teams = list(uw.store.teams()) if uw.user.is_admin else list(uw.user.teams)
    options = ["private", "team", "everyone"] if teams else ["private", "everyone"]
    c1, c2 = st.columns(2)
    visibility = c1.radio(
        t("visibility"),
        options,
        key=f"{prefix}_{state.VISIBILITY}",
        format_func=lambda v: t(f"visibility_{v}"),
        horizontal=True,
    )
    team = None
    if visibility == "team":
        team = c2.selectbox(t("visibility_team"), teams, key=f"{prefix}_{state.VISIBILITY_TEAM}")
    return visibility, team


def versions_section(uw: UserWorkspace) -> None:
    """Restore an earlier version of a layer this user may add versions to."""
    names = [n for n in uw.visible_names() if uw.may_version(n)]
    if not names:
        return
    st.header(t("admin_restore"))
    name = st.selectbox(t("admin_layer"), names, key=state.ADMIN_LAYER)
    versions = {v.version: v for v in uw.versions(name)}
    if len(versions) < 2:
        st.info(t("admin_restore_damaged" if not versions else "admin_restore_none"))
        return
    earlier = sorted(versions, reverse=True)[1:]  # newest first: the one before the latest is the default
    chosen = st.selectbox(
        t("admin_version"),
        earlier,
        key=state.ADMIN_VERSION,
        format_func=lambda n: t(
            "admin_version_label", version=n, created=versions[n].created, title=versions[n].title
        ),
    )
    if st.button(t("admin_restore_button"), key=state.ADMIN_RESTORE):
        saved = uw.restore_version(name, chosen)
        data.refresh_layers()
        st.success(t("admin_done", message=said(saved.message)))


st.title(t("page_import"))
user = st.session_state[state.USER]
st.caption(t("import_intro"))  # never the workspace's path: that is the server's business
if data.catalog().extra.get("workspace_problem"):
    st.error(said(data.catalog().extra["workspace_problem"]))
for message in data.catalog().broken.values():  # what to do is in the message (and the admin page)
    st.warning(said(message))
if not user.can_edit:
    st.info(t("import_viewer", role=role_name(user.role)))
    st.stop()
uw = user_workspace(user)
for section in (import_section, join_section, versions_section):
    try:
        section(uw)
    except ZkqGeoError as exc:  # one line; the rest of the page keeps working
        st.error(md_text(t("error")) + said(exc))
    except Exception as exc:  # last resort for files no check foresaw (as in the CLI): still one line
        st.error(md_text(f"{t('error')}{type(exc).__name__}: {' '.join(str(exc).split())}"))

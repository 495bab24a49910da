"""亩均评价 page: ledger (template, upload or the synthetic demo), scheme (preset or edited YAML),
scores and A/B/C/D classes in tables, charts and a map, control indicators, Excel/HTML reports.

Reads widgets and calls zkq_geo through evaluation_data; no scoring logic here.
"""

from __future__ import annotations

import altair as alt
import evaluation_data as ed
import pandas as pd
import state
import streamlit as st
from i18n import choice_radio, lang, t
from importing import upload_limit_mb
from map_component import show_map
from tables import md_text, show

from zkq_geo.errors import ZkqGeoError
from zkq_geo.evaluation.evaluate import summarize_classes
from zkq_geo.evaluation.report import CLASS_COLORS, column_label, display_frame
from zkq_geo.evaluation.scheme import SchemeError, list_presets, preset_text, unsourced_items
from zkq_geo.i18n.format import field_label

DEFAULT_PRESET = "huangyan_2022"
LAND_UNITS = ("亩", "平方米", "公顷")
MONEY_UNITS = ("万元", "元", "亿元")
SUMMARY_KEYS = ("park", "plate", "industry")
CONTROL_SOURCES = ("ledger", "projects")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_BASE = ("credit_code", "name", "total_score", "rank", "class", "status", "excluded_reason", "notes")


def _use_demo() -> None:
    st.session_state[state.EVAL_USE_DEMO] = True


def _uploaded() -> None:
    st.session_state[state.EVAL_USE_DEMO] = False


def _preset_changed() -> None:
    st.session_state[state.EVAL_SCHEME_TEXT] = preset_text(st.session_state[state.EVAL_PRESET])


def ledger_section() -> tuple[str, bytes] | None:
    """Template download, upload, demo button; returns (file name, bytes) of the ledger in use."""
    st.header(t("eval_ledger"))
    c1, c2 = st.columns([2, 1])
    upload = c1.file_uploader(
        t("eval_upload"),
        type=["csv", "xlsx"],
        key=state.EVAL_UPLOAD,
        on_change=_uploaded,
        max_upload_size=upload_limit_mb(),
    )
    c1.caption(t("upload_limit", mb=upload_limit_mb()))
    c2.download_button(
        t("eval_template"),
        data=ed.template(),
        file_name="亩均评价台账模板_ledger_template.xlsx",
        mime=XLSX_MEDIA_TYPE,
        key="eval_template_download",
    )
    c2.button(t("eval_use_demo"), key="eval_demo_button", on_click=_use_demo)
    if st.session_state.get(state.EVAL_USE_DEMO):
        st.warning(t("eval_demo_notice"))
        return ed.demo_ledger()
    if upload is None:
        st.info(t("eval_no_ledger"))
        return None
    return upload.name, upload.getvalue()


def units_choice() -> ed.Units:
    with st.expander(t("eval_units")):
        c1, c2 = st.columns(2)
        land = c1.selectbox(t("eval_land_unit"), LAND_UNITS, key=state.EVAL_LAND_UNIT)
        money = c2.selectbox(t("eval_money_unit"), MONEY_UNITS, key=state.EVAL_MONEY_UNIT)
        st.caption(t("eval_units_note"))
    units = {"land_area_mu": land} if land != "亩" else {}
    if money != "万元":
        units |= {c: money for c in ("tax_wan", "revenue_wan", "value_added_wan", "rd_wan", "investment_wan")}
    return tuple(sorted(units.items()))


def scheme_section() -> tuple[str, str] | None:
    """Preset pick and editable YAML; returns (YAML text, origin) when it is valid."""
    st.header(t("eval_scheme"))
    presets = {s.id: s for s in list_presets()}
    if state.EVAL_SCHEME_TEXT not in st.session_state:
        st.session_state[state.EVAL_PRESET] = st.session_state.get(state.EVAL_PRESET, DEFAULT_PRESET)
        st.session_state[state.EVAL_SCHEME_TEXT] = preset_text(st.session_state[state.EVAL_PRESET])
    st.selectbox(
        t("eval_preset"),
        list(presets),
        key=state.EVAL_PRESET,
        on_change=_preset_changed,
        format_func=lambda p: presets[p].title_zh,  # the source's own title, never the preset's id
    )
    with st.expander(t("eval_scheme_yaml")):
        st.caption(t("eval_scheme_help"))
        text = st.text_area(
            t("eval_scheme_yaml"), key=state.EVAL_SCHEME_TEXT, height=380, label_visibility="collapsed"
        )
        st.download_button(
            t("eval_scheme_download"),
            data=text.encode("utf-8"),
            file_name="scheme.yaml",
            mime="application/x-yaml",
            key="eval_scheme_download",
        )
    origin = f"{st.session_state[state.EVAL_PRESET]}.yaml"
    try:
        scheme = ed.scheme(text, origin)
    except SchemeError as exc:
        st.error(f"{t('eval_scheme_invalid')}{exc.text(lang())}")
        return None
    unsourced = unsourced_items(scheme, lang())
    if unsourced:
        st.warning(
            "\n".join(
                [
                    t("eval_unsourced"),
                    *(f"- **{md_text(topic)}**: {md_text(text)}" for topic, text in unsourced),
                ]
            )
        )
    with st.expander(t("eval_scheme_source")):
        st.markdown(f"**{scheme.title(lang())}**")
        st.write(scheme.source)
        for note in scheme.notes_in(lang()):
            st.markdown(f"- {note}")
    return text, origin


def results_section(ev, args: tuple) -> str | None:
    """Counts, summary, charts, map, tables; returns the parcel layer mapped (None: points)."""
    st.header(t("eval_results"))
    counts = ev.table["status"].value_counts()
    c = st.columns(4)
    c[0].metric(t("eval_firms"), len(ev.table))
    c[1].metric(t("eval_graded"), int(counts.get("graded", 0)))
    c[2].metric(t("eval_rated"), int(counts.get("rated", 0)))
    c[3].metric(t("eval_excluded"), int(counts.get("excluded", 0)))
    summary = summarize_classes(ev, "group")
    st.subheader(t("eval_summary"))
    show(_labelled(summary, ev), hide_index=True, width="stretch")
    _class_charts(summary, ev)
    parcels = _map_section(ev, args)
    _group_tables(ev)
    _summary_by(ev)
    return parcels


def _map_section(ev, args: tuple) -> str | None:
    st.subheader(t("eval_map"))
    layers = ed.parcel_layers()
    parcels = None
    if layers:
        parcels = (
            st.selectbox(
                t("eval_parcels"),
                ["", *layers],
                key=state.EVAL_PARCELS,
                format_func=lambda n: n or t("eval_parcels_points"),
            )
            or None
        )
    else:
        st.caption(t("eval_parcels_none"))
    features, report = ed.features(ev, parcels)
    if report is not None:
        st.caption(t("eval_parcels_report", summary=report.summary()))
    if len(features):
        show_map(ed.map_payload(*args, lang(), parcels), key="eval_map", height=520, returned_objects=())
        st.caption(t("eval_map_note"))
    else:
        st.info(t("eval_map_none"))
    return parcels


def _labelled(frame: pd.DataFrame, ev) -> pd.DataFrame:
    """Codes as words and headers in the UI language (zkq_geo.evaluation.report.display_frame)."""
    shown = display_frame(frame, ev.scheme, lang(), ed.control_rules())
    return shown.rename(columns={c: column_label(str(c), ev.scheme, lang()) for c in shown.columns})


def _class_charts(summary: pd.DataFrame, ev) -> None:
    """Stacked bars of firms and land by class, one bar per evaluated group (scheme order)."""
    classes = list(ev.scheme.classes)
    labels = {g.id: g.label(lang()) for g in ev.scheme.groups}
    summary = summary[summary["group"].isin(labels)]
    if summary.empty:
        return
    long = pd.concat(
        [
            summary[["group"]].assign(cls=c, firms=summary[f"count_{c}"], land=summary[f"land_mu_{c}"])
            for c in classes
        ],
        ignore_index=True,
    )
    long["group_label"] = long["group"].map(labels)
    color = alt.Color(
        "cls:N",
        title=t("eval_class"),
        sort=classes,
        scale=alt.Scale(domain=classes, range=[CLASS_COLORS[c] for c in classes]),
    )
    order = [labels[g] for g in summary["group"]]
    left, right = st.columns(2)
    for column, field, title, amount in (
        (left, "firms", t("eval_chart_count"), t("eval_firms")),
        (right, "land", t("eval_chart_land"), field_label("land_area_mu", lang())),
    ):
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X(f"{field}:Q", title=title),
                y=alt.Y("group_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
                color=color,
                order=alt.Order("cls:N", title=t("eval_class")),
                tooltip=[  # every field titled in the UI language: never a column name
                    alt.Tooltip("group_label:N", title=t("eval_chart_group")),
                    alt.Tooltip("cls:N", title=t("eval_class")),
                    alt.Tooltip(f"{field}:Q", title=amount, format=",.2~f"),
                ],
            )
            .properties(title=title)
        )
        column.altair_chart(chart, width="stretch", height=44 * len(order) + 90)


def _group_tables(ev) -> None:
    st.subheader(t("eval_groups"))
    groups = [g for g in ev.scheme.groups if (ev.table["group"] == g.id).any()]
    ungrouped = ev.table[ev.table["group"] == ""]
    names = [g.label(lang()) for g in groups] + ([t("eval_ungrouped")] if len(ungrouped) else [])
    if not names:
        st.info(t("eval_empty"))
        return
    for tab, g in zip(st.tabs(names), groups + [None], strict=False):
        with tab:
            if g is None:
                show(
                    _labelled(
                        ungrouped[
                            ["credit_code", "name", "reason_code", "excluded_reason", "notes", "notes_zh"]
                        ],
                        ev,
                    ),
                    hide_index=True,
                    width="stretch",
                )
                continue
            st.caption(g.describe_when(lang()))
            show(
                _labelled(ev.group_table(g.id).drop(columns=["group"]), ev),
                hide_index=True,
                width="stretch",
            )


def _summary_by(ev) -> None:
    keys = [k for k in SUMMARY_KEYS if k in ev.table.columns]
    if not keys:
        return
    st.subheader(t("eval_summary_by"))
    by = choice_radio(
        t("eval_summary_by"), keys, "eval_by_", key=state.EVAL_SUMMARY_BY, label_visibility="collapsed"
    )
    show(_labelled(summarize_classes(ev, by), ev), hide_index=True, width="stretch")


def control_section(ev, name: str, content: bytes, units: ed.Units) -> tuple[str | None, float | None]:
    st.header(t("eval_control"))
    st.caption(t("eval_control_note"))
    rules = ed.control_rules()
    source = choice_radio(
        t("eval_control_source"), list(CONTROL_SOURCES), "eval_source_", key=state.EVAL_CONTROL_SOURCE
    )
    c1, c2 = st.columns(2)
    city_class = c1.selectbox(
        t("eval_city_class"),
        ["", *rules.city_classes],
        key=state.EVAL_CITY_CLASS,
        format_func=lambda c: c or "—",
    )
    invest_min = c2.number_input(
        t("eval_invest_min"), min_value=0.0, value=0.0, step=10.0, key=state.EVAL_INVEST_MIN
    )
    settings = (city_class or None, invest_min or None)
    try:
        table = ed.control(name, content, units, *settings, source)
    except ZkqGeoError as exc:
        st.error(f"{t('error')}{exc.text(lang())}")
        return settings
    overall = table["overall"].value_counts()
    c = st.columns(3)
    for col, key in zip(c, ("pass", "fail", "incomplete"), strict=False):
        col.metric(t(f"eval_control_{key}"), int(overall.get(key, 0)))
    show(_labelled(table, ev), hide_index=True, width="stretch")
    return settings


def export_section(ev, args: tuple, settings: tuple, notice: str, parcels: str | None) -> None:
    st.header(t("eval_export"))
    stem = f"亩均评价_{ev.scheme.id}"
    files = (  # suffix, bytes, media type
        ("xlsx", ed.report("xlsx", *args, *settings, notice, None, lang()), XLSX_MEDIA_TYPE),
        ("html", ed.report("html", *args, *settings, notice, parcels, lang()), "text/html"),
        ("csv", ed.csv_bytes(ev), "text/csv"),
    )
    for column, (suffix, data, mime) in zip(st.columns(3), files, strict=True):
        column.download_button(
            t(f"eval_download_{suffix}"),
            data=data,
            file_name=f"{stem}.{suffix}",
            mime=mime,
            key=f"eval_download_{suffix}",
        )
    st.caption(t("eval_export_note"))


def main() -> None:
    st.title(t("page_evaluation"))
    st.caption(t("eval_intro"))
    chosen = ledger_section()
    units = units_choice()
    scheme = scheme_section()
    if chosen is None or scheme is None:
        return
    name, content = chosen
    args = (name, content, units, *scheme)
    try:
        ev = ed.evaluation(*args)
    except ZkqGeoError as exc:
        st.error(f"{t('eval_ledger_invalid')}{exc.text(lang())}")
        return
    parcels = results_section(ev, args)
    settings = control_section(ev, name, content, units)
    notice = t("eval_demo_notice") if st.session_state.get(state.EVAL_USE_DEMO) else ""
    export_section(ev, args, settings, notice, parcels)


main()

"""Per-mu evaluation of enterprises (亩均论英雄): scores, ranks, classes, exclusions, summaries.

Pure functions over a ledger (:mod:`zkq_geo.evaluation.ledger`) and a scheme
(:mod:`zkq_geo.evaluation.scheme`);
nothing here reads files or draws. The rules, in the order they are applied:

1. **Groups.** Each firm falls in the first group of the scheme whose conditions it meets.
   Firms on leased premises (``land_status = leased``) only fall in groups that explicitly admit
   leased firms, and those groups never use land area; other groups take owned land only.
2. **Exclusions** (status ``excluded``, with ``reason_code`` and ``excluded_reason``):
   owned land missing or zero (``no_land_area``; floor area is never used instead); owned land
   impossible: not finite, negative or under 1 m2 (``invalid_land_area``, never divided by);
   leased firm but no leased group (``leased_no_group``); no group matches (``no_group``);
   utilities and start-ups when the scheme says ``special_firms: exclude`` (``special_excluded``);
   a figure the firm's group or an adjustment reads that is impossible: not finite, or negative
   where it cannot be (``invalid_figure``; tax and value added may be negative); an indicator
   that cannot be computed when the scheme says ``missing_values: exclude``. ``excluded_reason``
   says the reason and ``notes`` name the impossible figure and its value, in English (the
   CSV/JSON contract); ``excluded_reason_zh`` and ``notes_zh`` say the same in Chinese for the
   Chinese reports and page (they are not in the CSV/JSON output).
3. **Rated, not graded** (status ``rated``): utilities and start-ups (``special``) get scores
   but no rank and no class (DOMAIN.md section 4).
4. **Scores.** item score = weight x value / benchmark, then the optional floor and cap; an
   indicator that cannot be computed (missing input, division by zero) scores 0 and says so in
   ``notes`` (``missing_values: zero``). A benchmark rule (``mean``/``median``) is computed over
   the *graded* firms of the group with a value. total = sum of item scores + adjustments.
5. **Ranks and classes**, within each group over graded firms. Ties: equal totals share the
   best rank (1, 2, 2, 4) and the better class (the rule of
   :func:`zkq_geo.analysis.metrics.classify_abcd`), so a class can exceed its share when a tie straddles
   a cut; tied firms are listed by credit code, then name. Percentile rules use
   ``classify_abcd`` itself. The two-stage rule (Zhengzhou 2018) is :func:`two_stage_classes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zkq_geo.analysis.join import JoinReport, join_attributes
from zkq_geo.analysis.metrics import classify_abcd, fault_message, figure_faults
from zkq_geo.errors import SchemaError, check_choice
from zkq_geo.evaluation.formula import evaluate_formula
from zkq_geo.evaluation.ledger import FIELD_BY_COLUMN
from zkq_geo.evaluation.scheme import TOTAL_SCORE, ClassRule, Group, Indicator, Scheme
from zkq_geo.i18n.messages import Items, msg

SummaryKey = Literal["group", "park", "plate", "industry"]
SUMMARY_KEYS = ("group", "park", "plate", "industry")
STATUSES = ("graded", "rated", "excluded")
UNASSIGNED = "unassigned"
#: Exclusion reasons (``reason_code``); their words are the messages ``reason_<code>``.
REASONS = (
    "no_land_area",
    "invalid_land_area",
    "invalid_figure",
    "leased_no_group",
    "no_group",
    "special_rated",
    "special_excluded",
    "missing_indicator",
)
RESULT_COLUMNS = ("credit_code", "name", "group")
TAIL_COLUMNS = (
    "adjustment_score",
    TOTAL_SCORE,
    "rank",
    "class",
    "status",
    "reason_code",
    "excluded_reason",
    "excluded_reason_zh",
    "notes",
    "notes_zh",
)
# The CSV/JSON contract of `zkq-geo evaluate`: these columns first, in this order, then EXTRA_COLUMNS.
CONTRACT_TAIL = (TOTAL_SCORE, "rank", "class", "excluded_reason")
# Columns for the reports only: the Chinese of ``excluded_reason`` and ``notes`` (the contract's
# reasons and notes are English).
REPORT_ONLY_COLUMNS = ("excluded_reason_zh", "notes_zh")
EXTRA_COLUMNS = tuple(c for c in TAIL_COLUMNS if c not in CONTRACT_TAIL + REPORT_ONLY_COLUMNS)
PER_MU_SUMS = (
    ("tax_wan", "tax_wan_per_mu"),
    ("revenue_wan", "revenue_wan_per_mu"),
    ("value_added_wan", "value_added_wan_per_mu"),
)
# Figures that may be negative (net tax after refunds, value added of a loss-making firm; a scheme's
# floor caps their scores). Other ledger figures (land, energy, revenue, investment...) may not.
SIGNED_COLUMNS = ("tax_wan", "value_added_wan")
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    scheme : Scheme
    table : pandas.DataFrame
        One row per enterprise: ``credit_code``, ``name``, ``group`` (id, ``""`` when excluded
        before grouping), one column per indicator value (named by indicator id, in the
        indicator's unit), one ``<id>_score`` per item score (points), ``adjustment_score``,
        ``total_score``, ``rank`` (Int64, graded firms only), ``class`` (``""`` unless graded),
        ``status`` (graded / rated / excluded), ``reason_code``, ``excluded_reason`` (English),
        ``excluded_reason_zh`` (the same in Chinese; not in the CSV/JSON output), ``notes``
        (English: fields and indicators by their ids), ``notes_zh`` (the same in Chinese, by their
        labels; not in the CSV/JSON output), then the ledger's own columns.
    benchmarks : pandas.DataFrame
        One row per group and indicator: weight, benchmark rule, benchmark used, cap, firms with a
        value, ``published`` (the benchmark is the source's) and ``placeholder`` (indicator and
        weight are zkq-geo placeholders, not the source's).
    """

    scheme: Scheme
    table: pd.DataFrame
    benchmarks: pd.DataFrame

    @property
    def result_columns(self) -> list[str]:
        """The columns of the CSV/JSON output, in order: ``credit_code``, ``name``, ``group``, each
        indicator value, each item score (``<id>_score``), ``total_score``, ``rank``, ``class``,
        ``excluded_reason``; then ``adjustment_score``, ``status``, ``reason_code``, ``notes``."""
        ids = list(self.scheme.indicator_ids)
        return [*RESULT_COLUMNS, *ids, *(f"{i}_score" for i in ids), *CONTRACT_TAIL, *EXTRA_COLUMNS]

    def group_columns(self, group_id: str) -> list[str]:
        """Result columns of one group (its own indicators only), in reading order for tables:
        adjustments before the total, status and reason after the class."""
        ids = [i.id for i in self.scheme.group(group_id).indicators]
        return [*RESULT_COLUMNS, *ids, *(f"{i}_score" for i in ids), *TAIL_COLUMNS]

    def group_table(self, group_id: str) -> pd.DataFrame:
        """Rows of the firms in ``group_id`` (graded, then rated, then excluded), result columns only."""
        self.scheme.group(group_id)
        return self.table.loc[self.table["group"] == group_id, self.group_columns(group_id)].reset_index(
            drop=True
        )

    @property
    def excluded(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "excluded"].reset_index(drop=True)


# ----------------------------------------------------------------------------- evaluate
def evaluate(ledger: pd.DataFrame, scheme: Scheme) -> Evaluation:
    """Score, rank and classify every enterprise of ``ledger`` under ``scheme``.

    Parameters
    ----------
    ledger : pandas.DataFrame
        As returned by :func:`zkq_geo.evaluation.ledger.read_ledger`: ``credit_code``, ``name``,
        ``land_area_mu`` (亩), ``land_status`` and the columns the scheme's formulas and
        conditions read (money in 万元, energy in tce, electricity in kWh ...).
    scheme : Scheme

    Returns
    -------
    Evaluation
        See the module docstring for the rules and :class:`Evaluation` for the columns.

    Raises
    ------
    SchemaError
        The ledger lacks a column the scheme needs for firms it evaluates.

    Examples
    --------
    A firm paying 30 万元 tax on 10 亩 against a benchmark of 2 万元/亩 with weight 40 scores
    40 x (30 / 10) / 2 = 60 points for that item.
    """
    _check_ledger(ledger, scheme)
    work = ledger.reset_index(drop=True)
    state = _assign_groups(work, scheme)
    values, scores, notes, bench_rows = {}, {}, _land_notes(work, state), []
    for group in scheme.groups:
        members = state["group"].to_numpy() == group.id
        if members.any():
            bench_rows += _score_group(work, group, members, state, scheme, values, scores, notes)
    adjustment = _adjustments(work, scheme, state["status"].to_numpy() != "excluded")
    table = _assemble(work, scheme, state, values, scores, adjustment, notes)
    return Evaluation(scheme=scheme, table=table, benchmarks=pd.DataFrame(bench_rows, columns=_BENCH_COLUMNS))


def _check_ledger(ledger: pd.DataFrame, scheme: Scheme) -> None:
    if not isinstance(ledger, pd.DataFrame):
        raise SchemaError(msg("eval_ledger_not_frame", kind=type(ledger).__name__))
    needed = [
        "credit_code",
        "name",
        "land_area_mu",
        "land_status",
        *{c.column for g in scheme.groups for c in g.when},
    ]
    missing = [c for c in dict.fromkeys(needed) if c not in ledger.columns]
    if missing:
        columns = Items(map(str, ledger.columns))
        raise SchemaError(
            msg("eval_scheme_needs_columns", scheme=scheme.id, missing=Items(missing), columns=columns)
        )


def _assign_groups(df: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Per row: group id, status and reason code (before scoring)."""
    n = len(df)
    leased = df["land_status"].fillna("").astype(str).to_numpy() == "leased"
    land = pd.to_numeric(df["land_area_mu"], errors="coerce").to_numpy(dtype="float64")
    impossible = ~leased & np.isin(figure_faults(land, "land"), ("not_finite", "negative", "below_minimum"))
    has_land = (np.nan_to_num(land, nan=0.0) > 0) & ~impossible
    group = np.full(n, "", dtype=object)
    for g in scheme.groups:
        admits_leased = g.for_leased
        ok = np.ones(n, dtype=bool)
        for cond in g.when:
            ok &= cond.matches(df)
        if not admits_leased:
            ok &= ~leased
        group = np.where((group == "") & ok, g.id, group)
    reason = np.select(
        [impossible, ~leased & ~has_land, leased & (group == ""), group == ""],
        ["invalid_land_area", "no_land_area", "leased_no_group", "no_group"],
        default="",
    )
    group = np.where(reason == "", group, "")
    special = df["special"].fillna("").astype(str).to_numpy() if "special" in df else np.full(n, "")
    is_special = (reason == "") & (special != "")
    special_reason = "special_rated" if scheme.special_firms == "rate_only" else "special_excluded"
    reason = np.where(is_special, special_reason, reason)
    status = np.select([reason == "", reason == "special_rated"], ["graded", "rated"], default="excluded")
    return pd.DataFrame({"group": group, "status": status, "reason_code": reason})


_BENCH_COLUMNS = [
    "group",
    "indicator",
    "label_zh",
    "label_en",
    "formula",
    "unit",
    "weight",
    "benchmark_rule",
    "benchmark",
    "cap",
    "floor",
    "firms_with_value",
    "published",
    "placeholder",
]


def _score_group(
    df,
    group: Group,
    members: np.ndarray,
    state: pd.DataFrame,
    scheme: Scheme,
    values: dict,
    scores: dict,
    notes: list[list[tuple[str, str]]],
) -> list[dict]:
    """Fill values/scores of the group's members; mutate ``state`` for missing-value exclusions."""
    missing = [c for c in group.columns if c not in df.columns]
    if missing:
        raise SchemaError(
            msg("eval_group_needs_columns", group=group.id, scheme=scheme.id, missing=Items(missing))
        )
    raw = {
        ind.id: evaluate_formula(
            ind.formula, {c: pd.to_numeric(df[c], errors="coerce") for c in ind.formula.names}
        )
        for ind in group.indicators
    }
    _exclude_impossible(df, _figure_rules(group, scheme), members, state, notes)
    if scheme.missing_values == "exclude":
        _exclude_missing(raw, group, members, state)
    scored = members & (state["status"].to_numpy() != "excluded")
    graded = scored & (state["status"].to_numpy() == "graded")
    rows = []
    for ind in group.indicators:
        value = np.where(members, raw[ind.id], np.nan)
        benchmark = _benchmark(ind, value[graded])
        score = _item_score(ind, value, benchmark)
        for i in np.flatnonzero(scored & np.isnan(value)):
            notes[i].append(_not_computed_note(ind))
        values.setdefault(ind.id, np.full(len(df), np.nan))[members] = value[members]
        scores.setdefault(ind.id, np.full(len(df), np.nan))[scored] = np.nan_to_num(score[scored], nan=0.0)
        rows.append(_bench_row(group, ind, benchmark, int(np.isfinite(value[graded]).sum())))
    return rows


def _land_notes(df: pd.DataFrame, state: pd.DataFrame) -> list[list[tuple[str, str]]]:
    """A note per firm excluded for an impossible land area, naming the value; empty lists otherwise."""
    notes = [[] for _ in range(len(df))]
    land = pd.to_numeric(df["land_area_mu"], errors="coerce").to_numpy(dtype="float64")
    faults = figure_faults(land, "land")
    for i in np.flatnonzero(state["reason_code"].to_numpy() == "invalid_land_area"):
        notes[i].append(_figure_note("land_area_mu", land[i], faults[i]))
    return notes


def _figure_rules(group: Group, scheme: Scheme) -> dict[str, str]:
    """The figures a group's firms are scored on and their rule (metrics.figure_faults): formula
    inputs may not be negative (but SIGNED_COLUMNS), adjustment points may; land is checked before."""
    rules = {c: "signed" if c in SIGNED_COLUMNS else "amount" for c in group.columns if c != "land_area_mu"}
    return rules | {a.column: "signed" for a in scheme.adjustments if a.column}


def _exclude_impossible(
    df: pd.DataFrame, rules: dict[str, str], members: np.ndarray, state: pd.DataFrame, notes: list
) -> None:
    """Exclude members (not already excluded) with an impossible figure, with a note naming each."""
    open_rows = members & (state["status"].to_numpy() != "excluded")
    hit = np.zeros(len(df), dtype=bool)
    for column, rule in rules.items():
        if column not in df.columns:
            continue
        values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype="float64")
        faults = figure_faults(values, rule)
        for i in np.flatnonzero(open_rows & (faults != "")):
            notes[i].append(_figure_note(column, values[i], faults[i]))
            hit[i] = True
    state.loc[hit, "status"] = "excluded"
    state.loc[hit, "reason_code"] = "invalid_figure"


def _figure_note(column: str, value: float, fault: str) -> tuple[str, str]:
    """(English, Chinese) note of an impossible figure: ``tax_wan = inf: not a finite number``."""
    found = {"value": f"{value:g}", "fault": fault_message(fault)}
    return _note("eval_note_figure", {"name": column, **found}, {"name": _field_zh(column), **found})


def _not_computed_note(ind: Indicator) -> tuple[str, str]:
    """(English, Chinese) note of an indicator scored 0: ``tax_per_mu: cannot be computed (...)``."""
    names = ind.formula.names
    return _note(
        "eval_note_not_computed",
        {"name": ind.id, "columns": Items(names)},
        {"name": ind.label_zh, "columns": Items(_field_zh(c) for c in names)},
    )


def _note(key: str, en: dict, zh: dict) -> tuple[str, str]:
    return msg(key, **en).text("en"), msg(key, **zh).text("zh")


def _field_zh(column: str) -> str:
    field_ = FIELD_BY_COLUMN.get(column)
    return field_.label_zh if field_ else column


def _exclude_missing(raw: dict, group: Group, members: np.ndarray, state: pd.DataFrame) -> None:
    bad = np.zeros(len(members), dtype=bool)
    for ind in group.indicators:
        bad |= np.isnan(raw[ind.id])
    hit = members & bad & (state["status"].to_numpy() != "excluded")
    state.loc[hit, "status"] = "excluded"
    state.loc[hit, "reason_code"] = "missing_indicator"


def _benchmark(ind: Indicator, graded_values: np.ndarray) -> float:
    if ind.benchmark.rule is None:
        return float(ind.benchmark.value)
    finite = graded_values[np.isfinite(graded_values)]
    if not len(finite):
        return float("nan")
    return float(np.mean(finite) if ind.benchmark.rule == "mean" else np.median(finite))


def _item_score(ind: Indicator, value: np.ndarray, benchmark: float) -> np.ndarray:
    """weight x value / benchmark, then floor and cap; NaN when the benchmark is not positive."""
    if not (np.isfinite(benchmark) and benchmark > 0):
        return np.full(len(value), np.nan)
    score = ind.weight * value / benchmark
    if ind.floor is not None:
        score = np.where(np.isnan(score), score, np.maximum(score, ind.floor))
    if ind.cap is not None:
        score = np.where(np.isnan(score), score, np.minimum(score, ind.cap))
    return score


def _bench_row(group: Group, ind: Indicator, benchmark: float, count: int) -> dict:
    return {
        "group": group.id,
        "indicator": ind.id,
        "label_zh": ind.label_zh,
        "label_en": ind.label_en,
        "formula": ind.formula.text,
        "unit": ind.unit,
        "weight": ind.weight,
        "benchmark_rule": ind.benchmark.rule or "fixed",
        "benchmark": benchmark,
        "cap": ind.cap,
        "floor": ind.floor,
        "firms_with_value": count,
        "published": ind.published,
        "placeholder": ind.placeholder,
    }


def _adjustments(df: pd.DataFrame, scheme: Scheme, scored: np.ndarray) -> np.ndarray:
    total = np.zeros(len(df))
    for adj in scheme.adjustments:
        ok = scored.copy()
        for cond in adj.when:
            if cond.column not in df.columns:
                raise SchemaError(msg("eval_adjustment_tests_column", adjustment=adj.id, column=cond.column))
            ok &= cond.matches(df)
        if adj.points is not None:
            total += np.where(ok, adj.points, 0.0)
            continue
        if adj.column not in df.columns:
            raise SchemaError(msg("eval_adjustment_reads_column", adjustment=adj.id, column=adj.column))
        points = np.nan_to_num(
            pd.to_numeric(df[adj.column], errors="coerce").to_numpy(dtype="float64"), nan=0.0
        )
        points = np.clip(
            points, adj.min if adj.min is not None else -np.inf, adj.max if adj.max is not None else np.inf
        )
        total += np.where(ok, points, 0.0)
    return total


def _assemble(
    df, scheme: Scheme, state: pd.DataFrame, values: dict, scores: dict, adjustment: np.ndarray, notes: list
) -> pd.DataFrame:
    status = state["status"].to_numpy()
    scored = status != "excluded"
    ids = scheme.indicator_ids
    score_frame = pd.DataFrame({f"{i}_score": scores.get(i, np.full(len(df), np.nan)) for i in ids})
    total = (
        np.where(scored, np.nansum(score_frame.to_numpy(), axis=1) + adjustment, np.nan)
        if ids
        else np.full(len(df), np.nan)
    )
    out = pd.DataFrame(
        {
            "credit_code": df["credit_code"].fillna("").astype(str).to_numpy(),
            "name": df["name"].fillna("").astype(str).to_numpy(),
            "group": state["group"].to_numpy(),
        }
    )
    for i in ids:
        out[i] = values.get(i, np.full(len(df), np.nan))
    out = pd.concat([out, score_frame], axis=1)
    out["adjustment_score"] = np.where(scored, adjustment, np.nan)
    out[TOTAL_SCORE] = total
    out["rank"], out["class"] = _ranks_and_classes(out, state, scheme)
    out["status"] = status
    out["reason_code"] = state["reason_code"].to_numpy()
    out["excluded_reason"] = [_reason_text(r, "en") for r in out["reason_code"]]
    out["excluded_reason_zh"] = [_reason_text(r, "zh") for r in out["reason_code"]]
    out["notes"] = ["; ".join(en for en, _ in n) for n in notes]
    out["notes_zh"] = ["；".join(zh for _, zh in n) for n in notes]
    context = df[[c for c in df.columns if c not in out.columns]].reset_index(drop=True)
    out = pd.concat([out, context], axis=1)
    return _sorted(out, scheme)


def _reason_text(code: str, lang: str) -> str:
    """The words of an exclusion reason in ``lang`` (message ``reason_<code>``); "" for none."""
    return msg(f"reason_{code}").text(lang) if code else ""


def _ranks_and_classes(
    out: pd.DataFrame, state: pd.DataFrame, scheme: Scheme
) -> tuple[pd.Series, np.ndarray]:
    rank = pd.Series(pd.NA, index=out.index, dtype="Int64")
    classes = np.full(len(out), "", dtype=object)
    graded = state["status"].to_numpy() == "graded"
    for group_id in pd.unique(out.loc[graded, "group"]):
        rows = graded & (out["group"].to_numpy() == group_id)
        sub = out.loc[rows]
        rank.loc[rows] = sub[TOTAL_SCORE].rank(method="min", ascending=False).astype("int64").to_numpy()
        classes[rows] = _classes(sub, scheme.rule_for(group_id))
    return rank, classes


def _classes(sub: pd.DataFrame, rule: ClassRule) -> np.ndarray:
    if rule.kind == "percentile":
        return classify_abcd(sub[TOTAL_SCORE].reset_index(drop=True), cuts=rule.cuts).to_numpy()
    return two_stage_classes(sub[rule.split_by], sub[rule.a_by], sub[rule.c_by], rule).to_numpy()


def two_stage_classes(split_values, a_values, c_values, rule: ClassRule) -> pd.Series:
    """Classes A/B/C by the two-stage rule of Zhengzhou's 2018 evaluation, as zkq-geo reads it.

    DOMAIN.md section 4 records the rule as "A = 15% of firms chosen from the top half by
    亩均税收; C = 10% chosen from the bottom half by output per unit energy". With n graded
    firms of one group:

    1. *Stage 1*: firms are ordered by ``split_values`` (亩均税收), higher is better; a firm is
       in the **upper pool** when fewer than ``split_share`` x n firms are strictly better than
       it, otherwise in the **lower pool**.
    2. *Stage 2, A*: within the upper pool, a firm is **A** when fewer than ``a_share`` x n
       pool members are strictly better by ``a_values`` (default: the total score).
    3. *Stage 2, C*: within the lower pool, a firm is **C** when fewer than ``c_share`` x n
       pool members are strictly worse by ``c_values`` (output per unit energy, lower is worse).
    4. Everyone else is **B**.

    Quotas are shares of all n graded firms, not of the pool. Missing values count as the
    worst. Ties fall on the better side of a cut (pool, class), as in
    :func:`zkq_geo.analysis.metrics.classify_abcd`.

    >>> from zkq_geo.evaluation.scheme import ClassRule
    >>> rule = ClassRule("two_stage", split_by="t", a_share=0.2, c_share=0.2)
    >>> two_stage_classes([10, 9, 8, 7, 6], [1, 5, 1, 1, 1], [5, 5, 5, 1, 5], rule).tolist()
    ['B', 'A', 'B', 'C', 'B']
    """
    split, a_key, c_key = (_as_worst_filled(v) for v in (split_values, a_values, c_values))
    n = len(split)
    upper = _strictly_better(split) < rule.split_share * n - _TOLERANCE
    a_better = _strictly_better(np.where(upper, a_key, -np.inf))
    c_worse = _strictly_better(np.where(~upper, -c_key, -np.inf))
    is_a = upper & (a_better < rule.a_share * n - _TOLERANCE)
    is_c = ~upper & (c_worse < rule.c_share * n - _TOLERANCE)
    return pd.Series(np.select([is_a, is_c], ["A", "C"], default="B"), name="class")


def _as_worst_filled(values) -> np.ndarray:
    array = pd.to_numeric(
        pd.Series(list(values) if not isinstance(values, pd.Series) else values.to_numpy()), errors="coerce"
    ).to_numpy(dtype="float64")
    return np.where(np.isnan(array), -np.inf, array)


def _strictly_better(values: np.ndarray) -> np.ndarray:
    """How many entries are strictly greater than each entry (``-inf`` entries never count)."""
    ordered = np.sort(values)
    return len(values) - np.searchsorted(ordered, values, side="right")


def _sorted(out: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    group_order = {g.id: k for k, g in enumerate(scheme.groups)}
    keys = pd.DataFrame(
        {
            "g": out["group"].map(group_order).fillna(len(group_order)).to_numpy(),
            "s": out["status"].map({s: k for k, s in enumerate(STATUSES)}).to_numpy(),
            "r": out["rank"].astype("float64").fillna(np.inf).to_numpy(),
            "t": -out[TOTAL_SCORE].fillna(-np.inf).to_numpy(),
            "c": out["credit_code"].to_numpy(),
            "n": out["name"].to_numpy(),
        }
    )
    order = keys.sort_values(["g", "s", "r", "t", "c", "n"], kind="stable").index
    return out.loc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------- summaries
def summarize_classes(evaluation: Evaluation, by: SummaryKey = "group") -> pd.DataFrame:
    """Counts by class, land by class and pooled per-mu figures per group, park, plate or industry.

    Parameters
    ----------
    evaluation : Evaluation
    by : {"group", "park", "plate", "industry"}
        The ledger column to group by (``group`` is the scheme group). Empty keys form
        ``"unassigned"``.

    Returns
    -------
    pandas.DataFrame
        One row per key (scheme order for groups, else sorted with ``"unassigned"`` last):
        ``firms``, ``graded``, ``rated``, ``excluded``, ``count_<class>`` and
        ``land_mu_<class>`` (亩 of graded firms per class), ``land_mu_graded``, and pooled
        ``tax_wan_per_mu``, ``revenue_wan_per_mu``, ``value_added_wan_per_mu`` (sum of the
        figure / sum of land, 万元/亩, over graded firms on owned land with a land area) where the
        ledger has the figure.
    """
    check_choice("by", by, SUMMARY_KEYS)
    table = evaluation.table
    if by not in table.columns:
        raise SchemaError(msg("eval_no_summary_column", by=by))
    key = table[by].fillna("").astype(str).str.strip().replace("", UNASSIGNED)
    classes = evaluation.scheme.classes
    parts = _summary_parts(table, classes)
    grouped = parts.groupby(key.to_numpy(), sort=False)
    out = grouped.sum(min_count=0)
    for column, per_mu in PER_MU_SUMS:
        if column in table.columns:
            out[per_mu] = out[f"_{column}"] / out["_pooled_land"].where(out["_pooled_land"] > 0)
    out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
    out = out.loc[_summary_order(list(out.index), evaluation, by)]
    return out.rename_axis(by).reset_index()


def _summary_parts(table: pd.DataFrame, classes: tuple[str, ...]) -> pd.DataFrame:
    status, cls = table["status"].to_numpy(), table["class"].to_numpy()
    land = pd.to_numeric(table["land_area_mu"], errors="coerce").fillna(0.0).to_numpy()
    graded = status == "graded"
    owned = table["land_status"].fillna("").to_numpy() != "leased"
    pooled = graded & owned & (land > 0)
    parts = {
        "firms": np.ones(len(table), dtype=int),
        "graded": graded.astype(int),
        "rated": (status == "rated").astype(int),
        "excluded": (status == "excluded").astype(int),
    }
    parts |= {f"count_{c}": (graded & (cls == c)).astype(int) for c in classes}
    parts |= {f"land_mu_{c}": np.where(graded & (cls == c) & owned, land, 0.0) for c in classes}
    parts["land_mu_graded"] = np.where(graded & owned, land, 0.0)
    parts["_pooled_land"] = np.where(pooled, land, 0.0)
    for column, _ in PER_MU_SUMS:
        if column in table.columns:
            figure = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype="float64")
            parts[f"_{column}"] = np.where(pooled, np.nan_to_num(figure, nan=0.0), 0.0)
    return pd.DataFrame(parts)


def _summary_order(keys: list[str], evaluation: Evaluation, by: str) -> list[str]:
    if by == "group":
        order = {g.id: k for k, g in enumerate(evaluation.scheme.groups)}
        return sorted(keys, key=lambda k: (order.get(k, len(order)), k))
    return sorted(keys, key=lambda k: (k == UNASSIGNED, k))


# ----------------------------------------------------------------------------- geometry
def evaluation_points(evaluation: Evaluation) -> gpd.GeoDataFrame:
    """Firms with a ``lon``/``lat`` (WGS84 degrees) as points in EPSG:4326, result columns kept.

    Rows without usable coordinates (missing, or outside -180..180 / -90..90) are left out;
    compare lengths to count them.
    """
    table = evaluation.table
    if not {"lon", "lat"} <= set(table.columns):
        return gpd.GeoDataFrame(
            table.iloc[0:0].copy(), geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326"
        )
    lon = pd.to_numeric(table["lon"], errors="coerce")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    ok = lon.between(-180, 180) & lat.between(-90, 90)
    rows = table[ok.to_numpy()].reset_index(drop=True)
    return gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs="EPSG:4326")


def join_parcels(
    evaluation: Evaluation, parcels: gpd.GeoDataFrame, key: str = "credit_code"
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Attach the evaluation to a parcel layer by credit code (several parcels per firm allowed).

    Parameters
    ----------
    parcels : GeoDataFrame
        Any CRS; ``key`` holds the unified social credit code of each parcel's firm.

    Returns
    -------
    (GeoDataFrame, JoinReport)
        The parcels (same CRS, order kept) with the evaluation's columns under their own names;
        parcel columns that share a name with them are kept as ``parcel_<name>``. Parcels
        without a firm get empty results. Firms without a credit code cannot join.
    """
    if key not in parcels.columns:
        raise SchemaError(msg("eval_parcels_no_key", key=key, columns=Items(map(str, parcels.columns))))
    table = evaluation.table[evaluation.table["credit_code"].str.strip() != ""]
    table = table[[c for c in table.columns if c not in ("lon", "lat")]]
    keep = {key, parcels.geometry.name}
    renamed = parcels.rename(
        columns={c: f"parcel_{c}" for c in parcels.columns if c in table.columns and c not in keep}
    )
    return join_attributes(renamed, table, key=key, table_key="credit_code", how="left")

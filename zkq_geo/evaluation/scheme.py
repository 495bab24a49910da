"""Evaluation schemes (评价方案) of per-mu evaluation: the YAML format, its checks, the presets.

A scheme names the groups evaluated separately, the indicators of each group (a formula over
ledger columns, a weight, a benchmark and an optional cap), optional bonuses and deductions,
and the rule that turns scores into classes. Presets live in ``geodata/schemes/*.yaml`` and
cite their source; users copy and edit them. Every error names the file, the field (as a path
such as ``groups[0].indicators[2].weight``), the value given and what is allowed.

The format, by example::

    id: my_scheme
    title_zh: 示例方案
    title_en: Example scheme
    source: where the weights and benchmarks come from
    notes: [what is not published and how it is handled]
    notes_zh: [the same notes in Chinese, one for one (optional; Chinese reports use them)]
    special_firms: rate_only        # utilities/start-ups: rate_only (scored, not graded) | exclude
    missing_values: zero            # an indicator that cannot be computed scores: zero | exclude
    groups:
      - id: above_scale
        label_zh: 规上企业
        label_en: Above designated size
        when: {scale: above}        # all conditions must hold; numbers: {min: 3} (>=), {below: 3} (<)
        indicators:
          - id: tax_per_mu
            label_zh: 亩均税收
            label_en: Tax per mu
            formula: tax_wan / land_area_mu     # column names, numbers, + - * / and ( ) only
            unit: 万元/亩
            weight: 30
            benchmark: 24.097                   # a number, or mean / median of the evaluated group
            cap: null                           # optional maximum item score (points)
            published: true                     # false: the benchmark is not from the source
            placeholder: false                  # true: indicator and weight are zkq-geo placeholders,
                                                #   not part of the cited scheme (implies published: false)
    adjustments:                                # bonuses (+) and deductions (-)
      - {id: high_tech, label_zh: 高新技术企业, label_en: High-tech firm, when: {high_tech: 是}, points: 3}
    class_rule: {kind: percentile, cuts: {A: 0.2, B: 0.6, C: 0.95}}

Chinese notes: a scheme's own ``notes_zh`` (and a group's ``note_zh``) are used as given; without
them, the translations of the presets' notes in ``zkq_geo/i18n/scheme_notes.toml`` are used for
each note whose English text is unchanged (keys ``<scheme id>.note.<n>``, n from 1, and
``<scheme id>.<group id>.note``); any other note reads as written.

Leased firms (``land_status: leased``) only ever fall in a group whose ``when`` says
``land_status: leased``; such a group may not use ``land_area_mu`` (they have no land of
their own) and no formula may use floor area (DOMAIN.md section 4).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from zkq_geo.errors import DataSourceError, OptionError, SchemaError
from zkq_geo.evaluation.formula import Formula, FormulaError, parse_formula
from zkq_geo.evaluation.ledger import (
    CHOICE_LABELS_ZH,
    FIELD_BY_COLUMN,
    FORMULA_COLUMNS,
    LAND_STATUS_VALUES,
    NUMERIC_COLUMNS,
    SCALE_VALUES,
    SPECIAL_VALUES,
    STORAGE_UNITS,
    TEXT_COLUMNS,
)
from zkq_geo.i18n import tables
from zkq_geo.i18n.messages import Items, msg
from zkq_geo.paths import geodata_root

ClassRuleKind = Literal["percentile", "two_stage"]
BENCHMARK_RULES = ("mean", "median")
CLASS_RULE_KINDS = ("percentile", "two_stage")
SPECIAL_FIRMS = ("rate_only", "exclude")
MISSING_VALUES = ("zero", "exclude")
TOTAL_SCORE = "total_score"
RESERVED_IDS = frozenset(
    {
        "credit_code",
        "name",
        "group",
        "total_score",
        "adjustment_score",
        "rank",
        "class",
        "status",
        "excluded_reason",
        "excluded_reason_zh",
        "notes",
        "notes_zh",
        *FIELD_BY_COLUMN,
    }
)
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TOP_KEYS = (
    "id",
    "title_zh",
    "title_en",
    "source",
    "notes",
    "notes_zh",
    "year",
    "groups",
    "adjustments",
    "class_rule",
    "special_firms",
    "missing_values",
)
_GROUP_KEYS = ("id", "label_zh", "label_en", "when", "indicators", "class_rule", "note", "note_zh")
_INDICATOR_KEYS = (
    "id",
    "label_zh",
    "label_en",
    "formula",
    "unit",
    "weight",
    "benchmark",
    "cap",
    "floor",
    "published",
    "placeholder",
    "note",
)
_ADJUSTMENT_KEYS = ("id", "label_zh", "label_en", "when", "points", "column", "min", "max", "note")
_CHOICE_MAPS = {"scale": SCALE_VALUES, "land_status": LAND_STATUS_VALUES, "special": SPECIAL_VALUES}
_PERCENTILE_CLASSES = ("A", "B", "C")
#: Chinese translations of the presets' notes: key -> {"en": the note as written, "zh": ...}.
SCHEME_NOTES: dict[str, dict[str, str]] = tables.load_table(
    Path(tables.__file__).with_name("scheme_notes.toml")
)


class SchemeError(SchemaError):
    """A scheme file or text is not valid; the message names file, field, value and choices."""


# ----------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Condition:
    """One membership test on a ledger column: text equal to one of ``values``, or a number
    in ``[min, below)``."""

    column: str
    values: tuple[str, ...] | None = None
    min: float | None = None
    below: float | None = None

    def matches(self, df: pd.DataFrame) -> np.ndarray:
        if self.column not in df.columns:
            raise SchemaError(msg("scheme_condition_column", column=self.column))
        if self.values is not None:
            return df[self.column].fillna("").astype(str).str.strip().isin(self.values).to_numpy()
        number = pd.to_numeric(df[self.column], errors="coerce").to_numpy(dtype="float64")
        ok = ~np.isnan(number)
        if self.min is not None:
            ok &= number >= self.min
        if self.below is not None:
            ok &= number < self.below
        return ok

    def describe(self, lang: str = "en") -> str:
        """``scale = above`` / ``land_area_mu ≥ 3``; in Chinese ``规模 = 规上`` / ``用地面积 ≥ 3 亩``."""
        zh = lang == "zh"
        field_ = FIELD_BY_COLUMN.get(self.column)
        name = field_.label_zh if zh and field_ else self.column
        if self.values is not None:
            shown = [CHOICE_LABELS_ZH.get(v, v) for v in self.values] if zh else self.values
            return f"{name} = {' | '.join(shown)}"
        unit = (
            f" {STORAGE_UNITS[field_.quantity]}" if zh and field_ and field_.quantity in STORAGE_UNITS else ""
        )
        parts = ([f"≥ {self.min:g}{unit}"] if self.min is not None else []) + (
            [f"< {self.below:g}{unit}"] if self.below is not None else []
        )
        return f"{name} {(' 且 ' if zh else ' and ').join(parts)}"


@dataclass(frozen=True)
class Benchmark:
    """A fixed benchmark value, or a rule over the evaluated group (``mean``/``median``)."""

    value: float | None = None
    rule: str | None = None

    def describe(self, lang: str | None = None) -> str:
        """``24.1`` or ``median of the evaluated group`` (``lang="zh"``: ``参评企业中位数``)."""
        if self.rule is None:
            return f"{self.value:g}"
        return f"{self.rule} of the evaluated group" if lang is None else msg(f"bench_{self.rule}").text(lang)


@dataclass(frozen=True)
class Indicator:
    id: str
    label_zh: str
    label_en: str
    formula: Formula
    unit: str
    weight: float
    benchmark: Benchmark
    cap: float | None = None
    floor: float | None = None
    published: bool = True
    placeholder: bool = False
    note: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Group:
    id: str
    label_zh: str
    label_en: str
    when: tuple[Condition, ...]
    indicators: tuple[Indicator, ...]
    note: str = ""
    class_rule: ClassRule | None = None
    note_zh: str = ""

    def note_in(self, lang: str = "zh") -> str:
        """The group's note in ``lang`` (the Chinese one when given, else the note as written)."""
        return self.note_zh if lang == "zh" and self.note_zh else self.note

    @property
    def for_leased(self) -> bool:
        """True when the group is for firms on leased premises (``when: {land_status: leased}``)."""
        return any(c.column == "land_status" and "leased" in (c.values or ()) for c in self.when)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(sorted({n for i in self.indicators for n in i.formula.names}))

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def describe_when(self, lang: str = "en") -> str:
        """Which firms the group evaluates, e.g. ``scale = above; land_status = owned``."""
        conditions = list(self.when)
        if not any(c.column == "land_status" for c in conditions):  # leased firms have their own groups
            conditions.append(Condition("land_status", ("owned",)))
        return ("；" if lang == "zh" else "; ").join(c.describe(lang) for c in conditions)


@dataclass(frozen=True)
class Adjustment:
    """A bonus or deduction: fixed ``points`` where ``when`` holds, or points read from a
    ledger ``column`` and clipped to [min, max]."""

    id: str
    label_zh: str
    label_en: str
    when: tuple[Condition, ...] = ()
    points: float | None = None
    column: str | None = None
    min: float | None = None
    max: float | None = None
    note: str = ""


@dataclass(frozen=True)
class ClassRule:
    """How scores become classes.

    ``percentile``: :func:`zkq_geo.analysis.metrics.classify_abcd` with ``cuts`` (cumulative shares of
    A, B, C; D is the rest). ``two_stage`` (Zhengzhou 2018, see :mod:`zkq_geo.evaluation.evaluate`):
    classes A/B/C from ``split_by``/``split_share``, ``a_by``/``a_share``, ``c_by``/``c_share``.
    """

    kind: ClassRuleKind
    cuts: tuple[float, float, float] = (0.2, 0.6, 0.95)
    split_by: str = ""
    split_share: float = 0.5
    a_by: str = TOTAL_SCORE
    a_share: float = 0.15
    c_by: str = ""
    c_share: float = 0.10

    @property
    def classes(self) -> tuple[str, ...]:
        return ("A", "B", "C", "D") if self.kind == "percentile" else ("A", "B", "C")

    def describe(self, lang: str | None = None, names: dict[str, str] | None = None) -> str:
        """The rule in words; ``lang="zh"`` gives Chinese, ``names`` maps indicator ids to labels."""
        if lang == "zh":
            return self._describe_zh(names or {})
        if names:
            return replace(self, **{k: names.get(v, v) for k, v in self._by().items()}).describe()
        if self.kind == "percentile":
            a, b, c = self.cuts
            return (
                f"by total score within each group: A top {a:.0%}, B to {b:.0%}, C to {c:.0%}, D the rest; "
                "equal totals share the better class"
            )
        return (
            f"two-stage: the top {self.split_share:.0%} by {self.split_by} form the upper pool; "
            f"A = the best {self.a_share:.0%} of all graded firms by {self.a_by}, chosen from the upper "
            "pool; "
            f"C = the worst {self.c_share:.0%} of all graded firms by {self.c_by}, chosen from the lower "
            "pool; "
            "B = everyone else"
        )

    def _by(self) -> dict[str, str]:
        return {"split_by": self.split_by, "a_by": self.a_by, "c_by": self.c_by}

    def _describe_zh(self, names: dict[str, str]) -> str:
        if self.kind == "percentile":
            a, b, c = self.cuts
            return (
                f"按组内总分：前 {a:.0%} 为 A 类，至 {b:.0%} 为 B 类，至 {c:.0%} 为 C 类，其余为 D 类；"
                "总分相同者归入较好的一类"
            )
        by = {k: names.get(v, "总分" if v == TOTAL_SCORE else v) for k, v in self._by().items()}
        return (
            f"两阶段：按{by['split_by']}排名前 {self.split_share:.0%} 的企业为上半区；"
            f"A 类 = 全部参评企业中按{by['a_by']}最好的 {self.a_share:.0%}，从上半区选出；"
            f"C 类 = 全部参评企业中按{by['c_by']}最差的 {self.c_share:.0%}，从下半区选出；"
            "其余为 B 类"
        )


@dataclass(frozen=True)
class Scheme:
    id: str
    title_zh: str
    title_en: str
    source: str
    groups: tuple[Group, ...]
    class_rule: ClassRule
    notes: tuple[str, ...] = ()
    notes_zh: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    special_firms: str = "rate_only"
    missing_values: str = "zero"
    origin: str = ""
    text: str = field(default="", repr=False)

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def notes_in(self, lang: str = "zh") -> tuple[str, ...]:
        """The scheme's notes in ``lang`` (the Chinese ones when there are, else as written)."""
        return self.notes_zh if lang == "zh" and self.notes_zh else self.notes

    def rule_for(self, group_id: str) -> ClassRule:
        """The class rule of a group: its own, else the scheme's."""
        return self.group(group_id).class_rule or self.class_rule

    @property
    def classes(self) -> tuple[str, ...]:
        """Every class any group can get, best first."""
        rules = [self.class_rule, *(g.class_rule for g in self.groups if g.class_rule)]
        return tuple(c for c in ("A", "B", "C", "D") if any(c in r.classes for r in rules))

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        groups = Items(g.id for g in self.groups)
        raise OptionError(msg("scheme_no_group", scheme=self.id, group=group_id, groups=groups))

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Every indicator id, in order of first appearance across groups."""
        return tuple(dict.fromkeys(i.id for g in self.groups for i in g.indicators))

    @property
    def placeholders(self) -> tuple[tuple[Group, Indicator], ...]:
        """(group, indicator) pairs whose indicator and weight are zkq-geo placeholders, not the source's."""
        return tuple((g, i) for g in self.groups for i in g.indicators if i.placeholder)

    @property
    def unpublished_benchmarks(self) -> tuple[tuple[Group, Indicator], ...]:
        """(group, indicator) pairs of published indicators whose benchmark the source does not give."""
        return tuple(
            (g, i) for g in self.groups for i in g.indicators if not i.published and not i.placeholder
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Ledger columns the formulas and conditions read."""
        names = {n for g in self.groups for n in g.columns}
        names |= {c.column for g in self.groups for c in g.when}
        names |= {c.column for a in self.adjustments for c in a.when} | {
            a.column for a in self.adjustments if a.column
        }
        return tuple(sorted(names))


def unsourced_items(scheme: Scheme, lang: str | None = None) -> list[tuple[str, str]]:
    """(topic, text) per group with figures that are not the cited source's, placeholders first.

    Without ``lang`` the rows are bilingual and name group and indicator ids (the CLI); with
    ``lang`` ("zh" or "en") they read in that language with the scheme's labels (app, reports).

    >>> unsourced_items(load_scheme("zhengzhou_2018"))[0][0]
    '占位 placeholder: all_firms'
    >>> unsourced_items(load_scheme("zhengzhou_2018"), "zh")[0][0]
    '占位指标：自有用地企业'
    """
    if lang is not None:
        return _unsourced_in(scheme, lang)
    rows = []
    for kind, pairs in (("placeholder", scheme.placeholders), ("benchmark", scheme.unpublished_benchmarks)):
        for group in dict.fromkeys(g for g, _ in pairs):
            items = [i for g, i in pairs if g is group]
            if kind == "placeholder":
                listed = ", ".join(f"{i.label_zh} {i.id} (weight {i.weight:g})" for i in items)
                rows.append(
                    (
                        f"占位 placeholder: {group.id}",
                        f"{group.label_zh}: {listed} — 指标与权重为 zkq-geo 占位值，"
                        "非所引方案 / indicator and weight are zkq-geo placeholders, not the cited scheme's",
                    )
                )
            else:
                listed = ", ".join(f"{i.label_zh} {i.id} ({i.benchmark.describe()})" for i in items)
                rows.append(
                    (f"基准未公布 benchmark not published: {group.id}", f"{group.label_zh}: {listed}")
                )
    return rows


def _unsourced_in(scheme: Scheme, lang: str) -> list[tuple[str, str]]:
    zh = lang == "zh"
    rows = []
    for kind, pairs in (("placeholder", scheme.placeholders), ("benchmark", scheme.unpublished_benchmarks)):
        for group in dict.fromkeys(g for g, _ in pairs):
            items = [i for g, i in pairs if g is group]
            if kind == "placeholder":
                listed = ("、" if zh else ", ").join(
                    f"{i.label(lang)}（权重 {i.weight:g}）"
                    if zh
                    else f"{i.label(lang)} (weight {i.weight:g})"
                    for i in items
                )
                topic = "占位指标：" if zh else "Placeholder: "
                note = (
                    "：指标与权重为 zkq-geo 占位值，非所引方案"
                    if zh
                    else ": indicator and weight are zkq-geo placeholders, not the cited scheme's"
                )
                rows.append((topic + group.label(lang), listed + note))
            else:
                listed = ("、" if zh else ", ").join(
                    f"{i.label(lang)}（{i.benchmark.describe(lang)}）"
                    if zh
                    else f"{i.label(lang)} ({i.benchmark.describe(lang)})"
                    for i in items
                )
                rows.append(
                    (("基准未公布：" if zh else "Benchmark not published: ") + group.label(lang), listed)
                )
    return rows


# ----------------------------------------------------------------------------- loading
def schemes_dir(root: str | Path | None = None) -> Path:
    """Folder of the preset schemes: ``<geodata>/schemes`` (``$ZKQ_GEODATA`` or the shipped geodata)."""
    return geodata_root(root) / "schemes"


def preset_ids(root: str | Path | None = None) -> tuple[str, ...]:
    folder = schemes_dir(root)
    return tuple(sorted(p.stem for p in folder.glob("*.yaml"))) if folder.is_dir() else ()


def list_presets(root: str | Path | None = None) -> list[Scheme]:
    """Every preset scheme, parsed (so a broken preset is an error, not a silent omission)."""
    return [load_scheme(p, root=root) for p in preset_ids(root)]


def preset_text(preset: str, root: str | Path | None = None) -> str:
    """The YAML text of a preset, for copying and editing."""
    path = _preset_path(preset, root)
    return path.read_text(encoding="utf-8")


def load_scheme(path_or_preset: str | Path, *, root: str | Path | None = None) -> Scheme:
    """Load a scheme from a YAML file, or a preset by id (``huangyan_2022``).

    Raises
    ------
    OptionError
        Neither an existing file nor a preset id; the message lists the presets.
    SchemeError
        The scheme is not valid.
    """
    candidate = Path(path_or_preset)
    path = candidate if candidate.suffix.lower() in (".yaml", ".yml") or candidate.is_file() else None
    if path is None:
        path = _preset_path(str(path_or_preset), root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataSourceError(msg("scheme_file_not_found", path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(msg("scheme_file_unreadable", path=path, error=exc)) from None
    return parse_scheme(text, origin=path.name)


def parse_scheme(text: str, origin: str = "scheme") -> Scheme:
    """Parse and check the YAML text of a scheme; ``origin`` names it in messages."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", exc)
        if where is None:
            raise SchemeError(msg("scheme_not_yaml", origin=origin, problem=problem)) from None
        raise SchemeError(
            msg("scheme_not_yaml_at", origin=origin, line=where.line + 1, problem=problem)
        ) from None
    return _Reader(origin).scheme(doc, text)


def _preset_path(preset: str, root) -> Path:
    ids = preset_ids(root)
    if preset not in ids:
        presets = Items(ids) if ids else msg("scheme_no_presets")
        raise OptionError(msg("scheme_not_preset", preset=preset, presets=presets))
    return schemes_dir(root) / f"{preset}.yaml"


# ----------------------------------------------------------------------------- checking
class _Reader:
    """Turns a parsed YAML document into a :class:`Scheme`, raising :class:`SchemeError`."""

    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, path: str, value: Any, problem: str, **params) -> SchemeError:
        """The error at ``path``: ``problem`` is a message key of the evaluation block, ``params`` fill it."""
        return SchemeError(
            msg("scheme_field", origin=self.origin, path=path, value=value, problem=msg(problem, **params))
        )

    # -- scheme
    def scheme(self, doc: Any, text: str) -> Scheme:
        m = self.mapping(
            doc,
            "(top level)",
            _TOP_KEYS,
            required=("id", "title_zh", "title_en", "source", "groups", "class_rule"),
        )
        groups = self.groups(m["groups"])
        own_rule = tuple(g.indicators for g in groups if g.class_rule is None)
        scheme_id = self.identifier(m["id"], "id")
        notes = self.texts(m, "notes")
        return Scheme(
            id=scheme_id,
            title_zh=self.text(m["title_zh"], "title_zh"),
            title_en=self.text(m["title_en"], "title_en"),
            source=self.text(m["source"], "source"),
            groups=tuple(_with_translated_note(g, scheme_id) for g in groups),
            class_rule=self.class_rule(m["class_rule"], own_rule, "class_rule"),
            notes=notes,
            notes_zh=self.texts(m, "notes_zh", same_length_as="notes") or _translated_notes(scheme_id, notes),
            adjustments=tuple(
                self.adjustment(a, f"adjustments[{k}]")
                for k, a in enumerate(self.sequence(m.get("adjustments", []) or [], "adjustments"))
            ),
            special_firms=self.choice(m.get("special_firms", "rate_only"), "special_firms", SPECIAL_FIRMS),
            missing_values=self.choice(m.get("missing_values", "zero"), "missing_values", MISSING_VALUES),
            origin=self.origin,
            text=text,
        )

    def groups(self, raw: Any) -> tuple[Group, ...]:
        items = self.sequence(raw, "groups")
        if not items:
            raise self.fail("groups", raw, "scheme_needs_group")
        groups = tuple(self.group(g, f"groups[{k}]") for k, g in enumerate(items))
        self.unique([g.id for g in groups], "groups", "scheme_duplicate_group")
        return groups

    def group(self, raw: Any, path: str) -> Group:
        m = self.mapping(raw, path, _GROUP_KEYS, required=("id", "label_zh", "label_en", "indicators"))
        when = self.conditions(m.get("when", {}) or {}, f"{path}.when", group=True)
        leased = any(c.column == "land_status" and "leased" in (c.values or ()) for c in when)
        items = self.sequence(m["indicators"], f"{path}.indicators")
        if not items:
            raise self.fail(f"{path}.indicators", m["indicators"], "scheme_needs_indicator")
        indicators = tuple(self.indicator(i, f"{path}.indicators[{k}]", leased) for k, i in enumerate(items))
        self.unique([i.id for i in indicators], f"{path}.indicators", "scheme_duplicate_indicator")
        rule = m.get("class_rule")
        return Group(
            id=self.identifier(m["id"], f"{path}.id"),
            label_zh=self.text(m["label_zh"], f"{path}.label_zh"),
            label_en=self.text(m["label_en"], f"{path}.label_en"),
            when=when,
            indicators=indicators,
            note=str(m.get("note", "") or ""),
            class_rule=None if rule is None else self.class_rule(rule, (indicators,), f"{path}.class_rule"),
            note_zh=str(m.get("note_zh", "") or ""),
        )

    def indicator(self, raw: Any, path: str, leased: bool) -> Indicator:
        m = self.mapping(
            raw,
            path,
            _INDICATOR_KEYS,
            required=("id", "label_zh", "label_en", "formula", "weight", "benchmark"),
        )
        formula = self.formula(m["formula"], f"{path}.formula", leased)
        cap, floor = (
            self.optional_number(m.get("cap"), f"{path}.cap"),
            self.optional_number(m.get("floor"), f"{path}.floor"),
        )
        if cap is not None and cap <= 0:
            raise self.fail(f"{path}.cap", m.get("cap"), "scheme_cap_positive")
        if cap is not None and floor is not None and floor >= cap:
            raise self.fail(f"{path}.floor", m.get("floor"), "scheme_floor_below_cap", cap=cap)
        placeholder = self.flag(m.get("placeholder", False), f"{path}.placeholder")
        published = self.flag(m.get("published", not placeholder), f"{path}.published")
        if placeholder and published:
            raise self.fail(f"{path}.published", m.get("published"), "scheme_placeholder_published")
        return Indicator(
            id=self.identifier(m["id"], f"{path}.id"),
            label_zh=self.text(m["label_zh"], f"{path}.label_zh"),
            label_en=self.text(m["label_en"], f"{path}.label_en"),
            formula=formula,
            unit=str(m.get("unit", "") or ""),
            weight=self.positive(m["weight"], f"{path}.weight"),
            benchmark=self.benchmark(m["benchmark"], f"{path}.benchmark"),
            cap=cap,
            floor=floor,
            published=published,
            placeholder=placeholder,
            note=str(m.get("note", "") or ""),
        )

    def formula(self, raw: Any, path: str, leased: bool) -> Formula:
        if not isinstance(raw, str):
            raise self.fail(path, raw, "scheme_formula_text")
        if "floor_area_m2" in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", raw):
            raise self.fail(path, raw, "scheme_no_floor_area")
        try:
            formula = parse_formula(raw, FORMULA_COLUMNS)
        except FormulaError as exc:
            raise SchemeError(
                msg("scheme_formula", origin=self.origin, path=path, error=exc.message)
            ) from None
        if leased and formula.uses("land_area_mu"):
            raise self.fail(path, raw, "scheme_leased_land")
        return formula

    def benchmark(self, raw: Any, path: str) -> Benchmark:
        if isinstance(raw, dict):
            rule = self.mapping(raw, path, ("rule",), required=("rule",))["rule"]
            return Benchmark(rule=self.choice(rule, f"{path}.rule", BENCHMARK_RULES))
        if isinstance(raw, str) and not _is_number(raw):
            return Benchmark(rule=self.choice(raw, path, BENCHMARK_RULES))
        return Benchmark(value=self.positive(raw, path))

    def conditions(self, raw: Any, path: str, group: bool) -> tuple[Condition, ...]:
        if not isinstance(raw, dict):
            raise self.fail(path, raw, "scheme_conditions_mapping")
        return tuple(self.condition(str(col), value, f"{path}.{col}", group) for col, value in raw.items())

    def condition(self, column: str, raw: Any, path: str, group: bool) -> Condition:
        allowed = (*TEXT_COLUMNS, *NUMERIC_COLUMNS)
        if group and column not in allowed:
            raise self.fail(path, raw, "scheme_group_columns", allowed=Items(allowed))
        if isinstance(raw, dict):
            m = self.mapping(raw, path, ("min", "below"), required=())
            if not m:
                raise self.fail(path, raw, "scheme_give_min_below")
            if column in TEXT_COLUMNS:
                raise self.fail(path, raw, "scheme_text_column", column=column)
            lo, hi = (
                self.optional_number(m.get("min"), f"{path}.min"),
                self.optional_number(m.get("below"), f"{path}.below"),
            )
            if lo is not None and hi is not None and lo >= hi:
                raise self.fail(path, raw, "scheme_min_below")
            return Condition(column, min=lo, below=hi)
        values = raw if isinstance(raw, list) else [raw]
        if not values or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values
        ):
            raise self.fail(path, raw, "scheme_give_values")
        texts = [str(v).strip() for v in values]
        if column in _CHOICE_MAPS:
            choices = _CHOICE_MAPS[column]
            bad = [v for v in texts if v.lower() not in choices]
            if bad:
                raise self.fail(
                    path, raw, "scheme_allowed", allowed=Items(sorted(set(choices.values()) - {""}))
                )
            texts = [choices[v.lower()] for v in texts]
        return Condition(column, values=tuple(dict.fromkeys(texts)))

    def adjustment(self, raw: Any, path: str) -> Adjustment:
        m = self.mapping(raw, path, _ADJUSTMENT_KEYS, required=("id", "label_zh", "label_en"))
        has_points, has_column = m.get("points") is not None, m.get("column") is not None
        if has_points == has_column:
            raise self.fail(path, raw, "scheme_points_or_column")
        return Adjustment(
            id=self.identifier(m["id"], f"{path}.id"),
            label_zh=self.text(m["label_zh"], f"{path}.label_zh"),
            label_en=self.text(m["label_en"], f"{path}.label_en"),
            when=self.conditions(m.get("when", {}) or {}, f"{path}.when", group=False),
            points=self.number(m["points"], f"{path}.points") if has_points else None,
            column=self.text(m["column"], f"{path}.column") if has_column else None,
            min=self.optional_number(m.get("min"), f"{path}.min"),
            max=self.optional_number(m.get("max"), f"{path}.max"),
            note=str(m.get("note", "") or ""),
        )

    def class_rule(self, raw: Any, indicator_sets: tuple[tuple[Indicator, ...], ...], path: str) -> ClassRule:
        """The rule at ``path``; a two-stage rule must name indicators of every set it applies to."""
        m = self.mapping(
            raw,
            path,
            ("kind", "cuts", "split_by", "split_share", "a_by", "a_share", "c_by", "c_share"),
            required=("kind",),
        )
        kind = self.choice(m["kind"], f"{path}.kind", CLASS_RULE_KINDS)
        if kind == "percentile":
            return ClassRule(
                kind="percentile", cuts=self.cuts(m.get("cuts", {"A": 0.2, "B": 0.6, "C": 0.95}), path)
            )
        rule = ClassRule(
            kind="two_stage",
            split_by=self.text(m.get("split_by"), f"{path}.split_by"),
            split_share=self.share(m.get("split_share", 0.5), f"{path}.split_share"),
            a_by=self.text(m.get("a_by", TOTAL_SCORE), f"{path}.a_by"),
            a_share=self.share(m.get("a_share", 0.15), f"{path}.a_share"),
            c_by=self.text(m.get("c_by"), f"{path}.c_by"),
            c_share=self.share(m.get("c_share", 0.10), f"{path}.c_share"),
        )
        self.check_two_stage(rule, indicator_sets, path)
        return rule

    def check_two_stage(self, rule: ClassRule, indicator_sets, path: str) -> None:
        for key, value in (("split_by", rule.split_by), ("a_by", rule.a_by), ("c_by", rule.c_by)):
            for indicators in indicator_sets:
                ids = [i.id for i in indicators] + ([TOTAL_SCORE] if key == "a_by" else [])
                if value not in ids:
                    raise self.fail(f"{path}.{key}", value, "scheme_two_stage_indicator", ids=Items(ids))
        if rule.a_share > rule.split_share:
            raise self.fail(f"{path}.a_share", rule.a_share, "scheme_a_share", split=rule.split_share)
        if rule.c_share > 1 - rule.split_share:
            raise self.fail(f"{path}.c_share", rule.c_share, "scheme_c_share", rest=1 - rule.split_share)

    def cuts(self, raw: Any, path: str) -> tuple[float, float, float]:
        m = self.mapping(raw, f"{path}.cuts", _PERCENTILE_CLASSES, required=_PERCENTILE_CLASSES)
        shares = tuple(self.share(m[k], f"{path}.cuts.{k}") for k in _PERCENTILE_CLASSES)
        if not shares[0] < shares[1] < shares[2]:
            raise self.fail(f"{path}.cuts", raw, "scheme_cuts_increase")
        return shares  # type: ignore[return-value]

    # -- primitives
    def mapping(self, raw: Any, path: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(path, raw, "scheme_expected_mapping", keys=Items(keys))
        unknown = [k for k in raw if k not in keys]
        if unknown:
            raise self.fail(
                f"{path}.{unknown[0]}" if path != "(top level)" else str(unknown[0]),
                raw[unknown[0]],
                "scheme_unknown_key",
                keys=Items(keys),
            )
        for key in required:
            if raw.get(key) is None:
                raise self.fail(
                    f"{path}.{key}" if path != "(top level)" else key, None, "scheme_key_required"
                )
        return raw

    def sequence(self, raw: Any, path: str) -> list:
        if not isinstance(raw, list):
            raise self.fail(path, raw, "scheme_expected_list")
        return raw

    def texts(self, m: dict, key: str, same_length_as: str | None = None) -> tuple[str, ...]:
        """A list of texts under ``key`` (optional); with ``same_length_as``, one for each of that list."""
        texts = tuple(
            self.text(n, f"{key}[{k}]") for k, n in enumerate(self.sequence(m.get(key, []) or [], key))
        )
        if same_length_as and texts and len(texts) != len(m.get(same_length_as) or []):
            raise SchemeError(
                msg(
                    "scheme_texts_count",
                    origin=self.origin,
                    key=key,
                    n=len(texts),
                    other=same_length_as,
                    m=len(m.get(same_length_as) or []),
                )
            )
        return texts

    def text(self, raw: Any, path: str) -> str:
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or not str(raw).strip():
            raise self.fail(path, raw, "scheme_expected_text")
        return str(raw).strip()

    def identifier(self, raw: Any, path: str) -> str:
        text = self.text(raw, path)
        if not _ID.match(text) or (path.endswith(".id") and "indicators" in path and text in RESERVED_IDS):
            raise self.fail(path, raw, "scheme_bad_id")
        return text

    def choice(self, raw: Any, path: str, allowed: tuple[str, ...]) -> str:
        if raw not in allowed:
            raise self.fail(path, raw, "scheme_choose", choices=Items(allowed))
        return raw

    def number(self, raw: Any, path: str) -> float:
        if isinstance(raw, bool) or not _is_number(raw):
            raise self.fail(path, raw, "scheme_expected_number")
        value = float(raw)
        if not math.isfinite(value):
            raise self.fail(path, raw, "scheme_expected_finite")
        return value

    def flag(self, raw: Any, path: str) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(path, raw, "scheme_expected_flag")
        return raw

    def optional_number(self, raw: Any, path: str) -> float | None:
        return None if raw is None else self.number(raw, path)

    def positive(self, raw: Any, path: str) -> float:
        value = self.number(raw, path)
        if value <= 0:
            raise self.fail(path, raw, "scheme_positive")
        return value

    def share(self, raw: Any, path: str) -> float:
        value = self.number(raw, path)
        if not 0 < value <= 1:
            raise self.fail(path, raw, "scheme_share")
        return value

    def unique(self, ids: list[str], path: str, what: str) -> None:
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise self.fail(path, dup[0], what)


def _translation(key: str, text: str) -> str:
    """The Chinese of ``text`` from :data:`SCHEME_NOTES` if its entry ``key`` translates exactly that
    text (a note edited in a copy of a preset is not the translated one), else ""."""
    entry = SCHEME_NOTES.get(key)
    return entry["zh"] if entry and entry["en"] == text else ""


def _translated_notes(scheme_id: str, notes: tuple[str, ...]) -> tuple[str, ...]:
    """Chinese notes, one for one (a note without a translation as written); () if none has one."""
    zh = [_translation(f"{scheme_id}.note.{n}", note) for n, note in enumerate(notes, start=1)]
    return tuple(z or note for z, note in zip(zh, notes, strict=True)) if any(zh) else ()


def _with_translated_note(group: Group, scheme_id: str) -> Group:
    if group.note_zh or not group.note:
        return group
    return replace(group, note_zh=_translation(f"{scheme_id}.{group.id}.note", group.note))


def _is_number(raw: Any) -> bool:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return True
    try:
        float(str(raw))
        return True
    except ValueError:
        return False

"""Tests of zkq_geo.evaluation.scheme: the presets load and cite their source; bad schemes give precise
errors."""

from __future__ import annotations

import textwrap

import pytest
from evaldata import MINIMAL_SCHEME as MINIMAL

from zkq_geo.errors import DataSourceError, OptionError
from zkq_geo.evaluation.scheme import (
    SchemeError,
    list_presets,
    load_scheme,
    parse_scheme,
    preset_ids,
    preset_text,
    unsourced_items,
)

PRESETS = ("huaian", "huangyan_2022", "linhai", "zhengzhou_2018")


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text
    return text.replace(old, new)


def test_presets_are_shipped_and_cite_domain_facts():
    assert set(PRESETS) <= set(preset_ids())
    schemes = {s.id: s for s in list_presets()}
    huangyan = schemes["huangyan_2022"]
    assert [g.id for g in huangyan.groups] == ["above_scale", "below_scale", "leased"]
    above = {i.id: (i.weight, i.benchmark.value) for i in huangyan.group("above_scale").indicators}
    assert above == {
        "tax_per_mu": (30, 24.097),
        "va_per_mu": (20, 136.16),
        "va_per_energy": (20, 2.694),
        "va_per_emission": (10, 4929.81),
        "va_per_employee": (10, 18.14),
        "rd_intensity": (10, 0.0302),
    }
    below = {i.id: (i.weight, i.benchmark.value) for i in huangyan.group("below_scale").indicators}
    assert below == {"tax_per_mu": (50, 11.5932), "tax_per_kwh": (50, 0.2352)}
    linhai = schemes["linhai"].group("land_3mu_plus")
    assert [(i.id, i.weight, i.benchmark.value, i.benchmark.rule) for i in linhai.indicators] == [
        ("tax_per_mu", 40, 15, None),
        ("revenue_per_mu", 10, 300, None),
        ("va_per_energy", 20, 3, None),
        ("va_per_cod", 15, None, "mean"),
        ("va_per_water", 5, None, "mean"),
        ("va_per_employee", 10, 15, None),
    ]
    assert [i.weight for i in schemes["linhai"].group("land_below_3mu").indicators] == [50, 20, 30]
    assert [i.weight for i in schemes["huaian"].group("all_firms").indicators] == [45, 35, 20]
    assert schemes["zhengzhou_2018"].class_rule.kind == "two_stage"
    for s in schemes.values():
        assert "DOMAIN.md" in s.source and s.notes
        assert all(i.cap is None for g in s.groups for i in g.indicators)  # no cap is published
        leased = [g for g in s.groups if g.for_leased]
        assert leased and all(not i.formula.uses("land_area_mu") for g in leased for i in g.indicators)
        assert all(
            i.placeholder and not i.published for g in leased for i in g.indicators
        )  # zkq-geo defaults


def test_zhengzhou_2018_is_honest_about_its_placeholders():
    """DOMAIN.md records only Zhengzhou's class rule: A = 15% from the top half by 亩均税收, C = 10%
    from the bottom half by output per unit energy. Everything that scores firms is a placeholder."""
    z = load_scheme("zhengzhou_2018")
    rule = z.class_rule
    assert (rule.kind, rule.split_by, rule.split_share, rule.a_share, rule.c_by, rule.c_share) == (
        "two_stage",
        "tax_per_mu",
        0.5,
        0.15,
        "revenue_per_energy",
        0.10,
    )
    assert z.group("all_firms").indicators and all(i.placeholder for g in z.groups for i in g.indicators)
    assert "占位" in z.title_zh and "placeholder" in z.title_en and "placeholder" in z.source
    topics = [topic for topic, _ in unsourced_items(z)]
    assert topics == ["占位 placeholder: all_firms", "占位 placeholder: leased"]
    # presets whose weights DOMAIN.md records have no placeholder outside the leased group
    for preset in ("huangyan_2022", "linhai", "huaian"):
        assert {g.id for g, _ in load_scheme(preset).placeholders} == {"leased"}


def test_placeholder_implies_unpublished_and_flags_are_booleans():
    placeholder = edited("benchmark: 10}", "benchmark: 10, placeholder: true}")
    ind = parse_scheme(placeholder).groups[0].indicators[0]
    assert ind.placeholder and not ind.published
    with pytest.raises(SchemeError, match="placeholder indicator is not published"):
        parse_scheme(edited("benchmark: 10}", "benchmark: 10, placeholder: true, published: true}"))
    with pytest.raises(SchemeError, match=r"published = 'no': expected true or false"):
        parse_scheme(edited("benchmark: 10}", "benchmark: 10, published: 'no'}"))


def test_unpublished_benchmarks_are_flagged():
    linhai = load_scheme("linhai")
    flagged = {i.id for g in linhai.groups if g.id != "leased" for i in g.indicators if not i.published}
    assert {"va_per_cod", "va_per_water"} <= flagged
    assert not any(i.published is False for i in load_scheme("huangyan_2022").group("above_scale").indicators)
    topics = dict(unsourced_items(linhai))
    assert (
        "va_per_cod (mean of the evaluated group)"
        in topics["基准未公布 benchmark not published: land_3mu_plus"]
    )


def test_load_by_path_and_unknown_preset(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(preset_text("huaian"), encoding="utf-8")
    assert load_scheme(path).id == "huaian" and load_scheme(str(path)).origin == "mine.yaml"
    with pytest.raises(OptionError, match="presets: huaian, huangyan_2022, linhai, zhengzhou_2018"):
        load_scheme("nanjing")
    with pytest.raises(DataSourceError, match="not found"):
        load_scheme(tmp_path / "missing.yaml")


def test_minimal_scheme_parses():
    s = parse_scheme(MINIMAL, "mini.yaml")
    assert s.indicator_ids == ("tax_per_mu",) and s.class_rule.cuts == (0.2, 0.6, 0.95)
    assert s.classes == ("A", "B", "C", "D") and s.columns == ("land_area_mu", "tax_wan")


@pytest.mark.parametrize(
    "when, english, chinese",
    [
        ("", "land_status = owned", "用地方式 = 自有"),
        ("{scale: above}", "scale = above; land_status = owned", "规模 = 规上；用地方式 = 自有"),
        (
            "{scale: below, land_area_mu: {min: 3}}",
            "scale = below; land_area_mu ≥ 3; land_status = owned",
            "规模 = 规下；用地面积 ≥ 3 亩；用地方式 = 自有",
        ),
        ("{land_status: leased}", "land_status = leased", "用地方式 = 租赁"),
    ],
)
def test_a_group_says_which_firms_it_evaluates_in_both_languages(when, english, chinese):
    text = MINIMAL if not when else edited("    indicators:", f"    when: {when}\n    indicators:")
    if "leased" in when:  # leased firms have no land area to divide by
        text = text.replace("tax_wan / land_area_mu", "tax_wan / employees")
    group = parse_scheme(text, "mini.yaml").groups[0]
    assert group.describe_when() == english
    assert group.describe_when("zh") == chinese


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "weight: 100",
            "weight: -5",
            r"mine.yaml: groups\[0\].indicators\[0\].weight = -5: must be a number > 0",
        ),
        ("weight: 100", "weight: lots", r"indicators\[0\].weight = 'lots': expected a number"),
        (
            "weight: 100",
            "wieght: 100",
            r"indicators\[0\].wieght = 100: unknown key; allowed keys: id, label_zh",
        ),
        ("benchmark: 10", "benchmark: average", r"benchmark = 'average': choose one of: mean, median"),
        ("benchmark: 10", "benchmark: {rule: mode}", r"benchmark.rule = 'mode': choose one of: mean, median"),
        (
            "tax_wan / land_area_mu",
            "__import__('os').system('rm -rf /')",
            r"indicators\[0\].formula: .*function call",
        ),
        ("tax_wan / land_area_mu", "tax_wan / floor_area_m2", "floor area is never used"),
        ("tax_wan / land_area_mu", "tax_wan / land_mu", r"unknown column 'land_mu'"),
        ("cuts: {A: 0.2, B: 0.6, C: 0.95}", "cuts: {A: 0.6, B: 0.2, C: 0.95}", "A < B < C"),
        (
            "cuts: {A: 0.2, B: 0.6, C: 0.95}",
            "cuts: {A: 20, B: 60, C: 95}",
            r"cuts.A = 20: a share must be in \(0, 1\]",
        ),
        (
            "kind: percentile",
            "kind: quartile",
            r"class_rule.kind = 'quartile': choose one of: percentile, two_stage",
        ),
        ("id: mini", "id: Mini Scheme", r"id = 'Mini Scheme': ids are lower-case"),
        ("id: tax_per_mu,", "id: total_score,", "may not reuse"),
        ("source: test\n", "", r"source = None: this key is required"),
        (
            "    indicators:",
            "    when: {scale: huge}\n    indicators:",
            r"when.scale = 'huge': allowed: above, below",
        ),
        (
            "    indicators:",
            "    when: {colour: red}\n    indicators:",
            r"when.colour = 'red': groups can test ledger columns only",
        ),
        (
            "    indicators:",
            "    when: {land_area_mu: {min: 5, below: 3}}\n    indicators:",
            "min must be below",
        ),
        (
            "    indicators:",
            "    when: {land_status: leased}\n    indicators:",
            "leased firms cannot use land_area_mu",
        ),
    ],
)
def test_validation_errors_name_file_field_value_and_choices(old, new, message):
    with pytest.raises(SchemeError, match=message):
        parse_scheme(edited(old, new), "mine.yaml")


def test_duplicate_ids_and_empty_groups():
    doubled = MINIMAL.replace(
        "class_rule:",
        textwrap.dedent("""\
      - id: all
        label_zh: 重复
        label_en: Again
        indicators:
          - {id: x, label_zh: x, label_en: x, formula: tax_wan, weight: 1, benchmark: 1}
    class_rule:""").replace("  - id: all", "  - id: all", 1),
    )
    with pytest.raises(SchemeError, match="group id used more than once"):
        parse_scheme(doubled.replace("class_rule:", "class_rule:"), "d.yaml")
    with pytest.raises(SchemeError, match="at least one indicator"):
        parse_scheme(
            MINIMAL.replace(
                "    indicators:\n      - {id: tax_per_mu, label_zh: 亩均税收, label_en: Tax per mu, "
                "formula: tax_wan / land_area_mu,\n         weight: 100, benchmark: 10}",
                "    indicators: []",
            ),
            "e.yaml",
        )


def test_yaml_syntax_error_gives_the_line():
    with pytest.raises(SchemeError, match=r"bad.yaml: not valid YAML at line \d+"):
        parse_scheme("id: x\ngroups: [\n", "bad.yaml")
    with pytest.raises(SchemeError, match=r"\(top level\) = \['a'\]: expected a mapping"):
        parse_scheme("- a\n", "list.yaml")


def test_two_stage_rule_must_name_indicators_of_every_group_using_it():
    text = edited(
        "class_rule: {kind: percentile, cuts: {A: 0.2, B: 0.6, C: 0.95}}",
        "class_rule: {kind: two_stage, split_by: tax_per_mu, c_by: energy_output}",
    )
    with pytest.raises(
        SchemeError,
        match=r"class_rule.c_by = 'energy_output': a group using this rule has no such indicator; choose "
        r"one of: tax_per_mu",
    ):
        parse_scheme(text, "z.yaml")
    ok = text.replace("energy_output", "tax_per_mu")
    assert parse_scheme(ok).class_rule.c_by == "tax_per_mu"
    with pytest.raises(SchemeError, match="cannot exceed split_share"):
        parse_scheme(ok.replace("split_by: tax_per_mu,", "split_by: tax_per_mu, split_share: 0.1,"))


def test_adjustments_need_points_or_column():
    text = MINIMAL + "adjustments:\n  - {id: bonus, label_zh: 加分, label_en: Bonus}\n"
    with pytest.raises(SchemeError, match=r"adjustments\[0\].*either points"):
        parse_scheme(text)
    good = (
        MINIMAL
        + "adjustments:\n  - {id: bonus, label_zh: 加分, label_en: Bonus, when: {高新: 是}, points: 3}\n"
    )
    adj = parse_scheme(good).adjustments[0]
    assert adj.points == 3 and adj.when[0].column == "高新" and adj.when[0].values == ("是",)


def test_chinese_notes_are_optional_and_one_for_one():
    for scheme in list_presets():
        assert len(scheme.notes_zh) == len(scheme.notes) and all(
            any("\u4e00" <= c <= "\u9fff" for c in n) for n in scheme.notes_zh
        )
    with pytest.raises(SchemeError, match="notes_zh has 1 entries but notes has 0") as exc:
        parse_scheme(MINIMAL.replace("class_rule:", "notes_zh: [只有中文]\nclass_rule:"), "n.yaml")
    assert "一一对应" in exc.value.text("zh")

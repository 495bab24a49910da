"""Expectations shared by the evaluation tests (library, CLI and app), written out by hand.

``MINIMAL_SCHEME``: the smallest valid scheme, one group and one indicator (10 万元/亩 benchmark).
``CONTRACT_TAIL``: the columns that end every row of ``zkq-geo evaluate`` CSV/JSON, after each
indicator value and item score, in the contract's order.
``HUANGYAN_SHEETS``: the first sheets of the huangyan_2022 evaluation workbook.
"""

from __future__ import annotations

MINIMAL_SCHEME = """
id: mini
title_zh: 最小方案
title_en: Minimal scheme
source: test
groups:
  - id: all
    label_zh: 全部
    label_en: All
    indicators:
      - {id: tax_per_mu, label_zh: 亩均税收, label_en: Tax per mu, formula: tax_wan / land_area_mu,
         weight: 100, benchmark: 10}
class_rule: {kind: percentile, cuts: {A: 0.2, B: 0.6, C: 0.95}}
"""

CONTRACT_TAIL = [
    "total_score",
    "rank",
    "class",
    "excluded_reason",
    "adjustment_score",
    "status",
    "reason_code",
    "notes",
]

HUANGYAN_SHEETS = [
    "说明 Method",
    "汇总 Summary",
    "规上企业",
    "规下企业",
    "租赁厂房企业（zkq-geo 默认，非公布规则）",
]

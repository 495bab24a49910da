"""CLI tests: impossible ledger numbers (land 0, -5, 1e-320; investment 1e309, inf) are refused by
``join``, never ranked by ``efficiency`` and excluded with a reason by ``evaluate``; they drive the
real installed command."""

from __future__ import annotations

import json
from pathlib import Path

import importdata as d
import pytest
from evaldata import MINIMAL_SCHEME
from zkqcli import one_line_error, run

# one indicator, tax per mu (benchmark 10 万元/亩); missing figures score zero, utilities are rated
SIMPLE_SCHEME = MINIMAL_SCHEME + "missing_values: zero\nspecial_firms: rate_only\n"


@pytest.fixture
def ws(tmp_path) -> Path:
    return tmp_path / "ws"


def test_join_refuses_impossible_land_and_investment_naming_every_row(tmp_path, ws):
    assert run(ws, "import", d.gbk_shapefile_zip(tmp_path / "in"), "--as", "dikuai").returncode == 0
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "企业名称,总投资（万元）,用地面积（亩）\n"
        "郑州汽车电子产业园,100,0\n中兴产业园,1e309,-5\n生物医药“创新”园,100,1e-320\n",
        encoding="utf-8",
    )
    units = ("--land", "用地面积（亩）", "--investment", "总投资（万元）")
    r = run(ws, "join", "dikuai", ledger, "--key", "name", "--table-key", "企业名称", *units)
    line = one_line_error(r)
    assert line.startswith("zkq-geo: error: impossible figures in the ledger: '用地面积（亩）': ")
    for cell in (
        "郑州汽车电子产业园='0' (zero)",
        "中兴产业园='-5' (negative)",
        "生物医药“创新”园='1e-320' (below the minimum land area of 1 m² (0.0015 亩))",
        "'总投资（万元）': 中兴产业园='1e309' (not a finite number)",
    ):
        assert cell in line
    r = run(ws, "join", "dikuai", ledger, "--key", "name", "--table-key", "企业名称", *units, "--as", "bad")
    assert "impossible figures" in one_line_error(r) and not (ws / "layers" / "bad").exists()


def test_efficiency_never_ranks_inf_and_says_which_features_it_left_out(tmp_path, ws):
    layer = tmp_path / "eff.csv"
    layer.write_text(
        "name,lon,lat,investment_yi,land_area_mu\n"
        "A,113.70,34.70,inf,10\nB,113.71,34.71,5,10\nC,113.72,34.72,1,1e-320\n"
        "D,113.73,34.73,2,-5\nE,113.74,34.74,3,10\n",
        encoding="utf-8",
    )
    assert run(ws, "import", layer, "--as", "eff").returncode == 0
    r = run(ws, "efficiency", "eff", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["name"], x["intensity_rank"]) for x in rows][:2] == [("B", 1), ("E", 2)]
    assert all(x["intensity_rank"] is None for x in rows[2:])
    assert r.stderr.startswith("zkq-geo: warning: 3 feature(s) not ranked and not divided")
    for text in (
        "eff_1 A: investment_yi = inf (not a finite number)",
        "eff_4 D: land_area_mu = -5 (negative)",
        "eff_3 C: land_area_mu = 9.99989e-321 (below the minimum land area",
    ):
        assert text in r.stderr
    table = run(ws, "efficiency", "eff")
    assert table.stdout.splitlines()[1].split()[:3] == ["1", "eff_2", "B"]


def test_evaluate_excludes_impossible_land_with_the_reason(tmp_path, ws):
    scheme = tmp_path / "simple.yaml"
    scheme.write_text(SIMPLE_SCHEME, encoding="utf-8")
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "统一社会信用代码,企业名称,用地面积（亩）,税收（万元）\n"
        "T1,极小,1e-320,1\nN1,负数,-5,50\nI1,无穷,10,1e309\nOK,正常,10,50\n",
        encoding="utf-8",
    )
    r = run(ws, "evaluate", ledger, "--scheme", scheme, "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {x["credit_code"]: x for x in json.loads(r.stdout)}
    assert rows["OK"]["rank"] == 1 and [rows[c]["rank"] for c in ("T1", "N1", "I1")] == [None] * 3
    assert rows["T1"]["reason_code"] == rows["N1"]["reason_code"] == "invalid_land_area"
    assert rows["I1"]["reason_code"] == "invalid_figure" and "tax_wan = inf" in rows["I1"]["notes"]
    # the CSV/JSON reason is English only (the Chinese is for the reports and the page)
    assert rows["N1"]["excluded_reason"] == (
        "impossible land area (not finite, negative or under 1 m²): never divided by"
    )
    assert "excluded_reason_zh" not in rows["N1"] and "notes_zh" not in rows["N1"]
    assert "3 excluded" in r.stderr

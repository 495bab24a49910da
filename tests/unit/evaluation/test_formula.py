"""Tests of zkq_geo.evaluation.formula: only arithmetic over column names is accepted, nothing is eval'ed."""

from __future__ import annotations

import numpy as np
import pytest

from zkq_geo.errors import SchemaError
from zkq_geo.evaluation.formula import FormulaError, evaluate_formula, parse_formula

COLUMNS = ("tax_wan", "land_area_mu", "electricity_kwh")


def test_parse_and_evaluate_arithmetic():
    f = parse_formula("tax_wan * 10000 / electricity_kwh", COLUMNS)
    assert f.names == ("electricity_kwh", "tax_wan")
    out = evaluate_formula(f, {"tax_wan": [30.0, 1.0], "electricity_kwh": [1e6, 4e4]})
    np.testing.assert_allclose(out, [0.3, 0.25])


def test_parentheses_unary_minus_and_constants():
    f = parse_formula("-(tax_wan - 2) / (land_area_mu + 0.5)", COLUMNS)
    np.testing.assert_allclose(evaluate_formula(f, {"tax_wan": [12.0], "land_area_mu": [4.5]}), [-2.0])


def test_division_by_zero_and_missing_give_nan_never_inf():
    f = parse_formula("tax_wan / land_area_mu", COLUMNS)
    out = evaluate_formula(f, {"tax_wan": [1.0, 0.0, np.nan], "land_area_mu": [0.0, 0.0, 2.0]})
    assert np.isnan(out).all()


def test_divides_by_finds_denominators():
    f = parse_formula("tax_wan / (land_area_mu * 2)", COLUMNS)
    assert f.divides_by("land_area_mu") and not f.divides_by("tax_wan")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("__import__('os').system('echo pwned')", "function call"),
        ("open('/etc/passwd')", "function call"),
        ("tax_wan.__class__", "attribute access"),
        ("tax_wan ** 2", r"'\*\*'"),
        ("tax_wan % 3", "'%'"),
        ("tax_wan // 3", "'//'"),
        ("tax_wan[0]", "indexing"),
        ("tax_wan > 1", "comparison"),
        ("tax_wan if land_area_mu else 0", "if/else"),
        ("lambda: 1", "lambda"),
        ("'text'", "only numbers"),
        ("True", "only numbers"),
        ("not tax_wan", "UnaryOp|Not"),
        ("[tax_wan]", "List"),
        ("x = 1", "not an arithmetic expression"),
        ("", "empty"),
    ],
)
def test_anything_but_arithmetic_is_refused(text, fragment):
    with pytest.raises(FormulaError, match=fragment):
        parse_formula(text, COLUMNS)


def test_unknown_column_lists_the_allowed_ones():
    with pytest.raises(
        FormulaError, match=r"unknown column 'os'.*allowed columns: electricity_kwh, land_area_mu, tax_wan"
    ):
        parse_formula("os / 2", COLUMNS)


def test_too_long_is_refused_and_errors_are_schema_errors():
    with pytest.raises(SchemaError, match="at most 300"):
        parse_formula("+".join(["tax_wan"] * 60), COLUMNS)


def test_missing_input_column_at_evaluation():
    f = parse_formula("tax_wan / land_area_mu", COLUMNS)
    with pytest.raises(SchemaError, match="land_area_mu"):
        evaluate_formula(f, {"tax_wan": [1.0]})

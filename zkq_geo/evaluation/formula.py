"""Safe arithmetic formulas over ledger columns, for the indicators of evaluation schemes.

A formula is parsed with :mod:`ast` and only these nodes are allowed: column names, numbers,
``+ - * /``, unary ``+``/``-`` and parentheses. Function calls, attribute access, subscripts,
comparisons, strings, ``**`` and everything else are refused with a message naming what was
found. Nothing is ever passed to ``eval``: :func:`evaluate_formula` walks the checked tree
itself over numpy arrays.

>>> f = parse_formula("tax_wan / land_area_mu", allowed=("tax_wan", "land_area_mu"))
>>> f.names
('land_area_mu', 'tax_wan')
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from zkq_geo.errors import SchemaError
from zkq_geo.i18n.messages import Items, msg

MAX_FORMULA_CHARS = 300
_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_OPERATOR_TEXT = "+ - * /"


class FormulaError(SchemaError):
    """A formula uses something other than column names, numbers, + - * / and parentheses."""


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its parse tree and the column names it reads."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def uses(self, name: str) -> bool:
        return name in self.names

    def divides_by(self, name: str) -> bool:
        """True when ``name`` appears anywhere in a denominator."""
        return any(
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and name in _names_in(node.right)
            for node in ast.walk(self.tree)
        )


def parse_formula(text: str, allowed: tuple[str, ...] | frozenset[str] | set[str]) -> Formula:
    """Check ``text`` and return a :class:`Formula`.

    Parameters
    ----------
    text : str
        E.g. ``"value_added_wan / energy_tce"``.
    allowed : collection of str
        The column names the formula may read.

    Raises
    ------
    FormulaError
        The text is empty, too long, not an expression, or uses anything not allowed; the
        message names the offending part and lists what is allowed.
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(msg("formula_empty", text=text))
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(msg("formula_too_long", n=len(text), limit=MAX_FORMULA_CHARS))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(msg("formula_not_expression", text=text, error=exc.msg)) from None
    for node in ast.walk(tree):
        _check_node(node, text, allowed)
    return Formula(text=text.strip(), tree=tree, names=tuple(sorted(_names_in(tree))))


def evaluate_formula(formula: Formula, columns: Mapping[str, object]) -> np.ndarray:
    """Evaluate a checked formula over equal-length numeric columns; returns float64.

    Division by zero and missing inputs give NaN (never inf), so a result is either a finite
    number or NaN.
    """
    missing = [n for n in formula.names if n not in columns]
    if missing:
        raise SchemaError(msg("formula_needs_columns", text=formula.text, columns=Items(missing)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.asarray(_eval(formula.tree.body, columns), dtype="float64")
    return np.where(np.isfinite(result), result, np.nan)


# ----------------------------------------------------------------------------- workers
def _check_node(node: ast.AST, text: str, allowed) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _OPERATORS:
        return
    if isinstance(node, (ast.UAdd, ast.USub, ast.UnaryOp)):
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPERATORS:
            raise FormulaError(
                msg("formula_operator", text=text, what=_describe(node.op), operators=_OPERATOR_TEXT)
            )
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(msg("formula_constant", text=text, value=node.value))
        return
    if isinstance(node, ast.Name):
        if node.id not in allowed:
            choices = Items(sorted(allowed))
            raise FormulaError(msg("formula_unknown_column", text=text, name=node.id, choices=choices))
        return
    raise FormulaError(msg("formula_not_allowed", text=text, what=_describe(node), operators=_OPERATOR_TEXT))


def _describe(node: ast.AST):
    kinds = {
        ast.Call: "call",
        ast.Attribute: "attribute",
        ast.Subscript: "subscript",
        ast.Compare: "compare",
        ast.BoolOp: "boolop",
        ast.Pow: "pow",
        ast.Mod: "mod",
        ast.FloorDiv: "floordiv",
        ast.Lambda: "lambda",
        ast.IfExp: "ifexp",
    }
    key = next((label for kind, label in kinds.items() if isinstance(node, kind)), None)
    return msg(f"formula_node_{key}") if key else msg("formula_node_other", kind=type(node).__name__)


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _eval(node: ast.AST, columns: Mapping[str, object]):
    if isinstance(node, ast.BinOp):
        return _OPERATORS[type(node.op)](_eval(node.left, columns), _eval(node.right, columns))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, columns)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return np.asarray(columns[node.id], dtype="float64")
    raise FormulaError(f"unexpected {type(node).__name__} in a checked formula")  # unreachable

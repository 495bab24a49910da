"""The package's shape, checked over the AST of every module (docs/architecture.md):

- no import cycles, counting imports inside functions too;
- no module imports another module's ``_private`` name (zkq_geo and app/);
- ``zkq_geo`` never imports streamlit;
- imports point down the layers: core -> safety -> analysis -> importing -> workspace/office/layers/export
  -> render -> evaluation -> validate/bench -> cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "zkq_geo"
# Lower number = lower layer; a module may import its own layer and the layers below.
LAYERS = {
    "errors": 0,
    "i18n": 0,
    "units": 0,
    "paths": 0,
    "columns": 0,
    "cells": 0,
    "limits": 0,
    "crs": 0,
    "io": 0,
    "catalog": 0,
    "safety": 1,
    "analysis": 2,
    "importing": 3,
    "workspace": 4,
    "layers": 4,
    "export": 4,
    "office": 4,
    "render": 5,
    "evaluation": 6,
    "validate": 7,
    "bench": 7,
    "bench_big": 7,
    "bench_sessions": 7,
    "cli": 8,
    "__main__": 8,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) for every import of the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, a.name, node.lineno) for a in node.names]
    return found


def _targets(module: str, name: str | None) -> str | None:
    """The zkq_geo module an import refers to (``from zkq_geo.x import y`` may import module x.y)."""
    if not module.startswith("zkq_geo"):
        return None
    if name and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module if module in MODULES else None


def _graph() -> dict[str, set[str]]:
    return {
        m: {t for mod, name, _ in _imports(p) if (t := _targets(mod, name)) and t != m}
        for m, p in MODULES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_no_import_cycles_even_through_function_level_imports():
    assert _cycles(_graph()) == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m != "zkq_geo" and _layer(m) is None] == []


def test_imports_point_down_the_layers():
    upward = [
        f"{m} -> {t}"
        for m, targets in _graph().items()
        for t in targets
        if m != "zkq_geo" and _layer(m) is not None and _layer(t) is not None and _layer(t) > _layer(m)
    ]
    assert upward == []


@pytest.mark.parametrize("folder", ["zkq_geo", "app"])
def test_no_private_names_are_imported_across_modules(folder):
    crossing = [
        f"{p.relative_to(ROOT)}:{line} imports {name} from {module}"
        for p in (ROOT / folder).rglob("*.py")
        for module, name, line in _imports(p)
        if name
        and name.startswith("_")
        and not name.startswith("__")
        and (module.startswith("zkq_geo") or folder == "app")
    ]
    assert crossing == []


# The one exception, inside a function: `zkq-geo bench` measures the app's reruns with AppTest.
STREAMLIT_ALLOWED = {"zkq_geo/bench.py"}


def test_zkq_geo_never_imports_streamlit():
    found = {
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        for module, _, line in _imports(p)
        if module.split(".")[0] in ("streamlit", "streamlit_folium")
    }
    assert found <= STREAMLIT_ALLOWED


def test_importing_zkq_geo_and_its_library_loads_no_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, zkq_geo, zkq_geo.cli.main, zkq_geo.importing.reader, zkq_geo.evaluation.report, "
        "zkq_geo.render.builder, zkq_geo.workspace, zkq_geo.layers, zkq_geo.bench; "
        "print(sorted(m for m in sys.modules if m.startswith('streamlit')))"
    )
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        == "[]\n"
    )

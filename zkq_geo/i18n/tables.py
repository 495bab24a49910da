"""Load a bilingual table: a TOML file of ``[key]`` entries, each with exactly ``en`` and ``zh``.

The message table (messages.toml), the labels of columns and codes (labels.toml) and the app's UI
strings (app/strings.toml) all have this one shape. They are data, not code, so a translator
edits them without touching Python, and a missing or extra language fails when the table loads,
not when a planner first reaches the text.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

TABLE_LANGS = frozenset({"en", "zh"})


def load_table(path: Path) -> dict[str, dict[str, str]]:
    """``{key: {"en": text, "zh": text}}`` from the TOML file ``path`` (file order kept)."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    bad = [
        key
        for key, entry in doc.items()
        if not isinstance(entry, dict)
        or set(entry) != TABLE_LANGS
        or not all(isinstance(v, str) and v for v in entry.values())
    ]
    if bad:
        raise ValueError(f"{path.name}: entries without exactly an en and a zh text: {', '.join(bad[:10])}")
    return doc

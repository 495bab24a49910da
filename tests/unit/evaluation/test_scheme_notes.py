"""Tests of the Chinese notes of schemes: the presets' translations live in
zkq_geo/i18n/scheme_notes.toml (the scheme files stay as published), a scheme's own notes_zh wins."""

from __future__ import annotations

import yaml

from zkq_geo.evaluation.evaluate import evaluate
from zkq_geo.evaluation.ledger import read_ledger
from zkq_geo.evaluation.report import evaluation_html, method_rows
from zkq_geo.evaluation.scheme import (
    SCHEME_NOTES,
    list_presets,
    load_scheme,
    parse_scheme,
    preset_text,
    schemes_dir,
)
from zkq_geo.paths import geodata_root


def _preset_notes() -> dict[str, str]:
    """Every note of every preset scheme file, by its key in the translation table."""
    notes = {}
    for scheme in list_presets():
        notes |= {f"{scheme.id}.note.{n}": note for n, note in enumerate(scheme.notes, start=1)}
        notes |= {f"{scheme.id}.{g.id}.note": g.note for g in scheme.groups if g.note}
    return notes


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_every_preset_note_has_a_translation_of_exactly_its_text():
    notes = _preset_notes()
    assert len(notes) >= 20
    for key, note in notes.items():
        assert key in SCHEME_NOTES, f"no translation of {key} in zkq_geo/i18n/scheme_notes.toml"
        assert SCHEME_NOTES[key]["en"] == note, f"{key}: the en text is not the scheme file's note"
        assert _has_chinese(SCHEME_NOTES[key]["zh"]), key
    assert set(SCHEME_NOTES) == set(notes), "translations of notes no preset has"


def test_the_scheme_files_carry_no_chinese_notes():
    for path in sorted(schemes_dir().glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "notes_zh" not in doc, path.name
        assert all("note_zh" not in g for g in doc["groups"]), path.name


def test_presets_read_their_notes_in_chinese_from_the_table():
    huangyan = load_scheme("huangyan_2022")
    assert huangyan.notes_in("en") == huangyan.notes
    assert huangyan.notes_in("zh") == tuple(
        SCHEME_NOTES[f"huangyan_2022.note.{n}"]["zh"] for n in range(1, len(huangyan.notes) + 1)
    )
    leased = huangyan.group("leased")
    assert leased.note_in("zh") == "不属于公布的方案；租赁企业没有自有用地，从不以建筑面积作除数。"
    assert leased.note_in("en") == leased.note
    for scheme in list_presets():
        assert all(_has_chinese(n) for n in scheme.notes_in("zh")), scheme.id


def test_a_schemes_own_chinese_notes_win_over_the_table():
    text = preset_text("huaian")
    doc = yaml.safe_load(text)
    own = [f"本区自己的说明 {n}" for n in range(len(doc["notes"]))]
    scheme = parse_scheme(text + "notes_zh:\n" + "".join(f"  - {n}\n" for n in own), "huaian.yaml")
    assert scheme.notes_in("zh") == tuple(own)
    assert scheme.notes_in("en") == tuple(doc["notes"])


def test_an_edited_note_reads_as_written_the_others_are_translated():
    text = preset_text("linhai")
    first = yaml.safe_load(text)["notes"][0]
    scheme = parse_scheme(text.replace(first, "Our own note."), "linhai.yaml")
    zh = scheme.notes_in("zh")
    assert zh[0] == "Our own note."
    assert zh[1:] == tuple(SCHEME_NOTES[f"linhai.note.{n}"]["zh"] for n in range(2, len(zh) + 1))


def test_a_scheme_of_another_id_gets_no_translation():
    text = preset_text("huangyan_2022").replace("id: huangyan_2022", "id: my_zone", 1)
    scheme = parse_scheme(text, "mine.yaml")
    assert scheme.notes_zh == () and scheme.notes_in("zh") == scheme.notes
    assert scheme.group("leased").note_in("zh") == scheme.group("leased").note


def test_the_chinese_report_shows_the_translated_notes_the_english_one_the_notes():
    ledger = read_ledger(geodata_root() / "examples" / "demo_ledger_synthetic.csv")
    evaluation = evaluate(ledger, load_scheme("zhengzhou_2018"))
    zh_notes = [text for topic, text in method_rows(evaluation, "zh") if topic == "说明"]
    en_notes = [text for topic, text in method_rows(evaluation, "en") if topic == "Note"]
    assert zh_notes == list(evaluation.scheme.notes_in("zh")) and en_notes == list(evaluation.scheme.notes)
    page = evaluation_html(evaluation, lang="zh")
    assert SCHEME_NOTES["zhengzhou_2018.note.3"]["zh"] in page
    assert SCHEME_NOTES["zhengzhou_2018.note.3"]["en"] not in page

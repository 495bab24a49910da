"""The bilingual tables are TOML data with one shape, checked when they load."""

from pathlib import Path

import pytest

from zkq_geo.i18n.labels import LABELS
from zkq_geo.i18n.messages import MESSAGES
from zkq_geo.i18n.tables import load_table

APP_STRINGS = Path(__file__).resolve().parents[3] / "app" / "strings.toml"


@pytest.mark.parametrize(
    "table", [MESSAGES, LABELS, load_table(APP_STRINGS)], ids=["messages", "labels", "app"]
)
def test_every_entry_has_both_texts(table):
    assert len(table) > 50
    assert all(set(entry) == {"en", "zh"} and all(entry.values()) for entry in table.values())


def test_report_and_bench_headers_live_in_the_label_table():
    assert LABELS["report.total_score"] == {"zh": "总分", "en": "Total score"}
    assert LABELS["bench.benchmark"]["zh"] == "基准值"


@pytest.mark.parametrize(
    "body, bad",
    [
        ('[a]\nen = "x"\n', "a"),  # no Chinese
        ('[a]\nen = "x"\nzh = "甲"\nfr = "y"\n', "a"),  # a third language
        ('[a]\nen = "x"\nzh = ""\n', "a"),  # an empty text
        ('a = "x"\n', "a"),  # not a table
    ],
)
def test_a_malformed_entry_fails_when_the_table_loads(tmp_path, body, bad):
    path = tmp_path / "t.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=f"t.toml: entries without exactly an en and a zh text: {bad}"):
        load_table(path)


def test_file_order_is_kept(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[b]\nen = "B"\nzh = "乙"\n\n[a]\nen = "A"\nzh = "甲"\n', encoding="utf-8")
    assert list(load_table(path)) == ["b", "a"]

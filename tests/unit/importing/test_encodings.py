"""zkq_geo.importing.encodings: BOM, UTF-8, GB18030 detection; .cpg codecs that are text and
ASCII-compatible."""

from __future__ import annotations

import pytest

from zkq_geo.errors import OptionError
from zkq_geo.importing.encodings import (
    check_encoding_choice,
    dbf_encoding,
    is_ascii_compatible,
    is_text_encoding,
    text_encoding,
)


@pytest.mark.parametrize(
    "data, encoding, how",
    [
        ("名称,经度\n甲,113.7\n".encode(), "utf-8", "detected"),
        ("名称,经度\n甲,113.7\n".encode("gbk"), "gb18030", "detected"),
        (b"\xef\xbb\xbfname\n", "utf-8-sig", "declared"),
        ("名称".encode("utf-16"), "utf-16", "declared"),
        (b"name,lon\na,1\n", "utf-8", "detected"),
    ],
)
def test_text_encoding_is_detected(data, encoding, how):
    guess = text_encoding(data)
    assert (guess.encoding, guess.how) == (encoding, how)


def test_a_chosen_encoding_wins_and_a_bad_choice_lists_the_allowed():
    assert text_encoding("甲".encode(), "gbk").encoding == "gbk"
    with pytest.raises(OptionError, match="auto"):
        check_encoding_choice("klingon")


@pytest.mark.parametrize(
    "name, text, compatible",
    [
        ("utf-8", True, True),
        ("gbk", True, True),
        ("cp1252", True, True),
        ("utf-16", True, False),
        ("utf-32", True, False),
        ("utf-7", True, False),
        ("base64", False, False),
        ("rot13", False, False),
    ],
)
def test_codec_kinds(name, text, compatible):
    assert is_text_encoding(name) is text and is_ascii_compatible(name) is compatible


def test_dbf_encoding_follows_a_cpg_and_ignores_a_non_text_one(tmp_path):
    dbf = tmp_path / "a.dbf"
    dbf.write_bytes(b"\x03" + b"\0" * 31 + "甲".encode("gbk"))
    (tmp_path / "a.cpg").write_text("GBK", encoding="ascii")
    assert dbf_encoding(dbf).encoding.lower() in ("gbk", "cp936")
    (tmp_path / "a.cpg").write_text("base64", encoding="ascii")
    assert dbf_encoding(dbf).encoding != "base64"

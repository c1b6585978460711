"""PDF with Typst: fonts found here stand in for the official ones (core.typst)."""

import subprocess

import pytest

from wenyi.core import typst


def test_every_official_font_has_a_stand_in_and_the_fallbacks():
    fonts = typst.stand_ins()
    assert set(fonts) == set(typst.OFFICIAL_NAMES)
    for names in fonts.values():
        assert names, "an official font without a stand-in"
        assert all(name.lower() in typst.families() for name in names)
    note = typst.stand_in_note(fonts)
    assert "仿宋_GB2312 → " in note and "方正小标宋简体 → " in note


def test_no_chinese_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(typst, "families", lambda: frozenset({"dejavu sans"}))
    with pytest.raises(typst.TypstFailed, match="fonts-noto-cjk"):
        typst.stand_ins()


def test_compile_fills_the_template_with_the_data(tmp_path):
    template = tmp_path / "t.typ"
    template.write_text(
        "#let d = json(bytes(sys.inputs.data))\n#set text(font: d.fonts.fangsong)\n#d.name\n",
        encoding="utf-8",
    )
    fonts = typst.stand_ins()
    names = ["王𠮷庆", "李娜"]
    for name in names:
        pdf = typst.compile_pdf(template, {"fonts": fonts, "name": name})
        (tmp_path / "t.pdf").write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert name in text  # the kept compiler reads the new data each time


def test_a_failing_template_says_why(tmp_path):
    template = tmp_path / "bad.typ"
    template.write_text("#let x = \n", encoding="utf-8")
    with pytest.raises(typst.TypstFailed):
        typst.compile_pdf(template, {})

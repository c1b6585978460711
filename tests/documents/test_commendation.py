"""The commendation decision (documents.commendation): the body template and its
placeholders, the winners' list by award kind and tier, the document made from the
final results as .docx and PDF, and its refusals.

The final results are written with the ORM (Results FINAL, Award lines), as the awards
services leave them. Other modules of tests/documents import `make_final` and `NAMES`.
"""

import io
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tests.factories import PersonFactory
from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.models import Award, Results
from wenyi.documents import commendation, generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.documents.models import Document, DocumentSettings
from wenyi.works.models import Work

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# names with rare characters (𠮷 lies outside the BMP, 喆 and 堃 outside GB 2312): each
# must come out of the PDF as itself, never as an empty box
NAMES = {
    "individual": ["王𠮷庆", "欧阳喆"],
    "artist": ["邝昇"],
    "work": [("沈堃、李娜", "钢铁的脊梁"), ("龚玥", "车间灯火"), ("赵文艺", "劳动者之歌")],
}


def add(results, kind_key, tier_key, holder, *, position, **subject):
    kind = results.campaign.award_kinds.get(key=kind_key)
    tier = kind.tiers.get(key=tier_key) if tier_key else None
    return Award.objects.create(
        results=results, award_kind=kind, tier=tier, holder=holder, position=position, **subject
    )


def make_final(campaign, county_a, county_b, *, status=ResultsStatus.FINAL, works=None):
    """Results of `status`: 2 units, 2 individuals, 1 art worker and the works (by
    default the three of NAMES: 一等奖 1, 二等奖 2), each line as it will be printed."""
    results = Results.objects.create(campaign=campaign, status=status)
    add(results, "unit", "youxiu", county_a.name, position=1, unit=county_a)
    add(results, "unit", "youxiu", county_b.name, position=2, unit=county_b)
    for kind in ("individual", "artist"):
        for n, name in enumerate(NAMES[kind], start=1):
            person = PersonFactory(unit=county_a, name=name)
            add(results, kind, "youxiu", name, position=n, person=person, unit_name=county_a.name)
    category = campaign.work_categories.get(key="shici")
    works = works if works is not None else NAMES["work"]
    for n, (authors, title) in enumerate(works, start=1):
        work = Work.objects.create(campaign=campaign, category=category, unit=county_b, title=title)
        tier = "yideng" if n == 1 else "erdeng"
        add(
            results,
            "work",
            tier,
            authors,
            position=n,
            work=work,
            unit_name=county_b.name,
            title=title,
        )
    return results


@pytest.fixture
def final(linyi, county_a, county_b):
    return make_final(linyi, county_a, county_b)


def _docx(content: bytes):
    from docx import Document as Docx

    return Docx(io.BytesIO(content))


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def NOT_FINAL() -> str:  # noqa: N802 - a message, read as a constant
    return _(
        "The results are not final yet: the commendation decision is made from final "
        "results, once the public notice has closed and every objection is decided."
    )


# --- the template -----------------------------------------------------------------------


def test_template_with_known_placeholders_has_no_problem():
    assert commendation.template_problems(commendation.DEFAULT_BODY) == []
    assert commendation.template_problems("共{获奖总数}项，{{原文的大括号}}。") == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("授予{单位数}个单位，{奖金}元。", "{奖金}"),
        ("{年份.real}年", "{年份.real}"),
        ("{作品数[0]}件", "{作品数[0]}"),
        ("{__class__}", "{__class__}"),
    ],
)
def test_template_names_an_unknown_placeholder(text, named):
    (problem,) = commendation.template_problems(text)

    assert named in problem
    assert "{作品数}" in problem  # the known ones are listed


def test_template_refuses_a_format_a_lone_brace_and_empty_braces():
    assert "{作品数}" in commendation.template_problems("{作品数:>5}")[0]
    assert "{{" in commendation.template_problems("共{作品数件")[0]
    assert "{}" in commendation.template_problems("共{}件")[0]


def test_fill_puts_the_figures_in_and_keeps_doubled_braces(linyi, final):
    values = commendation.figures(linyi, commendation.final_lines(linyi))

    text = commendation.fill(
        "{年份}年{单位数}个、{个人数}名、{文艺工作者数}名、{作品数}件，共{获奖总数}项{{注}}", values
    )

    assert text == "2014年2个、2名、1名、3件，共8项{注}"


def test_fill_refuses_an_unknown_placeholder_on_its_field():
    with pytest.raises(ValidationError) as error:
        commendation.fill("{奖金}", {})

    assert list(error.value.message_dict) == ["commendation_body"]


# --- the winners -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")]
)
def test_chinese_numbers_count_headings(n, text):
    assert commendation.chinese_number(n) == text


def test_winners_are_listed_by_award_kind_and_tier_with_their_counts(linyi, final):
    sections = commendation.winner_sections(commendation.final_lines(linyi))

    shown = [(s.heading.text if s.heading else None, s.rows) for s in sections]
    assert shown == [
        ("一、优秀组织单位（2个）", ["兰山区", "罗庄区"]),
        ("二、优秀个人（2名）", ["王𠮷庆（兰山区）", "欧阳喆（兰山区）"]),
        ("三、优秀文艺工作者（1名）", ["邝昇（兰山区）"]),
        ("四、优秀文艺作品（3件）", []),
        ("（一）一等奖（1件）", ["沈堃、李娜（罗庄区）《钢铁的脊梁》"]),
        ("（二）二等奖（2件）", ["龚玥（罗庄区）《车间灯火》", "赵文艺（罗庄区）《劳动者之歌》"]),
    ]
    assert [s.heading.level for s in sections] == [1, 1, 1, 1, 2, 2]


def test_a_withdrawn_award_is_not_commended(linyi, final):
    Award.objects.filter(holder="邝昇").update(
        status=AwardStatus.WITHDRAWN, withdrawn_reason="异议成立"
    )

    sections = commendation.winner_sections(commendation.final_lines(linyi))

    assert "邝昇（兰山区）" not in [row for s in sections for row in s.rows]
    assert [s.heading.text for s in sections if s.heading][2] == "三、优秀文艺作品（3件）"


# --- the document -------------------------------------------------------------------------


def test_decision_is_numbered_titled_and_filled_from_the_settings_and_results(linyi, final):
    settings = DocumentSettings.objects.get(campaign=linyi)  # from the file's [documents]

    doc = commendation.commendation_document(linyi, settings, commendation.final_lines(linyi))

    assert doc.number == "临工发〔2014〕58号"
    assert doc.issuer_mark == "临沂市总工会文件"
    assert doc.plain_title == (
        "关于表彰2014年文艺工作者深入职工创作实践活动先进集体、先进个人和优秀作品的决定"
    )
    assert doc.addressee == "各县区总工会，市直各产业（系统）工会"
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith(
        "2014年，按照《关于组织开展2014年文艺工作者深入职工创作实践活动的通知》（临会办〔2014〕46号）要求"
    )
    assert "一、授予2个单位“优秀组织单位”称号，授予2名同志“优秀个人”称号。" in texts
    assert "二、授予1名同志“优秀文艺工作者”称号。" in texts
    assert [p.level for p in doc.paragraphs] == [0, 0, 1, 1, 1, 0]
    assert doc.note_names() == ["2014年文艺工作者深入职工创作实践活动表彰名单"]
    assert (doc.issuer, str(doc.date)) == ("临沂市总工会", "2014-12-19")
    assert (doc.copies_to, doc.printed_by) == (["市文广新局", "市文联"], "临沂市总工会办公室")


def test_decision_docx_holds_every_block_with_the_official_fonts(linyi, final, office):
    document = generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)

    with document.file.open("rb") as handle:
        saved = _docx(handle.read())
    texts = [p.text for p in saved.paragraphs]
    assert texts[0] == "临沂市总工会文件"
    assert "临工发〔2014〕58号" in texts
    assert "各县区总工会，市直各产业（系统）工会：" in texts
    assert "附件：2014年文艺工作者深入职工创作实践活动表彰名单" in texts
    assert texts.index("临沂市总工会") < texts.index("2014年12月19日") < texts.index("附件")
    for line in (
        "一、优秀组织单位（2个）",
        "（一）一等奖（1件）",
        "沈堃、李娜（罗庄区）《钢铁的脊梁》",
    ):
        assert line in texts
    heading = next(p for p in saved.paragraphs if p.text == "（一）一等奖（1件）")
    assert heading.runs[0]._element.rPr.rFonts.get(f"{W}eastAsia") == "楷体_GB2312"
    (table,) = saved.tables
    assert [row.cells[0].text for row in table.rows] == [
        "抄送：市文广新局，市文联。",
        "临沂市总工会办公室\t2014年12月19日印发",
    ]
    assert (document.title, document.number, document.note) == (
        "关于表彰2014年文艺工作者深入职工创作实践活动先进集体、先进个人和优秀作品的决定",
        "临工发〔2014〕58号",
        "",
    )


def test_decision_pdf_prints_every_winner_and_names_the_stand_ins(linyi, final, office, tmp_path):
    document = generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.PDF)

    with document.file.open("rb") as handle:
        content = handle.read()
    text = pdf_text(content, tmp_path)
    squeezed = "".join(text.split())
    assert "临工发〔2014〕58号" in squeezed
    winners = Award.objects.filter(results__campaign=linyi)
    for award in winners:
        assert award.holder in squeezed, award.holder
        assert award.title in squeezed
    assert "仿宋_GB2312 →" in document.note


def test_decision_is_refused_before_the_results_are_final(linyi, county_a, county_b, office):
    make_final(linyi, county_a, county_b, status=ResultsStatus.NOTICE)

    with pytest.raises(generate.CannotMake) as error:
        generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)

    assert str(error.value) == NOT_FINAL()
    assert not Document.objects.exists()


def _refusal(campaign, office) -> str:
    with pytest.raises(generate.CannotMake) as error:
        generate.make(office, campaign, DocumentKind.COMMENDATION, DocumentFormat.DOCX)
    return str(error.value)


def test_decision_is_refused_without_results_winners_number_or_settings(
    linyi, county_a, county_b, office
):
    assert _refusal(linyi, office) == NOT_FINAL()
    results = make_final(linyi, county_a, county_b)
    results.awards.update(status=AwardStatus.WITHDRAWN, withdrawn_reason="异议成立")
    assert _refusal(linyi, office) == _(
        "The final results have no award standing: nobody to commend."
    )
    results.awards.update(status=AwardStatus.STANDING)
    DocumentSettings.objects.filter(campaign=linyi).update(commendation_number=None)
    number = DocumentSettings._meta.get_field("commendation_number").verbose_name
    assert _refusal(linyi, office) == _("Fill in %(fields)s on the documents page first.") % {
        "fields": number
    }
    DocumentSettings.objects.filter(campaign=linyi).delete()
    assert _refusal(linyi, office).startswith("本活动还没有公文设置")
    assert not Document.objects.exists()


def test_making_again_keeps_a_new_version_with_its_hash(linyi, final, office):
    import hashlib

    first = generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)
    second = generate.make(office, linyi, DocumentKind.COMMENDATION, DocumentFormat.DOCX)

    assert (first.version, second.version) == (1, 2)
    for document in (first, second):
        with document.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == document.sha256
    assert Document.objects.filter(kind=DocumentKind.COMMENDATION).count() == 2

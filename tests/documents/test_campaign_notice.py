"""The campaign's own notice made again from its data (documents.campaign_notice): the
2014 notice, 临会办〔2014〕46号, from campaigns/linyi-2014.toml, structured under its
headings; what changes in the data shows in it; it needs a document number."""

import datetime

import pytest

from tests.documents.test_commendation import pdf_text
from wenyi.campaigns.models import Campaign, Stage
from wenyi.documents import campaign_notice, generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.documents.models import DocumentSettings


def _texts(campaign) -> list[str]:
    return [p.text for p in campaign_notice.notice_paragraphs(campaign)]


def test_notice_is_headed_numbered_and_addressed_from_the_campaign(linyi):
    settings = DocumentSettings.objects.get(campaign=linyi)

    doc = campaign_notice.notice_document(linyi, settings)

    assert (doc.issuer_mark, doc.number) == ("临沂市总工会办公室文件", "临会办〔2014〕46号")
    assert doc.plain_title == "关于组织开展2014年文艺工作者深入职工创作实践活动的通知"
    assert doc.addressee == "各县区（开发区）总工会、文广新局、文联"
    assert (doc.issuer, doc.date, doc.printed_by) == (
        "临沂市总工会办公室",
        datetime.date(2014, 7, 1),
        "临沂市总工会办公室",
    )


def test_notice_text_follows_the_headings_of_the_2014_notice(linyi):
    paragraphs = campaign_notice.notice_paragraphs(linyi)

    headings = [p.text for p in paragraphs if p.level == 1]
    assert headings == [
        "一、目标任务",
        "二、主办单位",
        "三、组织领导",
        "四、内容要求",
        "五、活动步骤及时间要求",
        "六、有关要求",
    ]
    second = [p.text.split("。")[0] for p in paragraphs if p.level == 2]
    assert second == [
        "（一）组织开展采风创作活动",
        "（二）组织开展培训辅导活动",
        "（三）组织开展慰问演出活动",
        "（四）组织开展展示展演活动",
        "（五）作品类别",
        "（一）组织发动阶段（7月）",
        "（二）推进落实阶段（7—10月）",
        "（三）推荐评审阶段（10—11月）",
        "（四）总结表彰阶段（12月）",
    ]
    assert [p.text[:2] for p in paragraphs if p.level == 3] == ["1.", "2.", "3.", "4."]


def test_notice_says_what_the_data_says(linyi):
    text = "\n".join(_texts(linyi))

    assert "临沂市总工会、临沂市文化广电新闻出版局、临沂市文学艺术界联合会牵头组织" in text
    assert "各县区总工会、各县区文广新局、各县区文联等单位负责协助落实" in text
    assert "市总工会党组副书记、常务副主席王向群任组长" in text
    assert "办公室设在市总工会宣传教育部" in text
    assert text.count("全年组织不少于4次") == 4
    assert "文学（小说、诗词（诗歌）、散文、报告文学）、音乐（歌曲）" in text
    assert "活动于2014年7月开始，2014年12月结束，共分四个阶段进行：" in text
    assert "各单位每月5日前报送当月工作方案，月底前报送计划推进落实情况" in text
    assert "于2014年7月31日前制定和细化本单位活动方案" in text
    assert "各单位要在2014年10月15日前认真总结活动，形成3000字左右的书面材料" in text
    assert "评审结果向社会公示5个工作日" in text
    assert "联系人：刘洁、杨春松，联系电话：0539-8726723，电子邮箱：lyxjb@126.com。" in text


def test_notice_changes_with_the_campaign(linyi):
    Stage.objects.filter(campaign=linyi, key="pingshen").update(
        start=datetime.date(2014, 11, 3), end=datetime.date(2014, 11, 28)
    )
    Campaign.objects.filter(pk=linyi.pk).update(notice_days=7, notice_count="calendar")
    linyi.refresh_from_db()

    text = "\n".join(_texts(linyi))

    assert "（三）推荐评审阶段（2014年11月3日至11月28日）" in text
    assert "评审结果向社会公示7天" in text


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ((2014, 7, 1), (2014, 7, 31), "7月"),
        ((2014, 7, 1), (2014, 10, 31), "7—10月"),
        ((2014, 11, 1), (2014, 11, 10), "2014年11月1日至11月10日"),
        ((2014, 12, 1), (2015, 1, 31), "2014年12月1日至2015年1月31日"),
    ],
)
def test_periods_are_written_as_a_notice_writes_them(start, end, shown):
    assert campaign_notice.period(datetime.date(*start), datetime.date(*end)) == shown


def test_notice_without_settings_is_addressed_to_the_assisting_bodies(linyi):
    doc = campaign_notice.notice_document(linyi, None)

    assert doc.addressee == "各县区总工会、各县区文广新局、各县区文联"


def test_notice_needs_a_document_number(linyi, office):
    Campaign.objects.filter(pk=linyi.pk).update(doc_number="")
    linyi.refresh_from_db()

    with pytest.raises(generate.CannotMake) as error:
        generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.PDF)

    assert "campaign.doc_number" in str(error.value)
    assert str(error.value).startswith("本活动没有发文字号")


def test_notice_pdf_and_docx_are_kept_in_the_archive(linyi, office, tmp_path):
    from docx import Document as Docx

    pdf = generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.PDF)
    docx = generate.make(office, linyi, DocumentKind.NOTICE, DocumentFormat.DOCX)

    with pdf.file.open("rb") as handle:
        text = "".join(pdf_text(handle.read(), tmp_path).split())
    for line in ("临会办〔2014〕46号", "一、目标任务", "六、有关要求", "lyxjb@126.com"):
        assert line in text
    assert (pdf.number, pdf.title) == (
        "临会办〔2014〕46号",
        "关于组织开展2014年文艺工作者深入职工创作实践活动的通知",
    )
    with docx.file.open("rb") as handle:
        paragraphs = Docx(handle).paragraphs
    heading = next(p for p in paragraphs if p.text == "五、活动步骤及时间要求")
    assert heading.runs[0].font.name == "黑体"

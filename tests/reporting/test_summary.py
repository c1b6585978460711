"""The summary report: what counts as a character, the length rule, the drafted
statistics paragraph, the .docx and the two views."""

import datetime
import io
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from wenyi.activities import services as activity_services
from wenyi.reporting import services
from wenyi.reporting.enums import ReportKind
from wenyi.reporting.models import Report
from wenyi.reporting.summary import (
    count_chars,
    length_bounds,
    length_check,
    length_question,
    statistics_cells,
    statistics_paragraph,
    summary_docx,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def today(settings):
    """Pretend a date inside the campaign; tests move it as they need."""
    settings.WENYI_TODAY = datetime.date(2014, 10, 1)
    return settings


def _open(actor, campaign, unit, kind=ReportKind.SUMMARY):
    if kind == ReportKind.SUMMARY:
        period = campaign.summary_due.replace(day=1)
    else:
        period = datetime.date(2014, 8, 1)
    return services.open_report(actor, campaign, unit, kind, period)


@pytest.fixture
def report(today, linyi, county_a, coordinator_a):
    return _open(coordinator_a, linyi, county_a)


@pytest.fixture
def verified(linyi, office, coordinator_a):
    """verified(unit, type_key, day, **values) -> a verified activity of the 2014 campaign."""
    counter = iter(range(1, 1000))

    def _verified(unit, type_key, day=datetime.date(2014, 8, 1), status="verified", **values):
        n = next(counter)
        activity = activity_services.create_activity(
            coordinator_a,
            campaign=linyi,
            unit=unit,
            type=linyi.activity_types.get(key=type_key),
            title=f"活动{n}",
            start_date=day,
            place=f"某企业车间{n}",
            values=values,
        )
        if status in ("submitted", "verified"):
            activity_services.submit_activity(coordinator_a, activity)
        if status == "verified":
            activity_services.verify_activity(office, activity)
        return activity

    return _verified


@pytest.fixture
def activities(verified, county_a, county_b, enterprise_a, coordinator_b):
    """兰山区 and its enterprise: 2 采风创作, 1 培训辅导, 1 慰问演出, none 展示展演.
    Not counted: 罗庄区's activity, and one submitted but not verified."""
    verified(county_a, "caifeng", artists=5, works=3)
    verified(enterprise_a, "caifeng", artists=7, works=4)
    verified(county_a, "peixun", trainees=1200)
    verified(enterprise_a, "weiwen", shows=12, audience=6500)
    verified(county_a, "weiwen", status="submitted", shows=99, audience=99999)
    verified(county_b, "weiwen", shows=7, audience=777)


# --- what counts as a character -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("总结材料", 4),
        ("2014年10月15日", 11),
        ("Hello, 世界！", 7),
        ("一、领导重视，组织有力。", 9),
        ("“劳模精神”（2014）", 8),
        ("职工 文艺\n骨干\r\n\t培训", 8),
        (" \t\n\u3000", 0),
        ("职工👍文艺©＋", 4),  # emoji and symbols (So, Sm) do not count
        ("①〇１", 3),  # No, Nl and a full-width Nd digit count
        ("cafe\u0301", 4),  # a combining accent (Mn) does not count
        ("a-b_c.d/e", 5),
        ("𠀀𠀁", 2),  # characters beyond the BMP count once each
        ("", 0),
    ],
)
def test_count_chars_counts_letters_and_digits_only(text, expected):
    assert count_chars(text) == expected


# --- the length rule ----------------------------------------------------------------


def test_length_check_bounds_of_the_2014_campaign(linyi):
    assert length_bounds(linyi) == (3000, 2400, 3600)
    assert length_check(linyi, "字" * 2399).status == "short"
    assert length_check(linyi, "字" * 2400).status == "ok"
    assert length_check(linyi, "字" * 3600).status == "ok"
    assert length_check(linyi, "字" * 3601).status == "long"


def test_length_check_ignores_punctuation(linyi):
    check = length_check(linyi, "字，" * 2400)
    assert (check.count, check.target, check.low, check.high, check.status) == (
        2400,
        3000,
        2400,
        3600,
        "ok",
    )


def test_length_check_without_target_accepts_any_length(linyi):
    linyi.summary_target_chars = 0
    assert length_check(linyi, "短").status == "ok"


def test_length_question_names_the_count_and_the_target(linyi):
    assert length_question(linyi, "字" * 2400) == ""
    assert length_question(linyi, "字" * 3600) == ""
    with translation.override("en"):
        short = length_question(linyi, "字，" * 1850)
        long = length_question(linyi, "字" * 3601)
    assert short == (
        "The summary has 1,850 characters; about 3,000 (±20%) are asked for. Submit it anyway?"
    )
    assert "3,601" in long and "3,000" in long


def test_length_question_without_target_asks_nothing(linyi):
    linyi.summary_target_chars = 0
    assert length_question(linyi, "短") == ""


@pytest.mark.parametrize(("target", "pct"), [(3000, 20), (2500, 15), (2250, 15), (1001, 7)])
def test_page_shows_the_bounds_the_check_uses(rf_user, report, target, pct):
    campaign = report.campaign
    campaign.summary_target_chars, campaign.summary_tolerance_pct = target, pct
    campaign.save()
    report.refresh_from_db()
    html = render_to_string("reporting/_summary_tools.html", {"report": report}, request=rf_user)
    _target, low, high = length_bounds(campaign)
    assert f'data-low="{low}"' in html
    assert f'data-high="{high}"' in html
    assert f'data-target="{target}"' in html


@pytest.fixture
def rf_user(coordinator_a):
    request = RequestFactory().get("/")
    request.user = coordinator_a
    return request


# --- the statistics paragraph ----------------------------------------------------------


def test_statistics_paragraph_counts_the_units_verified_activities(report, activities):
    with translation.override("en"):
        text = statistics_paragraph(report)
    assert text == (
        "As of Oct. 1, 2014, 兰山区 had carried out 4 activities: "
        "采风创作: 2 activities, 参与文艺工作者 12 人, 创作作品 7 件; "
        "培训辅导: 1 activity, 培训辅导 1200 人次; "
        "慰问演出: 1 activity, 演出场次 12 场, 受众人数 6500 人次; "
        "展示展演: none yet."
    )


def test_statistics_paragraph_in_chinese_has_the_figures(report, activities):
    text = statistics_paragraph(report)  # the zh-hans default
    assert text.startswith("截至2014年10月1日") or "2014年10月1日" in text
    for figure in ("兰山区", "采风创作", "12", "7", "1200", "6500", "展示展演"):
        assert figure in text
    for not_counted in ("99999", "777"):
        assert not_counted not in text


def test_statistics_stop_at_the_due_date(today, report, activities, verified, county_a):
    # held after the due date (15 October), verified later: not in a summary "as of" it
    today.WENYI_TODAY = datetime.date(2014, 11, 20)
    verified(county_a, "zhanshi", day=datetime.date(2014, 10, 20), events=3)
    cells = {c.type.key: (c.count, dict(c.totals)) for c in statistics_cells(report)}
    assert cells["zhanshi"] == (0, {})
    assert cells["weiwen"] == (1, {"shows": 12, "audience": 6500})
    with translation.override("en"):
        assert "As of Oct. 15, 2014," in statistics_paragraph(report)


def test_statistics_from_rows_equal_the_tallies(today, report, activities):
    from_tallies = statistics_cells(report, datetime.date(2014, 10, 1))
    from_rows = statistics_cells(report, datetime.date(2014, 9, 30))  # before today: rows
    assert [(c.type.key, c.count, c.totals) for c in from_rows] == [
        (c.type.key, c.count, c.totals) for c in from_tallies
    ]


def test_statistics_paragraph_without_activities(report):
    with translation.override("en"):
        assert statistics_paragraph(report) == (
            "As of Oct. 1, 2014, 兰山区 had no verified activities on record."
        )


def test_works_add_their_sentence_per_art_form(report, activities, linyi, county_a, artist):
    """The works app adds its figures (a panel; reporting does not import works)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.works.test_views import jpeg_bytes, make_work
    from wenyi.works import files
    from wenyi.works import services as work_services

    for key, title in (("shici", "诗一"), ("shici", "诗二"), ("sheying", "照片")):
        work = make_work(linyi, county_a, artist.person, key=key, title=title)
        if key == "sheying":
            files.store_work_file(artist, work, SimpleUploadedFile("p.jpg", jpeg_bytes()))
        work_services.submit_work(artist, work)
    with translation.override("en"):
        text = statistics_paragraph(report)
    assert text.endswith("展示展演: none yet. Works submitted: 3 (诗词（诗歌） 2, 摄影 1).")


# --- the .docx -----------------------------------------------------------------------


TEXT = """今年以来，我区认真组织开展文艺工作者深入职工创作实践活动。

一、领导重视，组织有力。区总工会成立了领导小组。
　　（一）制定方案。7月制定了活动方案。
二、活动扎实，成效明显。
"""


def _docx(report):
    from docx import Document

    return Document(io.BytesIO(summary_docx(report)))


def _east_asia(run):
    from docx.oxml.ns import qn

    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_has_title_text_unit_and_date(report, coordinator_a):
    report = services.save_report(coordinator_a, report, version=report.version, text=TEXT)
    with translation.override("en"):
        document = _docx(report)
    texts = [p.text for p in document.paragraphs]
    assert texts == [
        "兰山区: summary of the 2014年文艺工作者深入职工创作实践活动",
        "",
        "今年以来，我区认真组织开展文艺工作者深入职工创作实践活动。",
        "一、领导重视，组织有力。区总工会成立了领导小组。",
        "（一）制定方案。7月制定了活动方案。",
        "二、活动扎实，成效明显。",
        "",
        "兰山区",
        "Oct. 1, 2014",
    ]


def test_docx_layout_follows_gbt9704(report, coordinator_a):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn

    report = services.save_report(coordinator_a, report, version=report.version, text=TEXT)
    document = _docx(report)
    section = document.sections[0]
    mm = [
        round(v.mm, 1)
        for v in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert mm == [210, 297, 37, 35, 28, 26]
    title, _blank, body, heading1, heading2, *_rest, unit, date = document.paragraphs
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (_east_asia(title.runs[0]), title.runs[0].font.size.pt) == ("方正小标宋简体", 22)
    run = body.runs[0]
    assert (_east_asia(run), run.font.name, run.font.size.pt) == ("仿宋_GB2312", "仿宋_GB2312", 16)
    fmt = body.paragraph_format
    assert (fmt.line_spacing_rule, fmt.line_spacing.pt) == (WD_LINE_SPACING.EXACTLY, 28.95)
    assert fmt.first_line_indent.pt == 32
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"
    # the heading sentence in 黑体 / 楷体, the rest of its line in 仿宋
    assert [(r.text, _east_asia(r)) for r in heading1.runs] == [
        ("一、领导重视，组织有力。", "黑体"),
        ("区总工会成立了领导小组。", "仿宋_GB2312"),
    ]
    assert _east_asia(heading2.runs[0]) == "楷体_GB2312"
    # the date as GB/T 9704 writes it, four characters in; the unit's name centred over it
    assert (unit.text, date.text) == ("兰山区", "2014年10月1日")
    assert (unit.alignment, date.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT,) * 2
    assert [p._p.pPr.ind.get(qn("w:rightChars")) for p in (unit, date)] == ["575", "400"]
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml


# --- views ----------------------------------------------------------------------------


def _docx_url(report):
    return reverse("reporting:summary_docx", args=[report.pk])


def _statistics_url(report):
    return reverse("reporting:summary_statistics", args=[report.pk])


def test_docx_download_for_the_unit(login, coordinator_a, report):
    response = login(coordinator_a).get(_docx_url(report))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('兰山区')}" in disposition or quote("兰山区") in disposition
    assert "2014.docx" in disposition
    assert response.content[:2] == b"PK"


def test_office_above_may_download_docx(login, office, report):
    assert login(office).get(_docx_url(report)).status_code == 200


@pytest.mark.parametrize("who", ["coordinator_b", "artist", "expert"])
def test_outsiders_get_404(request, login, report, who):
    client = login(request.getfixturevalue(who))
    assert client.get(_docx_url(report)).status_code == 404
    assert client.post(_statistics_url(report), HTTP_HX_REQUEST="true").status_code == 404


def test_anonymous_is_sent_to_login(anonymous, report):
    response = anonymous.get(_docx_url(report))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_not_a_summary_gives_404(login, coordinator_a, linyi, county_a, today):
    plan = _open(coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN)
    client = login(coordinator_a)
    assert client.get(_docx_url(plan)).status_code == 404
    assert client.post(_statistics_url(plan), HTTP_HX_REQUEST="true").status_code == 404


def test_statistics_htmx_returns_the_paragraph_and_saves_nothing(
    login, coordinator_a, report, activities
):
    before = Report.objects.values("text", "version", "updated_at").get(pk=report.pk)
    response = login(coordinator_a).post(_statistics_url(report), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="summary-statistics"' in html
    assert "data-wy-insert-statistics" in html
    assert "1200" in html and "6500" in html
    assert Report.objects.values("text", "version", "updated_at").get(pk=report.pk) == before


def test_statistics_without_htmx_redirects_with_a_message(login, coordinator_a, report, activities):
    response = login(coordinator_a).post(_statistics_url(report))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:detail", args=[report.pk])
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and "6500" in messages[0]
    assert Report.objects.get(pk=report.pk).version == report.version


def test_statistics_needs_post(login, coordinator_a, report):
    assert login(coordinator_a).get(_statistics_url(report)).status_code == 405


def test_statistics_on_a_submitted_summary_is_403(login, coordinator_a, report):
    report = services.save_report(coordinator_a, report, version=report.version, text=TEXT)
    services.submit_report(coordinator_a, report)
    client = login(coordinator_a)
    assert client.post(_statistics_url(report), HTTP_HX_REQUEST="true").status_code == 403
    # reading stays allowed
    assert client.get(_docx_url(report)).status_code == 200


def test_tools_hide_the_statistics_button_from_read_only_users(rf_user, report, coordinator_a):
    report = services.save_report(coordinator_a, report, version=report.version, text=TEXT)
    report = services.submit_report(coordinator_a, report)
    html = render_to_string("reporting/_summary_tools.html", {"report": report}, request=rf_user)
    assert "summary-draft-statistics" not in html
    assert _docx_url(report) in html


def test_a_superuser_is_not_offered_to_change_a_submitted_summary(report, coordinator_a):
    """The tool follows the rule, as the view does: Django's has_perm would say yes to a
    superuser whatever the state, and the click would then be refused."""
    from tests.factories import UserFactory

    report = services.save_report(coordinator_a, report, version=report.version, text=TEXT)
    report = services.submit_report(coordinator_a, report)
    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    html = render_to_string("reporting/_summary_tools.html", {"report": report}, request=request)
    assert "summary-draft-statistics" not in html


# --- submitting outside the length tolerance asks first (issue 10, item 11) ------------------


def _editor_post(client, report, text, **extra):
    report.refresh_from_db()
    return client.post(
        reverse("reporting:detail", args=[report.pk]),
        {"version": report.version, "text": text, **extra},
    )


def test_submitting_a_short_summary_saves_it_and_asks_first(login, coordinator_a, report):
    client = login(coordinator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = _editor_post(client, report, "字" * 1850, submit_now="1")

    detail = reverse("reporting:detail", args=[report.pk])
    assert response["Location"] == f"{detail}?confirm=submit"
    report.refresh_from_db()
    assert (report.status, count_chars(report.text)) == ("draft", 1850)
    page = client.get(response["Location"]).content.decode()
    question = re.search(r'data-testid="length-question">(.*?)</div>', page, re.S).group(1)
    assert (
        "The summary has 1,850 characters; about 3,000 (±20%) are asked for. Submit it anyway?"
        in question
    )
    assert 'name="confirm_submit" value="1850"' in question


def test_confirming_submits_the_summary(login, coordinator_a, report):
    client = login(coordinator_a)
    _editor_post(client, report, "字" * 1850, submit_now="1")

    response = _editor_post(client, report, "字" * 1850, confirm_submit="1850")

    assert response["Location"] == reverse("reporting:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_text_changed_since_the_question_is_asked_about_again(login, coordinator_a, report):
    client = login(coordinator_a)
    _editor_post(client, report, "字" * 1850, submit_now="1")

    response = _editor_post(client, report, "字" * 1900, confirm_submit="1850")

    assert response["Location"].endswith("?confirm=submit")
    report.refresh_from_db()
    assert (report.status, count_chars(report.text)) == ("draft", 1900)


def test_saving_a_short_summary_asks_nothing(login, coordinator_a, report):
    client = login(coordinator_a)

    response = _editor_post(client, report, "字" * 1850, save="1")

    assert response["Location"] == reverse("reporting:detail", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="length-question"' not in page
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_summary_within_the_tolerance_is_submitted_at_once(login, coordinator_a, report):
    client = login(coordinator_a)

    response = _editor_post(client, report, "字" * 2400, submit_now="1")

    assert response["Location"] == reverse("reporting:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.status == "submitted"


def test_the_question_is_only_for_summaries(login, coordinator_a, report):
    client = login(coordinator_a)
    _editor_post(client, report, "字" * 1850, submit_now="1")
    _editor_post(client, report, "字" * 1850, confirm_submit="1850")

    page = client.get(reverse("reporting:detail", args=[report.pk]) + "?confirm=submit")

    # submitted: no editor, so nothing to confirm
    assert 'data-testid="length-question"' not in page.content.decode()

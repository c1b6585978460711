"""The office's results pages (wenyi/awards/views_office.py): the state and the next
step, drawing and approving (four eyes shown), publishing with the window shown first,
an objection with its files, investigated and decided, final, the .xlsx export; each
page in a fixed number of queries."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.awards.conftest import png, unit_form
from wenyi.awards import services
from wenyi.awards.enums import AwardStatus, ObjectionStatus, ResultsStatus
from wenyi.awards.models import Award, PublicNotice, Results

SLUG = "linyi-2014"


def url(name, *args):
    return reverse(f"awards:{name}", args=[SLUG, *args])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_before_drawing_the_page_offers_the_draw(login, office, tiered):
    page = login(office).get(url("results")).content.decode()

    assert 'data-testid="next-step"' in page
    assert 'data-testid="draw"' in page
    assert 'data-testid="award-line"' not in page


def test_drawing_shows_the_lines_and_names_the_kinds_missing(login, office, tiered):
    client = login(office)

    response = client.post(url("action", "draw"))
    page = client.get(url("results")).content.decode()

    assert response.status_code == 302
    assert any("优秀文艺工作者" in m for m in texts(response))
    assert page.count('data-testid="award-line"') == 5
    assert "《车间的早晨》" in page and "钱师傅、赵文艺" in page
    assert 'data-testid="missing-kinds"' in page
    # who drew them is told another member of the office approves them
    assert 'data-testid="own-draw"' in page and 'data-testid="approve"' not in page


def test_another_office_member_approves_from_the_page(login, office2, drawn):
    client = login(office2)
    page = client.get(url("results")).content.decode()

    response = client.post(url("action", "approve"), {"version": drawn.version})

    assert 'data-testid="approve"' in page
    assert response.status_code == 302
    assert Results.objects.get().status == ResultsStatus.APPROVED


def test_the_one_who_drew_is_refused_with_the_reason(login, office, drawn):
    response = login(office).post(url("action", "approve"), {"version": drawn.version})

    assert response.status_code == 302
    assert len(texts(response)) == 1
    assert Results.objects.get().status == ResultsStatus.DRAFT


def test_the_publish_page_shows_the_window_before_publishing(login, office, approved):
    client = login(office)
    page = client.get(url("publish")).content.decode()
    data = {
        "version": Results.objects.get().version,
        "starts_on": "2014-12-02",
        "title": "关于评选结果的公示",
        "text": "现予公示。",
    }

    preview = client.post(url("publish"), {**data, "preview": "1"}).content.decode()
    published = client.post(url("publish"), {**data, "publish": "1"})

    assert 'data-testid="window-preview"' in page  # from today, 2014-12-01
    assert 'data-testid="window-preview"' in preview
    assert "2014" in preview and "12" in preview and "8" in preview
    assert not PublicNotice.objects.filter(pk__lt=0).exists()
    assert published.status_code == 302
    notice = PublicNotice.objects.get()
    assert (notice.starts_on, notice.ends_on) == (
        datetime.date(2014, 12, 2),
        datetime.date(2014, 12, 8),
    )


def test_publishing_in_an_unknown_year_names_the_start_date(settings, login, office, approved):
    settings.WENYI_TODAY = datetime.date(2031, 3, 2)
    data = {
        "version": Results.objects.get().version,
        "starts_on": "2031-03-03",
        "title": "关于评选结果的公示",
        "text": "现予公示。",
        "publish": "1",
    }

    client = login(office)
    page = client.get(url("publish"))
    response = client.post(url("publish"), data)

    assert page.status_code == 200 and 'data-testid="window-problem"' in page.content.decode()
    assert response.status_code == 200
    assert "starts_on" in response.context["form"].errors
    assert "2031" in response.context["form"].errors["starts_on"][0]
    assert not PublicNotice.objects.exists()


@pytest.fixture
def objection(notice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.media import plain_pdf

    evidence = SimpleUploadedFile("证明.pdf", plain_pdf(), content_type="application/pdf")
    return services.receive_objection(
        notice, unit_form(notice), {"seal": png(), "evidence": [evidence]}, None
    )


def test_the_office_sees_the_objector_and_the_files(login, office, objection):
    client = login(office)

    page = client.get(url("objection", objection.reference)).content.decode()
    seal = objection.files.get(kind="seal")
    served = client.get(url("objection_file", objection.reference, seal.pk, "original"))

    assert "孙建业" in page and "0539-8123456" in page and "临沂某建筑安装有限公司工会" in page
    assert page.count('data-testid="objection-file"') == 2
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_the_supervisor_reads_the_objection_without_the_objector(login, supervisor, objection):
    client = login(supervisor)

    page = client.get(url("objection", objection.reference)).content.decode()
    listing = client.get(url("results")).content.decode()

    assert 'data-testid="objector-hidden"' in page
    for secret in ("孙建业", "0539-8123456", "临沂某建筑安装有限公司工会", "sun@example.org"):
        assert secret not in page and secret not in listing
    assert 'data-testid="decide-form"' not in page


def test_investigate_and_uphold_withdraws_the_line(login, office, objection):
    client = login(office)

    client.post(url("objection_action", objection.reference, "investigate"), {"note": "调档"})
    without = client.post(
        url("objection_action", objection.reference, "decide"), {"outcome": "upheld"}
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.INVESTIGATING
    response = client.post(
        url("objection_action", objection.reference, "decide"),
        {"outcome": "upheld", "decision": "经核查异议属实，撤销该奖项。"},
    )

    objection.refresh_from_db()
    assert [m.level_tag for m in get_messages(without.wsgi_request)] == ["success", "error"]
    assert response.status_code == 302
    assert objection.status == ObjectionStatus.UPHELD
    award = Award.objects.get(pk=objection.award_id)
    assert award.status == AwardStatus.WITHDRAWN
    assert award.withdrawn_reason == "经核查异议属实，撤销该奖项。"
    page = client.get(url("results")).content.decode()
    assert 'data-testid="withdrawn"' in page


def test_final_from_the_page_after_the_window(settings, login, office, office2, objection):
    services.decide(office2, objection, upheld=False, decision="不成立。")
    client = login(office)
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)

    page = client.get(url("results")).content.decode()
    response = client.post(url("action", "final"), {"version": Results.objects.get().version})

    assert 'data-testid="final-form"' in page
    assert response.status_code == 302
    assert Results.objects.get().status == ResultsStatus.FINAL


def test_the_export_lists_the_lines_and_outcomes(login, office, office2, objection):
    from openpyxl import load_workbook

    services.decide(office2, objection, upheld=False, decision="不成立。")

    response = login(office).get(url("export"))

    wb = load_workbook(io.BytesIO(response.content))
    results, objections = wb.worksheets
    rows = list(results.iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    assert any(r[5] == "车间的早晨" and r[3] == "钱师傅、赵文艺" for r in rows)
    outcome = list(objections.iter_rows(values_only=True))[1]
    assert outcome[0] == objection.reference and outcome[5] == "不成立。"


def _queries(client, path) -> int:
    client.get(path)  # warm caches (session, scope)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_results_page_reads_in_a_fixed_number_of_queries(login, office, notice, tiered):
    client = login(office)
    services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
    one = _queries(client, url("results"))
    for phone in ("13800000011", "13800000012"):
        data = unit_form(notice, objector_kind="person", unit_name="", phone=phone)
        services.receive_objection(notice, data, {}, None)

    three = _queries(client, url("results"))

    assert three == one

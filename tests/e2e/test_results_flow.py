"""The whole last stage in a browser (issue 13): the office draws the provisional results
from the review's approved tiers, a second office member approves them, the public notice
goes up with its window in working days; a worker objects on a phone during the window;
the office investigates and decides; after the window the results are declared final,
the commendation decision is made and kept in the archive, and a certificate checks out
on the public verification page. The objector's name shows on no public page."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.awards.conftest import png, supervisor, tiered, worker  # noqa: F401 (fixtures)
from tests.factories import PASSWORD
from wenyi.awards.enums import ObjectionStatus, ResultsStatus
from wenyi.awards.models import Award, Objection, Results
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Certificate, Document

pytestmark = pytest.mark.django_db(transaction=True)

OBJECTOR = "欧阳异议"
OBJECTOR_PHONE = "13912345678"


def _sign_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("登录名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def _on(settings, day: datetime.date) -> None:
    settings.WENYI_TODAY = day  # the live server runs in this process: its clock moves


def test_provisional_list_to_notice_objection_final_and_documents(
    page,
    settings,
    office,
    office2,
    tiered,  # noqa: F811 (a fixture)
):
    slug = tiered.campaign.slug
    _on(settings, datetime.date(2014, 12, 1))

    # the office draws the provisional results from the approved tiers
    _sign_in(page, "office")
    page.goto(f"/campaigns/{slug}/results/")
    page.get_by_test_id("draw").click()
    expect(page.get_by_test_id("results-status")).to_have_text("拟定中")
    expect(page.locator("main")).to_contain_text("车间的早晨")
    # the one who drew them cannot approve them
    expect(page.get_by_test_id("approve")).to_have_count(0)

    # a second member of the office approves them
    _sign_in(page, "office2")
    page.goto(f"/campaigns/{slug}/results/")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("results-status")).to_contain_text("已审定")

    # the notice: from Tuesday 2 December, 5 working days → Monday 8 December
    page.get_by_test_id("publish").click()
    form = page.get_by_test_id("notice-form")
    form.get_by_label("开始日期").fill("2014-12-02")
    form.get_by_label("开始日期").blur()
    page.get_by_test_id("publish-submit").click()
    expect(page.get_by_test_id("results-status")).to_have_text("公示中")
    expect(page.get_by_test_id("notice-window")).to_contain_text(
        "2014年12月2日至12月8日（5个工作日）"
    )

    # a worker objects on a phone, on the public notice page, during the window
    _on(settings, datetime.date(2014, 12, 4))
    page.context.clear_cookies()
    page.goto(f"/public/{slug}/notice/")
    expect(page.get_by_test_id("notice-open")).to_be_visible()
    page.get_by_test_id("object-link").click()
    form = page.get_by_test_id("object-form")
    form.get_by_label("真实姓名").fill(OBJECTOR)
    form.get_by_label("联系电话").fill(OBJECTOR_PHONE)
    objected = Award.objects.get(title="车间的早晨")
    form.get_by_label("异议对象").select_option(value=str(objected.pk))
    form.get_by_label("异议理由").fill("该作品与往年获奖作品高度相似，请核实。")
    evidence = png().read()
    form.get_by_label("证明材料").set_input_files(
        [{"name": "对比截图.png", "mimeType": "image/png", "buffer": evidence}]
    )
    page.get_by_test_id("object-submit").click()
    reference = page.get_by_test_id("reference").inner_text().strip()
    objection = Objection.objects.get(reference=reference)
    assert (objection.name, objection.phone, objection.files.count()) == (
        OBJECTOR,
        OBJECTOR_PHONE,
        1,
    )

    # the office investigates and decides; the outcome is published without the name
    _sign_in(page, "office")
    page.goto(f"/campaigns/{slug}/results/objections/{reference}/")
    expect(page.get_by_test_id("objector")).to_contain_text(OBJECTOR)
    page.get_by_test_id("investigate-form").get_by_role("textbox").fill("调取往年获奖名单比对。")
    page.get_by_test_id("investigate-form").get_by_role("button").click()
    expect(page.get_by_test_id("objection-status")).to_have_text("调查中")
    decide = page.get_by_test_id("decide-form")
    decide.locator('input[name="outcome"][value="dismissed"]').check()
    decide.get_by_role("textbox", name="处理意见").fill(
        "经比对，两件作品题材相近但表达不同，不构成抄袭。"
    )
    decide.get_by_role("button").click()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED

    page.context.clear_cookies()
    page.goto(f"/public/{slug}/notice/")
    expect(page.get_by_test_id("outcomes")).to_contain_text(reference)
    expect(page.get_by_test_id("outcomes")).to_contain_text("不构成抄袭")
    assert OBJECTOR not in page.content() and OBJECTOR_PHONE not in page.content()

    # after the window the results become final
    _on(settings, datetime.date(2014, 12, 9))
    _sign_in(page, "office")
    page.goto(f"/campaigns/{slug}/results/")
    page.get_by_test_id("final-form").locator("xpath=..").locator("summary").click()
    page.get_by_test_id("final-form").get_by_role("button").click()
    expect(page.get_by_test_id("results-status")).to_have_text("最终结果")
    assert Results.objects.get(campaign=tiered.campaign).status == ResultsStatus.FINAL

    # the decision, made in the page, kept in the archive and downloadable
    _on(settings, datetime.date(2014, 12, 19))
    page.goto(f"/campaigns/{slug}/documents/")  # the menu's 公文与证书
    card = page.locator(
        '[data-testid="document-card"][data-kind="commendation"][data-format="pdf"]'
    )
    card.get_by_test_id("make-document").click()
    row = page.locator('[data-testid="archive-row"][data-kind="commendation"][data-format="pdf"]')
    expect(row).to_have_count(1)
    decision = Document.objects.get(campaign=tiered.campaign, kind=DocumentKind.COMMENDATION)
    response = page.request.get(f"/campaigns/{slug}/documents/files/{decision.pk}/")
    assert response.ok and response.body().startswith(b"%PDF")

    # certificates are issued, and one checks out on a phone without a login
    page.get_by_test_id("documents-nav").get_by_role("link", name="荣誉证书").click()
    page.get_by_test_id("certificates-issue").click()
    certificate = Certificate.objects.get(award__title="车间的早晨")
    page.context.clear_cookies()
    page.goto("/verify/")
    page.locator("#verify-code").fill(certificate.code.lower())
    page.get_by_test_id("verify-form").get_by_role("button").click()
    expect(page.get_by_test_id("verify-found")).to_be_visible()
    assert OBJECTOR not in page.content()

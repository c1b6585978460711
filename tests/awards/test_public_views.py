"""The public pages (wenyi/awards/views_public.py), without a login: the notice with its
window and results, the objection form while it is open (refusals on their fields, a
receipt with the reference, a second tap harmless), "ended" after the window, the
outcomes, and the final results."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.awards.conftest import NOTICE_TITLE, png, unit_form
from wenyi.awards import services
from wenyi.awards.models import Objection, Results

SLUG = "linyi-2014"


def url(name, *args):
    return reverse(f"awards:{name}", args=[SLUG, *args])


def test_the_notice_page_while_open(anonymous, notice):
    page = anonymous.get(url("public_notice")).content.decode()

    assert NOTICE_TITLE in page
    assert 'data-testid="notice-window"' in page
    assert 'data-testid="object-link"' in page
    assert page.count('data-testid="award-line"') == 5
    assert "95.000" not in page and "95" not in page.split('data-testid="outcomes"')[0][-2000:]


def test_the_notice_page_after_the_window_says_it_ended(settings, anonymous, notice):
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)

    page = anonymous.get(url("public_notice")).content.decode()
    form = anonymous.get(url("object")).content.decode()

    assert 'data-testid="notice-ended"' in page and 'data-testid="object-link"' not in page
    assert 'data-testid="object-closed"' in form and 'data-testid="object-form"' not in form


def test_an_objection_through_the_form_gets_a_receipt_once(anonymous, notice):
    form = anonymous.get(url("object"))
    token = form.context["form"].initial["token"]
    award = notice.results.awards.first()
    data = {
        "token": token,
        "objector_kind": "person",
        "name": "张明",
        "phone": "13912345678",
        "award": str(award.pk),
        "grounds": "该作品系旧作，并非本次活动期间创作。",
    }

    sent = anonymous.post(url("object"), data)
    again = anonymous.post(url("object"), data)

    objection = Objection.objects.get()
    assert sent.status_code == 302 and again["Location"] == sent["Location"]
    assert sent["Location"] == url("receipt", objection.reference)
    receipt = anonymous.get(sent["Location"]).content.decode()
    assert objection.reference in receipt and "张明" not in receipt


def test_a_refused_objection_is_shown_on_its_fields(anonymous, notice):
    award = notice.results.awards.first()
    data = {"objector_kind": "unit", "name": "匿名", "phone": "", "award": str(award.pk)}

    response = anonymous.post(url("object"), data)

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert {"name", "phone", "unit_name", "grounds", "seal"} <= set(errors)
    page = response.content.decode()
    assert "data-wy-error-summary" in page
    assert not Objection.objects.exists()


def test_a_late_objection_through_the_form_is_refused(settings, anonymous, notice):
    form = anonymous.get(url("object"))
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)
    award = notice.results.awards.first()

    response = anonymous.post(
        url("object"),
        {
            "token": form.context["form"].initial["token"],
            "objector_kind": "person",
            "name": "张明",
            "phone": "13912345678",
            "award": str(award.pk),
            "grounds": "理由",
        },
    )

    assert response.status_code == 200
    assert 'data-testid="object-closed"' in response.content.decode()
    assert not Objection.objects.exists()


def test_the_outcomes_are_published(anonymous, office2, notice):
    objection = services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
    services.decide(office2, objection, upheld=True, decision="经核查异议属实，撤销该称号。")

    page = anonymous.get(url("public_notice")).content.decode()

    assert objection.reference in page
    assert "经核查异议属实，撤销该称号。" in page
    assert 'data-testid="withdrawn"' in page


def test_the_final_results_page(settings, anonymous, office, office2, notice):
    objection = services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
    services.decide(office2, objection, upheld=True, decision="撤销。")
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)
    results = Results.objects.get()
    services.declare_final(office, results, version=results.version)

    page = anonymous.get(url("public_results")).content.decode()
    notice_page = anonymous.get(url("public_notice")).content.decode()

    # the withdrawn line is not among the final results
    assert page.count('data-testid="award-line"') == 4
    assert 'data-testid="notice-final"' in notice_page


def test_the_notice_page_reads_in_a_fixed_number_of_queries(anonymous, notice):
    services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
    anonymous.get(url("public_notice"))
    with CaptureQueriesContext(connection) as one:
        anonymous.get(url("public_notice"))
    for phone in ("13800000011", "13800000012"):
        data = unit_form(notice, objector_kind="person", unit_name="", phone=phone)
        services.receive_objection(notice, data, {}, None)

    with CaptureQueriesContext(connection) as three:
        anonymous.get(url("public_notice"))

    assert len(three) == len(one)


def test_public_pages_carry_no_inline_code(anonymous, notice):
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.I)
    for name in ("public_notice", "object"):
        response = anonymous.get(url(name))
        assert "Content-Security-Policy" in response
        assert inline.findall(response.content.decode()) == []

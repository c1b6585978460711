"""The certificates' pages in a browser (Debian's chromium through Playwright): someone
with a phone checks a certificate by typing its code as it comes, sees the holder, and
an altered code is refused; the office's page and the verification pages fit a phone
and axe-core finds nothing critical or serious on them."""

import pytest

from tests.documents.test_certificates import winners  # noqa: F401 (a fixture)
from tests.e2e.axe import serious_problems
from tests.e2e.conftest import PHONE
from wenyi.documents import certificates
from wenyi.documents.models import Certificate

pytestmark = pytest.mark.django_db(transaction=True)


def _fits_a_phone(page) -> bool:  # noqa: F811
    page.set_viewport_size(PHONE)
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_checks_a_certificate_by_its_code(page, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    certificate = Certificate.objects.get(award__holder="司马赟")
    typed = certificates.grouped(certificate.code).lower().replace("-", " ")

    page.goto("/verify/")
    page.locator("#verify-code").fill(typed)
    page.get_by_test_id("verify-form").get_by_role("button").click()

    page.wait_for_url(f"**/verify/{certificates.grouped(certificate.code)}/")
    assert page.get_by_test_id("verify-found").is_visible()
    assert page.get_by_test_id("verify-holder").inner_text().startswith("司马赟")
    assert page.get_by_test_id("verify-number").inner_text() == certificate.number
    assert _fits_a_phone(page)
    assert serious_problems(page, page.url) == []

    body = certificate.code[:8]
    altered = body[1] + body[0] + body[2:] if body[0] != body[1] else body[::-1]
    page.goto(f"/verify/{altered}{certificate.code[8]}/")
    assert page.get_by_test_id("verify-invalid").is_visible()
    assert _fits_a_phone(page)
    assert serious_problems(page, page.url) == []


def test_office_page_fits_a_phone_and_passes_axe(page, live_server, login, office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    session = login(office).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])

    page.goto(f"/campaigns/{linyi.slug}/certificates/")
    page.get_by_test_id("certificates-make").last.click()

    page.wait_for_selector('[data-testid="certificates-job"][data-status="done"]')
    assert page.get_by_test_id("certificate-row").count() == 8
    assert serious_problems(page, page.url) == []

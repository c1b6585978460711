"""An objector's identity is the office's only: no public page, no export and no page a
supervisor reads shows their name, unit, telephone, e-mail or address, or serves their
files — in every state the objection goes through, upheld and final included."""

import datetime
import io
import re

import pytest
from django.urls import reverse

from tests.awards.conftest import png, unit_form
from wenyi.awards import services
from wenyi.awards.models import Results

SLUG = "linyi-2014"
# the objector as the form gave them (tests/awards/conftest.unit_form)
SECRETS = ("孙建业", "临沂某建筑安装有限公司工会", "0539-8123456", "sun@example.org", "解放路1号")


def _public_pages(anonymous, reference) -> dict[str, str]:
    pages = {}
    for name in ("public_notice", "object", "public_results"):
        response = anonymous.get(reverse(f"awards:{name}", args=[SLUG]))
        if response.status_code == 200:
            pages[name] = response.content.decode()
    receipt = reverse("awards:receipt", args=[SLUG, reference])
    pages["receipt"] = anonymous.get(receipt).content.decode()
    # and every page of ours these link to
    for page in list(pages.values()):
        for link in set(re.findall(r'href="(/public/[^"]+)"', page)):
            pages[link] = anonymous.get(link).content.decode()
    return pages


def _export(client) -> str:
    from openpyxl import load_workbook

    response = client.get(reverse("awards:export", args=[SLUG]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(value)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _assert_hidden(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} shown on {where}"


@pytest.mark.parametrize("stage", ["received", "upheld", "final"])
def test_the_objector_is_on_no_public_page_and_no_export(
    settings, anonymous, login, office, office2, supervisor, notice, stage
):
    objection = services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
    if stage in ("upheld", "final"):
        services.decide(office2, objection, upheld=True, decision="经核查异议属实，撤销该称号。")
    if stage == "final":
        settings.WENYI_TODAY = datetime.date(2014, 12, 9)
        results = Results.objects.get()
        services.declare_final(office, results, version=results.version)

    pages = _public_pages(anonymous, objection.reference)
    office_export = _export(login(office))
    supervisor_client = login(supervisor)
    supervisor_pages = {
        "results": supervisor_client.get(reverse("awards:results", args=[SLUG])),
        "objection": supervisor_client.get(
            reverse("awards:objection", args=[SLUG, objection.reference])
        ),
    }

    assert objection.reference in pages["public_notice"]
    assert objection.reference in office_export
    for where, page in pages.items():
        _assert_hidden(page, where)
    _assert_hidden(office_export, "the office's export")
    _assert_hidden(_export(supervisor_client), "the supervisor's export")
    for where, response in supervisor_pages.items():
        assert response.status_code == 200
        _assert_hidden(response.content.decode(), f"the supervisor's {where} page")
    # the office itself sees them (the test would prove nothing if they were nowhere)
    office_page = login(office).get(reverse("awards:objection", args=[SLUG, objection.reference]))
    assert all(s in office_page.content.decode() for s in SECRETS)


def test_the_public_outcomes_load_no_identity_field(notice):
    from wenyi.awards.queries import public_outcomes

    services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)

    (outcome,) = public_outcomes(notice.results)

    assert {"name", "unit_name", "phone", "email", "address"} <= outcome.get_deferred_fields()

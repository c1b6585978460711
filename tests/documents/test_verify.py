"""The public verification of certificates (documents:verify, documents:verify_code):
no login, a real code shows what the certificate says, an altered code is "not valid",
a well-formed unknown code "no such certificate", a revoked one says so with the
reason; nothing private (no objection, no objector, no contact) and no indexing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tests.documents.test_certificates import winners  # noqa: F401 (a fixture)
from wenyi.awards.enums import AwardStatus
from wenyi.awards.models import Award, Objection, PublicNotice
from wenyi.documents import certificates
from wenyi.documents.certificates import ALPHABET, check_character, grouped
from wenyi.documents.models import Certificate


@pytest.fixture
def issued(office, linyi, winners):  # noqa: F811
    certificates.issue(office, linyi)
    return Certificate.objects.select_related("award").get(award__holder="司马赟")


def _page(client, code: str):
    return client.get(reverse("documents:verify_code", args=[code]))


def _altered(code: str) -> str:
    """The code with its third character changed."""
    other = ALPHABET[(ALPHABET.index(code[2]) + 1) % len(ALPHABET)]
    return code[:2] + other + code[3:]


def test_verify_real_code_shows_the_certificate(anonymous, issued, linyi):
    response = _page(anonymous, grouped(issued.code))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="verify-found"' in html
    assert "司马赟" in html
    assert "罗庄区" in html
    assert "优秀文艺作品一等奖" in html
    assert "钢铁脊梁" in html
    assert linyi.title in html
    assert certificates.issuer_of(linyi) in html
    assert issued.number in html
    assert issued.issued_on.strftime("%Y-%m-%d") in html
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"


def test_verify_reads_the_code_as_people_type_it(anonymous, issued):
    typed = grouped(issued.code).lower().replace("-", " ")

    response = anonymous.get(reverse("documents:verify"), {"code": typed})

    assert response.status_code == 302
    assert response["Location"] == reverse("documents:verify_code", args=[grouped(issued.code)])


def test_verify_altered_code_is_not_valid(anonymous, issued):
    response = _page(anonymous, _altered(issued.code))

    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="verify-invalid"' in html
    assert "司马赟" not in html


def test_verify_altered_code_typed_in_the_form_is_not_valid(anonymous, issued):
    response = anonymous.get(reverse("documents:verify"), {"code": _altered(issued.code)})

    assert response.status_code == 404
    assert 'data-testid="verify-invalid"' in response.content.decode()


def test_verify_unknown_code_no_such_certificate(anonymous, issued):
    body = "ZZZZ" + issued.code[4:8] if issued.code[:4] != "ZZZZ" else "YYYY" + issued.code[4:8]
    made_up = body + check_character(body)

    response = _page(anonymous, grouped(made_up))

    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="verify-unknown"' in html
    assert "司马赟" not in html


def test_verify_revoked_certificate_says_so_with_the_reason(anonymous, office, linyi, issued):
    Award.objects.filter(pk=issued.award_id).update(
        status=AwardStatus.WITHDRAWN, withdrawn_reason="异议成立，撤销该奖项。"
    )

    before = _page(anonymous, grouped(issued.code)).content.decode()
    certificates.issue(office, linyi)
    after = _page(anonymous, grouped(issued.code)).content.decode()

    for html in (before, after):  # withdrawn: revoked at once, before the office re-issues
        assert 'data-testid="verify-revoked"' in html
        assert "异议成立，撤销该奖项。" in html
        assert 'data-testid="verify-found"' not in html


def test_verify_form_asks_for_a_code(anonymous, db):
    response = anonymous.get(reverse("documents:verify"))
    empty = anonymous.get(reverse("documents:verify"), {"code": "  "})

    assert response.status_code == 200
    assert 'data-testid="verify-form"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert _("Verification code: please type the code printed under the QR code.") in (
        empty.content.decode()
    )


def test_verify_shows_nothing_private(anonymous, issued, winners):  # noqa: F811
    award = Award.objects.get(holder="欧阳翀")
    notice = PublicNotice.objects.create(
        results=winners,
        title="评选结果公示",
        text="……",
        starts_on=datetime.date(2014, 12, 1),
        ends_on=datetime.date(2014, 12, 5),
        published_at=timezone.now(),
    )
    Objection.objects.create(
        notice=notice,
        award=award,
        reference="YY-2014-001",
        objector_kind="person",
        name="举报人韩梅",
        phone="13900001111",
        email="hanmei@example.org",
        grounds="异议理由：材料不实",
        received_at=timezone.now(),
        status="dismissed",
        decision="经核查，异议不成立。",
    )
    certificate = Certificate.objects.get(award=award)

    html = _page(anonymous, grouped(certificate.code)).content.decode()

    assert "欧阳翀" in html
    for private in ("举报人韩梅", "13900001111", "hanmei@example.org", "材料不实", "YY-2014-001"):
        assert private not in html
    assert award.person.mobile not in html


def test_verify_pages_work_without_login_and_for_logins(login, office, issued):
    response = _page(login(office), grouped(issued.code))

    assert response.status_code == 200
    assert 'data-testid="verify-found"' in response.content.decode()

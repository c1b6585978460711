"""Certificates (wenyi.documents.certificates): the verification code and its check
character, issuing (numbers, idempotence, revoking withdrawn awards, audit), and the
PDF: one page per certificate, every holder and code in its text, no missing glyph, the
QR code holding the verification address.

The final results are written with the ORM (Results FINAL, Award lines), as the awards
services would leave them. Other modules of tests/documents import `winners`.
"""

import datetime
import io
import random
import shutil
import subprocess
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image
from pypdf import PdfReader

from tests.factories import CampaignFactory, PersonFactory
from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.models import Award, Results
from wenyi.campaigns.models import AwardKind
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.documents import certificates, generate
from wenyi.documents.certificates import (
    ALPHABET,
    check_character,
    grouped,
    is_valid,
    new_code,
    normalise,
)
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Certificate, Document, DocumentSettings
from wenyi.works.models import Work

# rare-ish characters on purpose: each must come out of the PDF as itself
PEOPLE = ["欧阳翀", "龚喆", "沈堃"]
AUTHORS = ["司马赟", "黄玥", "邝昇"]
TITLES = ["钢铁脊梁", "车间灯火", "劳动者之歌"]


def add_award(results, kind_key, tier_key, holder, *, position, **subject):
    kind = results.campaign.award_kinds.get(key=kind_key)
    tier = kind.tiers.get(key=tier_key) if tier_key else None
    return Award.objects.create(
        results=results, award_kind=kind, tier=tier, holder=holder, position=position, **subject
    )


def make_winners(campaign, county_a, county_b, *, status=ResultsStatus.FINAL) -> Results:
    """Final results: 2 units, 2 individuals, 1 art worker, 3 works (一等奖, 二等奖 × 2)."""
    results = Results.objects.create(campaign=campaign, status=status)
    add_award(results, "unit", "youxiu", county_a.name, position=1, unit=county_a)
    add_award(results, "unit", "youxiu", county_b.name, position=2, unit=county_b)
    for n, name in enumerate(PEOPLE):
        person = PersonFactory(unit=county_a, name=name)
        kind = "individual" if n < 2 else "artist"
        add_award(
            results, kind, "youxiu", name, position=n + 1, person=person, unit_name=county_a.name
        )
    category = campaign.work_categories.get(key="shici")
    for n, (author, title) in enumerate(zip(AUTHORS, TITLES, strict=True)):
        work = Work.objects.create(campaign=campaign, category=category, unit=county_b, title=title)
        tier = "yideng" if n == 0 else "erdeng"
        add_award(
            results,
            "work",
            tier,
            author,
            position=n + 1,
            work=work,
            unit_name=county_b.name,
            title=title,
        )
    return results


@pytest.fixture
def winners(linyi, county_a, county_b) -> Results:
    return make_winners(linyi, county_a, county_b)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def flat(text: str) -> str:
    """Text without its line breaks and spaces (and ligatures undone), to find a
    sentence whatever the layout made of it."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


# --- codes -------------------------------------------------------------------------------


def test_code_check_catches_every_single_change_and_adjacent_swap():
    rng = random.Random(2014)
    codes = ["00000000" + check_character("00000000")]
    for _n in range(150):
        body = "".join(rng.choice(ALPHABET) for _ in range(8))
        codes.append(body + check_character(body))
    for code in codes:
        assert is_valid(code)
        for position in range(len(code)):
            for symbol in ALPHABET:
                if symbol != code[position]:
                    changed = code[:position] + symbol + code[position + 1 :]
                    assert not is_valid(changed), (code, changed)
        for position in range(len(code) - 1):
            a, b = code[position], code[position + 1]
            if a != b:
                swapped = code[:position] + b + a + code[position + 2 :]
                assert not is_valid(swapped), (code, swapped)


def test_code_new_codes_are_valid_and_differ():
    codes = {new_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(is_valid(code) and len(code) == 9 for code in codes)


def test_code_normalise_reads_what_people_type():
    code = "K7P39QXM" + check_character("K7P39QXM")
    shown = grouped(code)

    assert shown == f"K7P3-9QXM-{code[-1]}"
    assert normalise(shown.lower()) == code
    assert normalise(" k7p3 9qxm " + code[-1].lower()) == code
    assert normalise("Ｋ７Ｐ３－９ＱＸＭ－" + code[-1]) == code  # full-width, as phones type
    assert normalise("1O0L-IOlo") == "10011010"
    assert not is_valid(normalise("K7P3-9QXM"))  # too short
    assert not is_valid(normalise("K7P3-9QXM-U"))  # U is not in the alphabet


# --- issuing -----------------------------------------------------------------------------


def test_issue_makes_one_per_winner_and_a_second_run_none(office, linyi, winners):
    first = certificates.issue(office, linyi)
    second = certificates.issue(office, linyi)

    assert len(first.made) == 8
    assert second.made == [] and second.revoked == []
    assert Certificate.objects.filter(campaign=linyi).count() == 8
    assert second.message() == _("Every winner has a certificate already.")


def test_issue_numbers_per_kind_in_results_order(office, linyi, winners, county_a):
    certificates.issue(office, linyi)
    numbers = list(certificates.certificates_of(linyi).values_list("number", "award__holder"))

    assert numbers == [
        ("2014-UN-001", "兰山区"),
        ("2014-UN-002", "罗庄区"),
        ("2014-IN-001", "欧阳翀"),
        ("2014-IN-002", "龚喆"),
        ("2014-AR-001", "沈堃"),
        ("2014-WO-001", "司马赟"),
        ("2014-WO-002", "黄玥"),
        ("2014-WO-003", "邝昇"),
    ]
    # a winner added later continues its kind's sequence
    add_award(
        winners, "individual", "youxiu", "补发者", position=9, person=PersonFactory(unit=county_a)
    )
    later = certificates.issue(office, linyi)
    assert [c.number for c in later.made] == ["2014-IN-003"]


def test_issue_codes_are_valid_and_unique(office, linyi, winners):
    certificates.issue(office, linyi)
    codes = list(Certificate.objects.values_list("code", flat=True))

    assert len(set(codes)) == 8
    assert all(is_valid(code) for code in codes)


def test_kind_codes_stay_unique(db):
    campaign = CampaignFactory()
    for n, key in enumerate(["work", "workshop", "best-work", "k4"]):
        AwardKind.objects.create(campaign=campaign, key=key, name=key, position=n, subject="work")
    codes = certificates.kind_codes(campaign)

    by_key = {kind.key: codes[kind.pk] for kind in campaign.award_kinds.all()}
    assert by_key == {"work": "WO", "workshop": "WO2", "best-work": "BW", "k4": "K4"}


def test_issue_refused_before_the_results_are_final(office, linyi, county_a, county_b):
    make_winners(linyi, county_a, county_b, status=ResultsStatus.NOTICE)

    with pytest.raises(ValidationError) as refused:
        certificates.issue(office, linyi)

    assert refused.value.messages == [
        _(
            "The results of %(campaign)s are not final yet: certificates are issued "
            "only once every objection is decided and the results are declared final."
        )
        % {"campaign": linyi.title}
    ]
    assert not Certificate.objects.exists()


def dated_decision(campaign, day) -> None:
    """The documents' settings, issued by 临沂市总工会, the decision dated `day`."""
    DocumentSettings.objects.update_or_create(
        campaign=campaign,
        defaults={
            "issuer_mark": "临沂市总工会文件",
            "issuer": "临沂市总工会",
            "code": "临工发",
            "commendation_title": "表彰决定",
            "addressees": "各县区总工会",
            "commendation_body": "……",
            "commendation_date": day,
        },
    )


def test_issue_dates_certificates_with_the_decision(office, linyi, winners, settings):
    settings.WENYI_TODAY = datetime.date(2014, 12, 30)
    dated_decision(linyi, datetime.date(2014, 12, 26))

    issued = certificates.issue(office, linyi)

    assert {c.issued_on for c in issued.made} == {datetime.date(2014, 12, 26)}
    assert certificates.issuer_of(linyi) == "临沂市总工会"


def test_issue_never_dates_a_certificate_after_today(office, linyi, winners, settings):
    settings.WENYI_TODAY = datetime.date(2014, 12, 20)
    dated_decision(linyi, datetime.date(2014, 12, 26))

    issued = certificates.issue(office, linyi)

    assert {c.issued_on for c in issued.made} == {datetime.date(2014, 12, 20)}


def test_issue_revokes_the_certificate_of_a_withdrawn_award(office, linyi, winners):
    certificates.issue(office, linyi)
    award = winners.awards.get(holder="龚喆")
    Award.objects.filter(pk=award.pk).update(
        status=AwardStatus.WITHDRAWN, withdrawn_reason="异议成立：作品系抄袭。"
    )

    again = certificates.issue(office, linyi)

    certificate = Certificate.objects.get(award=award)
    assert [c.pk for c in again.revoked] == [certificate.pk]
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "异议成立：作品系抄袭。"
    assert certificates.issue(office, linyi).revoked == []


def test_issue_is_audited(office, linyi, winners):
    issued = certificates.issue(office, linyi)

    entries = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=office)
    assert entries.filter(object_id__in=[str(c.pk) for c in issued.made]).count() == 8


# --- the PDF -----------------------------------------------------------------------------


def test_pdf_has_one_page_per_certificate_with_every_holder_and_code(office, linyi, winners):
    certificates.issue(office, linyi)
    seen = []

    document = generate.make(
        office, linyi, DocumentKind.CERTIFICATES, "pdf", progress=lambda d, t: seen.append((d, t))
    )

    content = document.file.read()
    text = pdf_text(content)
    assert pages(content) == 8
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    for certificate in Certificate.objects.select_related("award"):
        assert certificate.award.holder in text
        assert grouped(certificate.code) in text
        assert certificate.number in text
    flat_text = flat(text)
    assert flat(_("Certificate of Honour")) in flat_text
    individual = _("In %(campaign)s, was awarded the title of %(award)s.") % {
        "campaign": linyi.title,
        "award": "优秀个人",
    }
    work = _("The work “%(title)s”, in %(campaign)s, was awarded %(award)s.") % {
        "title": "钢铁脊梁",
        "campaign": linyi.title,
        "award": "优秀文艺作品一等奖",
    }
    assert flat(individual) in flat_text
    assert flat(work) in flat_text
    assert "2014年" in flat_text and certificates.issuer_of(linyi) in flat_text
    assert document.version == 1
    assert document.title == _("Certificates of %(campaign)s") % {"campaign": linyi.title}


def test_pdf_prints_every_character_of_every_name(office, linyi, winners):
    """No missing glyph: a character without one would come out as nothing or .notdef."""
    certificates.issue(office, linyi)

    document = generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf")

    text = pdf_text(document.file.read())
    characters = set("".join(Award.objects.values_list("holder", flat=True)))
    characters |= set("".join(TITLES)) | set(certificates.issuer_of(linyi))
    assert {c for c in characters if c not in text} == set()


def test_pdf_of_one_kind_holds_that_kind_only(office, linyi, winners):
    certificates.issue(office, linyi)

    document = generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf", variant="work")

    content = document.file.read()
    text = pdf_text(content)
    assert pages(content) == 3
    assert all(author in text for author in AUTHORS)
    assert not any(name in text for name in PEOPLE)
    assert document.variant == "work"


def test_pdf_leaves_out_revoked_certificates(office, linyi, winners):
    certificates.issue(office, linyi)
    Award.objects.filter(holder="龚喆").update(
        status=AwardStatus.WITHDRAWN, withdrawn_reason="撤销"
    )
    certificates.issue(office, linyi)

    document = generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf", variant="individual")

    content = document.file.read()
    assert pages(content) == 1
    assert "龚喆" not in pdf_text(content)


def test_pdf_keeps_a_long_title_on_its_one_page(office, linyi, winners):
    Award.objects.filter(holder="司马赟").update(
        title="在那遥远的车间里" * 25, holder="司马赟、黄玥、邝昇、欧阳翀、龚喆、沈堃" * 3
    )
    certificates.issue(office, linyi)

    document = generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf", variant="work")

    assert pages(document.file.read()) == 3


def test_pdf_refused_until_every_winner_has_a_certificate(office, linyi, winners):
    with pytest.raises(generate.CannotMake) as refused:
        generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf")

    assert str(refused.value) == ngettext(
        "%(n)s winner has no certificate yet: issue the certificates first.",
        "%(n)s winners have no certificate yet: issue the certificates first.",
        8,
    ) % {"n": 8}
    assert not Document.objects.exists()


def test_pdf_refused_before_the_results_are_final(office, linyi, county_a, county_b):
    make_winners(linyi, county_a, county_b, status=ResultsStatus.APPROVED)

    with pytest.raises(generate.CannotMake):
        generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf")


def test_pdf_refuses_an_unknown_kind_and_docx(office, linyi, winners):
    certificates.issue(office, linyi)

    with pytest.raises(generate.CannotMake):
        generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf", variant="nosuch")
    with pytest.raises(generate.CannotMake):
        generate.make(office, linyi, DocumentKind.CERTIFICATES, "docx")


def _dark(image, x_mm, y_mm, dpi) -> bool:
    px = round(x_mm / 25.4 * dpi)
    py = round(y_mm / 25.4 * dpi)
    return image.getpixel((px, py)) < 128


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_qr_code_holds_the_verification_address(office, linyi, winners, tmp_path, settings):
    """No QR decoder is installed here: the page is rendered and every module of the
    printed code, read at its centre, is compared with segno's matrix for the address.
    A code for any other address (another code, another site) differs in many modules."""
    certificates.issue(office, linyi)
    document = generate.make(office, linyi, DocumentKind.CERTIFICATES, "pdf", variant="unit")
    (tmp_path / "c.pdf").write_bytes(document.file.read())
    dpi = 300
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "p")],
        check=True,
    )
    width_mm, height_mm = certificates.PAGE_MM
    size = certificates.QR_SIZE_MM
    left = width_mm - certificates.QR_RIGHT_MM - size
    top = height_mm - certificates.QR_BOTTOM_MM - size
    for page, certificate in enumerate(
        certificates.certificates_of(linyi).filter(award__award_kind__key="unit"), start=1
    ):
        url = certificates.verification_url(certificate.code)
        assert url == settings.SITE_URL + f"/verify/{grouped(certificate.code)}/"
        image = Image.open(sorted(tmp_path.glob("p-*.png"))[page - 1]).convert("L")
        matrix = certificates.qr_code(url).matrix
        border = certificates.QR_BORDER
        module = size / (len(matrix) + 2 * border)
        read = [
            [
                _dark(
                    image,
                    left + (border + col + 0.5) * module,
                    top + (border + row + 0.5) * module,
                    dpi,
                )
                for col in range(len(matrix))
            ]
            for row in range(len(matrix))
        ]
        assert read == [[bool(cell) for cell in line] for line in matrix]
        # and the quiet zone around it is white
        assert not _dark(image, left + module / 2, top + module / 2, dpi)

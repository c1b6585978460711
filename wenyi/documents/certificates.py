"""Certificates (荣誉证书): issuing them, their verification codes, and the PDF.

**Issuing** (`issue`): once the results are final, every standing award line gets one
certificate, numbered per campaign and award kind in the order of the results
(`2014-WO-001`: the campaign's year, a short code of the award kind, the sequence),
dated with the commendation decision (or today, when it has no date yet or a later
one), with a verification code. Issuing again makes only the missing ones, and revokes
the certificates of award lines withdrawn since (an upheld objection), with the
decision's reason. Each certificate made or revoked is an audit entry.

**Verification codes.** Eight characters drawn with `secrets` from Crockford's base-32
alphabet (no I, L, O, U: nothing to confuse with 1 and 0) — 40 random bits, so guessing
a code that exists is hopeless even with many certificates — and one check character,
printed grouped as `K7P3-9QXM-Z`. The check character makes the weighted sum of all
nine characters zero in the field GF(32) (x⁵ + x² + 1), the weights being α¹…α⁸ for the
eight characters and 1 for the check character, all different and non-zero: a change
of one character changes the sum by (weight × difference) ≠ 0, and a swap of two
characters by (difference of weights × difference of characters) ≠ 0, so every
single-character change and every transposition (adjacent or not) is caught. Crockford's
own mod-37 check needs five extra symbols (*~$=U) that are awkward to type and in a URL;
Luhn mod N misses some adjacent swaps. What people type is normalised first: full-width
characters, case, I and L read as 1, O as 0, dashes and spaces dropped.

A code then tells three cases apart on the public verification page (`verify`): a
real certificate (holder, award, campaign, issuer, number, date, and whether it was
revoked), a code that is not valid (mistyped or altered: the check fails), and a valid
code no certificate has (made up).

**The PDF** (`make_certificates`, registered with wenyi.documents.generate as the maker
of `DocumentKind.CERTIFICATES`): the certificates of one award kind (variant = its
key), or of all kinds (variant ""), one A4 landscape page each from
`typst/certificate.typ`, compiled once for the whole file. Each page carries a QR code
(segno, as SVG) of the absolute address of its verification page, with the code printed
under it.
"""

from __future__ import annotations

import datetime
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.queries import final_awards, results_of
from wenyi.campaigns.enums import AwardSubject
from wenyi.campaigns.models import AwardKind, AwardTier, Campaign
from wenyi.core import audit, clock
from wenyi.core.docx import official_date
from wenyi.core.enums import AuditAction
from wenyi.core.notify import site_link
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.documents.models import Certificate, DocumentSettings

TEMPLATE = Path(__file__).parent / "typst" / "certificate.typ"

# --- verification codes -------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
BODY_LENGTH = 8
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def _gf_mul(a: int, b: int) -> int:
    """a·b in GF(32) = GF(2)[x] / (x⁵ + x² + 1)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= 0b100101
    return product


def _weights() -> tuple[int, ...]:
    # α = x is primitive (order 31): α¹…α⁸ are different, non-zero and not 1
    weights, power = [], 1
    for _position in range(BODY_LENGTH):
        power = _gf_mul(power, 2)
        weights.append(power)
    return (*weights, 1)  # the check character's weight


WEIGHTS = _weights()
_TIMES = [[_gf_mul(weight, value) for value in range(32)] for weight in WEIGHTS]


def _syndrome(symbols: str) -> int:
    total = 0
    for position, symbol in enumerate(symbols):
        total ^= _TIMES[position][_VALUE[symbol]]
    return total


def check_character(body: str) -> str:
    """The check character that makes the code `body` + it add up to zero."""
    if len(body) != BODY_LENGTH or any(symbol not in _VALUE for symbol in body):
        raise ValueError(body)
    return ALPHABET[_syndrome(body)]  # its weight is 1: it equals the body's sum


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalise(text: str) -> str:
    """A code as typed or scanned → its plain form (upper case, I and L as 1, O as 0,
    without spaces and dashes). Anything else is kept, so it stays invalid."""
    text = unicodedata.normalize("NFKC", text or "").upper().translate(_READ_AS)
    return _SEPARATORS.sub("", text)


def is_valid(code: str) -> bool:
    """Whether a normalised code is well formed and its check character is right."""
    return (
        len(code) == CODE_LENGTH
        and all(symbol in _VALUE for symbol in code)
        and _syndrome(code) == 0
    )


def grouped(code: str) -> str:
    """K7P39QXMZ → K7P3-9QXM-Z: how a code is printed and shown."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def verification_url(code: str) -> str:
    """The absolute address of the code's verification page (what the QR code holds)."""
    return site_link(reverse("documents:verify_code", args=[grouped(code)]))


# --- numbers ---------------------------------------------------------------------------


def kind_codes(campaign: Campaign) -> dict[int, str]:
    """A short code per award kind of the campaign, for its certificates' numbers: the
    initials of a key in parts (`best-work` → BW), else its first two letters
    (`work` → WO); when two kinds would share one, the later takes its position too."""
    codes: dict[int, str] = {}
    taken: set[str] = set()
    for index, kind in enumerate(campaign.award_kinds.order_by("position", "id")):
        parts = [part for part in re.split(r"[^0-9A-Za-z]+", kind.key) if part]
        if len(parts) > 1:
            code = "".join(part[0] for part in parts[:3]).upper()
        else:
            code = (parts[0] if parts else "K")[:2].upper()
        for candidate in (code, f"{code}{index + 1}", f"K{index + 1}", f"K{kind.pk}"):
            if candidate not in taken:
                code = candidate
                break
        taken.add(code)
        codes[kind.pk] = code
    return codes


def _next_numbers(campaign: Campaign, prefixes: dict[int, str]) -> dict[int, int]:
    """The last sequence number used per award kind (by the number's prefix)."""
    last: dict[int, int] = {}
    numbers = Certificate.objects.filter(campaign=campaign).values_list("number", flat=True)
    by_prefix = {prefix: kind for kind, prefix in prefixes.items()}
    for number in numbers:
        prefix, _dash, sequence = number.rpartition("-")
        kind = by_prefix.get(prefix)
        if kind is not None and sequence.isdigit():
            last[kind] = max(last.get(kind, 0), int(sequence))
    return last


# --- issuing ---------------------------------------------------------------------------


def issuer_of(campaign: Campaign) -> str:
    """Who signs the certificates: the documents' issuer, else the campaign's."""
    found = DocumentSettings.objects.filter(campaign=campaign).values_list("issuer", flat=True)
    return next((name for name in found if name), campaign.issuer)


def _issue_date(campaign: Campaign) -> datetime.date:
    today = clock.today()
    decided = (
        DocumentSettings.objects.filter(campaign=campaign)
        .values_list("commendation_date", flat=True)
        .first()
    )
    return decided if decided is not None and decided <= today else today


def _require_final(campaign: Campaign) -> None:
    results = results_of(campaign)
    if results is None or results.status != ResultsStatus.FINAL:
        raise ValidationError(
            _(
                "The results of %(campaign)s are not final yet: certificates are issued "
                "only once every objection is decided and the results are declared final."
            )
            % {"campaign": campaign.title}
        )


@dataclass
class Issued:
    made: list[Certificate]
    revoked: list[Certificate]

    def message(self) -> str:
        parts = []
        if self.made:
            parts.append(
                ngettext("%(n)s certificate issued.", "%(n)s certificates issued.", len(self.made))
                % {"n": len(self.made)}
            )
        if self.revoked:
            parts.append(
                ngettext(
                    "%(n)s certificate of a withdrawn award revoked.",
                    "%(n)s certificates of withdrawn awards revoked.",
                    len(self.revoked),
                )
                % {"n": len(self.revoked)}
            )
        return " ".join(parts) or _("Every winner has a certificate already.")


def _fresh_codes(count: int) -> list[str]:
    """`count` new codes, none of them used before (in the order drawn: a code says
    nothing of its certificate's place)."""
    codes: list[str] = []
    while len(codes) < count:
        drawn = list(dict.fromkeys(new_code() for _ in range(count - len(codes))))
        drawn = [code for code in drawn if code not in codes]
        used = set(Certificate.objects.filter(code__in=drawn).values_list("code", flat=True))
        codes.extend(code for code in drawn if code not in used)
    return codes


def issue(actor, campaign: Campaign) -> Issued:
    """One certificate per standing award line of the final results that has none, and
    the certificates of withdrawn lines revoked. A second run makes nothing twice.
    Raises ValidationError before the results are final."""
    _require_final(campaign)
    for attempt in range(3):
        try:
            with transaction.atomic():
                made = _issue_missing(actor, campaign)
                revoked = _revoke_withdrawn(actor, campaign)
            return Issued(made, revoked)
        except IntegrityError:  # issued at the same moment elsewhere: look again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _issue_missing(actor, campaign: Campaign) -> list[Certificate]:
    awards = list(final_awards(campaign).filter(certificate__isnull=True))
    if not awards:
        return []
    prefixes = {kind: f"{campaign.year}-{code}" for kind, code in kind_codes(campaign).items()}
    last = _next_numbers(campaign, prefixes)
    issued_on = _issue_date(campaign)
    codes = _fresh_codes(len(awards))
    certificates = []
    for award, code in zip(awards, codes, strict=True):
        sequence = last.get(award.award_kind_id, 0) + 1
        last[award.award_kind_id] = sequence
        certificates.append(
            Certificate(
                award=award,
                campaign=campaign,
                number=f"{prefixes[award.award_kind_id]}-{sequence:03d}",
                code=code,
                issued_on=issued_on,
            )
        )
    Certificate.objects.bulk_create(certificates, batch_size=500)
    for certificate in certificates:
        audit.record(actor, AuditAction.CREATE, certificate)
    return certificates


def _revoke_withdrawn(actor, campaign: Campaign) -> list[Certificate]:
    revoked = []
    stale = Certificate.objects.filter(
        campaign=campaign, revoked_at__isnull=True, award__status=AwardStatus.WITHDRAWN
    ).select_related("award")
    for certificate in stale:
        before = audit.snapshot(certificate)
        reason = certificate.award.withdrawn_reason.strip() or _("The award was withdrawn.")
        certificate.revoked_at = clock.now()
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, certificate, before=before)
        revoked.append(certificate)
    return revoked


def revoke_withdrawn(actor, campaign: Campaign) -> list[Certificate]:
    """Revoke the certificates whose award line was withdrawn, with its reason."""
    with transaction.atomic():
        return _revoke_withdrawn(actor, campaign)


# --- reading ---------------------------------------------------------------------------


def award_name(kind: AwardKind, tier: AwardTier | None) -> str:
    """优秀文艺作品 + 一等奖 → 优秀文艺作品一等奖; a tier named like its kind
    (优秀个人 / 优秀个人) once."""
    if tier is None or tier.name in kind.name:
        return kind.name
    if kind.name in tier.name:
        return tier.name
    return f"{kind.name}{tier.name}"


def is_revoked(certificate: Certificate) -> bool:
    """Revoked, or its award withdrawn and not yet revoked (issuing again revokes it)."""
    return certificate.revoked_at is not None or certificate.award.status != AwardStatus.STANDING


def revoked_reason(certificate: Certificate) -> str:
    if certificate.revoked_at is not None:
        return certificate.revoked_reason
    return certificate.award.withdrawn_reason or _("The award was withdrawn.")


def certificates_of(campaign: Campaign) -> QuerySet[Certificate]:
    """The campaign's certificates in the order of the results."""
    return (
        Certificate.objects.filter(campaign=campaign)
        .select_related("award__award_kind", "award__tier")
        .order_by(
            "award__award_kind__position",
            "award__tier__position",
            "award__position",
            "award__id",
        )
    )


class Check:
    FOUND = "found"
    UNKNOWN = "unknown"
    INVALID = "invalid"


@dataclass(frozen=True)
class Verification:
    state: str  # Check.*
    code: str  # normalised
    certificate: Certificate | None = None

    @property
    def shown_code(self) -> str:
        return grouped(self.code) if is_valid(self.code) else self.code


def verify(text: str) -> Verification:
    """What a code typed or scanned stands for: a certificate, no certificate (a valid
    code nobody was given), or nothing (mistyped or altered: the check fails)."""
    code = normalise(text)
    if not is_valid(code):
        return Verification(Check.INVALID, code)
    certificate = (
        Certificate.objects.select_related(
            "award__award_kind", "award__tier", "campaign__document_settings"
        )
        .filter(code=code)
        .first()
    )
    if certificate is None:
        return Verification(Check.UNKNOWN, code)
    return Verification(Check.FOUND, code, certificate)


def public_facts(certificate: Certificate) -> dict[str, Any]:
    """What the verification page shows of a certificate (nothing else is public)."""
    award = certificate.award
    campaign = certificate.campaign
    try:
        issuer = campaign.document_settings.issuer or campaign.issuer
    except DocumentSettings.DoesNotExist:
        issuer = campaign.issuer
    return {
        "holder": award.holder,
        "unit_name": award.unit_name if award.unit_name != award.holder else "",
        "award": award_name(award.award_kind, award.tier),
        "title": award.title if award.award_kind.subject == AwardSubject.WORK else "",
        "campaign": campaign.title,
        "issuer": issuer,
        "number": certificate.number,
        "issued_on": certificate.issued_on,
        "revoked": is_revoked(certificate),
        "revoked_reason": revoked_reason(certificate) if is_revoked(certificate) else "",
    }


# --- the PDF ---------------------------------------------------------------------------

# where the QR code sits on the page (mm from the page's right and bottom edges) and its
# size with its quiet zone: the template places it there, tests look for it there
PAGE_MM = (297, 210)
MARGIN_MM = 20
QR_SIZE_MM = 32
QR_RIGHT_MM = 24
QR_BOTTOM_MM = 30
QR_BORDER = 4  # modules of white around the code (the standard's quiet zone)
# the wording's size in points; the template takes it down a point at a time until a
# long name or title fits above the signature, so each certificate stays on one page
BODY_SIZE_PT = 20


def qr_code(url: str):
    import segno

    return segno.make_qr(url, error="m")


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    qr_code(url).save(
        buffer, kind="svg", border=QR_BORDER, xmldecl=False, svgclass=None, lineclass=None
    )
    return buffer.getvalue().decode()


def _page(certificate: Certificate, campaign: Campaign, issuer: str) -> dict[str, Any]:
    award = certificate.award
    name = award_name(award.award_kind, award.tier)
    if award.award_kind.subject == AwardSubject.WORK and award.title:
        text = _("The work “%(title)s”, in %(campaign)s, was awarded %(award)s.") % {
            "title": award.title,
            "campaign": campaign.title,
            "award": name,
        }
    else:
        text = _("In %(campaign)s, was awarded the title of %(award)s.") % {
            "campaign": campaign.title,
            "award": name,
        }
    unit = award.unit_name if award.unit_name and award.unit_name != award.holder else ""
    return {
        "holder": award.holder,
        "unit": unit,
        "text": text,
        "number": _("Certificate no. %(number)s") % {"number": certificate.number},
        "code": grouped(certificate.code),
        "date": official_date(certificate.issued_on),
        "issuer": issuer,
    }


def certificate_data(campaign: Campaign, variant: str, progress: generate.Progress) -> dict:
    """The template's data for the certificates of award kind `variant` (all: ""),
    calling `progress(done, total)` per certificate. Raises CannotMake."""
    from wenyi.core.typst import stand_in_note, stand_ins

    results = results_of(campaign)
    if results is None or results.status != ResultsStatus.FINAL:
        raise generate.CannotMake(
            _("The results of %(campaign)s are not final yet, so no certificate can be made.")
            % {"campaign": campaign.title}
        )
    kinds = campaign.award_kinds.all()
    kind = None
    if variant:
        kind = kinds.filter(key=variant).first()
        if kind is None:
            raise generate.CannotMake(
                _("The campaign has no award kind %(key)s.") % {"key": variant}
            )
    winners = final_awards(campaign)
    if kind is not None:
        winners = winners.filter(award_kind=kind)
    missing = winners.filter(certificate__isnull=True).count()
    if missing:
        raise generate.CannotMake(
            ngettext(
                "%(n)s winner has no certificate yet: issue the certificates first.",
                "%(n)s winners have no certificate yet: issue the certificates first.",
                missing,
            )
            % {"n": missing}
        )
    certificates = certificates_of(campaign).filter(
        revoked_at__isnull=True,
        award__status=AwardStatus.STANDING,
        award__results__status=ResultsStatus.FINAL,
    )
    if kind is not None:
        certificates = certificates.filter(award__award_kind=kind)
    certificates = list(certificates)
    if not certificates:
        raise generate.CannotMake(_("There is no certificate to print."))
    issuer = issuer_of(campaign)
    fonts = stand_ins()
    total = len(certificates)
    progress(0, total)
    pages = []
    for done, certificate in enumerate(certificates, start=1):
        page = _page(certificate, campaign, issuer)
        page["qr"] = qr_svg(verification_url(certificate.code))
        pages.append(page)
        if done == total or done % 10 == 0:
            progress(done, total)
    title = _("Certificates of %(campaign)s") % {"campaign": campaign.title}
    if kind is not None:
        title = _("Certificates of %(campaign)s: %(kind)s") % {
            "campaign": campaign.title,
            "kind": kind.name,
        }
    return {
        "title": title,
        "heading": _("Certificate of Honour"),
        "closing": _("This certificate is awarded in recognition."),
        "scan": _("Scan to check"),
        "issuer": issuer,
        "note": stand_in_note(fonts),
        "fonts": fonts,
        "layout": {
            "page_width": PAGE_MM[0],
            "page_height": PAGE_MM[1],
            "margin": MARGIN_MM,
            "body_size": BODY_SIZE_PT,
            "qr_size": QR_SIZE_MM,
            "qr_right": QR_RIGHT_MM,
            "qr_bottom": QR_BOTTOM_MM,
        },
        "certificates": pages,
    }


def make_certificates(
    campaign: Campaign, variant: str, fmt: str, progress: generate.Progress
) -> generate.Made:
    """The maker of DocumentKind.CERTIFICATES (see wenyi.documents.generate)."""
    from wenyi.core.typst import compile_pdf

    # an official document: in the site's language, whoever asked for it
    with translation.override(settings.LANGUAGE_CODE):
        if fmt != DocumentFormat.PDF:
            raise generate.CannotMake(_("Certificates are made as PDF only."))
        data = certificate_data(campaign, variant, progress)
        content = compile_pdf(TEMPLATE, data)
        count = len(data["certificates"])
        note = ngettext("%(n)s certificate", "%(n)s certificates", count) % {"n": count}
        return generate.Made(content=content, title=data["title"], note=f"{note}; {data['note']}")


generate.register(DocumentKind.CERTIFICATES, make_certificates)


def kind_of(campaign: Campaign, key: str) -> AwardKind | None:
    return campaign.award_kinds.filter(key=key).first() if key else None

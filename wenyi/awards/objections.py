"""Objections (异议) from the public form, and what makes one acceptable.

An objection is received only while its notice is open to objections, from the
notice's first day to its last inclusive (a late one is refused, saying when the
window ended), and only on the latest notice of results still on notice. It must
carry:

- a real name (anonymous objections are refused: an empty name, or a stand-in such as
  匿名 or 某某) and a telephone number to reach the objector;
- for a unit, the unit's name and a scan of its seal (公章扫描件);
- the result objected to — a line standing on this notice — and the grounds.

Evidence and the seal scan go through the shared upload checks (core.uploads: judged
by content, pictures, PDF and Word documents only for the seal a picture or a PDF),
before anything is written; the files are written inside `uploads.writing()` with the
database transaction inside it, so a refusal or a failure leaves no file behind.

The objector gets a reference number (YY2014-0003: the campaign's year and a running
number) under which the office's decision is published — never the objector. The
form carries a one-time token: the same form sent again (a second tap, a retry after
a lost answer) finds the objection made the first time instead of raising another.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.awards.enums import AwardStatus, ObjectionFileKind, ObjectorKind, ResultsStatus
from wenyi.awards.models import Award, Objection, ObjectionFile, PublicNotice, Results
from wenyi.awards.services import describe, objection_url, office_of, tell
from wenyi.core import audit, clock, filetypes, uploads
from wenyi.core.enums import AuditAction

EVIDENCE_MAX = 10  # files of evidence with one objection
EVIDENCE_ACCEPT = {filetypes.IMAGE, filetypes.DOCUMENT}
SEAL_ACCEPT = {filetypes.IMAGE, "pdf"}
# what people write instead of a name when they do not want to give one
NOT_A_NAME = {
    "匿名",
    "无名",
    "无名氏",
    "佚名",
    "某某",
    "某人",
    "群众",
    "一群众",
    "知情人",
    "知情者",
    "网友",
    "职工",
    "anonymous",
    "anon",
    "none",
    "n/a",
}
MAX = {f: Objection._meta.get_field(f).max_length for f in ("name", "unit_name", "address")}
PHONE = re.compile(r"^\+?[\d\s\-()（）]{7,40}$")


def _evidence_refused(name: str, what: str) -> str:
    return _(
        'Evidence "%(name)s": not a picture, PDF or Word document (its content is %(what)s).'
    ) % {"name": name, "what": what}


def _seal_refused(name: str, what: str) -> str:
    return _('Seal scan "%(name)s": not a picture or PDF (its content is %(what)s).') % {
        "name": name,
        "what": what,
    }


def window_refusal(notice: PublicNotice, today: datetime.date) -> str:
    """Why `notice` takes no objection on `today` ("" when it takes them)."""
    results = notice.results
    latest = results.notices.order_by("-number").values_list("number", flat=True).first()
    if results.status != ResultsStatus.NOTICE or latest != notice.number:
        return _("This public notice has closed: objections are no longer received on it.")
    if today < notice.starts_on:
        return _("Objections are received from %(start)s.") % {
            "start": notice.starts_on.isoformat()
        }
    if today > notice.ends_on:
        return _("The public notice ended on %(end)s: late objections are not received.") % {
            "end": notice.ends_on.isoformat()
        }
    return ""


def _text(data: dict, key: str) -> str:
    return str(data.get(key) or "").strip()


def _award(notice: PublicNotice, raw) -> Award | None:
    pk = getattr(raw, "pk", raw)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Award.objects.filter(results_id=notice.results_id, pk=pk, status=AwardStatus.STANDING)
        .select_related("award_kind", "tier")
        .first()
    )


def check(notice: PublicNotice, data: dict) -> dict:
    """The form's values, checked: ValidationError naming each field that is wrong."""
    errors: dict[str, list[str]] = {}

    def refuse(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    kind = _text(data, "objector_kind")
    if kind not in ObjectorKind.values:
        refuse("objector_kind", _("Raised by: say whether you object as a person or a unit."))
    name = _text(data, "name")
    if not name or name.lower() in NOT_A_NAME or len(name) < 2:
        refuse(
            "name",
            _("Real name: give your real name; anonymous objections are not received."),
        )
    elif len(name) > MAX["name"]:
        refuse("name", _("Real name: at most %(max)s characters.") % {"max": MAX["name"]})
    unit_name = _text(data, "unit_name")
    if kind == ObjectorKind.UNIT and not unit_name:
        refuse("unit_name", _("Name of the unit: a unit's objection gives the unit's name."))
    elif len(unit_name) > MAX["unit_name"]:
        refuse(
            "unit_name",
            _("Name of the unit: at most %(max)s characters.") % {"max": MAX["unit_name"]},
        )
    phone = _text(data, "phone")
    if not phone:
        refuse(
            "phone",
            _(
                "Telephone: give a number the office can reach you at; anonymous objections "
                "are not received."
            ),
        )
    elif not PHONE.match(phone) or len(re.sub(r"\D", "", phone)) < 7:
        refuse("phone", _("Telephone: %(phone)s is not a telephone number.") % {"phone": phone})
    email = _text(data, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            refuse("email", _("E-mail: %(email)s is not an e-mail address.") % {"email": email})
    address = _text(data, "address")
    if len(address) > MAX["address"]:
        refuse("address", _("Address: at most %(max)s characters.") % {"max": MAX["address"]})
    award = _award(notice, data.get("award"))
    if award is None:
        refuse(
            "award",
            _(
                "Result objected to: choose one of the results on this notice (a withdrawn "
                "result takes no objection)."
            ),
        )
    grounds = _text(data, "grounds")
    if not grounds:
        refuse("grounds", _("Grounds: say what is wrong with the result, and why."))
    if errors:
        raise ValidationError(errors)
    return {
        "objector_kind": kind,
        "name": name,
        "unit_name": unit_name,
        "phone": phone,
        "email": email,
        "address": address,
        "award": award,
        "grounds": grounds,
    }


def prepare_files(kind: str, files: dict) -> list[tuple[str, uploads.Prepared]]:
    """The seal scan and the evidence, checked by content before anything is written;
    ValidationError naming each file refused, and the seal when a unit sent none."""
    errors: dict[str, list[str]] = {}
    prepared: list[tuple[str, uploads.Prepared]] = []
    max_mb = settings.WENYI_UPLOAD_MAX_MB
    seal = files.get("seal")
    if kind == ObjectorKind.UNIT and not seal:
        errors["seal"] = [
            _("Seal scan: a unit's objection carries a scan of the unit's seal (公章).")
        ]
    elif seal and kind == ObjectorKind.UNIT:
        try:
            prepared.append(
                (
                    ObjectionFileKind.SEAL,
                    uploads.prepare(seal, SEAL_ACCEPT, max_mb=max_mb, refused=_seal_refused),
                )
            )
        except ValidationError as exc:
            errors["seal"] = exc.messages
    evidence = [f for f in files.get("evidence") or [] if f]
    if len(evidence) > EVIDENCE_MAX:
        errors["evidence"] = [
            _("Evidence: at most %(max)s files (%(n)s chosen).")
            % {"max": EVIDENCE_MAX, "n": len(evidence)}
        ]
        evidence = []
    seen: set[str] = set()
    for upload in evidence:
        try:
            item = uploads.prepare(
                upload, EVIDENCE_ACCEPT, max_mb=max_mb, refused=_evidence_refused
            )
        except ValidationError as exc:
            errors.setdefault("evidence", []).extend(exc.messages)
            continue
        if item.sha256 not in seen:  # the same file chosen twice is kept once
            seen.add(item.sha256)
            prepared.append((ObjectionFileKind.EVIDENCE, item))
    if errors:
        raise ValidationError(errors)
    return prepared


def _reference(results: Results) -> str:
    """The next reference number of the campaign's objections: YY2014-0003."""
    year = results.campaign.year
    taken = Objection.objects.filter(notice__results=results).values_list("reference", flat=True)
    numbers = [int(r.rsplit("-", 1)[-1]) for r in taken if r.rsplit("-", 1)[-1].isdigit()]
    return f"YY{year}-{max(numbers, default=0) + 1:04d}"


def _by_token(token: str) -> Objection | None:
    return Objection.objects.filter(form_token=token).first() if token else None


def receive(notice: PublicNotice, data: dict, files: dict, *, today=None) -> Objection:
    """Receive an objection from the public form (see the module's notes); returns it,
    or the one the same form (its token) made before."""
    token = _text(data, "token")[:64]
    found = _by_token(token)
    if found is not None:
        return found
    today = today or clock.today()
    notice = PublicNotice.objects.select_related("results__campaign").get(pk=notice.pk)
    closed = window_refusal(notice, today)
    if closed:
        raise ValidationError({NON_FIELD_ERRORS: [closed]})
    errors: dict[str, list[str]] = {}
    values: dict = {}
    try:
        values = check(notice, data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    kind = _text(data, "objector_kind")
    try:
        prepared = prepare_files(kind, files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for _attempt in range(3):
        try:
            return _store(notice, values, prepared, token, today)
        except IntegrityError:
            # the same form sent twice at once, or a reference taken meanwhile
            found = _by_token(token)
            if found is not None:
                return found
    raise ValidationError(_("The objection could not be saved; please send it again."))


def _store(notice, values: dict, prepared, token: str, today) -> Objection:
    with uploads.writing() as written, transaction.atomic():
        results = Results.objects.select_for_update(of=("self",)).get(pk=notice.results_id)
        notice.results = results  # its state as locked
        closed = window_refusal(notice, today)
        if closed:
            raise ValidationError({NON_FIELD_ERRORS: [closed]})
        award = Award.objects.filter(pk=values["award"].pk, status=AwardStatus.STANDING).first()
        if award is None:
            raise ValidationError(
                {"award": [_("Result objected to: this result was withdrawn meanwhile.")]}
            )
        objection = Objection.objects.create(
            notice=notice,
            reference=_reference(results),
            form_token=token,
            received_at=timezone.now(),
            **values,
        )
        audit.record(None, AuditAction.CREATE, objection)
        for kind, item in prepared:
            record = uploads.save_new(ObjectionFile(objection=objection, kind=kind), item, written)
            uploads.audit_file(None, AuditAction.CREATE, record, objection, "files")
        campaign = results.campaign
        tell(
            office_of(campaign),
            None,
            gettext_noop(
                "Objection %(ref)s to %(result)s was received in the public notice of "
                "%(campaign)s: investigate and decide it."
            ),
            url=objection_url(objection),
            ref=objection.reference,
            result=describe(award),
            campaign=campaign.title,
        )
    return objection

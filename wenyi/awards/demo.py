"""The results part of `wenyi setup --demo` (issue 13, point 8): from the review's
approved tiers to final results, as they stood on the demo's today.

Following the story of December 2014 (总结表彰), each step only once its day has come:

- 1 December: the office (the site demo's `office`, 刘洁) draws the results from the
  approved tierings the review demo made, and a second member of the office
  (`office2`, 杨春松) approves them — never the one who drew them;
- 2 December: the office puts them on public notice from that day: 5 working days by
  the campaign file, so to Monday 8 December;
- 4 December: a unit objects to a work's award — under its seal (a small PNG scan) with
  a written statement as evidence (a Word document);
- 9 December: the office investigates and dismisses the objection with a written
  decision, published under its reference number;
- 10 December: the office declares the results final.

Everything goes through wenyi.awards.services, so it is audited and notified like real
work. The services take their moments from the clock (the demo's today); the moments
the pages show — drawn, approved, published, received, investigated, decided, declared
final — are then set to the story's days (`_stamp`), all before today, so the office and
the public read a coherent December: an objection received on the 4th inside the window
of 2 to 8 December, not on the day the demo was built. (The review's moments stay on the
demo's today: the works it reviews were submitted on that day.) Audit entries and
notices keep the clock's moment. Each step looks at what exists first: running the
demo again changes nothing, and a later today carries the story on from where it
stopped.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wenyi.awards import services
from wenyi.awards.enums import DECIDED, ObjectionStatus, ObjectorKind, ResultsStatus
from wenyi.awards.models import Objection, PublicNotice, Results
from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.review.enums import TieringStatus
from wenyi.review.models import Tiering

DRAW_DAY = datetime.date(2014, 12, 1)
NOTICE_DAY = datetime.date(2014, 12, 2)
OBJECTION_DAY = datetime.date(2014, 12, 4)
DECISION_DAY = datetime.date(2014, 12, 9)
FINAL_DAY = datetime.date(2014, 12, 10)
ONE_DAY = datetime.timedelta(days=1)

# the demo objection's form token: found again on every later run
TOKEN = "demo-linyi-2014-objection-1"
OBJECTOR = {
    "objector_kind": ObjectorKind.UNIT,
    "name": "韩立新",
    "unit_name": "沂南县纺织有限公司工会委员会",
    "phone": "0539-3221456",
    "email": "",
    "address": "沂南县城振兴路88号",
}
GROUNDS = (
    "该作品与我单位职工2013年在厂报《纺织工人》发表的作品《织机旁的黎明》构思和表现手法"
    "相近，怀疑存在借用情况，请予核查。附异议说明。"
)
EVIDENCE = [
    "关于《{title}》的异议说明",
    "我单位职工于2013年5月在厂报《纺织工人》第12期发表作品《织机旁的黎明》。",
    "经比对，获奖作品与该作品的题材、构思和主要意象相近。",
    "特此提出异议，请评审委员会核查。",
    "沂南县纺织有限公司工会委员会（盖章）",
    "2014年12月4日",
]
DECISION = (
    "经调取两件作品原件比对，并听取作者和评审专家意见：两件作品题材相近，但立意、结构和"
    "表现手法各不相同，相近之处为反映职工生活的常见意象，不构成抄袭或借用。"
    "异议不成立，维持原评审结果。"
)
INVESTIGATION = "调取获奖作品原件与厂报原文比对，听取作者说明，请两位评审专家复核。"
TITLE = "关于{campaign}评选结果的公示"
TEXT = (
    "根据《关于组织开展{campaign}的通知》要求，经各县区推荐、评审委员会评审，拟对以下单位、"
    "个人和作品予以表彰，现予以公示。\n"
    "公示期间，对公示结果有异议的，可通过本页面的异议表提出。个人提出异议须署真实姓名并"
    "留联系电话，单位提出异议须上传加盖公章的异议材料扫描件，并写明理由、附相关证明材料。"
    "匿名异议和逾期提出的异议不予受理。\n"
    "联系电话：0539-8726723"
)


def _office_logins(campaign: Campaign) -> list:
    """The office's logins at the campaign's owner unit, oldest first (the site demo's
    `office`, then `office2`)."""
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.OFFICE, unit__code=campaign.owner_unit_code, user__is_active=True
        )
        .select_related("user__person")
        .order_by("pk")
    ]


def _seal():
    """A red round seal on white, as a phone photographs it: a small PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, 228, 228), outline=(200, 16, 16), width=10)
    draw.regular_polygon((120, 120, 36), 5, rotation=90, fill=(200, 16, 16))
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("公章扫描件.png", out.getvalue(), content_type="image/png")


def _evidence(title: str):
    """The unit's written statement, as a Word document."""
    from docx import Document

    document = Document()
    lines = [line.format(title=title) for line in EVIDENCE]
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(
        "异议说明.docx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _stamp(model, pk: int, **moments: datetime.datetime) -> None:
    """Set the moments the pages show to the story's (the demo's own data: no audit)."""
    model.objects.filter(pk=pk).update(**moments)


def build(campaign: Campaign, today: datetime.date) -> None:
    """The results of the demo's own campaign as they stood on `today` (see the module's
    notes); nothing before the review's tiers are approved."""
    if today < DRAW_DAY:
        return
    offices = _office_logins(campaign)
    if not offices:
        return
    office = offices[0]
    results = Results.objects.filter(campaign=campaign).first()
    if results is None:
        if not Tiering.objects.filter(
            round__campaign=campaign, status=TieringStatus.APPROVED
        ).exists():
            return  # the review demo has not approved any tiers (yet)
        results = services.draw(office, campaign).results
        _stamp(Results, results.pk, drawn_at=_at(DRAW_DAY, 9, 30))
    if results.status == ResultsStatus.DRAFT:
        if len(offices) < 2:
            return  # four eyes: nobody else to approve them
        results = services.approve(offices[1], results, version=results.version)
        _stamp(Results, results.pk, approved_at=_at(DRAW_DAY, 15))
    if today < NOTICE_DAY:
        return
    if results.status == ResultsStatus.APPROVED:
        services.publish_notice(
            office,
            results,
            starts_on=NOTICE_DAY,
            title=TITLE.format(campaign=campaign.title),
            text=TEXT.format(campaign=campaign.title),
            today=NOTICE_DAY,
        )
        results.refresh_from_db()
        published = services.latest_notice(results)
        _stamp(PublicNotice, published.pk, published_at=_at(DRAW_DAY, 16))
    notice = services.latest_notice(results)
    if notice is None or today < OBJECTION_DAY:
        return
    objection = Objection.objects.filter(form_token=TOKEN).first()
    if objection is None and notice.is_open(OBJECTION_DAY):
        works = results.awards.filter(work__isnull=False).order_by("-tier__position", "-position")
        award = works.filter(work__category__key="shici").first() or works.first()
        if award is None:
            return
        data = {**OBJECTOR, "award": award.pk, "grounds": GROUNDS, "token": TOKEN}
        files = {"seal": _seal(), "evidence": [_evidence(award.title)]}
        objection = services.receive_objection(notice, data, files, OBJECTION_DAY)
        _stamp(Objection, objection.pk, received_at=_at(OBJECTION_DAY, 14, 20))
    if objection is None or today < DECISION_DAY:
        return
    if objection.status == ObjectionStatus.RECEIVED:
        objection = services.start_investigation(office, objection, note=INVESTIGATION)
        _stamp(Objection, objection.pk, investigated_at=_at(OBJECTION_DAY + ONE_DAY, 10))
    if objection.status not in DECIDED:
        objection = services.decide(office, objection, upheld=False, decision=DECISION)
        _stamp(Objection, objection.pk, decided_at=_at(DECISION_DAY, 16))
    if today < FINAL_DAY:
        return
    results.refresh_from_db()
    if results.status == ResultsStatus.NOTICE:
        services.declare_final(office, results, version=results.version)
        _stamp(Results, results.pk, final_at=_at(FINAL_DAY, 10))

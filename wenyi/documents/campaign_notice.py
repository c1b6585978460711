"""The campaign's own notice (通知), made again from the campaign's data.

The notice that started the campaign (临会办〔2014〕46号) is what its campaign file was
written from; this puts the file's data back into that shape, as an official document
after GB/T 9704 (documents.official), so the office holds the notice as the system
knows it — any change to the campaign since shows in it. It is written from the data,
section by section, not copied:

- the issuer (`campaign.issuer`, its mark "…文件"), the number as the file gives it
  (`campaign.doc_number`), the title 关于组织开展{title}的通知, the addressees (the
  document settings' `notice_addressees`, else the assisting bodies);
- 一、目标任务 (the aims), 二、主办单位 (lead and assisting organisers), 三、组织领导
  (the owner unit's leading group and its office), 四、内容要求 (each activity type
  with its yearly minimum, and the work categories), 五、活动步骤及时间要求 (the
  stages with their dates), 六、有关要求 (monthly plans and progress, the unit plan,
  the summary with its length, the review, the public notice and the commendation),
  and the contacts;
- signed by the issuer on the campaign's first day (the file holds no date of the
  notice), printed by the issuer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wenyi.campaigns.enums import GroupRole, NoticeCount
from wenyi.campaigns.models import Campaign, LeadingGroup, WorkCategory
from wenyi.core.docx import official_date, split_paragraphs
from wenyi.documents import generate, official
from wenyi.documents.commendation import chinese_number
from wenyi.documents.enums import DocumentKind
from wenyi.documents.generate import CannotMake, Made, Progress
from wenyi.documents.loading import profile_for
from wenyi.documents.models import DocumentSettings
from wenyi.documents.official import Paragraph


def _join(names: Iterable[str]) -> str:
    return "、".join(name for name in names if name)


def _month(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月"


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def period(start: datetime.date, end: datetime.date) -> str:
    """A stage's time as a notice writes it: 7月, 7—10月 for whole months of one year,
    else 2014年11月1日至11月10日 (the year again when it changes)."""
    whole = start.day == 1 and end == _month_end(end)
    if whole and start.year == end.year:
        if start.month == end.month:
            return f"{start.month}月"
        return f"{start.month}—{end.month}月"
    last = official_date(end) if end.year != start.year else f"{end.month}月{end.day}日"
    return f"{official_date(start)}至{last}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；：" else text + "。"


def _stage_name(name: str) -> str:
    return name if name.endswith("阶段") else f"{name}阶段"


def _activity_name(name: str) -> str:
    return name if name.endswith("活动") else f"{name}活动"


def _categories(campaign: Campaign) -> str:
    """文学（小说、诗词、散文）、音乐（歌曲）、舞蹈 …: the top categories, each with its
    subcategories."""
    categories = list(WorkCategory.objects.filter(campaign=campaign).order_by("position", "id"))
    children: dict[int | None, list[WorkCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)

    def named(category: WorkCategory) -> str:
        below = children.get(category.pk, [])
        if not below:
            return category.name
        return f"{category.name}（{_join(named(child) for child in below)}）"

    return _join(named(category) for category in children.get(None, []))


def _contacts(campaign: Campaign) -> str:
    """联系人：刘洁、杨春松，联系电话：…，电子邮箱：…: people who share a phone and an
    address are named together."""
    groups: dict[tuple[str, str], list[str]] = {}
    for contact in campaign.contacts.all():
        groups.setdefault((contact.phone, contact.email), []).append(contact.name)
    lines = []
    for (phone, email), names in groups.items():
        line = f"联系人：{_join(names)}"
        if phone:
            line += f"，联系电话：{phone}"
        if email:
            line += f"，电子邮箱：{email}"
        lines.append(line)
    return "；".join(lines) + ("。" if lines else "")


def _leading_group(campaign: Campaign) -> LeadingGroup | None:
    owner = campaign.owner_unit()
    if owner is None:
        return None
    return (
        LeadingGroup.objects.filter(campaign=campaign, unit=owner)
        .prefetch_related("members")
        .first()
    )


def _heading(number: int, text: str) -> Paragraph:
    return Paragraph(f"{chinese_number(number)}、{text}", 1)


def notice_paragraphs(campaign: Campaign) -> list[Paragraph]:
    """The notice's text from the campaign's data, under its numbered headings."""
    paragraphs: list[Paragraph] = []
    leads = [o.name for o in campaign.lead_organisers]
    assists = [o.name for o in campaign.assisting_bodies]
    paragraphs.append(
        Paragraph(
            f"经研究，{_join(leads) or campaign.issuer}决定于{_month(campaign.start)}至"
            f"{_month(campaign.end)}组织开展{campaign.title}。现将有关事项通知如下："
        )
    )
    section = 0

    def heading(text: str) -> None:
        nonlocal section
        section += 1
        paragraphs.append(_heading(section, text))

    if campaign.summary.strip():
        heading("目标任务")
        paragraphs += [Paragraph(line) for line in split_paragraphs(campaign.summary)]

    heading("主办单位")
    text = f"{_join(leads)}牵头组织" if leads else f"{campaign.issuer}组织"
    if assists:
        text += f"，{_join(assists)}等单位负责协助落实"
    paragraphs.append(Paragraph(text + "。"))

    group = _leading_group(campaign)
    if group is not None:
        heading("组织领导")
        members = list(group.members.all())
        leaders = [f"{m.position}{m.name}" for m in members if m.role == GroupRole.LEADER]
        deputies = [f"{m.position}{m.name}" for m in members if m.role == GroupRole.DEPUTY]
        text = "成立由" + (f"{_join(leaders)}任组长" if leaders else "")
        if deputies:
            text += f"{'，' if leaders else ''}{_join(deputies)}任副组长"
        text = f"{text}的{group.name}。" if leaders or deputies else f"成立{group.name}。"
        text += f"领导小组下设办公室，办公室设在{group.office_location}。"
        text += "各参与单位要成立相应的组织领导机构，具体组织实施。"
        paragraphs.append(Paragraph(text))

    activity_types = list(campaign.activity_types.all())
    categories = _categories(campaign)
    if activity_types or categories:
        heading("内容要求")
        sub = 0
        for activity_type in activity_types:
            sub += 1
            name = _activity_name(activity_type.name)
            text = (
                f"（{chinese_number(sub)}）组织开展{name}。{_sentence(activity_type.description)}"
            )
            if activity_type.min_per_year:
                text += f"全年组织不少于{activity_type.min_per_year}次{name}。"
            paragraphs.append(Paragraph(text, 2))
        if categories:
            sub += 1
            paragraphs.append(
                Paragraph(
                    f"（{chinese_number(sub)}）作品类别。创作和征集的作品包括{categories}等门类。",
                    2,
                )
            )

    stages = list(campaign.stages.all())
    if stages:
        heading("活动步骤及时间要求")
        paragraphs.append(
            Paragraph(
                f"活动于{_month(campaign.start)}开始，{_month(campaign.end)}结束，"
                f"共分{chinese_number(len(stages))}个阶段进行："
            )
        )
        for number, stage in enumerate(stages, start=1):
            paragraphs.append(
                Paragraph(
                    f"（{chinese_number(number)}）{_stage_name(stage.name)}"
                    f"（{period(stage.start, stage.end)}）",
                    2,
                )
            )
            if stage.description.strip():
                paragraphs.append(Paragraph(_sentence(stage.description)))

    requirements = _requirements(campaign, group)
    if requirements:
        heading("有关要求")
        paragraphs += [
            Paragraph(f"{number}.{text}", 3) for number, text in enumerate(requirements, start=1)
        ]
    contacts = _contacts(campaign)
    if contacts:
        paragraphs.append(Paragraph(contacts))
    return paragraphs


def _requirements(campaign: Campaign, group: LeadingGroup | None) -> list[str]:
    """有关要求: reporting, the summary, the review, the public notice, the commendation."""
    found = []
    stages = {stage.key: stage for stage in campaign.stages.all()}
    stage = stages.get(campaign.implementation_stage_key)
    if stage is not None:
        if campaign.progress_due_day:
            progress = f"每月{campaign.progress_due_day}日前"
        elif campaign.progress_due_days_before_month_end:
            progress = f"每月底前{campaign.progress_due_days_before_month_end}天"
        else:
            progress = "月底前"
        found.append(
            f"按时报送材料。在{_stage_name(stage.name)}，各单位每月{campaign.plan_due_day}日前"
            f"报送当月工作方案，{progress}报送计划推进落实情况，确保各项活动落到实处。"
        )
    if campaign.unit_plan_due:
        found.append(
            f"制定活动方案。各单位要根据工作实际，于{official_date(campaign.unit_plan_due)}前"
            "制定和细化本单位活动方案，并报送领导小组办公室。"
        )
    office = f"{group.name}办公室" if group is not None else campaign.issuer
    if campaign.summary_due:
        length = (
            f"，形成{campaign.summary_target_chars}字左右的书面材料"
            if campaign.summary_target_chars
            else "，形成书面材料"
        )
        found.append(
            f"认真进行总结。各单位要在{official_date(campaign.summary_due)}前认真总结活动"
            f"{length}，报送{office}。"
        )
    kinds = [kind.name for kind in campaign.award_kinds.all()]
    review = campaign.review_stage()
    if kinds:
        when = f"{period(review.start, review.end)}，" if review is not None else ""
        unit = "个工作日" if campaign.notice_count == NoticeCount.WORKING else "天"
        found.append(
            f"做好评审表彰。{when}由主办单位邀请专家组成评审委员会，评选{_join(kinds)}。"
            f"评审结果向社会公示{campaign.notice_days}{unit}，公示期满无异议后，"
            "以文件形式进行总结表彰。"
        )
    return found


def notice_document(
    campaign: Campaign, settings: DocumentSettings | None
) -> official.OfficialDocument:
    if not campaign.doc_number.strip():
        raise CannotMake(
            _(
                "The campaign has no document number: give it in the campaign file "
                "(campaign.doc_number, e.g. 临会办〔2014〕46号)."
            )
        )
    addressees = settings.notice_addressees.strip() if settings is not None else ""
    if not addressees:
        addressees = _join(o.name for o in campaign.assisting_bodies)
    return official.OfficialDocument(
        issuer_mark=campaign.issuer
        if campaign.issuer.endswith("文件")
        else f"{campaign.issuer}文件",
        number=campaign.doc_number.strip(),
        title=f"关于组织开展{campaign.title}的通知",
        addressee=addressees,
        paragraphs=notice_paragraphs(campaign),
        issuer=campaign.issuer,
        date=campaign.start,
        printed_by=campaign.issuer,
        printed_on=campaign.start,
    )


def make_notice(campaign: Campaign, variant: str, fmt: str, progress: Progress) -> Made:
    """The maker of DocumentKind.NOTICE (documents.generate)."""
    progress(0, 2)
    settings = DocumentSettings.objects.filter(campaign=campaign).first()
    doc = notice_document(campaign, settings)
    progress(1, 2)
    try:
        profile = profile_for(settings)
    except ValidationError as error:
        raise CannotMake(" ".join(error.messages)) from error
    content = official.render(doc, fmt, profile)
    progress(2, 2)
    return Made(
        content=content,
        title=doc.plain_title,
        number=doc.number,
        note=official.note_for(fmt, profile),
    )


generate.register(DocumentKind.NOTICE, make_notice)

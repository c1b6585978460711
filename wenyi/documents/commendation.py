"""The commendation decision (表彰决定, R11), made from the final results.

The decision is an official document after GB/T 9704 (documents.official): the issuer
mark and the number from the campaign's document settings (临工发〔2014〕58号: the code,
the year of the decision's date, its number), the title, the addressees, the body
from the office's template with the figures filled in, the attachment note, the issuer
and the date, and the attachment listing the winners by award kind and tier ("一、优秀
组织单位（10个）", "（一）一等奖（5件）", then one line each: holder（unit）《title》); the
end block with the copies (抄送) and the printing office (印发).

The body template is the office's text, one paragraph a line, its headings numbered
("一、", "（一）") as the text wants them, and named figures in braces: `{作品数}`,
`{获奖总数}` … (PLACEHOLDERS). It is filled with `str.format_map` from a fixed table
of values, after `template_problems` has checked that it names nothing else: no other
name, no attribute or index (`{年份.real}`), no format, no lone brace — so a template
can neither fail when the document is made nor reach anything but its figures. A
literal brace is written twice (`{{`, `}}`). The office's form and the campaign file's
`[documents]` are checked with it when saved or loaded.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.awards.enums import ResultsStatus
from wenyi.awards.models import Award
from wenyi.awards.queries import final_awards, results_of
from wenyi.campaigns.enums import AwardSubject
from wenyi.campaigns.models import Campaign
from wenyi.core.docx import document_number
from wenyi.documents import generate, official
from wenyi.documents.enums import DocumentKind
from wenyi.documents.generate import CannotMake, Made, Progress
from wenyi.documents.loading import profile_for
from wenyi.documents.models import DocumentSettings

# the figures a body template may name, with what each is
PLACEHOLDERS = {
    "活动名称": gettext_lazy("the campaign's title"),
    "年份": gettext_lazy("the campaign's year"),
    "通知文号": gettext_lazy("the number of the campaign's notice"),
    "单位数": gettext_lazy("organising units commended"),
    "个人数": gettext_lazy("individuals commended"),
    "文艺工作者数": gettext_lazy("art workers commended"),
    "作品数": gettext_lazy("works commended"),
    "获奖总数": gettext_lazy("all award lines"),
}
_COUNTED = {
    AwardSubject.UNIT: "单位数",
    AwardSubject.INDIVIDUAL: "个人数",
    AwardSubject.ARTIST: "文艺工作者数",
    AwardSubject.WORK: "作品数",
}
# how the attachment counts each kind of winner: 10个 units, 20名 people, 50件 works
MEASURE = {
    AwardSubject.UNIT: "个",
    AwardSubject.INDIVIDUAL: "名",
    AwardSubject.ARTIST: "名",
    AwardSubject.WORK: "件",
}

# a starting text for an office that writes its settings in the application
DEFAULT_BODY = """\
{年份}年，按照《关于组织开展{活动名称}的通知》（{通知文号}）要求，各级工会组织广大文艺\
工作者深入基层、深入职工，扎实开展采风创作、培训辅导、慰问演出和展示展演活动，取得了\
良好成效。经推荐、评审和公示，决定：
一、授予{单位数}个单位“优秀组织单位”称号，授予{个人数}名同志“优秀个人”称号。
二、授予{文艺工作者数}名同志“优秀文艺工作者”称号。
三、对{作品数}件优秀文艺作品予以表彰。
希望受到表彰的集体和个人珍惜荣誉，再接再厉，为繁荣职工文化作出新的更大贡献。
"""


def placeholder_list() -> str:
    return "、".join(f"{{{name}}}" for name in PLACEHOLDERS)


def template_problems(text: str) -> list[str]:
    """What is wrong with a body template, one message each naming the placeholder
    (empty when it can be filled)."""
    found: list[str] = []
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [
            _(
                "A brace stands alone: write a placeholder as {作品数}, and a brace meant "
                "as text twice ({{ or }})."
            )
        ]
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        written = (
            "{"
            + name
            + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "")
            + "}"
        )
        if name == "":
            found.append(
                _("Empty braces {}: name a figure, one of %(names)s.")
                % {"names": placeholder_list()}
            )
        elif name not in PLACEHOLDERS:
            found.append(
                _("Unknown placeholder %(placeholder)s: use one of %(names)s.")
                % {"placeholder": written, "names": placeholder_list()}
            )
        elif spec or conversion:
            found.append(
                _("Placeholder %(placeholder)s: write it plainly as {%(name)s}.")
                % {"placeholder": written, "name": name}
            )
    return list(dict.fromkeys(found))


def check_template(text: str) -> None:
    """Raise ValidationError on the field `commendation_body` if the template cannot be
    filled."""
    found = template_problems(text)
    if found:
        raise ValidationError({"commendation_body": found})


def figures(campaign: Campaign, awards: Iterable[Award]) -> dict[str, str]:
    """The values of the placeholders for `awards` (the final ones)."""
    counts: Counter[str] = Counter()
    total = 0
    for award in awards:
        total += 1
        key = _COUNTED.get(award.award_kind.subject)
        if key:
            counts[key] += 1
    values = {
        "活动名称": campaign.title,
        "年份": str(campaign.year),
        "通知文号": campaign.doc_number,
        "获奖总数": str(total),
    }
    values |= {key: str(counts[key]) for key in _COUNTED.values()}
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """The template with its figures filled in. Raises ValidationError (on the field
    `commendation_body`) when the template names anything else."""
    check_template(template)
    return template.format_map(values)


# --- the winners' list ----------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings count in these)."""
    if n < 10:
        return _DIGITS[n]
    tens, units = divmod(n, 10)
    if tens >= 10:
        return str(n)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[units] if units else "")


def award_line(award: Award) -> str:
    """One winner as printed: holder（unit）《title》 (the unit when it is not the holder
    itself, the title for a work)."""
    line = award.holder.strip()
    unit = award.unit_name.strip()
    if unit and unit != line:
        line += f"（{unit}）"
    title = award.title.strip().strip("《》")
    if title:
        line += f"《{title}》"
    return line


def winner_sections(awards: list[Award]) -> list[official.Section]:
    """The winners by award kind ("一、优秀文艺作品（50件）") and tier ("（一）一等奖
    （5件）"), in the results' order; a kind whose one tier bears the kind's own name
    has no tier heading."""
    kinds: dict[int, list[Award]] = {}
    for award in awards:
        kinds.setdefault(award.award_kind_id, []).append(award)
    sections = []
    for number, kind_awards in enumerate(kinds.values(), start=1):
        kind = kind_awards[0].award_kind
        measure = MEASURE.get(kind.subject, "项")
        heading = f"{chinese_number(number)}、{kind.name}（{len(kind_awards)}{measure}）"
        tiers: dict[int | None, list[Award]] = {}
        for award in kind_awards:
            tiers.setdefault(award.tier_id, []).append(award)
        named = [award.tier for award in kind_awards if award.tier is not None]
        plain = len(tiers) == 1 and (not named or named[0].name == kind.name)
        if plain:
            rows = [award_line(award) for award in kind_awards]
            sections.append(official.Section(official.Paragraph(heading, 1), rows))
            continue
        sections.append(official.Section(official.Paragraph(heading, 1)))
        sub = 0
        for tier_awards in tiers.values():
            tier = tier_awards[0].tier
            rows = [award_line(award) for award in tier_awards]
            if tier is None:
                sections.append(official.Section(None, rows))
                continue
            sub += 1
            title = f"（{chinese_number(sub)}）{tier.name}（{len(tier_awards)}{measure}）"
            sections.append(official.Section(official.Paragraph(title, 2), rows))
    return sections


# --- the document -------------------------------------------------------------------------


def settings_of(campaign: Campaign) -> DocumentSettings:
    settings = DocumentSettings.objects.filter(campaign=campaign).first()
    if settings is None:
        raise CannotMake(
            _(
                "The campaign has no document settings yet (issuer, number, addressees, "
                "text): fill them in on its documents page, or in the campaign file's "
                "[documents] table."
            )
        )
    return settings


def final_lines(campaign: Campaign) -> list[Award]:
    """The standing lines of the final results; CannotMake before they are final."""
    results = results_of(campaign)
    if results is None or results.status != ResultsStatus.FINAL:
        raise CannotMake(
            _(
                "The results are not final yet: the commendation decision is made from "
                "final results, once the public notice has closed and every objection "
                "is decided."
            )
        )
    awards = list(final_awards(campaign))
    if not awards:
        raise CannotMake(_("The final results have no award standing: nobody to commend."))
    return awards


def commendation_document(
    campaign: Campaign, settings: DocumentSettings, awards: list[Award]
) -> official.OfficialDocument:
    """The decision as an OfficialDocument. Raises CannotMake when the settings lack its
    number or date, or its template cannot be filled."""
    missing = []
    if settings.commendation_number is None:
        missing.append(str(DocumentSettings._meta.get_field("commendation_number").verbose_name))
    if settings.commendation_date is None:
        missing.append(str(DocumentSettings._meta.get_field("commendation_date").verbose_name))
    if missing:
        raise CannotMake(
            _("Fill in %(fields)s on the documents page first.") % {"fields": "、".join(missing)}
        )
    try:
        text = fill(settings.commendation_body, figures(campaign, awards))
    except ValidationError as error:
        raise CannotMake(" ".join(error.messages)) from error
    date = settings.commendation_date
    return official.OfficialDocument(
        issuer_mark=settings.issuer_mark,
        number=document_number(settings.code, date.year, settings.commendation_number),
        title=settings.commendation_title,
        addressee=settings.addressees,
        paragraphs=official.paragraphs_from_text(text),
        issuer=settings.issuer,
        date=date,
        attachments=[
            official.Attachment(f"{campaign.title}表彰名单", winner_sections(awards)),
        ],
        copies_to=official.split_list(settings.copies_to),
        printed_by=settings.printed_by,
        printed_on=date,
    )


def make_commendation(campaign: Campaign, variant: str, fmt: str, progress: Progress) -> Made:
    """The maker of DocumentKind.COMMENDATION (documents.generate)."""
    settings = settings_of(campaign)
    awards = final_lines(campaign)
    total = len(awards) + 1
    progress(0, total)
    doc = commendation_document(campaign, settings, awards)
    progress(len(awards), total)
    try:
        profile = profile_for(settings)
    except ValidationError as error:
        raise CannotMake(" ".join(error.messages)) from error
    content = official.render(doc, fmt, profile)
    progress(total, total)
    return Made(
        content=content,
        title=doc.plain_title,
        number=doc.number,
        note=official.note_for(fmt, profile),
    )


generate.register(DocumentKind.COMMENDATION, make_commendation)

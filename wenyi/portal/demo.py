"""The portal part of `wenyi setup --demo`: what the public sees of the 2014 campaign on
the demo's today.

- News the office (the site demo's `office`) wrote and published: two activity reports
  with a photo each (drawn with Pillow, carrying a GPS position in its EXIF as a phone
  photo would: the public copy drops it), and one typical example (典型经验); each
  dated within the campaign and only once its day has passed.
- Every work with the rights holder's portal consent, submitted and not disqualified,
  published on the portal (`services.publish_work`).

- From 16 December (`ANTHOLOGY_DAY`), once the results are final: the anthology. The
  office records the rights holders' written consent to print (collected from the
  authors of the submitted works that are not under suspicion of copying), starts the
  book 《职工文艺作品选》 with a preface, an editor's note and a cover picture (again
  with a GPS position the printed copy drops), adds the works of the award list of
  works and then the other consented ones, and makes it as PDF and EPUB, kept in the
  archive as made that afternoon.

Everything goes through wenyi.portal.services and wenyi.portal.anthology (audited like
real work). Running it again changes nothing: the news and the book are found by their
form tokens, published works are skipped.
"""

from __future__ import annotations

import datetime
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wenyi.awards.enums import ResultsStatus
from wenyi.awards.queries import results_of
from wenyi.campaigns.models import Campaign
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.documents.models import Document
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.portal import anthology, services
from wenyi.portal.enums import NewsKind, PageSize
from wenyi.portal.models import Anthology, NewsItem, WorkPublication
from wenyi.works import services as work_services
from wenyi.works.enums import MatchStatus
from wenyi.works.models import Match, Work
from wenyi.works.queries import eligible

NAMESPACE = uuid.UUID("6f1c2c3e-8d0a-4b7e-9a55-14f0d0c2a914")

# (days after the campaign's start, kind, title, text, photo colour or None)
NEWS = [
    (
        30,
        NewsKind.REPORT,
        "文艺家走进机械厂 笔墨丹青送车间",
        "市总工会组织书画家走进兰山区机械厂，与一线职工面对面交流。\n"
        "书画家们现场挥毫泼墨，为职工书写春联、绘制花鸟，车间里洋溢着浓浓的文化气息。\n"
        "职工们纷纷表示，这样的活动贴近生活、贴近职工，希望多多举办。",
        (178, 34, 34),
    ),
    (
        60,
        NewsKind.REPORT,
        "职工诗歌朗诵会在罗庄区举行",
        "罗庄区总工会举办“劳动者之歌”职工诗歌朗诵会，二十余名职工登台朗诵原创诗歌。\n"
        "朗诵会上，一首首饱含深情的诗作讴歌了劳动者的奋斗精神。",
        (34, 90, 160),
    ),
    (
        75,
        NewsKind.EXAMPLE,
        "兰山区：以“深入职工”为魂 打造基层文艺阵地",
        "兰山区总工会坚持把文艺创作的根扎在职工中间，建立文艺家联系企业制度。\n"
        "全区已有十二家企业与文艺家结对，开展创作实践活动四十余场，形成了一批职工喜爱的作品。\n"
        "主要做法：一是建立结对机制；二是搭建展示平台；三是完善激励措施。",
        None,
    ),
]


ANTHOLOGY_DAY = datetime.date(2014, 12, 16)
ANTHOLOGY = {
    "title": "职工文艺作品选",
    "subtitle": "2014年文艺工作者深入职工创作实践活动优秀作品汇编",
    "editor": "",  # the campaign's organiser
    "page_size": PageSize.A5,
    "preface": (
        "2014年，全市各级工会组织文艺工作者深入企业、车间、工地，与广大职工同劳动、同生活，"
        "创作了一大批反映职工精神风貌的文艺作品。\n"
        "本书从参评作品中选编获奖作品和部分优秀作品，按艺术门类编排，"
        "以期展示活动成果，记录劳动者的奋斗足迹。"
    ),
    "editor_note": (
        "本书所收作品均经作者书面授权刊印。编选过程中得到各县区总工会、文联的大力支持，谨致谢忱。\n"
        "限于篇幅和编者水平，疏漏之处在所难免，敬请读者批评指正。"
    ),
}


def _photo(colour, name: str, size=(960, 640)) -> SimpleUploadedFile:
    """A small phone-like photo with a GPS position in its EXIF."""
    from PIL import ExifTags, Image, ImageDraw

    width, height = size
    im = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    for i in range(0, width, 80):
        draw.rectangle([i, height * 2 // 3, i + 50, height - 40], fill=(240, 220, 180))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "DemoPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 3.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (118.0, 21.0, 0.0)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85, exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _office(campaign: Campaign):
    membership = (
        Membership.objects.filter(
            role=Role.OFFICE, unit__code=campaign.owner_unit_code, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else None


def build(campaign: Campaign, today: datetime.date) -> dict[str, int]:
    """News and published works as they stood on `today`: {"news": n, "works": n} made
    by this run."""
    office = _office(campaign)
    made = {"news": 0, "works": 0}
    if office is None:
        return made
    for index, (days, kind, title, body, colour) in enumerate(NEWS):
        dated = campaign.start + datetime.timedelta(days=days)
        if dated >= today or dated > campaign.end:
            continue
        token = uuid.uuid5(NAMESPACE, f"{campaign.slug}/{index}")
        if NewsItem.objects.filter(token=token).exists():
            continue
        photos = services.prepare_photos([_photo(colour, f"demo-{index}.jpg")]) if colour else []
        data = {"kind": kind, "title": title, "dated": dated, "summary": "", "body": body}
        news = services.create_news(office, campaign, data, photos, [title], token=token)
        services.publish_news(office, news)
        made["news"] += 1
    published = WorkPublication.objects.filter(campaign=campaign).values("work_id")
    works = eligible(Work.objects.filter(campaign=campaign, consent_portal=True)).exclude(
        pk__in=published
    )
    for work in works.filter(submitted_at__date__lte=today).order_by("pk"):
        services.publish_work(office, work)
        made["works"] += 1
    _anthology(campaign, today, office)
    return made


def _anthology(campaign: Campaign, today: datetime.date, office) -> Anthology | None:
    """The anthology as it stood on `today` (see the module's docstring), once."""
    results = results_of(campaign)
    if today < ANTHOLOGY_DAY or results is None or results.status != ResultsStatus.FINAL:
        return None
    token = uuid.uuid5(NAMESPACE, f"{campaign.slug}/anthology")
    book = Anthology.objects.filter(token=token).first()
    if book is not None:
        return book
    # the written consents the office collected: works not under suspicion of copying
    suspect = Exists(Match.objects.filter(work=OuterRef("pk")).exclude(status=MatchStatus.CLEARED))
    unsure = eligible(Work.objects.filter(campaign=campaign)).filter(suspect)
    works = eligible(Work.objects.filter(campaign=campaign)).exclude(pk__in=unsure.values("pk"))
    for work in works.filter(consent_anthology=False).order_by("pk"):
        author = work.author_links.select_related("person").first()
        name = author.person.name if author else work.unit.name
        work_services.record_consent(
            office, work, portal=work.consent_portal, anthology=True, name=name
        )
    cover = anthology.prepare_cover(_photo((150, 40, 30), "cover.jpg", size=(1240, 1754)))
    book = anthology.create_anthology(office, campaign, ANTHOLOGY, cover=cover, token=token)
    awards = campaign.award_kinds.filter(subject="work").first()
    if awards is not None:  # first the award list of works, then the other consented ones
        listed = Work.objects.filter(
            awards__results=results, awards__award_kind=awards, awards__status="standing"
        )
        anthology.add_works(office, book, listed, version=book.version, skip_refused=True)
    anthology.add_works(office, book, works, version=book.version, skip_refused=True)
    made_at = timezone.make_aware(datetime.datetime.combine(ANTHOLOGY_DAY, datetime.time(15)))
    for fmt in (DocumentFormat.PDF, DocumentFormat.EPUB):
        document = generate.make(
            office, campaign, DocumentKind.ANTHOLOGY, fmt, variant=str(book.pk)
        )
        # made on the day of the story, as the archive shows it
        Document.objects.filter(pk=document.pk).update(made_at=made_at)
    return book

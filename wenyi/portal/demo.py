"""The portal part of `wenyi setup --demo`: what the public sees of the 2014 campaign on
the demo's today.

- News the office (the site demo's `office`) wrote and published: two activity reports
  with a photo each (drawn with Pillow, carrying a GPS position in its EXIF as a phone
  photo would: the public copy drops it), and one typical example (典型经验); each
  dated within the campaign and only once its day has passed.
- Every work with the rights holder's portal consent, submitted and not disqualified,
  published on the portal (`services.publish_work`).

Everything goes through wenyi.portal.services (audited like real work). Running it again
changes nothing: the news are found by their form tokens, published works are skipped.
"""

from __future__ import annotations

import datetime
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.portal import services
from wenyi.portal.enums import NewsKind
from wenyi.portal.models import NewsItem, WorkPublication
from wenyi.works.models import Work
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


def _photo(colour, name: str) -> SimpleUploadedFile:
    """A small phone-like photo with a GPS position in its EXIF."""
    from PIL import ExifTags, Image, ImageDraw

    im = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(im)
    for i in range(0, 960, 80):
        draw.rectangle([i, 420, i + 50, 600], fill=(240, 220, 180))
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
    return made

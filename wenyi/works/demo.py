"""The works part of `wenyi setup --demo`: poems, prose and photographs from the counties,
some submitted and checked for originality, one of them a planted near-copy of an earlier
poem so the office finds a possible copy waiting for its decision."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from wenyi.campaigns.models import Campaign
from wenyi.core import uploads
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.works import files, images, originality, services
from wenyi.works.enums import Origin
from wenyi.works.models import Work

PHOTO_TITLES = ("车间晨光", "焊花", "织机旁", "塔吊上的人", "矿灯", "田埂上的笑脸")
POEMS = [
    (
        "车间的早晨",
        "机器醒来的时候，我们也醒来。\n钢花在炉口开放，像春天提前到达。\n"
        "师傅的手掌粗糙，却能听见齿轮的心跳。\n我们把汗水拧成一根线，\n"
        "缝补着城市的黎明，也缝补着自己的梦想。\n当第一车产品驶出厂门，\n"
        "晨光正好落在劳模的肩上。",
    ),
    (
        "致矿工兄弟",
        "你从地心归来，带着一身煤的光泽。\n灯在头顶，路在脚下，\n"
        "你把黑暗一寸一寸掘开，\n把温暖送到千家万户的炉膛。\n兄弟，今夜的月亮为你而圆，\n"
        "今夜的掌声为你而响。",
    ),
    (
        "沂河岸边的工地",
        "塔吊划过天空，写下一行行大字。\n安全帽下的笑脸，被阳光晒成古铜色。\n"
        "他们说，楼会长高，日子也会长高。\n沂河在旁边静静流淌，\n"
        "听建设者们把号子喊得又响又亮。",
    ),
]
PROSE = (
    "那年夏天，文艺工作者走进了我们的车间。他们带着画板和相机，也带着笔记本，"
    "在轰鸣的机器旁一站就是一整天。老师傅起初有些拘谨，后来便打开了话匣子，"
    "讲起三十年前厂子刚建时的艰难，讲起第一台设备是怎样用人拉肩扛运进厂房的。\n"
    "画家老周画了一张又一张速写：弯腰检修的电工，满脸油污却笑得灿烂的学徒，"
    "还有食堂里端着饭盒排队的青年女工。他说，这些面孔比任何风景都动人。"
    "摄影家小李爬上行车，从高处拍下整条生产线，钢铁的线条在他的镜头里像一首长诗。\n"
    "作家王老师住进了职工宿舍。夜里，他和下了夜班的工人坐在台阶上聊天，"
    "听他们讲孩子的学业、老家的收成、对技术比武的期待。他把这些话一句一句记下来，"
    "说要写一部属于这座工厂的报告文学。\n"
    "临走的那天，车间里开了一个小小的座谈会。老师傅拿出珍藏多年的劳模奖章，"
    "年轻人朗诵了自己写的诗，文艺工作者们则把刚完成的作品挂在了车间的墙上。"
    "那一刻大家忽然明白，所谓艺术，原本就长在劳动者的日子里，"
    "只是需要有人把它轻轻拾起，再郑重地交还给我们。\n"
    "如今，那几幅画还挂在车间的墙上。每当新来的徒弟问起，老师傅总会指着画上的人说："
    "你看，这就是我们自己。\n"
    "后来，厂里成立了职工文学社和书画小组，每个周末都有人在活动室里写字、作画、读诗。"
    "那个夏天播下的种子，已经在车间里长成了一片小小的林子，年年都有新的枝叶伸向阳光。"
)


def _photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), tuple(rng.randint(40, 160) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(20):
        x, y = rng.randint(0, 1500), rng.randint(0, 1100)
        draw.rectangle(
            (x, y, x + rng.randint(40, 300), y + rng.randint(40, 300)),
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def build(campaign: Campaign, today: datetime.date) -> int:
    """The works of the demo's own campaign (site.demo picks it by its slug), once;
    returns how many exist."""
    if Work.objects.filter(campaign=campaign).exists():
        return Work.objects.filter(campaign=campaign).count()
    if today < campaign.start:
        return 0  # nothing made before the campaign began
    owner = campaign.owner_unit()
    if owner is None:
        return 0
    categories = {c.key: c for c in campaign.work_categories.all()}
    poem, prose, photo = (
        categories.get("shici"),
        categories.get("sanwen"),
        categories.get("sheying"),
    )
    if not (poem and prose and photo):
        return 0
    rng = random.Random(12)
    counties = list(OrgUnit.objects.get_children(owner))
    made: list[Work] = []
    with uploads.files_written(), transaction.atomic():
        for index, county in enumerate(counties[:8]):
            coordinator = (
                Membership.objects.filter(role=Role.COORDINATOR, unit=county)
                .select_related("user")
                .first()
            )
            actor = coordinator.user if coordinator else None
            authors = list(Person.objects.filter(unit=county, user__isnull=True)[:2]) or list(
                Person.objects.filter(unit=county)[:1]
            )
            if index < len(POEMS):
                category, (title, text) = poem, POEMS[index]
            elif index == len(POEMS):
                category, title, text = prose, f"{county.name}采风散记", PROSE
            else:
                category = None
            if category is not None:
                work = services.create_work(
                    actor,
                    campaign=campaign,
                    category=category,
                    unit=county,
                    title=title,
                    authors=authors,
                    text=text,
                    origin=Origin.FIELD_CREATION,
                    description="",
                    created_on=campaign.start,
                )
                services.record_consent(
                    actor, work, portal=True, anthology=index % 2 == 0, name=authors[0].name
                )
                made.append(work)
            if index % 2 == 0 or category is None:
                shot = services.create_work(
                    actor,
                    campaign=campaign,
                    category=photo,
                    unit=county,
                    # a title free of the unit's name: blind rounds show titles
                    title=PHOTO_TITLES[index // 2 % len(PHOTO_TITLES)],
                    authors=authors,
                    origin=Origin.COLLECTED,
                )
                files.store_work_file(actor, shot, _photo(rng, f"photo-{county.code}.jpg"))
                made.append(shot)
        # a planted near-copy of the first poem, from another county
        first_title, first_text = POEMS[0]
        copier = counties[9] if len(counties) > 9 else counties[-1]
        copy_authors = list(Person.objects.filter(unit=copier)[:1])
        if copy_authors:
            made.append(
                services.create_work(
                    None,
                    campaign=campaign,
                    category=poem,
                    unit=copier,
                    title="车间的黎明",
                    authors=copy_authors,
                    text=first_text.replace("钢花", "焊花"),
                    origin=Origin.COLLECTED,
                )
            )
    # most are submitted (the last, the near-copy, too); every third stays a draft
    for position, work in enumerate(made):
        if position % 3 != 2 or work is made[-1]:
            services.submit_work(work.created_by, work)
    # check now, so the demo opens with its possible copy already found (the queued
    # checks that submitting also started find the same and change nothing)
    for work in Work.objects.filter(campaign=campaign, status="submitted").order_by("pk"):
        originality.check_text(work)
        images.check_images(work)
    return Work.objects.filter(campaign=campaign).count()

"""The activities part of `wenyi setup --demo`: a campaign in progress.

Every county has recorded activities since the campaign began, none after the demo's
today (WENYI_TODAY); some are verified, some wait for checking, one was returned.
Counties differ in pace so the quota matrix shows met, on-track and behind units.
"""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from wenyi.activities import evidence, services
from wenyi.activities.models import Activity
from wenyi.campaigns.models import Campaign
from wenyi.core import uploads
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person

TITLES = {
    "caifeng": ["走进{place}采风", "文艺家深入{place}体验生活", "“劳模风采”主题采风"],
    "peixun": ["职工文艺骨干培训班", "职工合唱辅导", "书法美术基础辅导"],
    "weiwen": ["“送温暖”慰问演出", "文艺小分队走进{place}", "节日慰问专场演出"],
    "zhanshi": ["职工书画摄影作品流动展", "演艺“大篷车”巡演", "职工文学作品展示"],
}
PLACES = ["车间", "工地", "厂区广场", "职工之家", "工人文化宫", "物流园"]


def _photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1280, 960), tuple(rng.randint(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 1200), rng.randint(0, 900)
        draw.ellipse(
            (x, y, x + rng.randint(40, 200), y + rng.randint(40, 200)),
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# the days of activity the counties' paces below are set for (about ten weeks)
PACE_DAYS = 70


def build(campaign: Campaign, today: datetime.date) -> int:
    """Record the demo activities once, all held between the campaign's start and a few
    days before `today`; returns how many exist. `campaign` is the demo's own (site.demo
    picks it by its slug): nothing here looks for another."""
    if Activity.objects.filter(campaign=campaign).exists():
        return Activity.objects.filter(campaign=campaign).count()
    first = campaign.start + datetime.timedelta(days=2)
    last = min(today, campaign.end) - datetime.timedelta(days=5)
    if last < first:
        return 0
    window = (first, (last - first).days)
    owner = campaign.owner_unit()
    office = Membership.objects.filter(role=Role.OFFICE, unit=owner).select_related("user")
    if owner is None or not office.exists():
        return 0
    checker = office.first().user
    rng = random.Random(46)
    types = list(campaign.activity_types.prefetch_related("metrics"))
    counties = list(OrgUnit.objects.get_children(owner))
    with uploads.files_written(), transaction.atomic():
        for index, county in enumerate(counties):
            coordinator = (
                Membership.objects.filter(role=Role.COORDINATOR, unit=county)
                .select_related("user")
                .first()
            )
            actor = coordinator.user if coordinator else checker
            artists = list(Person.objects.filter(unit=county)[:4])
            enterprises = list(OrgUnit.objects.get_children(county))
            pace = (index + 2) % 4  # 0: behind … 3: quick
            for type_ in types:
                planned = pace + (1 if type_.key == "weiwen" else 0)
                for n in range(round(planned * max(window[1], 1) / PACE_DAYS)):
                    _one(
                        actor,
                        checker,
                        campaign,
                        county,
                        type_,
                        (artists, enterprises),
                        rng,
                        (n, index),
                        window,
                    )
    return Activity.objects.filter(campaign=campaign).count()


def _one(actor, checker, campaign, county, type_, people, rng, position, window):
    artists, enterprises = people
    n, index = position
    while True:  # not the same type, day and place twice (that is a duplicate)
        place_unit = rng.choice(enterprises) if enterprises else county
        place = f"{place_unit.name}{rng.choice(PLACES)}"
        start = window[0] + datetime.timedelta(days=rng.randint(0, window[1]))
        if not services.find_duplicates(county, type_, start, place).exists():
            break
    values = {}
    for metric in type_.metrics.all():
        if metric.value_type == "integer":
            values[metric.key] = (
                rng.randint(20, 600)
                if "audience" in metric.key or "trainees" in metric.key
                else rng.randint(1, 12)
            )
        elif metric.value_type == "text" and (metric.required or rng.random() < 0.6):
            values[metric.key] = rng.choice(
                [
                    "职工反响热烈，现场气氛活跃。",
                    "参与职工踊跃，效果良好。",
                    "当地媒体作了报道，社会反响较好。",
                ]
            )
    activity = services.create_activity(
        actor,
        campaign=campaign,
        unit=county,
        type=type_,
        title=rng.choice(TITLES.get(type_.key, ["{place}活动"])).format(place=place_unit.name),
        start_date=start,
        place=place,
        participants=rng.sample(artists, k=min(2, len(artists))),
        description="",
        values=values,
    )
    if n == 0 and index % 3 == 0:
        evidence.store_evidence(actor, activity, _photo(rng, f"{type_.key}-{county.code}.jpg"))
    # the newest of each county waits for checking, one in five was returned
    roll = rng.random()
    if roll < 0.75:
        services.submit_activity(actor, activity)
        services.verify_activity(checker, activity)
    elif roll < 0.9:
        services.submit_activity(actor, activity)
    elif roll < 0.95:
        services.submit_activity(actor, activity)
        services.return_activity(checker, activity, "请补充现场照片和受众人数的依据。")

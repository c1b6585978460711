"""Demo data for `wenyi setup --demo`: a campaign in progress a newcomer can walk into.

Project-level wiring (like urls.py): it may use every app. Each capability adds its
part here. Running it twice changes nothing.

The demo writes into its own campaign only, the 2014 Linyi one (`DEMO_CAMPAIGN`, the
slug of campaigns/linyi-2014.toml), found by its slug: other campaigns loaded beside it
(another city's, another year's) get no leading group, activity, report or work from
the demo, whether or not their units are Linyi's. Without its campaign the demo makes
units, people and logins only.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from wenyi.campaigns import services as campaign_services
from wenyi.campaigns.enums import GroupRole
from wenyi.campaigns.models import Campaign, LeadingGroup
from wenyi.orgs import services as org_services
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.review import demo as review_demo

DEMO_PASSWORD = "wenyi2014"
# the demo's own campaign: the slug of campaigns/linyi-2014.toml (issue 11)
DEMO_CAMPAIGN = "linyi-2014"
# the day the demo data describes (`make run` also sets WENYI_TODAY to it, so the pages
# show the campaign as it stood then)
DEMO_TODAY = datetime.date(2014, 9, 16)

# 临沂市 and its districts, counties and development zones (2014), with their
# statistical division codes.
LINYI = ("371300", "临沂市", UnitKind.CITY)
LINYI_UNITS = [
    ("371302", "兰山区", UnitKind.DISTRICT),
    ("371311", "罗庄区", UnitKind.DISTRICT),
    ("371312", "河东区", UnitKind.DISTRICT),
    ("371321", "沂南县", UnitKind.COUNTY),
    ("371322", "郯城县", UnitKind.COUNTY),
    ("371323", "沂水县", UnitKind.COUNTY),
    ("371324", "兰陵县", UnitKind.COUNTY),
    ("371325", "费县", UnitKind.COUNTY),
    ("371326", "平邑县", UnitKind.COUNTY),
    ("371327", "莒南县", UnitKind.COUNTY),
    ("371328", "蒙阴县", UnitKind.COUNTY),
    ("371329", "临沭县", UnitKind.COUNTY),
    ("371371", "临沂高新技术产业开发区", UnitKind.DEVZONE),
    ("371372", "临沂经济技术开发区", UnitKind.DEVZONE),
    ("371373", "临沂临港经济开发区", UnitKind.DEVZONE),
]
ENTERPRISE_KINDS = ["机械制造有限公司", "供电公司", "纺织有限公司", "商贸物流园"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅春松建国志文海燕"
ART_FORMS = ["文学", "诗歌", "散文", "音乐", "舞蹈", "书法", "美术", "摄影", "微影像", "戏剧曲艺"]


@dataclass
class DemoLogin:
    username: str
    password: str
    description: str


def build_units(stdout=None) -> OrgUnit:
    """The Linyi unit tree: city, 15 districts/counties/zones, two enterprises each."""
    with transaction.atomic():
        city = OrgUnit.objects.filter(code=LINYI[0]).first()
        if city is None:
            city = org_services.create_unit(
                None,
                None,
                code=LINYI[0],
                name=LINYI[1],
                kind=LINYI[2],
                bodies=["union", "culture", "arts"],
                address="临沂市北城新区",
                phone="0539-8726723",
            )
        for index, (code, name, kind) in enumerate(LINYI_UNITS):
            county = OrgUnit.objects.filter(code=code).first()
            if county is None:
                county = org_services.create_unit(
                    None,
                    city,
                    code=code,
                    name=name,
                    kind=kind,
                    bodies=["union"] if kind == UnitKind.DEVZONE else ["union", "culture", "arts"],
                )
            for n in range(2):
                ecode = f"{code}{n + 1:03d}"
                if not OrgUnit.objects.filter(code=ecode).exists():
                    suffix = ENTERPRISE_KINDS[(index + n) % len(ENTERPRISE_KINDS)]
                    org_services.create_unit(
                        None,
                        county,
                        code=ecode,
                        name=f"{name.removesuffix('区').removesuffix('县')}{suffix}",
                        kind=UnitKind.ENTERPRISE,
                        bodies=["union"],
                    )
    if stdout:
        stdout.write(f"演示单位: {OrgUnit.objects.count()}")
    return city


def demo_campaign() -> Campaign | None:
    """The campaign the demo writes into (by its slug, never "the" or "a" campaign), or
    None when its file is not loaded."""
    return Campaign.objects.filter(slug=DEMO_CAMPAIGN).first()


def _login(username: str, person: Person | None, *, superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            is_superuser=superuser,
            is_staff=superuser,
            email=f"{username}@example.org",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
    return user


def _person(name: str, unit: OrgUnit, mobile: str, **extra) -> Person:
    person = Person.objects.filter(mobile=mobile).first()
    if person is None:
        person = org_services.create_person(None, name=name, unit=unit, mobile=mobile, **extra)
    return person


def _role(user, unit: OrgUnit, role: str) -> None:
    Membership.objects.get_or_create(user=user, unit=unit, role=role)


def build(stdout=None) -> list[DemoLogin]:
    """People, logins and leading groups. Returns the logins to print."""
    rng = random.Random(2014)
    city = build_units()
    counties = {u.code: u for u in OrgUnit.objects.get_children(city)}
    logins: list[DemoLogin] = []
    with transaction.atomic():
        _login("admin", None, superuser=True)
        logins.append(DemoLogin("admin", DEMO_PASSWORD, "系统管理员 (superuser, Django admin)"))

        office = _person(
            "刘洁",
            city,
            "13905390001",
            email="lyxjb@example.org",
            job_title="市总工会宣传教育部",
            gender="f",
        )
        _role(_login("office", office), city, Role.OFFICE)
        logins.append(DemoLogin("office", DEMO_PASSWORD, "领导小组办公室 · 临沂市 (office)"))
        office2 = _person("杨春松", city, "13905390002", job_title="市总工会宣传教育部", gender="m")
        _role(_login("office2", office2), city, Role.OFFICE)
        logins.append(
            DemoLogin("office2", DEMO_PASSWORD, "领导小组办公室 · 临沂市 (second office login)")
        )

        coordinators = [("lanshan", "371302", "王红梅"), ("luozhuang", "371311", "李建国")]
        for i, (code, county) in enumerate(sorted(counties.items())):
            username, name = next(
                ((u, n) for u, c, n in coordinators if c == code), (f"coord{code}", None)
            )
            if name is None:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            person = _person(name, county, f"1390539{1000 + i:04d}", job_title="县区总工会联络员")
            _role(_login(username, person), county, Role.COORDINATOR)
        logins.append(DemoLogin("lanshan", DEMO_PASSWORD, "县区联络员 · 兰山区 (coordinator)"))
        logins.append(DemoLogin("luozhuang", DEMO_PASSWORD, "县区联络员 · 罗庄区 (coordinator)"))

        artist = _person(
            "赵文艺",
            counties["371302"],
            "13905392001",
            art_forms=["摄影", "诗歌"],
            associations="临沂市摄影家协会",
            gender="m",
        )
        _role(_login("artist", artist), counties["371302"], Role.ARTIST)
        logins.append(DemoLogin("artist", DEMO_PASSWORD, "文艺工作者 · 兰山区 (art worker)"))

        expert = _person(
            "钱书评",
            city,
            "13905393001",
            art_forms=["书法", "文学"],
            titles="国家一级美术师",
            gender="m",
        )
        _role(_login("expert", expert), city, Role.EXPERT)
        logins.append(DemoLogin("expert", DEMO_PASSWORD, "评审专家 (expert)"))
        # the committee's other experts and the review's supervisor (review.demo)
        for username, description in review_demo.people(city, DEMO_PASSWORD):
            logins.append(DemoLogin(username, DEMO_PASSWORD, description))

        # art workers and workers (no login) across the counties
        for i in range(60):
            county = list(counties.values())[i % len(counties)]
            mobile = f"1380539{i:04d}"
            if Person.objects.filter(mobile=mobile).exists():
                continue
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
            _person(
                name,
                county,
                mobile,
                gender=rng.choice("mf"),
                art_forms=rng.sample(ART_FORMS, k=rng.randint(1, 2)),
                associations=rng.choice(["", "市作家协会", "市书法家协会", "市音乐家协会"]),
            )

        campaign = demo_campaign()
        if campaign is not None:
            _leading_groups(campaign, counties, rng)
    if campaign is not None:
        _campaign_parts(campaign, stdout)
    elif stdout:
        stdout.write(f"演示活动 {DEMO_CAMPAIGN} 未载入：只建了单位、人员和登录")
    if stdout:
        stdout.write(f"演示人员: {Person.objects.count()}")
    return logins


def _campaign_parts(campaign: Campaign, stdout=None) -> None:
    """Activities, reports and works of the demo's campaign, as of WENYI_TODAY."""
    from wenyi.activities import demo as activities_demo
    from wenyi.awards import demo as awards_demo
    from wenyi.awards.models import Award
    from wenyi.core import clock
    from wenyi.documents import demo as documents_demo
    from wenyi.portal import demo as portal_demo
    from wenyi.reporting import demo as reporting_demo
    from wenyi.works import demo as works_demo

    today = clock.today()  # WENYI_TODAY: the demo holds nothing dated after it
    count = activities_demo.build(campaign, today)
    reports = reporting_demo.build(campaign, today)
    works = works_demo.build(campaign, today)
    entries = review_demo.build(campaign, today)  # after the works it reviews
    awards_demo.build(campaign, today)  # from the review's approved tiers
    portal_demo.build(campaign, today)  # published news and consented works, as of today
    awards = Award.objects.filter(results__campaign=campaign).count()
    certificates = documents_demo.build(campaign, today)  # once the results are final
    if stdout:
        stdout.write(
            f"演示活动（{campaign.slug}）: {count}; 报表: {reports}; 作品: {works}; "
            f"评审条目: {entries}; 获奖: {awards}; 荣誉证书: {certificates}"
        )


def _leading_groups(campaign: Campaign, counties: dict[str, OrgUnit], rng: random.Random) -> None:
    """Nine of the fifteen counties have registered their leading group; six have not."""
    for code in sorted(counties)[:9]:
        county = counties[code]
        if LeadingGroup.objects.filter(campaign=campaign, unit=county).exists():
            continue
        leader = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        deputy = rng.choice(SURNAMES) + rng.choice(GIVEN)
        campaign_services.save_leading_group(
            None,
            campaign,
            county,
            version=None,
            name=f"{county.name}文艺工作者深入职工创作实践活动领导小组",
            office_location=f"{county.name}总工会宣传教育部",
            members=[
                {
                    "name": leader,
                    "position": f"{county.name}总工会常务副主席",
                    "role": GroupRole.LEADER,
                },
                {"name": deputy, "position": f"{county.name}文联主席", "role": GroupRole.DEPUTY},
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "position": "宣传教育部部长",
                    "role": GroupRole.LIAISON,
                },
            ],
        )

"""Scale data (`wenyi demo-data`, issue 15 point 6): a believable campaign of a city, a
province or the nation, for the benchmarks and for trying the pages at scale.

| scale    | units | activities | works   | scores  | tree below the owner         |
|----------|-------|------------|---------|---------|------------------------------|
| city     | 15    | 1,000      | 200     | 1,000   | 15 counties                  |
| province | 200   | 100,000    | 100,000 | 500,000 | 16 cities, 184 counties      |
| nation   | 3,000 | 1,000,000  | 100,000 | 500,000 | 31 provinces, 333 cities, 2,636 counties |

"Units" are the participating units below the campaign's owner (the owner is one
more). Each scale gets its own campaign — by default `scale-<scale>` — made from the
2014 definition (campaigns/linyi-2014.toml: its stages, four activity types and their
metrics, art forms, award kinds and review rounds) with its own key, title, owner and
depth; the generated file is kept as `WENYI_DATA_DIR/scale-data/<key>.toml`, which is
also how a campaign made here is told from a real one (`is_scale_campaign`). Its own
unit tree too: codes begin with the campaign key, so nothing collides with the demo's
Linyi units or a real tree.

Everything is as of today (`core.clock`, so `WENYI_TODAY`): activities fall between the
campaign's start and today, works are submitted by today, monthly reports exist for
the deadlines already passed, and the experts' scores exist only once the scoring round
of works has opened by today (before that there are none; the command says so). The
numbers above are exact otherwise: the benchmarks rely on them.

Speed: rows are written with `bulk_create` in batches of `BATCH` inside one transaction
per batch (SQLite would otherwise sync every row), with no audit entry, notification or
per-row service call — the services' checks guard people typing, not a generator — and
then the maintained roll-ups are brought up to date the way `wenyi rebuild-tallies`
does (`dashboard.rollups.rebuild`: the activities', the works' and the review's). Names
come from small lists, drawn with
`random.Random(seed)`: the same seed gives the same campaign.

Site is the top layer: this module may use every app. bench/bench_dashboard.py calls
`build` directly.
"""

from __future__ import annotations

import datetime
import decimal
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.metrics import is_numeric
from wenyi.activities.models import Activity, MetricValue
from wenyi.activities.services import duplicate_key
from wenyi.campaigns.enums import RoundKind, RoundSubject
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.core import clock
from wenyi.dashboard import rollups
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.reporting import deadlines
from wenyi.reporting.enums import ReportStatus
from wenyi.reporting.models import Report
from wenyi.review.enums import AssignmentSource, Eligibility, RoundStatus, ScoreStatus
from wenyi.review.models import Assignment, Committee, CommitteeMember, Entry, Round, Score
from wenyi.site.demo import DEMO_PASSWORD, LINYI_UNITS
from wenyi.works.enums import Origin, WorkStatus
from wenyi.works.models import Work, WorkAuthor

BATCH = 5000  # rows per bulk_create and per transaction
TEMPLATE = "linyi-2014.toml"  # the definition every scale campaign is made from
FOLDER = "scale-data"  # under WENYI_DATA_DIR: the generated campaign files
MAX_SLUG = 28  # the units' codes begin with the key and must fit in 40 characters

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Scale:
    key: str
    owner: tuple[str, UnitKind, str]  # name, kind, level label of the campaign
    levels: tuple[tuple[int, UnitKind], ...]  # units per level below the owner
    activities: int
    works: int
    scores: int
    experts: int
    people_per_unit: int  # art workers at each unit of the bottom level

    @property
    def units(self) -> int:
        return sum(count for count, _kind in self.levels)


SCALES: dict[str, Scale] = {
    "city": Scale(
        "city",
        ("临沂市", UnitKind.CITY, "市级"),
        ((15, UnitKind.COUNTY),),
        activities=1_000,
        works=200,
        scores=1_000,
        experts=10,
        people_per_unit=8,
    ),
    "province": Scale(
        "province",
        ("山东省", UnitKind.PROVINCE, "省级"),
        ((16, UnitKind.CITY), (184, UnitKind.COUNTY)),
        activities=100_000,
        works=100_000,
        scores=500_000,
        experts=40,
        people_per_unit=8,
    ),
    "nation": Scale(
        "nation",
        ("全国", UnitKind.NATION, "全国"),
        ((31, UnitKind.PROVINCE), (333, UnitKind.CITY), (2_636, UnitKind.COUNTY)),
        activities=1_000_000,
        works=100_000,
        scores=500_000,
        experts=60,
        people_per_unit=6,
    ),
}

# -- names ----------------------------------------------------------------------------

SHANDONG = (
    "济南市 青岛市 淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市 "
    "德州市 聊城市 滨州市 菏泽市"
).split()
PROVINCES = (
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 "
    "安徽省 福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 "
    "四川省 贵州省 云南省 西藏自治区 陕西省 甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区"
).split()
# two of these make a county's or city's name: 安平县, 清河区, 东阳市
PLACE_CHARS = "安平清河东阳西宁南昌北林丰泽兴隆永和长乐高密新泰临沭金乡广饶莱芜青州汶上桓台沂源"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅春松建国志文海燕晓鹏"
ENTERPRISES = (
    "机械制造有限公司 供电公司 纺织有限公司 商贸物流园 煤矿 化工集团 钢铁厂 热电厂 "
    "水泥有限公司 食品有限公司 汽车客运站 人民医院 建筑工程公司 港务局 铁路工务段"
).split()
THEMES = "劳动最光荣 工匠精神 中国梦·劳动美 送欢乐下基层 职工心向党 情暖一线".split()
ART_FORMS = "书法 美术 摄影 诗歌 散文 合唱 舞蹈 戏曲".split()
TITLE_WORDS = (
    "钢铁 脊梁 车间 灯火 劳动者 之歌 黎明 工匠 岁月 长河 山海 情怀 春风 故乡 炉火 新城 "
    "远方 汗水 矿灯 塔吊 织机 沂蒙 麦浪 晨光 号子 师傅 班组 匠心"
).split()
LINES = (
    "车间里的灯火彻夜通明，机床的轰鸣是最动听的歌。",
    "矿灯照亮的地方，就是我们的黎明。",
    "一双粗糙的手，托起了城市的高楼。",
    "麦浪翻滚的季节，师傅把手艺交给了徒弟。",
)
# integer metrics of the 2014 definition: a believable range for one activity
METRIC_RANGES = {
    "artists": (3, 30),
    "works": (1, 20),
    "trainees": (20, 300),
    "sessions": (1, 5),
    "shows": (1, 6),
    "audience": (100, 3_000),
    "events": (1, 4),
    "works_shown": (20, 200),
}
# how often each activity type is held (the rest: 1)
TYPE_WEIGHTS = {"caifeng": 3, "peixun": 3, "weiwen": 2.5, "zhanshi": 1.5}
# share of activities in each state: drafts, submitted, returned, the rest verified
STATUS_SHARES = (
    (ActivityStatus.DRAFT, 0.05),
    (ActivityStatus.SUBMITTED, 0.08),
    (ActivityStatus.RETURNED, 0.02),
    (ActivityStatus.VERIFIED, 0.85),
)


class ScaleError(Exception):
    """Why the scale data cannot be built: a sentence to show as it is."""


@dataclass
class Built:
    campaign: Campaign
    owner: OrgUnit
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # name, password, what


def default_slug(scale: str) -> str:
    return f"scale-{scale}"


def campaign_file(slug: str) -> Path:
    return Path(settings.DATA_DIR) / FOLDER / f"{slug}.toml"


def is_scale_campaign(campaign: Campaign) -> bool:
    """Made by `build` (its definition is the file this module wrote), not a real one."""
    source = Path(campaign.source_file)
    return source.name == f"{campaign.slug}.toml" and source.parent.name == FOLDER


def own_units(slug: str):
    """The units `build` made for the campaign `slug`: codes of its key, a dash and
    digits only (`scale-city-0103`, never `scale-city-2-01` of the campaign scale-city-2)."""
    return OrgUnit.objects.filter(code__regex=rf"^{re.escape(slug)}-[0-9]+$")


# -- the whole build ------------------------------------------------------------------


def build(
    scale: str,
    *,
    slug: str = "",
    seed: int = 2014,
    replace: bool = False,
    progress: Progress | None = None,
) -> Built:
    """Build the campaign of `scale` under the key `slug` (default `scale-<scale>`).

    Raises ScaleError, before writing anything, for an unknown scale, a key taken by a
    real campaign, a scale campaign already there (unless `replace`: then it and its
    units are removed first) or a today before the campaign could start."""
    say = progress or (lambda message: None)
    if scale not in SCALES:
        raise ScaleError(
            _("--scale: there is no scale “%(scale)s”; use city, province or nation.")
            % {"scale": scale}
        )
    spec = SCALES[scale]
    slug = slug or default_slug(scale)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or len(slug) > MAX_SLUG:
        raise ScaleError(
            _(
                "--campaign: “%(slug)s” cannot be a campaign key: use lower-case letters, "
                "digits and -, at most %(limit)s of them."
            )
            % {"slug": slug, "limit": MAX_SLUG}
        )
    existing = Campaign.objects.filter(slug=slug).first()
    if existing is not None and not is_scale_campaign(existing):
        raise ScaleError(
            _(
                "--campaign: %(slug)s is a real campaign, not one demo-data made; its data is "
                "never added to or replaced. Choose another key."
            )
            % {"slug": slug}
        )
    if existing is not None and not replace:
        raise ScaleError(
            _(
                "--campaign: %(slug)s already has scale data; add --replace to remove it and "
                "build it again."
            )
            % {"slug": slug}
        )
    # units of an earlier run that stopped before its campaign was loaded
    leftover = own_units(slug).exists()
    if existing is None and leftover and not replace:
        raise ScaleError(
            _(
                "--campaign: units with codes beginning %(prefix)s- are left from an earlier "
                "run; add --replace to remove them."
            )
            % {"prefix": slug}
        )
    today = clock.today()
    start = _template_start()
    if today < start:
        raise ScaleError(
            _(
                "Today (%(today)s) is before the campaign starts (%(start)s): nothing could "
                "have happened yet. Set WENYI_TODAY to a later day."
            )
            % {"today": today, "start": start}
        )

    if existing is not None or leftover:
        remove(slug, progress=say)
    rng = random.Random(seed)
    owner, levels = _build_units(spec, slug, rng, say)
    campaign = _load_campaign(spec, slug, owner)
    say(_("Campaign %(slug)s loaded from %(file)s") % {"slug": slug, "file": campaign.source_file})
    bottom = levels[-1]
    built = Built(campaign=campaign, owner=owner)
    built.counts["units"] = sum(len(level) for level in levels)
    people = _build_people(spec, bottom, rng, say)
    built.counts["people"] = sum(len(ids) for ids in people.values())
    built.logins = _build_logins(slug, owner, bottom[0], rng)
    built.counts["activities"], field_activities = add_activities(
        campaign, bottom, spec.activities, rng=rng, today=today, people=people, progress=say
    )
    works = add_works(
        campaign,
        bottom,
        spec.works,
        rng=rng,
        today=today,
        people=people,
        field_activities=field_activities,
        progress=say,
    )
    built.counts["works"] = len(works)
    built.counts["scores"] = _build_scores(spec, campaign, owner, works, rng, today, say)
    built.counts["reports"] = _build_reports(campaign, bottom, rng, today, say)
    say(_("Bringing the roll-ups up to date…"))
    rollups.rebuild(campaign)
    say(_("Roll-ups rebuilt."))
    return built


def _template_start() -> datetime.date:
    text = (Path(settings.CAMPAIGNS_DIR) / TEMPLATE).read_text(encoding="utf-8")
    found = re.search(r"^start\s*=\s*(\d{4}-\d{2}-\d{2})", text, re.M)
    return datetime.date.fromisoformat(found.group(1))


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for n in range(0, len(items), size):
        yield items[n : n + size]


def _every(total: int) -> int:
    """Report progress about twenty times."""
    return max(BATCH, (total // 20 // BATCH) * BATCH)


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    """`day` at `hour` o'clock local time, never after now (today's morning may still be
    ahead)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, clock.now())


# -- units, people, logins --------------------------------------------------------------


def _place_name(rng: random.Random, taken: set[str], suffixes: str) -> str:
    while True:
        name = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + rng.choice(suffixes)
        if name[0] != name[1] and name not in taken:
            taken.add(name)
            return name


def _unit_names(spec: Scale, depth: int, count: int, rng: random.Random, taken: set[str]):
    kind = spec.levels[depth][1]
    if spec.key == "city":
        return [name for _code, name, _kind in LINYI_UNITS][:count]
    if kind == UnitKind.PROVINCE:
        return PROVINCES[:count]
    if kind == UnitKind.CITY and spec.key == "province":
        return SHANDONG[:count]
    suffixes = "市" if kind == UnitKind.CITY else "县县县区区市"
    return [_place_name(rng, taken, suffixes) for _ in range(count)]


def _build_units(spec: Scale, slug: str, rng: random.Random, say: Progress):
    """The owner (a new tree) and its levels, parents first; each level spread evenly
    over the units above it. Paths are numbered here, in code order as treebeard would
    (`node_order_by = ["code"]`), so a level is one bulk insert."""
    name, kind, _level = spec.owner
    with transaction.atomic():
        owner = OrgUnit.objects.add_root(
            {"code": f"{slug}-0", "name": name, "kind": kind, "bodies": ["union"]}
        )
        parents = [(owner, "")]
        levels: list[list[OrgUnit]] = []
        taken = set(PROVINCES) | set(SHANDONG)
        for depth, (count, level_kind) in enumerate(spec.levels):
            names = _unit_names(spec, depth, count, rng, taken)
            width = 2 if depth < 2 else 3
            children = []
            numbers = {}
            for n in range(count):
                parent, parent_suffix = parents[n * len(parents) // count]
                numbers[parent.pk] = numbers.get(parent.pk, 0) + 1
                suffix = f"{parent_suffix}{numbers[parent.pk]:0{width}d}"
                children.append(
                    (
                        OrgUnit(
                            code=f"{slug}-{suffix}",
                            name=names[n],
                            kind=level_kind,
                            bodies=["union", "culture", "arts"],
                            path=OrgUnit.child_path(parent, numbers[parent.pk]),
                            depth=parent.depth + 1,
                            numchild=0,
                        ),
                        suffix,
                    )
                )
            OrgUnit.objects.bulk_create([unit for unit, _suffix in children], batch_size=1000)
            for parent, _suffix in parents:
                if numbers.get(parent.pk):
                    OrgUnit.objects.filter(pk=parent.pk).update(numchild=numbers[parent.pk])
            # fresh from the database: the ids (and numchild) as stored
            stored = {
                unit.code: unit
                for unit in OrgUnit.objects.filter(
                    path__startswith=owner.path, depth=owner.depth + depth + 1
                )
            }
            parents = [(stored[unit.code], suffix) for unit, suffix in children]
            levels.append([unit for unit, _suffix in parents])
    owner.refresh_from_db()
    say(
        _("Units: %(owner)s and %(count)s below it")
        % {"owner": owner.name, "count": sum(len(level) for level in levels)}
    )
    return owner, levels


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _build_people(spec: Scale, units: list[OrgUnit], rng: random.Random, say: Progress):
    """Art workers at each unit of the bottom level: {unit id: [person ids]}."""
    rows = [
        Person(
            name=_person_name(rng),
            unit=unit,
            gender=rng.choice("mf"),
            art_forms=rng.sample(ART_FORMS, rng.randint(1, 2)),
            job_title=rng.choice(ENTERPRISES[:6]).removesuffix("有限公司") + "职工",
        )
        for unit in units
        for _ in range(spec.people_per_unit)
    ]
    for batch in _batches(rows):
        with transaction.atomic():
            Person.objects.bulk_create(batch)
    people: dict[int, list[int]] = {}
    for person in rows:
        people.setdefault(person.unit_id, []).append(person.pk)
    say(_("Art workers: %(count)s") % {"count": len(rows)})
    return people


def _build_logins(
    slug: str, owner: OrgUnit, county: OrgUnit, rng: random.Random
) -> list[tuple[str, str, str]]:
    """An office login at the owner and a coordinator at the first county, to look
    around with (the demo's password)."""
    User = get_user_model()
    made = []
    for username, unit, role in (
        (f"{slug}-office", owner, Role.OFFICE),
        (f"{slug}-coord", county, Role.COORDINATOR),
    ):
        user = User(username=username)
        user.set_password(DEMO_PASSWORD)
        user.save()
        person = Person.objects.create(name=_person_name(rng), unit=unit, user=user)
        Membership.objects.create(user=user, unit=unit, role=role)
        made.append((person.user.username, DEMO_PASSWORD, f"{role.label} · {unit.name}"))
    return made


# -- activities -----------------------------------------------------------------------


def _short(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "县区市" else name


def _title(type_key: str, place: str, rng: random.Random) -> str:
    if type_key == "caifeng":
        return f"走进{place}采风创作"
    if type_key == "peixun":
        return f"{place}职工{rng.choice(ART_FORMS)}培训班"
    if type_key == "weiwen":
        return f"“{rng.choice(THEMES)}”慰问演出走进{place}"
    if type_key == "zhanshi":
        return f"职工{rng.choice(ART_FORMS)}作品巡回展（{place}）"
    return f"{place}职工文化活动"


def _unit_weights(units: list[OrgUnit], rng: random.Random) -> list[float]:
    """How busy each unit is: most about alike, one in ten far behind."""
    return [0.08 if rng.random() < 0.1 else rng.uniform(0.6, 1.6) for _ in units]


def add_activities(
    campaign: Campaign,
    units: list[OrgUnit],
    count: int,
    *,
    rng: random.Random,
    today: datetime.date,
    people: dict[int, list[int]] | None = None,
    statuses: tuple[tuple[str, float], ...] = STATUS_SHARES,
    progress: Progress | None = None,
) -> tuple[int, dict[int, list[int]]]:
    """`count` activities of `campaign` at `units`, dated from its start to today, in
    the `statuses` shares, with their integer metric values, and one to three of the
    unit's art workers (`people`: {unit id: [person ids]}) on each field creation.
    Returns the count and {unit id: [field-creation activity ids]} for the works to
    point at. The roll-ups are not touched: call `activities.services.rebuild_tallies`
    after. A benchmark
    may call it (bench_quota_matrix's data with `statuses=(("verified", 1),)`)."""
    say = progress or (lambda message: None)
    types = list(campaign.activity_types.prefetch_related("metrics"))
    metrics = {t.pk: [m for m in t.metrics.all() if is_numeric(m)] for t in types}
    type_weights = [TYPE_WEIGHTS.get(t.key, 1) for t in types]
    unit_weights = _unit_weights(units, rng)
    last = min(today, campaign.end)
    days = (last - campaign.start).days
    states = [state for state, _share in statuses]
    shares = [share for _state, share in statuses]
    places = {unit.pk: [f"{_short(unit.name)}{kind}" for kind in ENTERPRISES] for unit in units}
    through = Activity.participants.through
    field_activities: dict[int, list[int]] = {}
    done = 0
    every = _every(count)
    while done < count:
        size = min(BATCH, count - done)
        chosen_units = rng.choices(units, weights=unit_weights, k=size)
        chosen_types = rng.choices(types, weights=type_weights, k=size)
        chosen_states = rng.choices(states, weights=shares, k=size)
        batch = []
        for unit, type_, state in zip(chosen_units, chosen_types, chosen_states, strict=True):
            day = campaign.start + datetime.timedelta(days=rng.randint(0, days))
            place = rng.choice(places[unit.pk])
            activity = Activity(
                campaign=campaign,
                type=type_,
                unit=unit,
                title=_title(type_.key, place, rng),
                start_date=day,
                place=place,
                status=state,
                duplicate_key=duplicate_key(unit.pk, type_.pk, day, place),
            )
            if state != ActivityStatus.DRAFT:
                activity.submitted_at = _moment(min(day + datetime.timedelta(days=1), today), 9)
            if state == ActivityStatus.VERIFIED:
                activity.verified_at = _moment(min(day + datetime.timedelta(days=3), today), 15)
            if state == ActivityStatus.RETURNED:
                activity.return_reason = "请补充活动照片和参加人数。"
            batch.append(activity)
        with transaction.atomic():
            Activity.objects.bulk_create(batch)
            values, joined = [], []
            for activity in batch:
                for metric in metrics[activity.type_id]:
                    low, high = METRIC_RANGES.get(metric.key, (1, 100))
                    values.append(
                        MetricValue(
                            activity_id=activity.pk,
                            metric_id=metric.pk,
                            number=decimal.Decimal(rng.randint(low, high)),
                        )
                    )
                if activity.type.produces_works:
                    field_activities.setdefault(activity.unit_id, []).append(activity.pk)
                    their = people.get(activity.unit_id, []) if people else []
                    for person_id in rng.sample(their, min(len(their), rng.randint(1, 3))):
                        joined.append(through(activity_id=activity.pk, person_id=person_id))
            MetricValue.objects.bulk_create(values, batch_size=BATCH)
            through.objects.bulk_create(joined, batch_size=BATCH)
        done += size
        if done % every == 0 or done == count:
            say(
                _("Activities: %(done)s of %(total)s")
                % {"done": f"{done:,}", "total": f"{count:,}"}
            )
    return done, field_activities


# -- works and the experts' scores --------------------------------------------------------


def add_works(
    campaign: Campaign,
    units: list[OrgUnit],
    count: int,
    *,
    rng: random.Random,
    today: datetime.date,
    people: dict[int, list[int]],
    field_activities: dict[int, list[int]] | None = None,
    progress: Progress | None = None,
) -> list[tuple[int, int]]:
    """`count` submitted works of `campaign` at `units`, in every leaf art form, each
    by one or two of the unit's art workers (`people`), most made on one of the unit's
    `field_activities`: [(work id, category id)]."""
    say = progress or (lambda message: None)
    field_activities = field_activities or {}
    categories = list(campaign.work_categories.filter(children__isnull=True))
    unit_weights = _unit_weights(units, rng)
    days = (min(today, campaign.end) - campaign.start).days
    made: list[tuple[int, int]] = []
    done = 0
    every = _every(count)
    while done < count:
        size = min(BATCH, count - done)
        batch = []
        for unit in rng.choices(units, weights=unit_weights, k=size):
            day = campaign.start + datetime.timedelta(days=rng.randint(0, days))
            category = rng.choice(categories)
            title = "".join(rng.sample(TITLE_WORDS, rng.randint(2, 3)))
            on_activity = field_activities.get(unit.pk) and rng.random() < 0.7
            batch.append(
                Work(
                    campaign=campaign,
                    category=category,
                    unit=unit,
                    title=title,
                    text=rng.choice(LINES) if category.text_min_chars is not None else "",
                    origin=Origin.FIELD_CREATION if on_activity else Origin.COLLECTED,
                    activity_id=rng.choice(field_activities[unit.pk]) if on_activity else None,
                    created_on=day,
                    status=WorkStatus.SUBMITTED,
                    submitted_at=_moment(min(day + datetime.timedelta(days=7), today), 10),
                    consent_portal=rng.random() < 0.8,
                    consent_anthology=rng.random() < 0.6,
                )
            )
        with transaction.atomic():
            Work.objects.bulk_create(batch)
            authors = []
            for work in batch:
                chosen = rng.sample(people[work.unit_id], 2 if rng.random() < 0.1 else 1)
                authors += [
                    WorkAuthor(work_id=work.pk, person_id=pk, position=n)
                    for n, pk in enumerate(chosen)
                ]
            WorkAuthor.objects.bulk_create(authors, batch_size=BATCH)
        made += [(work.pk, work.category_id) for work in batch]
        done += size
        if done % every == 0 or done == count:
            say(_("Works: %(done)s of %(total)s") % {"done": f"{done:,}", "total": f"{count:,}"})
    return made


def _scoring_round(campaign: Campaign) -> Round | None:
    """The round of works scored by the most experts each (复评 in 2014)."""
    return (
        Round.objects.filter(campaign=campaign, subject=RoundSubject.WORKS, kind=RoundKind.SCORING)
        .order_by("-reviewers_per_item", "position")
        .first()
    )


def _build_experts(spec: Scale, campaign: Campaign, owner: OrgUnit, rng: random.Random):
    """The committee: experts at the owner, each with a login holding the expert role
    (no password: nobody signs in as them)."""
    User = get_user_model()
    users = []
    for n in range(spec.experts):
        user = User(username=f"{campaign.slug}-expert{n + 1}")
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    experts = Person.objects.bulk_create(
        [
            Person(
                name=_person_name(rng),
                unit=owner,
                user=user,
                art_forms=rng.sample(ART_FORMS, 2),
                titles="文艺评论家",
            )
            for user in users
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=user, unit=owner, role=Role.EXPERT) for user in users]
    )
    committee, _created = Committee.objects.get_or_create(
        campaign=campaign, defaults={"name": f"{campaign.title}评审委员会"}
    )
    CommitteeMember.objects.bulk_create(
        [CommitteeMember(committee=committee, person=person) for person in experts]
    )
    return [person.pk for person in experts]


def _build_scores(spec, campaign, owner, works, rng, today, say) -> int:
    """Once the scoring round has opened by today: `spec.scores` submitted scores, its
    experts-per-item of them on each of the first works (entries, assignments,
    scores), dated between its opening and today or its closing. Before: none."""
    round_ = _scoring_round(campaign)
    if round_ is None or round_.opens > today:
        say(_("No scores: the review has not opened by today."))
        return 0
    experts = _build_experts(spec, campaign, owner, rng)
    per_item = min(round_.reviewers_per_item, len(experts))
    criteria = [c for c in round_.criteria.all() if not c.art_form]
    # open, even after its closing day: closing computes the results, the office's step
    Round.objects.filter(pk=round_.pk).update(
        status=RoundStatus.OPEN, opened_at=_moment(round_.opens, 9)
    )
    items = works[: spec.scores // per_item]
    codes = [f"{n:05d}" for n in range(1, len(items) + 1)]
    rng.shuffle(codes)
    window = (min(round_.closes, today) - round_.opens).days
    total, every = len(items) * per_item, _every(spec.scores)
    done = shown = 0
    for first in range(0, len(items), BATCH // per_item):
        chunk = items[first : first + BATCH // per_item]
        with transaction.atomic():
            entries = Entry.objects.bulk_create(
                [
                    Entry(
                        round=round_,
                        work_id=work_id,
                        code=codes[first + n],
                        eligibility=Eligibility.ELIGIBLE,
                    )
                    for n, (work_id, _category) in enumerate(chunk)
                ]
            )
            assignments = Assignment.objects.bulk_create(
                [
                    Assignment(entry=entry, expert_id=expert, source=AssignmentSource.AUTO)
                    for entry in entries
                    for expert in rng.sample(experts, per_item)
                ]
            )
            scores = []
            for assignment in assignments:
                values = {c.key: rng.randint(int(c.maximum) // 2, int(c.maximum)) for c in criteria}
                weighted = sum(c.weight * values[c.key] for c in criteria)
                day = round_.opens + datetime.timedelta(days=rng.randint(0, window))
                scores.append(
                    Score(
                        assignment=assignment,
                        status=ScoreStatus.SUBMITTED,
                        values={key: str(value) for key, value in values.items()},
                        total=weighted,
                        submitted_at=_moment(day, 16),
                    )
                )
            Score.objects.bulk_create(scores)
        done += len(scores)
        if done >= shown + every or done == total:
            shown = done
            say(_("Scores: %(done)s of %(total)s") % {"done": f"{done:,}", "total": f"{total:,}"})
    return done


# -- monthly reports ------------------------------------------------------------------


def _build_reports(campaign, units, rng, today, say) -> int:
    """The reports due by today: nine in ten sent, most of them on time, the rest
    missing (no row), as the completeness page shows them."""
    rows = []
    for slot in deadlines.expected(campaign, today):
        for unit in units:
            if rng.random() < 0.1:
                continue
            on_time = rng.random() < 0.8
            day = slot.due - datetime.timedelta(days=rng.randint(0, 4))
            if not on_time:
                day = min(slot.due + datetime.timedelta(days=rng.randint(1, 6)), today)
                on_time = day <= slot.due
            moment = _moment(day, 11)
            rows.append(
                Report(
                    campaign=campaign,
                    unit=unit,
                    kind=slot.kind,
                    period=slot.period,
                    due=slot.due,
                    status=ReportStatus.APPROVED if rng.random() < 0.7 else ReportStatus.SUBMITTED,
                    text=f"{unit.name}本月按计划组织开展文艺工作者深入职工创作实践活动。",
                    first_submitted_at=moment,
                    submitted_at=moment,
                    on_time=on_time,
                )
            )
    for batch in _batches(rows):
        with transaction.atomic():
            Report.objects.bulk_create(batch)
    say(_("Reports: %(count)s") % {"count": f"{len(rows):,}"})
    return len(rows)


# -- the campaign ---------------------------------------------------------------------


def _definition(spec: Scale, slug: str, owner: OrgUnit) -> str:
    """The 2014 file with this campaign's key, title, owner, level and depth."""
    text = (Path(settings.CAMPAIGNS_DIR) / TEMPLATE).read_text(encoding="utf-8")
    name, _kind, level = spec.owner
    depth = len(spec.levels)
    owner_line = (
        f'owner_unit = "{owner.code}"\nparticipant_depth = {depth}\nminimum_levels = [{depth}]'
    )
    replacements = [
        (r'^slug\s*=\s*"[^"]*"', f'slug = "{slug}"'),
        (
            r'^title\s*=\s*"[^"]*"',
            f'title = "2014年{name}文艺工作者深入职工创作实践活动（规模数据）"',
        ),
        (r'^level\s*=\s*"[^"]*"', f'level = "{level}"'),
        (r"^owner_unit\s*=.*\n^participant_depth\s*=\s*\d+", owner_line),
        (r"^implementation_stage\s*=.*$", None),  # report_levels after it, in [reporting]
    ]
    for pattern, value in replacements:
        found = re.search(pattern, text, flags=re.M)
        if found is None:  # the template changed: say which line is missing
            raise ScaleError(f"{TEMPLATE}: {pattern}")
        if value is None:
            value = f"{found.group(0)}\nreport_levels = [{depth}]"
        text = text[: found.start()] + value + text[found.end() :]
    if name != "临沂市":
        text = text.replace("临沂市", name)
    return text


def _load_campaign(spec: Scale, slug: str, owner: OrgUnit) -> Campaign:
    path = campaign_file(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_definition(spec, slug, owner), encoding="utf-8")
    load_campaign_file(path)
    return Campaign.objects.get(slug=slug)


# -- --replace ------------------------------------------------------------------------


def _delete_in_chunks(queryset, say: Progress, label: str) -> None:
    ids = list(queryset.values_list("pk", flat=True))
    for n, chunk in enumerate(_batches(ids), start=1):
        with transaction.atomic():
            queryset.model.objects.filter(pk__in=chunk).delete()
        if n % 20 == 0:
            say(
                _("Removing %(what)s: %(done)s of %(total)s")
                % {"what": label, "done": f"{min(n * BATCH, len(ids)):,}", "total": f"{len(ids):,}"}
            )


def remove(slug: str, *, progress: Progress | None = None) -> None:
    """Remove a scale campaign, its records, its units, people and logins. Only what
    `build` made: the campaign must be a scale campaign, the units those whose codes
    begin with its key."""
    say = progress or (lambda message: None)
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is not None:
        if not is_scale_campaign(campaign):
            raise ScaleError(f"{slug}: not a scale campaign")
        say(_("Removing the scale data of %(slug)s…") % {"slug": slug})
        _delete_in_chunks(Entry.objects.filter(round__campaign=campaign), say, _("scores"))
        _delete_in_chunks(Work.objects.filter(campaign=campaign), say, _("works"))
        _delete_in_chunks(Activity.objects.filter(campaign=campaign), say, _("activities"))
        with transaction.atomic():
            Report.objects.filter(campaign=campaign).delete()
            Committee.objects.filter(campaign=campaign).delete()
            # a round keeps its source round (PROTECT): unlink them, then all go at once
            Round.objects.filter(campaign=campaign).update(source=None)
            campaign.delete()
    units = own_units(slug)
    people = Person.objects.filter(unit__in=units)
    users = list(people.exclude(user=None).values_list("user_id", flat=True))
    _delete_in_chunks(people, say, _("people"))
    with transaction.atomic():
        Membership.objects.filter(unit__in=units).delete()
        get_user_model().objects.filter(pk__in=users).delete()
        units.delete()  # treebeard's: each top unit's subtree in one go
    say(_("Removed."))


def counts(campaign: Campaign) -> dict[str, int]:
    """What a scale campaign holds, counted from its rows (for the command's summary
    and the tests)."""
    owner = campaign.owner_unit()
    return {
        "units": OrgUnit.objects.filter(path__startswith=owner.path).count() - 1,
        "activities": Activity.objects.filter(campaign=campaign).count(),
        "works": Work.objects.filter(campaign=campaign).count(),
        "scores": Score.objects.filter(assignment__entry__round__campaign=campaign).count(),
        "reports": Report.objects.filter(campaign=campaign).count(),
    }

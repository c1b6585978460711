"""The results' cast and data: the 2014 campaign with approved award tiers made through
the review's services, as the office would make them.

    city (临沂市)          office (刘洁), office2 (杨春松), supervisor (周监督)
    ├── county_a (兰山区)   coordinator_a, artist (赵文艺)
    └── county_b (罗庄区)   coordinator_b, 钱师傅 (no login)

`tiered` closes three rounds with frozen results and approves a tiering of each:

- 作品复评 (works): 车间的早晨 95 (钱师傅、赵文艺), 焊花 90, 矿灯 85, 塔吊 70 →
  一等奖 1, 二等奖 1, 三等奖 1; 塔吊 gets no award;
- 优秀组织单位评审 (units): 罗庄区 88, 兰山区 80 → 优秀组织单位 1;
- 优秀个人评审 (individuals, an approval round): 李罗庄 (coordinator_b), 3 yes votes →
  优秀个人 1.

优秀文艺工作者 has no approved tiers: the results hold none of it.
The demo clock (WENYI_TODAY) is 2014-12-01 unless a test moves it.
"""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import _user_with_role
from tests.factories import PersonFactory
from tests.review.conftest import POEM, file_round
from wenyi.awards import services
from wenyi.campaigns.models import AwardKind
from wenyi.orgs.enums import Role
from wenyi.review import rounds, tiers
from wenyi.review.enums import RoundKind, RoundStatus, TierBasis
from wenyi.review.models import Round, RoundResult
from wenyi.review.tiers import Rule
from wenyi.works import services as work_services
from wenyi.works.models import Work

TODAY = datetime.date(2014, 12, 1)


@pytest.fixture(autouse=True)
def _demo_clock(settings):
    settings.WENYI_TODAY = TODAY


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


@pytest.fixture
def worker(county_b):
    return PersonFactory(unit=county_b, name="钱师傅", mobile="13800000001")


def _work(linyi, unit, authors, title, by):
    work = work_services.create_work(
        by,
        campaign=linyi,
        category=linyi.work_categories.get(key="shici"),
        unit=unit,
        title=title,
        authors=authors,
        text=POEM,
    )
    Work.objects.filter(pk=work.pk).update(status="submitted", submitted_by=by)
    work.refresh_from_db()
    return work


def close_with(office, round_: Round, scored: list[tuple[dict, float]]) -> list:
    """Add each item ({"work": …} / {"unit": …} / {"person": …}) to the draft round,
    freeze its final score (best first; equal scores share a rank) and close it."""
    if round_.source_id:
        Round.objects.filter(pk=round_.pk).update(source=None, advance="")
        round_.refresh_from_db()
    entries = []
    rank, previous = 0, None
    for index, (item, final) in enumerate(scored, start=1):
        entry = rounds.add_entry(office, round_, **item)
        rank = index if final != previous else rank
        previous = final
        if round_.kind == RoundKind.APPROVAL:  # votes, no scores: `final` yes votes
            values = {"yes_votes": int(final), "no_votes": 0, "passed": True}
        else:
            values = {"final": Decimal(str(final)), "raw": Decimal(str(final)), "rank": rank}
        RoundResult.objects.create(
            round=round_, entry=entry, n=5, computed_at=timezone.now(), **values
        )
        entries.append(entry)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    round_.refresh_from_db()
    return entries


def approve_tiers(office, approver, round_: Round, kind: AwardKind, counts: dict[str, int]):
    """The kind's tiers by number of places ({tier key: n}), computed by `office` and
    approved by `approver`, a second member of the office (four eyes)."""
    rules = [Rule(kind.tiers.get(key=key), TierBasis.COUNT, n) for key, n in counts.items()]
    tiering = tiers.set_rules(office, round_, kind, rules, version=0)
    tiering = tiers.compute_tiers(office, tiering, version=tiering.version)
    return tiers.approve(approver, tiering, version=tiering.version)


@pytest.fixture
def tiered(
    office, office2, linyi, county_a, county_b, coordinator_a, coordinator_b, artist, worker
):
    kinds = {k.key: k for k in AwardKind.objects.filter(campaign=linyi)}
    works = [
        _work(linyi, county_b, [worker, artist.person], "车间的早晨", coordinator_b),
        _work(linyi, county_a, [artist.person], "焊花", coordinator_a),
        _work(linyi, county_b, [worker], "矿灯", coordinator_b),
        _work(linyi, county_a, [artist.person], "塔吊", coordinator_a),
    ]
    fuping = file_round(linyi, "fuping")
    close_with(
        office, fuping, [({"work": w}, s) for w, s in zip(works, [95, 90, 85, 70], strict=True)]
    )
    approve_tiers(office, office2, fuping, kinds["work"], {"yideng": 1, "erdeng": 1, "sandeng": 1})
    danwei = file_round(linyi, "danwei")
    close_with(office, danwei, [({"unit": county_b}, 88), ({"unit": county_a}, 80)])
    approve_tiers(office, office2, danwei, kinds["unit"], {"youxiu": 1})
    geren = file_round(linyi, "geren")
    close_with(office, geren, [({"person": coordinator_b.person}, 3)])
    approve_tiers(office, office2, geren, kinds["individual"], {"youxiu": 1})
    return SimpleNamespace(campaign=linyi, works=works, kinds=kinds)


@pytest.fixture
def drawn(office, tiered):
    """The results drawn by the office (a draft)."""
    return services.draw(office, tiered.campaign).results


@pytest.fixture
def approved(office2, drawn):
    """Drawn by the office, approved by office2."""
    return services.approve(office2, drawn, version=drawn.version)


NOTICE_TITLE = "关于2014年文艺工作者深入职工创作实践活动评选结果的公示"
NOTICE_TEXT = "现将拟表彰名单予以公示。公示期间如有异议，请实名提出。"


def publish(office, results, starts_on=datetime.date(2014, 12, 2)):
    results.refresh_from_db()
    return services.publish_notice(
        office,
        results,
        starts_on=starts_on,
        title=NOTICE_TITLE,
        text=NOTICE_TEXT,
        version=results.version,
    )


OPEN_DAY = datetime.date(2014, 12, 3)


@pytest.fixture
def notice(settings, office, approved):
    """Published on 2014-12-01, on notice from 2014-12-02 (Tuesday) for 5 working days,
    to 2014-12-08 (Monday); the clock then moves to 2014-12-03, inside the window."""
    published = publish(office, approved)
    settings.WENYI_TODAY = OPEN_DAY
    return published


def png(colour=(200, 20, 20)) -> SimpleUploadedFile:
    """A small PNG: a red seal on white."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(image).ellipse((10, 10, 110, 110), outline=colour, width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("公章.png", out.getvalue(), content_type="image/png")


def unit_form(notice, **changes) -> dict:
    """The public form of a unit's objection, filled in (against the first line)."""
    award = notice.results.awards.order_by("award_kind__position", "position").first()
    data = {
        "objector_kind": "unit",
        "name": "孙建业",
        "unit_name": "临沂某建筑安装有限公司工会",
        "phone": "0539-8123456",
        "email": "sun@example.org",
        "address": "临沂市兰山区解放路1号",
        "award": award.pk,
        "grounds": "该作品与2013年某刊物发表的作品高度相似。",
    }
    data.update(changes)
    return data

"""The review's cast and data: the 2014 campaign with its rounds from the file, a
committee, works entered and submitted through the works services.

    city (临沂市)          office, expert (钱评审), supervisor (周监督)
    ├── county_a (兰山区)   coordinator_a, artist (赵文艺), expert_conflicted (孙回避)
    │   └── enterprise_a
    └── county_b (罗庄区)   coordinator_b

The city is the campaign's owner: its experts are neutral to every county's works;
expert_conflicted sits at county_a, so county_a's and enterprise_a's works are barred to
them (the unit rule of wenyi.review.conflicts).
"""

from collections.abc import Callable

import pytest

from tests.conftest import _user_with_role
from tests.factories import PersonFactory
from tests.review.voting import public_work, sms_outbox, voting  # noqa: F401 - fixtures
from wenyi.orgs.enums import Role
from wenyi.review import rounds, services
from wenyi.review.models import Committee, Round
from wenyi.works import services as work_services
from wenyi.works import tallies as work_tallies
from wenyi.works.models import Work

POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。"
)


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


@pytest.fixture
def committee(office, linyi, expert, expert_conflicted) -> Committee:
    """The 2014 committee with both fixed experts on it."""
    committee = services.set_up_committee(office, linyi, name="2014年文艺评审委员会")
    services.add_expert(office, linyi, expert.person)
    services.add_expert(office, linyi, expert_conflicted.person)
    return committee


@pytest.fixture
def submitted_work(linyi, coordinator_a) -> Callable[..., Work]:
    """submitted_work(unit, author, key="shici", by=coordinator_a) -> a work entered and
    submitted (status and submitter set as `submit_work` sets them, without its
    originality task)."""
    counter = iter(range(1, 10_000))

    def make(unit, author, *, key="shici", by=None, title=None):
        by = by or coordinator_a
        n = next(counter)
        work = work_services.create_work(
            by,
            campaign=linyi,
            category=linyi.work_categories.get(key=key),
            unit=unit,
            title=title or f"作品{n}",
            authors=[author],
            text=POEM if key == "shici" else "",
        )
        Work.objects.filter(pk=work.pk).update(status="submitted", submitted_by=by)
        work.refresh_from_db()
        work_tallies.count(work, +1)  # as submit_work counts it in
        return work

    return make


@pytest.fixture
def worker(county_b):
    """An author without a login, at county_b."""
    return PersonFactory(unit=county_b, name="钱师傅")


def file_round(linyi, key: str) -> Round:
    """A round the 2014 file declares (chuping, fuping, danwei, geren, wenyigongzuozhe)."""
    return Round.objects.get(campaign=linyi, key=key)


@pytest.fixture
def chuping(linyi) -> Round:
    """The 2014 works approval round (blind, 3 experts, 2 yes votes pass), a draft."""
    return file_round(linyi, "chuping")


def open_with(office, round_, entries_and_experts) -> Round:
    """Assign each (entry, expert person) pair and open the round."""
    for entry, expert in entries_and_experts:
        services.assign(office, entry, expert)
    return rounds.open_round(office, round_)


def eligible_entries(office, round_, *, checker=None) -> list:
    """Create the round's entries and mark them all eligible."""
    made = rounds.create_entries(office, round_)
    return [rounds.check_entry(checker or office, e, eligible=True) for e in made]

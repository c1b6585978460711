"""The works' roll-ups (`WorkTally`, `AuthorTally`) equal the raw counts whatever
happens (issue 15, point 5), and the dashboards read them.

Hypothesis draws sequences of up to 12 changes — works entered as drafts at a unit, in
an art form, by some of three authors; edits moving a draft to another unit, form or
authors; submissions and withdrawals — applied through the real services, refusals
included (a submitted work cannot be edited, a draft not withdrawn …). After every step
the roll-ups must equal the counts computed here from the works and their authors, and
after the sequence a rebuild must change nothing. Each example runs in a transaction
rolled back at its end.
"""

from collections import Counter

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from tests.factories import PersonFactory
from tests.rollups import check_sequence
from wenyi.works import services, tallies
from wenyi.works.models import AuthorTally, Work, WorkAuthor, WorkTally

properties = hypothesis.settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

TEXT = "车间里的灯火彻夜通明，机床的歌声唱响黎明。工友们的汗水浇灌钢铁。" * 20  # 620 characters
UNITS = ("county_a", "enterprise_a", "county_b")
FORMS = ("shici", "sanwen")

unit = st.sampled_from(UNITS)
form = st.sampled_from(FORMS)
authors = st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True)
which = st.integers(0, 11)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), unit, form, authors, st.booleans()),
        st.tuples(st.just("edit"), which, unit, form, authors),
        st.tuples(st.sampled_from(("submit", "withdraw")), which),
    ),
    min_size=1,
    max_size=12,
)


def raw(campaign) -> tuple[dict, dict]:
    """From the works: (unit, form) -> submitted works; (unit, person) -> their works."""
    submitted = Work.objects.filter(campaign=campaign, status="submitted")
    forms = Counter(submitted.values_list("unit_id", "category_id"))
    people = Counter(
        WorkAuthor.objects.filter(work__in=submitted).values_list("work__unit_id", "person_id")
    )
    return dict(forms), dict(people)


def maintained(campaign) -> tuple[dict, dict]:
    forms = {
        (r.unit_id, r.category_id): r.submitted
        for r in WorkTally.objects.filter(campaign=campaign, submitted__gt=0)
    }
    people = {
        (r.unit_id, r.person_id): r.works
        for r in AuthorTally.objects.filter(campaign=campaign, works__gt=0)
    }
    return forms, people


class Run:
    def __init__(self, cast: dict, linyi):
        self.cast, self.linyi = cast, linyi
        self.forms = {c.key: c for c in linyi.work_categories.all()}
        self.ids: list[int] = []

    def _authors(self, picked: list[int]):
        return [self.cast["people"][n] for n in picked]

    def apply(self, step: tuple) -> None:
        coordinator = self.cast["coordinator_a"]
        kind, *args = step
        if kind == "create":
            unit_name, key, picked, submit = args
            work = services.create_work(
                coordinator,
                campaign=self.linyi,
                category=self.forms[key],
                unit=self.cast[unit_name],
                title=f"作品{len(self.ids) + 1}",
                authors=self._authors(picked),
                text=TEXT,
            )
            self.ids.append(work.pk)
            if submit:
                services.submit_work(coordinator, work)
            return
        if not self.ids:
            return
        work = Work.objects.get(pk=self.ids[args[0] % len(self.ids)])
        if kind == "edit":
            _n, unit_name, key, picked = args
            services.update_work(
                coordinator,
                work,
                version=work.version,
                authors=self._authors(picked),
                unit=self.cast[unit_name],
                category=self.forms[key],
            )
        elif kind == "submit":
            services.submit_work(coordinator, work)
        else:
            services.withdraw_work(coordinator, work)


@pytest.fixture
def cast(office, coordinator_a, county_a, county_b, enterprise_a, artist):
    people = [artist.person, coordinator_a.person, PersonFactory(unit=county_b, name="钱师傅")]
    return {
        "coordinator_a": coordinator_a,
        "county_a": county_a,
        "county_b": county_b,
        "enterprise_a": enterprise_a,
        "people": people,
    }


@properties
@given(sequence=steps)
def test_work_rollups_equal_the_raw_counts_after_any_sequence(sequence, cast, linyi):
    run = Run(cast, linyi)
    check_sequence(
        run.apply,
        sequence,
        lambda: maintained(linyi),
        lambda: raw(linyi),
        lambda: tallies.rebuild(linyi),
    )


def test_the_dashboard_counts_come_from_the_rollups(cast, linyi, city, county_a, county_b):
    run = Run(cast, linyi)
    run.apply(("create", "county_a", "shici", [0, 1], True))
    run.apply(("create", "enterprise_a", "sanwen", [0], True))
    run.apply(("create", "county_b", "shici", [2], True))
    run.apply(("create", "county_b", "shici", [2], False))  # a draft counts nowhere
    shici, sanwen = (run.forms[k].pk for k in FORMS)
    assert tallies.per_category(linyi, [city]) == {shici: 2, sanwen: 1}
    assert tallies.per_category(linyi, [county_a]) == {shici: 1, sanwen: 1}  # with its enterprise
    assert tallies.authors(linyi, [city]) == 3
    assert tallies.authors(linyi, [county_a]) == 2  # the artist once, though in two works
    assert tallies.authors(linyi, [county_b]) == 1
    run.apply(("withdraw", 2))
    assert tallies.per_category(linyi, [county_b]) == {}
    assert tallies.authors(linyi, [county_b]) == 0
    # a wrong roll-up shows, and a rebuild mends it
    WorkTally.objects.filter(unit=county_a).update(submitted=7)
    assert maintained(linyi) != raw(linyi)
    assert tallies.rebuild(linyi) == 2 + 3  # two (unit, form) rows, three (unit, person)
    assert maintained(linyi) == raw(linyi)

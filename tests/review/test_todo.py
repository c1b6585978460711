"""The review's items on the start page (wenyi/review/todo.py): what waits for each role,
counted in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.review.conftest import eligible_entries, open_with
from wenyi.core import todo
from wenyi.review import rounds, scoring, services
from wenyi.review.models import Assignment
from wenyi.review.todo import review_todos

NOVEMBER_5 = datetime.date(2014, 11, 5)  # 初评 is under way
NOVEMBER_15 = datetime.date(2014, 11, 15)


@pytest.fixture(autouse=True)
def _during_review(settings):
    """During 初评, the labels read in English (their msgids)."""
    settings.WENYI_TODAY = NOVEMBER_5
    with translation.override("en"):
        yield


def _counted(user, campaign) -> dict[str, tuple[int, str]]:
    """The review's items with a count, by label: (count, link)."""
    return {i.label: (i.count, i.url) for i in review_todos(user, campaign) if i.count}


@pytest.fixture
def works(county_b, worker, submitted_work):
    """Three works of county_b, submitted by its coordinator-to-be (coordinator_a by
    default)."""
    return [submitted_work(county_b, worker) for _ in range(3)]


@pytest.fixture
def open_chuping(office, linyi, committee, expert, chuping, works):
    """初评 open, its three entries eligible and given to the expert."""
    entries = eligible_entries(office, chuping)
    open_with(office, chuping, [(e, expert.person) for e in entries])
    chuping.refresh_from_db()
    return chuping


def _assignments(expert, round_) -> list[Assignment]:
    return list(
        Assignment.objects.filter(entry__round=round_, expert=expert.person).order_by("entry_id")
    )


# -- the expert ------------------------------------------------------------------------


def test_expert_counts_entries_waiting_per_open_round(expert, linyi, open_chuping):
    first, second, _third = _assignments(expert, open_chuping)
    scoring.submit_score(expert, first, version=0, vote="yes")
    scoring.save_draft(expert, second, version=0, vote="no")

    counted = _counted(expert, linyi)

    label = f"{open_chuping.name}: entries waiting for your score"
    assert counted == {label: (2, reverse("review:queue", args=[linyi.slug]))}


def test_expert_count_leaves_out_an_entry_with_a_conflict(expert, linyi, open_chuping):
    first, *_rest = _assignments(expert, open_chuping)

    services.declare_conflict(expert, first.entry, reason="认识作者")

    assert [c for c, _url in _counted(expert, linyi).values()] == [2]


def test_expert_sees_a_returned_score_apart(office, expert, linyi, open_chuping):
    first, *_rest = _assignments(expert, open_chuping)
    score = scoring.submit_score(expert, first, version=0, vote="yes")

    scoring.return_score(office, score, reason="请补写评语")

    counted = _counted(expert, linyi)
    assert counted["Scores the office returned to you"][0] == 1
    assert counted[f"{open_chuping.name}: entries waiting for your score"][0] == 2


def test_expert_of_a_draft_round_has_nothing_to_score_yet(
    office, expert, linyi, committee, chuping, works
):
    for entry in eligible_entries(office, chuping):
        services.assign(office, entry, expert.person)

    assert _counted(expert, linyi) == {}


def test_review_note_stays_once_beside_the_items(
    settings, office, expert, linyi, committee, chuping, works
):
    settings.WENYI_TODAY = NOVEMBER_15
    entries = eligible_entries(office, chuping)

    before = todo.items(expert, linyi)
    open_with(office, chuping, [(e, expert.person) for e in entries])
    after = todo.items(expert, linyi)

    stage = linyi.review_stage().name
    assert [(i.label, i.count) for i in before] == [(stage, 0)]
    assert [(i.label, i.count) for i in after] == [
        (stage, 0),
        (f"{chuping.name}: entries waiting for your score", 3),
    ]


def test_coordinator_has_nothing_of_the_review(coordinator_b, linyi, open_chuping):
    assert _counted(coordinator_b, linyi) == {}


# -- eligibility checks ----------------------------------------------------------------


def test_office_counts_entries_waiting_for_the_check(office, linyi, committee, chuping, works):
    made = rounds.create_entries(office, chuping)

    label = f"{chuping.name}: entries waiting for the eligibility check"
    url = reverse("review:entries", args=[chuping.pk])
    assert _counted(office, linyi) == {label: (3, url)}
    for entry in made:
        rounds.check_entry(office, entry, eligible=True)
    assert _counted(office, linyi) == {}


def test_checker_counts_their_rounds_never_their_own_works(
    office,
    linyi,
    committee,
    chuping,
    coordinator_a,
    coordinator_b,
    artist,
    county_b,
    worker,
    submitted_work,
):
    submitted_work(county_b, worker, by=coordinator_a)
    submitted_work(county_b, worker, by=coordinator_b)
    rounds.create_entries(office, chuping)
    rounds.set_checkers(office, chuping, [coordinator_a, coordinator_b])

    label = f"{chuping.name}: entries waiting for the eligibility check"
    assert _counted(coordinator_a, linyi)[label][0] == 1
    assert _counted(coordinator_b, linyi)[label][0] == 1
    assert _counted(artist, linyi) == {}


# -- the office ------------------------------------------------------------------------


def test_office_counts_declared_conflicts_until_dismissed(office, expert, linyi, open_chuping):
    first, *_rest = _assignments(expert, open_chuping)
    conflict = services.declare_conflict(expert, first.entry, reason="作者是我的学生")

    label = f"{open_chuping.name}: conflicts of interest declared by experts, to look at"
    url = reverse("review:conflicts", args=[open_chuping.pk])
    assert _counted(office, linyi) == {label: (1, url)}
    services.dismiss_conflict(office, conflict, reason="只是同乡，不影响评审")
    assert _counted(office, linyi) == {}


def test_office_counts_a_declared_conflict_no_more_once_the_entry_is_taken_away(
    office, expert, linyi, open_chuping
):
    first, *_rest = _assignments(expert, open_chuping)
    services.declare_conflict(expert, first.entry, reason="作者是我的学生")

    services.unassign(office, first, reason="回避")

    assert _counted(office, linyi) == {}


def test_office_is_told_to_close_a_round_past_its_closing_date(
    settings, office, linyi, open_chuping
):
    settings.WENYI_TODAY = open_chuping.closes
    assert _counted(office, linyi) == {}

    settings.WENYI_TODAY = open_chuping.closes + datetime.timedelta(days=1)

    label = (
        f"{open_chuping.name}: its closing date {open_chuping.closes:%Y-%m-%d} has passed; close it"
    )
    assert _counted(office, linyi) == {label: (1, reverse("review:round", args=[open_chuping.pk]))}


# -- the supervisor --------------------------------------------------------------------


def test_supervisor_reads_closed_rounds_and_is_given_no_work(
    office, expert, supervisor, linyi, open_chuping
):
    for assignment in _assignments(expert, open_chuping):
        scoring.submit_score(expert, assignment, version=0, vote="yes")
    assert review_todos(supervisor, linyi) == []

    rounds.close_round(office, open_chuping)

    (item,) = review_todos(supervisor, linyi)
    assert (item.label, item.count) == (open_chuping.name, 0)
    assert item.url == reverse("review:round", args=[open_chuping.pk]) and item.note


# -- queries ---------------------------------------------------------------------------


def _queries(user, campaign) -> int:
    review_todos(user, campaign)  # warm the caches (scope, content types)
    with CaptureQueriesContext(connection) as queries:
        review_todos(user, campaign)
    return len(queries)


def test_counts_take_the_same_queries_for_one_or_three_items(
    office, expert, linyi, committee, chuping, county_b, worker, submitted_work
):
    submitted_work(county_b, worker)
    (entry,) = rounds.create_entries(office, chuping)
    few = (_queries(office, linyi), _queries(expert, linyi))
    rounds.check_entry(office, entry, eligible=True)
    for _ in range(2):
        submitted_work(county_b, worker)
    made = rounds.create_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    for new in made:
        rounds.check_entry(office, new, eligible=True)
        services.assign(office, new, expert.person)
    services.declare_conflict(expert, made[0], reason="认识作者")

    assert (_queries(office, linyi), _queries(expert, linyi)) == few

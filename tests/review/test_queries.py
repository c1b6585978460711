"""What each login sees of the review (wenyi/review/queries.py): the office and the
supervisor everything (the supervisor the scores once a round is closed), a checker
their round, an expert their own unconflicted entries of open rounds, nobody else
anything."""

import pytest

from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.review import queries, rounds, scoring, services


@pytest.fixture
def review(
    office,
    linyi,
    committee,
    expert,
    expert_conflicted,
    county_a,
    county_b,
    artist,
    worker,
    submitted_work,
):
    """作品初评 open: a county_b poem given to both experts, a county_a poem to the expert
    (孙回避 is barred from it), and the expert's vote on the first."""
    chuping = file_round(linyi, "chuping")
    submitted_work(county_b, worker)
    submitted_work(county_a, artist.person)
    entry_b, entry_a = sorted(eligible_entries(office, chuping), key=lambda e: e.work.unit.path)[
        ::-1
    ]
    open_with(
        office,
        chuping,
        [(entry_b, expert.person), (entry_b, expert_conflicted.person), (entry_a, expert.person)],
    )
    scoring.submit_score(
        expert, entry_b.assignments.get(expert=expert.person), version=0, vote="yes"
    )
    chuping.refresh_from_db()
    return chuping, entry_a, entry_b


def test_rounds_visible_to_each(
    review, linyi, office, supervisor, expert, expert_conflicted, coordinator_a, artist
):
    chuping, _a, _b = review
    every = list(linyi.review_rounds.all())

    seen = {
        user.username: list(queries.rounds_visible_to(user, linyi))
        for user in (office, supervisor, expert, expert_conflicted, coordinator_a, artist)
    }

    assert seen == {
        "office": every,
        "supervisor": every,
        "expert": [chuping],
        "expert_conflicted": [chuping],
        "coordinator_a": [],
        "artist": [],
    }


def test_an_expert_sees_only_their_unconflicted_entries(
    review, office, supervisor, expert, expert_conflicted, coordinator_b
):
    chuping, entry_a, entry_b = review

    assert list(queries.entries_for_expert(expert, chuping)) == sorted(
        [entry_a, entry_b], key=lambda e: e.code
    )
    assert list(queries.entries_for_expert(expert_conflicted, chuping)) == [entry_b]
    services.declare_conflict(expert_conflicted, entry_b, reason="作者是我的邻居")
    assert list(queries.entries_for_expert(expert_conflicted, chuping)) == []
    assert list(queries.entries_visible_to(coordinator_b, chuping)) == []
    assert set(queries.entries_visible_to(supervisor, chuping)) == {entry_a, entry_b}


def test_the_supervisor_sees_scores_once_the_round_is_closed(
    review, office, supervisor, expert, coordinator_a
):
    chuping, _a, _b = review

    assert list(queries.scores_visible_to(supervisor, chuping)) == []
    assert queries.scores_visible_to(office, chuping).count() == 1
    assert queries.scores_visible_to(expert, chuping).count() == 1
    rounds.close_round(office, chuping)
    chuping.refresh_from_db()

    assert queries.scores_visible_to(supervisor, chuping).count() == 1
    assert list(queries.scores_visible_to(coordinator_a, chuping)) == []
    assert [r.entry for r in queries.results_of(chuping)][0] in (review[1], review[2])


def test_progress_counts_a_round(review):
    chuping, _a, _b = review

    assert queries.progress(chuping) == {
        "total": 2,
        "pending": 0,
        "eligible": 2,
        "ineligible": 0,
        "assigned": 3,
        "submitted": 1,
        "conflicts": 1,
    }


def test_entries_for_expert_is_one_query(django_assert_num_queries, review, expert):
    chuping, _a, _b = review
    expert = type(expert).objects.get(pk=expert.pk)

    with django_assert_num_queries(2):  # the expert's person, then the entries
        list(queries.entries_for_expert(expert, chuping))

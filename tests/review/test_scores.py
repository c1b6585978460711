"""Scores and votes (wenyi/review/scoring.py): only the assigned, unconflicted expert of
an open round; values within each criterion's maximum, all of them on submit; one
score per assignment however often or however fast it is sent; the results a round
freezes when it closes."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.conftest import _user_with_role
from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.core.versioning import EditConflict
from wenyi.orgs.enums import Role
from wenyi.review import rounds, scoring, services
from wenyi.review.enums import ScoreStatus
from wenyi.review.models import Round, RoundResult, Score

FULL = {"sixiang": "28", "yishu": "35.5", "chuangxin": 18, "tese": Decimal("9")}


@pytest.fixture
def scoring_round(office, linyi, committee, expert, county_b, worker, submitted_work):
    """An open scoring round (the file's 复评 made to stand alone) with one entry given to
    the expert: (round, assignment)."""
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, fuping)
    open_with(office, fuping, [(entry, expert.person)])
    fuping.refresh_from_db()
    return fuping, entry.assignments.get()


@pytest.fixture
def vote_round(office, linyi, committee, expert, county_b, worker, submitted_work):
    chuping = file_round(linyi, "chuping")
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    chuping.refresh_from_db()
    return chuping, entry.assignments.get()


# -- saving --------------------------------------------------------------------------


def test_draft_then_submit_stores_one_score_with_its_total(expert, scoring_round):
    _round, assignment = scoring_round

    draft = scoring.save_draft(expert, assignment, version=0, values={"sixiang": 28})
    score = scoring.submit_score(
        expert, assignment, version=draft.version, values=FULL, comment="朴实感人"
    )

    assert Score.objects.count() == 1
    assert (score.status, score.total, score.version) == ("submitted", Decimal("90.5"), 2)
    assert score.values == {"sixiang": "28", "yishu": "35.5", "chuangxin": "18", "tese": "9"}
    actions = AuditEntry.objects.filter(content_type__model="score").values_list(
        "action", flat=True
    )
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.TRANSITION]


def test_submit_needs_every_criterion_within_its_maximum(expert, scoring_round):
    _round, assignment = scoring_round

    with pytest.raises(ValidationError) as missing:
        scoring.submit_score(expert, assignment, version=0, values={"sixiang": 28})
    with pytest.raises(ValidationError) as too_high:
        scoring.submit_score(expert, assignment, version=0, values=FULL | {"tese": 11})
    with pytest.raises(ValidationError) as unknown:
        scoring.save_draft(expert, assignment, version=0, values={"yinyue": 5})
    with pytest.raises(ValidationError):
        scoring.save_draft(expert, assignment, version=0, values={"sixiang": "很好"})

    assert "艺术性、创新性、职工特色" in missing.value.message_dict["values"][0]
    assert "职工特色" in too_high.value.message_dict["values"][0]
    assert "yinyue" in unknown.value.message_dict["values"][0]
    assert Score.objects.count() == 0


def test_a_vote_is_needed_in_an_approval_round(expert, vote_round):
    _round, assignment = vote_round

    with pytest.raises(ValidationError):
        scoring.submit_score(expert, assignment, version=0)
    score = scoring.submit_score(expert, assignment, version=0, vote="no", comment="题材重复")

    assert (score.vote, score.status) == ("no", "submitted")


def test_double_submit_stores_one_score(expert, scoring_round):
    _round, assignment = scoring_round
    scoring.submit_score(expert, assignment, version=0, values=FULL)

    for version in (0, 1):  # the same form sent again; a form opened after the submit
        with pytest.raises(ValidationError) as refused:
            scoring.submit_score(expert, assignment, version=version, values=FULL | {"tese": 1})
        assert refused.value.messages in (
            ["这一评分已经提交。"],
            ["This score is submitted already."],
        )

    assert Score.objects.get().values["tese"] == "9"


def test_a_stale_draft_is_refused(expert, scoring_round):
    _round, assignment = scoring_round
    first = scoring.save_draft(expert, assignment, version=0, values={"sixiang": 20})
    scoring.save_draft(expert, assignment, version=first.version, values={"sixiang": 25})

    with pytest.raises(EditConflict):
        scoring.save_draft(expert, assignment, version=first.version, values={"sixiang": 5})

    assert Score.objects.get().values == {"sixiang": "25"}


def test_only_the_assigned_expert_scores(expert_conflicted, office, scoring_round):
    _round, assignment = scoring_round

    for someone in (expert_conflicted, office):
        with pytest.raises(ValidationError):
            scoring.save_draft(someone, assignment, version=0, values={"sixiang": 20})

    assert Score.objects.count() == 0


def test_no_score_once_the_expert_declares_a_conflict(expert, scoring_round):
    _round, assignment = scoring_round
    services.declare_conflict(expert, assignment.entry, reason="作者是我的亲戚")

    with pytest.raises(ValidationError):
        scoring.save_draft(expert, assignment, version=0, values={"sixiang": 20})


def test_no_score_while_the_round_is_closed(office, expert, scoring_round):
    round_, assignment = scoring_round
    rounds.close_round(office, round_)

    with pytest.raises(ValidationError):
        scoring.submit_score(expert, assignment, version=0, values=FULL)


def test_office_returns_a_submitted_score_with_a_reason(office, expert, scoring_round):
    _round, assignment = scoring_round
    score = scoring.submit_score(expert, assignment, version=0, values=FULL)

    with pytest.raises(ValidationError):
        scoring.return_score(office, score, reason="")
    returned = scoring.return_score(office, score, reason="创新性评分请说明")
    again = scoring.submit_score(
        expert, assignment, version=returned.version, values=FULL | {"chuangxin": 15}
    )

    assert (again.status, again.total) == (ScoreStatus.SUBMITTED, Decimal("87.5"))
    assert Notification.objects.filter(user=expert, message__contains="创新性评分请说明").exists()


# -- at the same moment ----------------------------------------------------------------


def _at_once(*calls):
    """Run the calls in threads released together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_store_one_score(expert, scoring_round):
    _round, assignment = scoring_round

    outcomes = _at_once(
        lambda: scoring.submit_score(expert, assignment, version=0, values=FULL),
        lambda: scoring.submit_score(expert, assignment, version=0, values=FULL),
    )

    stored = [o for o in outcomes if isinstance(o, Score)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(stored), len(refused)) == (1, 1)
    assert Score.objects.filter(assignment=assignment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_experts_scoring_at_once_do_not_interfere(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    other = _user_with_role("expert_2", linyi.owner_unit(), Role.EXPERT, "郑评审")
    services.add_expert(office, linyi, other.person)
    chuping = file_round(linyi, "chuping")
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person), (entry, other.person)])
    mine, theirs = (entry.assignments.get(expert=p) for p in (expert.person, other.person))

    outcomes = _at_once(
        lambda: scoring.submit_score(expert, mine, version=0, vote="yes"),
        lambda: scoring.submit_score(other, theirs, version=0, vote="no"),
    )

    assert [type(o).__name__ for o in outcomes] == ["Score", "Score"]
    assert sorted(Score.objects.values_list("vote", flat=True)) == ["no", "yes"]


# -- results -----------------------------------------------------------------------------


def _experts(office, linyi, n):
    people = []
    for i in range(n):
        user = _user_with_role(f"judge{i}", linyi.owner_unit(), Role.EXPERT, f"评委{i}")
        services.add_expert(office, linyi, user.person)
        people.append(user)
    return people


def test_closing_a_scoring_round_ranks_by_the_trimmed_mean(
    office, linyi, committee, county_b, worker, submitted_work
):
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    judges = _experts(office, linyi, 5)
    good, plain = submitted_work(county_b, worker), submitted_work(county_b, worker)
    entries = {e.work: e for e in eligible_entries(office, fuping)}
    open_with(office, fuping, [(e, j.person) for e in entries.values() for j in judges])
    # 复评 drops one highest and one lowest of 5 scores (sixiang moves, the rest fixed)
    marks = {good: [30, 29, 28, 27, 5], plain: [20, 20, 20, 20, 20]}
    for work, entry in entries.items():
        for judge, sixiang in zip(judges, marks[work], strict=True):
            values = {"sixiang": sixiang, "yishu": 30, "chuangxin": 15, "tese": 5}
            scoring.submit_score(
                judge, entry.assignments.get(expert=judge.person), version=0, values=values
            )

    rounds.close_round(office, fuping)

    found = {
        r.entry.work: (r.final, r.n, r.rank, r.minimum, r.maximum)
        for r in RoundResult.objects.filter(round=fuping)
    }
    assert found == {
        good: (Decimal("78.00"), 5, 1, Decimal("55"), Decimal("80")),
        plain: (Decimal("70.00"), 5, 2, Decimal("70"), Decimal("70")),
    }


def test_closing_an_approval_round_counts_votes_and_second_looks(
    office, linyi, committee, county_b, worker, submitted_work
):
    chuping = file_round(linyi, "chuping")  # 2 yes votes pass; rejected ones get a second look
    judges = _experts(office, linyi, 4)
    work = submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, j.person) for j in judges[:3]])
    for judge, vote in zip(judges[:3], ["yes", "no", "no"], strict=True):
        scoring.submit_score(
            judge, entry.assignments.get(expert=judge.person), version=0, vote=vote
        )
    chuping.refresh_from_db()
    second = services.assign_second_look(office, chuping)
    assert {a.panel for a in second.made} == {2}
    assert not {a.expert_id for a in second.made} & {j.person.pk for j in judges[:3]}
    for assignment in second.made:
        judge = assignment.expert.user
        scoring.submit_score(judge, assignment, version=0, vote="yes")

    rounds.close_round(office, chuping)

    result = RoundResult.objects.get(entry__work=work)
    assert (result.yes_votes, result.no_votes, result.passed) == (
        1 + len(second.made),
        2,
        len(second.made) >= 2,
    )


def test_closing_a_ranking_round_turns_places_into_points(
    office, linyi, committee, county_a, county_b, artist, worker, submitted_work
):
    wenyi_round = file_round(linyi, "wenyigongzuozhe")
    judges = _experts(office, linyi, 2)
    submitted_work(county_b, worker)
    entries = eligible_entries(office, wenyi_round)
    people = {e.person.name: e for e in entries}
    assert set(people) == {"赵文艺", "钱师傅"}
    open_with(office, wenyi_round, [(e, j.person) for e in entries for j in judges])
    for judge in judges:
        for name, place in (("钱师傅", 1), ("赵文艺", 2)):
            assignment = people[name].assignments.get(expert=judge.person)
            scoring.submit_score(judge, assignment, version=0, rank=place)
    with pytest.raises(ValidationError):  # a place given twice
        scoring.save_draft(
            judges[0], people["钱师傅"].assignments.get(expert=judges[0].person), version=1, rank=2
        )

    rounds.close_round(office, wenyi_round)

    found = {r.entry.person.name: (r.final, r.rank) for r in wenyi_round.results.all()}
    assert found == {"钱师傅": (Decimal("100.00"), 1), "赵文艺": (Decimal("50.00"), 2)}


def test_results_leave_out_ineligible_entries_and_unsubmitted_scores(office, expert, scoring_round):
    round_, assignment = scoring_round
    scoring.save_draft(expert, assignment, version=0, values=FULL)

    rounds.close_round(office, round_)

    result = RoundResult.objects.get(entry=assignment.entry)
    assert (result.n, result.final, result.rank) == (0, None, None)

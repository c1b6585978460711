"""The scores page while a round is open (review:scores) and the results once it is
closed (review:results, review:results_export): ranking with what each score is made
of, disagreement flags, means per criterion, who scored what (office; supervisor after
close only), the consistency report, the .xlsx export. Outsiders get 404."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import _user_with_role
from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.orgs.enums import Role
from wenyi.review import rounds, scoring, services
from wenyi.review.enums import ScoreStatus
from wenyi.review.models import Round, Score
from wenyi.works.models import Work


def judges(office, linyi, n, start=0):
    """n experts at the city (neutral to every county's work), on the committee."""
    people = []
    for i in range(start, start + n):
        user = _user_with_role(f"judge{i}", linyi.owner_unit(), Role.EXPERT, f"评委{i}")
        services.add_expert(office, linyi, user.person)
        people.append(user)
    return people


def values(sixiang):
    return {"sixiang": sixiang, "yishu": 30, "chuangxin": 15, "tese": 5}


def open_scoring_round(office, linyi, county_b, worker, submitted_work, marks, *, second=None):
    """The file's 复评 standing alone, one work of county_b per row of `marks` (each
    judge's 思想性 value), flagged above a range of 20; `second`: marks of a second
    panel for the consistency check. Returns (round, entries in order, judges)."""
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="", flag_range=20)
    fuping.refresh_from_db()
    n = len(marks[0])
    panel = judges(office, linyi, n)
    works = [submitted_work(county_b, worker, title=f"作品{i}") for i in range(len(marks))]
    by_work = {e.work_id: e for e in eligible_entries(office, fuping)}
    entries = [by_work[w.pk] for w in works]
    open_with(office, fuping, [(e, j.person) for e in entries for j in panel])
    for entry, row in zip(entries, marks, strict=True):
        for judge, mark in zip(panel, row, strict=True):
            assignment = entry.assignments.get(expert=judge.person)
            scoring.submit_score(
                judge, assignment, version=0, values=values(mark), comment=f"{judge.person.name}评"
            )
    if second:
        others = judges(office, linyi, len(second[0]), start=n)
        for entry, row in zip(entries, second, strict=True):
            for judge, mark in zip(others, row, strict=True):
                assignment = services.assign(office, entry, judge.person, panel=2)
                scoring.submit_score(judge, assignment, version=0, values=values(mark))
    fuping.refresh_from_db()
    return fuping, entries, panel


@pytest.fixture
def scored(office, linyi, committee, county_b, worker, submitted_work):
    """An open round: the first work scored 30/28/2 (a range of 28: flagged), the
    second 20/20/20."""
    return open_scoring_round(
        office, linyi, county_b, worker, submitted_work, [[30, 28, 2], [20, 20, 20]]
    )


def _url(name, round_):
    return reverse(f"review:{name}", args=[round_.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# -- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator_a", "expert", "artist"])
@pytest.mark.parametrize("name", ["scores", "results", "results_export", "tiers"])
def test_others_get_404(request, login, who, name, scored):
    round_ = scored[0]
    rounds.close_round(request.getfixturevalue("office"), round_)

    response = login(request.getfixturevalue(who)).get(_url(name, round_))

    assert response.status_code == 404


def test_supervisor_sees_no_scores_before_close(login, supervisor, scored):
    round_ = scored[0]
    client = login(supervisor)

    scores = client.get(_url("scores", round_))
    results = client.get(_url("results", round_))
    export = client.get(_url("results_export", round_))

    assert scores.status_code == 403
    assert export.status_code == 403
    assert results.status_code == 200
    page = results.content.decode()
    assert 'data-testid="results-not-yet"' in page
    assert "评委0评" not in page and 'data-testid="who-scored"' not in page


# -- scores while open ---------------------------------------------------------------


def test_office_sees_scores_with_names_in_a_blind_round(login, office, scored):
    round_, entries, _panel = scored
    assert round_.blind

    response = login(office).get(_url("scores", round_))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="score-row"') == 6
    assert "作品0" in page and "评委1" in page
    assert page.count('data-testid="return-score"') == 6


def test_office_returns_a_score_with_a_reason_once(login, office, scored):
    round_, entries, panel = scored
    score = Score.objects.get(assignment__entry=entries[0], assignment__expert=panel[2].person)
    client = login(office)
    url = reverse("review:score_return", args=[round_.pk])

    without = client.post(url, {"score": score.pk})
    client.post(url, {"score": score.pk, "reason": "思想性评分明显偏低，请复核"})
    again = client.post(url, {"score": score.pk, "reason": "再退一次"})

    score.refresh_from_db()
    assert without.status_code == 302
    assert score.status == ScoreStatus.DRAFT
    assert [m.level_tag for m in get_messages(again.wsgi_request)] == ["error", "success", "error"]


def test_supervisor_may_not_return_a_score(login, supervisor, office, scored):
    round_, entries, panel = scored
    rounds.close_round(office, round_)
    score = Score.objects.filter(assignment__entry=entries[0]).first()

    page = login(supervisor).get(_url("scores", round_)).content.decode()
    refused = login(supervisor).post(
        reverse("review:score_return", args=[round_.pk]), {"score": score.pk, "reason": "x"}
    )

    assert 'data-testid="return-score"' not in page and "评委0评" in page
    assert refused.status_code == 403


# -- results ---------------------------------------------------------------------------


def test_results_rank_flag_and_show_criterion_means(login, office, scored):
    round_, entries, _panel = scored
    rounds.close_round(office, round_)

    response = login(office).get(_url("results", round_))

    assert response.status_code == 200
    rows = [
        (r.entry.code, r.rank, r.final, r.n, r.flagged, r.range, r.means)
        for r in response.context["results"]
    ]
    # 思想性 30/28/2 → mean 20, total 20 + 30 + 15 + 5 = 70; range 28 > 20: flagged
    assert rows == [
        (
            entries[0].code,
            1,
            Decimal("70.000000"),
            3,
            True,
            Decimal("28.000000"),
            [Decimal("20.00"), Decimal("30.00"), Decimal("15.00"), Decimal("5.00")],
        ),
        # equal means: the higher median ranks first (the default tie-break)
        (
            entries[1].code,
            2,
            Decimal("70.000000"),
            3,
            False,
            Decimal("0"),
            [Decimal("20.00"), Decimal("30.00"), Decimal("15.00"), Decimal("5.00")],
        ),
    ]
    page = response.content.decode()
    assert page.count('data-testid="flagged"') == 1
    assert page.count('data-testid="criterion-mean"') == 8
    assert 'data-testid="who-scored"' in page and "评委2评" in page
    assert 'data-testid="consistency"' not in page


def test_supervisor_sees_who_scored_what_after_close(login, office, supervisor, scored):
    round_ = scored[0]
    rounds.close_round(office, round_)

    page = login(supervisor).get(_url("results", round_)).content.decode()

    assert 'data-testid="who-scored"' in page and "评委0评" in page
    assert 'data-testid="results-export"' in page


def test_results_report_the_consistency_of_a_second_panel(
    login, office, linyi, committee, county_b, worker, submitted_work
):
    round_, entries, _ = open_scoring_round(
        office,
        linyi,
        county_b,
        worker,
        submitted_work,
        [[30, 28, 26], [20, 20, 20], [10, 12, 11]],
        second=[[29, 29], [21, 19], [9, 10]],
    )
    rounds.close_round(office, round_)

    response = login(office).get(_url("results", round_))

    found = response.context["consistency"]
    assert (found["n"], found["spearman"], found["both_accept"]) == (3, 1.0, 1)
    assert 'data-testid="consistency"' in response.content.decode()


def test_approval_results_show_votes_and_passed(
    login, office, linyi, committee, county_b, worker, submitted_work
):
    chuping = file_round(linyi, "chuping")
    Round.objects.filter(pk=chuping.pk).update(second_look=False)
    panel = judges(office, linyi, 3)
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, j.person) for j in panel])
    for judge, vote in zip(panel, ["yes", "yes", "no"], strict=True):
        scoring.submit_score(
            judge, entry.assignments.get(expert=judge.person), version=0, vote=vote
        )
    rounds.close_round(office, chuping)

    response = login(office).get(_url("results", chuping))

    (result,) = response.context["results"]
    assert (result.yes_votes, result.no_votes, result.passed) == (2, 1, True)
    assert response.context["approval"]


def test_export_opens_with_openpyxl_and_keeps_typed_text_as_text(login, office, scored):
    from openpyxl import load_workbook

    round_, entries, _ = scored
    Work.objects.filter(pk=entries[0].work_id).update(title="=HYPERLINK(1)")
    rounds.close_round(office, round_)

    response = login(office).get(_url("results_export", round_))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    codes = {row[1]: row for row in rows[1:]}
    assert codes[entries[0].code][2] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=3).data_type == "s"
    assert codes[entries[0].code][4] == 70
    assert len(list(book.worksheets[1].iter_rows())) == 7  # a header and 6 scores


def test_results_query_count_does_not_grow(
    login, office, linyi, committee, county_b, worker, submitted_work
):
    round_, _, _ = open_scoring_round(
        office, linyi, county_b, worker, submitted_work, [[20, 21], [22, 23], [24, 25]]
    )
    rounds.close_round(office, round_)
    client = login(office)
    client.get(_url("results", round_))
    with CaptureQueriesContext(connection) as three:
        client.get(_url("results", round_))
    # the same round with one entry left
    round_.results.exclude(rank=1).delete()
    Score.objects.filter(assignment__entry__round=round_).exclude(
        assignment__entry__result__rank=1
    ).delete()

    with CaptureQueriesContext(connection) as one:
        client.get(_url("results", round_))

    assert round_.results.count() == 1
    assert len(one) == len(three)


def test_scores_query_count_does_not_grow(login, office, scored):
    round_, entries, _ = scored
    client = login(office)
    client.get(_url("scores", round_))
    with CaptureQueriesContext(connection) as six:
        client.get(_url("scores", round_))
    Score.objects.filter(assignment__entry=entries[0]).delete()
    Score.objects.filter(assignment__entry=entries[1]).exclude(
        assignment__expert__name="评委0"
    ).delete()

    with CaptureQueriesContext(connection) as one:
        client.get(_url("scores", round_))

    assert Score.objects.count() == 1
    assert len(one) == len(six)

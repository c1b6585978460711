"""The expert's pages (wenyi/review/views_expert.py): the queue, the scoring page, the
conflict declared from it, the files of an entry and the declared relations. Outsiders
and the office get 404 (the office does not score); pages cost the same number of
queries for 3 entries and for 12."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.review.conftest import POEM, file_round
from wenyi.orgs.models import Person
from wenyi.review import rounds, scoring, services
from wenyi.review.enums import ScoreStatus
from wenyi.review.models import Conflict, Relation, Round, Score

FULL = {"c_sixiang": "28", "c_yishu": "35.5", "c_chuangxin": "18", "c_tese": "9"}


# --- building rounds (used by test_blind_leak and the browser test too) -----------------


def standalone(linyi, key: str) -> Round:
    """A file round made to stand alone (复评 takes its entries from 初评 otherwise)."""
    round_ = file_round(linyi, key)
    Round.objects.filter(pk=round_.pk).update(source=None, advance="")
    round_.refresh_from_db()
    return round_


def open_round_with(office, round_: Round, experts, **changes) -> list:
    """Make the round's entries, check them eligible, give every entry to each of
    `experts` (Persons), change the round's fields (`blind=False` …) and open it: its
    entries in number order."""
    if changes:
        Round.objects.filter(pk=round_.pk).update(**changes)
        round_.refresh_from_db()
    made = rounds.create_entries(office, round_)
    entries = [rounds.check_entry(office, e, eligible=True) for e in made]
    for entry in entries:
        for expert in experts:
            services.assign(office, entry, expert)
    rounds.open_round(office, round_)
    return sorted(entries, key=lambda e: e.code)


@pytest.fixture
def works(submitted_work, county_b, worker):
    """works(n) -> n submitted poems of county_b by 钱师傅."""

    def make(n: int, key: str = "shici"):
        return [submitted_work(county_b, worker, key=key) for _ in range(n)]

    return make


@pytest.fixture
def fuping(linyi):
    return standalone(linyi, "fuping")


@pytest.fixture
def scored(office, committee, expert, works, fuping):
    """The scoring round 复评, open, with three poems given to the expert."""
    works(3)
    return open_round_with(office, fuping, [expert.person])


def _post(client, entry, action="draft", version=0, **fields):
    data = {"version": version, "action": action, "comment": ""} | fields
    return client.post(reverse("review:score", args=[entry.pk]), data)


# --- the queue ------------------------------------------------------------------------------


def test_queue_lists_each_entry_with_its_state_and_progress(login, expert, scored, linyi):
    first, second, _third = scored
    assignment = first.assignments.get()
    scoring.submit_score(expert, assignment, version=0, values={k[2:]: v for k, v in FULL.items()})
    scoring.save_draft(expert, second.assignments.get(), version=0, values={"sixiang": 3})

    response = login(expert).get(reverse("review:queue", args=[linyi.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert [first.code, second.code] == [e.code for e in scored[:2]]
    for entry in scored:
        assert entry.code in html
    assert "1 / 3" in html
    assert html.count('data-state="submitted"') == 1
    assert html.count('data-state="draft"') == 1
    assert html.count('data-state="new"') == 1
    # "continue" goes to the first entry not submitted
    assert reverse("review:score", args=[second.pk]) in html.split('data-testid="queue-start"')[0]


@pytest.mark.parametrize("who", ["office", "coordinator_a", "artist", "supervisor"])
def test_queue_is_a_404_for_those_who_are_not_experts(login, linyi, who, request):
    user = request.getfixturevalue(who)

    response = login(user).get(reverse("review:queue", args=[linyi.slug]))

    assert response.status_code == 404


def test_queue_sends_anonymous_visitors_to_log_in(anonymous, linyi):
    response = anonymous.get(reverse("review:queue", args=[linyi.slug]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_queue_without_assignments_says_when_the_review_opens(login, expert, linyi, committee):
    stage = linyi.review_stage()

    response = login(expert).get(reverse("review:queue", args=[linyi.slug]))

    assert response.status_code == 200
    assert 'data-testid="queue-empty"' in response.content.decode()
    assert f"{stage.start:%Y-%m-%d}" in response.content.decode() or (
        f"{stage.end:%Y-%m-%d}" in response.content.decode()
    )


def test_queue_lists_a_round_not_open_yet_with_its_dates(
    login, office, expert, committee, works, linyi
):
    works(1)
    chuping = file_round(linyi, "chuping")
    (entry,) = [
        rounds.check_entry(office, e, eligible=True) for e in rounds.create_entries(office, chuping)
    ]
    services.assign(office, entry, expert.person)

    html = login(expert).get(reverse("review:queue", args=[linyi.slug])).content.decode()

    assert 'data-testid="queue-upcoming"' in html
    assert chuping.name in html and f"{chuping.opens:%Y-%m-%d}" in html
    assert entry.code not in html  # nothing of a round before it opens


def _queries(client, url) -> int:
    """The queries of a page seen a second time (the first visit of a session also does
    the login's one-off work: its session, its scope)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_and_score_page_cost_the_same_for_3_and_12_entries(
    login, office, expert, committee, works, fuping, linyi
):
    works(12)
    entries = [
        rounds.check_entry(office, e, eligible=True) for e in rounds.create_entries(office, fuping)
    ]
    entries.sort(key=lambda e: e.code)
    client = login(expert)
    counts = []
    for given in (entries[:3], entries[3:]):
        for entry in given:
            services.assign(office, entry, expert.person)
        if fuping.status == "draft":
            fuping = rounds.open_round(office, fuping)
        # a draft and a submitted score among them
        scoring.save_draft(expert, given[0].assignments.get(), version=0, values={"sixiang": 5})
        scoring.submit_score(
            expert,
            given[1].assignments.get(),
            version=0,
            values={k[2:]: v for k, v in FULL.items()},
        )
        queue = _queries(client, reverse("review:queue", args=[linyi.slug]))
        page = _queries(client, reverse("review:score", args=[given[0].pk]))
        counts.append((queue, page))

    assert counts[0] == counts[1]


# --- the scoring page ------------------------------------------------------------------------


def test_score_page_shows_the_work_and_the_rubric_without_names(login, expert, scored):
    entry = scored[0]

    response = login(expert).get(reverse("review:score", args=[entry.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert entry.work.title in html and "车间里的灯火彻夜通明" in html
    for name in ("思想性", "艺术性", "创新性", "职工特色"):
        assert name in html
    assert 'max="30"' in html and 'inputmode="decimal"' in html
    assert "钱师傅" not in html and "罗庄区" not in html  # 复评 is blind
    assert 'name="version" value="0"' in html


def test_draft_then_submit_stores_the_score_and_shows_it_read_only(login, expert, scored):
    entry = scored[0]
    client = login(expert)

    draft = _post(client, entry, "draft", 0, c_sixiang="20", comment="初看")
    score = Score.objects.get()
    submit = _post(client, entry, "submit", score.version, **FULL, comment="朴实感人")
    page = client.get(reverse("review:score", args=[entry.pk])).content.decode()

    assert draft.status_code == submit.status_code == 302
    score.refresh_from_db()
    assert (score.status, score.total, score.comment) == ("submitted", Decimal("90.5"), "朴实感人")
    assert 'data-testid="score-readonly"' in page and 'data-testid="score-form"' not in page
    assert "90.5" in page


def test_a_stale_form_is_refused_with_the_input_kept(login, expert, scored):
    entry = scored[0]
    client = login(expert)
    _post(client, entry, "draft", 0, c_sixiang="20")

    stale = _post(client, entry, "draft", 0, c_sixiang="27", comment="旧页面的意见")

    html = stale.content.decode()
    assert stale.status_code == 200
    assert Score.objects.get().values == {"sixiang": "20"}
    assert 'value="27"' in html and "旧页面的意见" in html
    # the form now carries the current version: saving again is a deliberate overwrite
    assert f'name="version" value="{Score.objects.get().version}"' in html


def test_a_value_above_the_maximum_is_refused_and_nothing_is_saved(login, expert, scored):
    response = _post(login(expert), scored[0], "submit", 0, **FULL | {"c_tese": "11"})

    assert response.status_code == 200
    assert Score.objects.count() == 0
    assert 'value="11"' in response.content.decode()


def test_submit_and_next_goes_to_the_next_unfinished_then_to_the_queue(
    login, expert, scored, linyi
):
    first, second, third = scored
    client = login(expert)
    scoring.submit_score(
        expert, second.assignments.get(), version=0, values={k[2:]: v for k, v in FULL.items()}
    )

    to_third = _post(client, first, "next", 0, **FULL)
    to_queue = _post(client, third, "next", 0, **FULL)

    assert to_third["Location"] == reverse("review:score", args=[third.pk])
    assert to_queue["Location"] == reverse("review:queue", args=[linyi.slug])
    assert Score.objects.filter(status=ScoreStatus.SUBMITTED).count() == 3


def test_a_submitted_score_is_not_changed_by_another_post(login, expert, scored):
    entry = scored[0]
    client = login(expert)
    _post(client, entry, "submit", 0, **FULL)

    again = _post(client, entry, "submit", 1, **FULL | {"c_tese": "1"})

    assert again.status_code == 302
    assert Score.objects.get().values["tese"] == "9"


def test_an_approval_round_asks_for_a_vote(login, office, expert, committee, works, linyi):
    works(1)
    (entry,) = open_round_with(office, file_round(linyi, "chuping"), [expert.person])
    client = login(expert)

    page = client.get(reverse("review:score", args=[entry.pk])).content.decode()
    missing = _post(client, entry, "submit", 0)
    voted = _post(client, entry, "submit", 0, vote="yes")

    assert 'name="vote"' in page and 'value="yes"' in page
    assert missing.status_code == 200
    assert voted.status_code == 302
    assert (Score.objects.get().vote, Score.objects.get().status) == ("yes", "submitted")


def test_a_ranking_round_asks_for_a_place_each_given_once(
    login, office, expert, committee, linyi, artist, works
):
    works(1)  # its author and the artist are the round's two people
    round_ = file_round(linyi, "wenyigongzuozhe")
    first, second = open_round_with(office, round_, [expert.person])
    client = login(expert)

    page = client.get(reverse("review:score", args=[first.pk])).content.decode()
    _post(client, first, "submit", 0, rank="1")
    taken = _post(client, second, "submit", 0, rank="1")

    assert 'name="rank"' in page and 'max="2"' in page
    assert 'data-testid="entry-dossier"' in page
    assert taken.status_code == 200
    assert first.code in taken.content.decode()  # "place 1 is given to entry … already"
    assert Score.objects.filter(rank=1).count() == 1


@pytest.mark.parametrize("who", ["office", "supervisor", "expert_conflicted"])
def test_score_page_is_a_404_to_everyone_the_entry_is_not_given_to(login, scored, who, request):
    user = request.getfixturevalue(who)

    response = login(user).get(reverse("review:score", args=[scored[0].pk]))

    assert response.status_code == 404


# --- conflicts declared from the page ----------------------------------------------------------


def test_declaring_a_conflict_takes_the_entry_off_the_list(login, expert, scored, linyi):
    entry = scored[0]
    client = login(expert)
    url = reverse("review:declare_conflict", args=[entry.pk])

    empty = client.post(url, {"reason": " "})
    declared = client.post(url, {"reason": "作者是我的学生"})

    assert empty["Location"] == reverse("review:score", args=[entry.pk])
    assert declared["Location"] == reverse("review:queue", args=[linyi.slug])
    conflict = Conflict.objects.get()
    assert (conflict.entry, conflict.expert, conflict.reason) == (
        entry,
        expert.person,
        "作者是我的学生",
    )
    assert client.get(reverse("review:score", args=[entry.pk])).status_code == 404
    queue = client.get(reverse("review:queue", args=[linyi.slug])).content.decode()
    assert entry.code not in queue and scored[1].code in queue


# --- files --------------------------------------------------------------------------------------


def test_office_gets_a_file_under_its_name_and_the_expert_a_numbered_copy(
    login, office, expert, committee, linyi, county_b, worker, coordinator_b, fuping
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.media import CATALOG, PAGE, PAGES, pdf
    from wenyi.works import files as work_files
    from wenyi.works import services as work_services
    from wenyi.works.models import Work

    work = work_services.create_work(
        coordinator_b,
        campaign=linyi,
        category=linyi.work_categories.get(key="shici"),
        unit=county_b,
        title="夜班",
        authors=[worker],
        text=POEM,
    )
    upload = SimpleUploadedFile(
        "钱师傅的诗稿.pdf",
        pdf([CATALOG % b"", PAGES, PAGE]),
    )
    record = work_files.store_work_file(coordinator_b, work, upload)
    Work.objects.filter(pk=work.pk).update(status="submitted", submitted_by=coordinator_b)
    (entry,) = open_round_with(office, fuping, [expert.person])
    url = reverse("review:entry_file", args=[entry.pk, record.pk])

    for_office = login(office).get(url + "?download=1")
    for_expert = login(expert).get(url + "?download=1")
    for_outsider = login(coordinator_b).get(url)

    assert for_office.status_code == for_expert.status_code == 200
    assert "%E9%92%B1%E5%B8%88%E5%82%85" in for_office["Content-Disposition"]  # 钱师傅
    assert for_expert["Content-Disposition"] == f'attachment; filename="{entry.code}-1.pdf"'
    assert "sandbox" in for_expert["Content-Security-Policy"]
    assert for_outsider.status_code == 404


# --- relations ---------------------------------------------------------------------------------


def test_expert_declares_and_withdraws_relations(login, expert, committee, linyi, county_b, worker):
    client = login(expert)
    url = reverse("review:relations", args=[linyi.slug])

    to_unit = client.post(url, {"kind": "same_unit", "unit": county_b.pk})
    to_person = client.post(url, {"kind": "teacher", "unit": county_b.pk, "person_name": "钱师傅"})
    nobody = client.post(url, {"kind": "relative", "unit": county_b.pk, "person_name": "无此人"})
    unexplained = client.post(url, {"kind": "other", "unit": county_b.pk})

    assert to_unit.status_code == to_person.status_code == 302
    assert nobody.status_code == unexplained.status_code == 200
    assert "无此人" in nobody.content.decode()
    declared = list(Relation.objects.filter(person=expert.person).order_by("id"))
    assert [(r.kind, r.other_unit, r.other_person) for r in declared] == [
        ("same_unit", county_b, None),
        ("teacher", None, worker),
    ]
    page = client.get(url).content.decode()
    assert "钱师傅" in page

    withdraw = reverse("review:withdraw_relation", args=[linyi.slug, declared[0].pk])
    client.post(withdraw, {"reason": ""})
    assert Relation.objects.filter(person=expert.person).count() == 2
    client.post(withdraw, {"reason": "登记错了"})
    assert list(Relation.objects.filter(person=expert.person)) == [declared[1]]


def test_relations_are_a_404_for_non_experts_and_for_others_relations(
    login, expert, expert_conflicted, committee, linyi, county_b, coordinator_a
):
    relation = services.declare_relation(
        expert, person=expert.person, kind="same_unit", other_unit=county_b
    )

    page = login(coordinator_a).get(reverse("review:relations", args=[linyi.slug]))
    other = login(expert_conflicted).post(
        reverse("review:withdraw_relation", args=[linyi.slug, relation.pk]), {"reason": "x"}
    )

    assert page.status_code == other.status_code == 404
    assert Relation.objects.filter(pk=relation.pk).exists()
    assert Person.objects.filter(pk=expert.person.pk).exists()


def test_a_returned_score_shows_the_office_reason_until_submitted_again(
    login, office, expert, scored, linyi
):
    entry = scored[0]
    client = login(expert)
    _post(client, entry, "submit", 0, **FULL)
    scoring.return_score(office, Score.objects.get(), reason="思想性一项请再斟酌")

    page = client.get(reverse("review:score", args=[entry.pk])).content.decode()
    queue = client.get(reverse("review:queue", args=[linyi.slug])).content.decode()
    assert 'data-testid="returned-reason"' in page and "思想性一项请再斟酌" in page
    assert "已退回" in queue

    _post(client, entry, "submit", Score.objects.get().version, **FULL)
    score = Score.objects.get()
    assert (score.status, score.returned_reason) == ("submitted", "")
    assert (
        "思想性一项请再斟酌"
        not in client.get(reverse("review:score", args=[entry.pk])).content.decode()
    )

"""The office's review pages (wenyi/review/views_office.py): the campaign's review, a
round, its entries (审读) and its conflicts (回避). The office changes, the supervisor
reads (403 on every change), coordinators and experts get 404; every action is audited,
refuses bad input with a message naming the field, and does nothing twice."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.review.conftest import file_round
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.review import rounds, services
from wenyi.review.enums import Eligibility, RoundStatus
from wenyi.review.models import (
    CommitteeMember,
    Conflict,
    Entry,
    Relation,
    Round,
    RoundChecker,
)


def _messages(response) -> list[str]:
    """The messages this request added (those of earlier requests wait in the cookie)."""
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]


def _main(response) -> str:
    """The page's own part (base.html's header and footer hold forms of their own)."""
    text = response.content.decode()
    return text[text.index("<main") : text.index("</main>")]


def _audits(model: str, action=None) -> int:
    entries = AuditEntry.objects.filter(content_type__model=model)
    return (entries.filter(action=action) if action else entries).count()


@pytest.fixture
def chuping(linyi) -> Round:
    return file_round(linyi, "chuping")


@pytest.fixture
def entry(office, county_b, worker, submitted_work, chuping) -> Entry:
    """One entry of the works approval round: a work of county_b by a worker."""
    submitted_work(county_b, worker)
    (made,) = rounds.create_entries(office, chuping)
    return made


def _pages(linyi, chuping):
    return [
        reverse("review:home", args=[linyi.slug]),
        reverse("review:round", args=[chuping.pk]),
        reverse("review:round_edit", args=[chuping.pk]),
        reverse("review:round_add", args=[linyi.slug]),
        reverse("review:entries", args=[chuping.pk]),
        reverse("review:conflicts", args=[chuping.pk]),
    ]


# --- who sees what --------------------------------------------------------------------


def test_every_page_renders_for_the_office(login, office, linyi, committee, chuping, entry):
    client = login(office)
    for url in _pages(linyi, chuping):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'method="post"' in _main(response), url


def test_home_shows_committee_experts_forms_and_rounds(
    login, office, linyi, committee, expert, chuping
):
    expert.person.art_forms = ["诗词"]
    expert.person.save()

    response = login(office).get(reverse("review:home", args=[linyi.slug]))

    text = response.content.decode()
    assert "2014年文艺评审委员会" in text
    assert "钱评审" in text and "孙回避" in text
    assert "诗词" in text  # the expert's art form, matched to the campaign's category
    assert chuping.name in text and reverse("review:entries", args=[chuping.pk]) in text
    assert len(response.context["rounds"]) == linyi.review_rounds.count()


def test_supervisor_reads_every_page_without_forms(
    login, supervisor, linyi, committee, chuping, entry
):
    client = login(supervisor)
    for url in [
        reverse("review:home", args=[linyi.slug]),
        reverse("review:round", args=[chuping.pk]),
        reverse("review:entries", args=[chuping.pk]),
        reverse("review:conflicts", args=[chuping.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'method="post"' not in _main(response), url
    assert "钱评审" in _main(client.get(reverse("review:home", args=[linyi.slug])))


def test_supervisor_may_not_open_the_forms(login, supervisor, linyi, chuping):
    client = login(supervisor)
    assert client.get(reverse("review:round_edit", args=[chuping.pk])).status_code == 403
    assert client.get(reverse("review:round_add", args=[linyi.slug])).status_code == 403


@pytest.mark.parametrize("who", ["coordinator_a", "expert", "artist"])
def test_others_get_404_on_every_page(request, login, who, linyi, committee, chuping, entry):
    client = login(request.getfixturevalue(who))
    for url in _pages(linyi, chuping):
        assert client.get(url).status_code == 404, url


def test_an_expert_of_the_open_round_still_gets_404(
    login, office, expert, linyi, committee, chuping, entry
):
    rounds.check_entry(office, entry, eligible=True)
    services.assign(office, entry, expert.person)
    rounds.open_round(office, chuping)

    client = login(expert)
    for url in _pages(linyi, chuping)[1:2] + _pages(linyi, chuping)[4:]:
        assert client.get(url).status_code == 404, url


def _posts(linyi, chuping, entry, conflict):
    return [
        (reverse("review:office_committee", args=[linyi.slug]), {"name": "改名"}),
        (reverse("review:office_expert_add", args=[linyi.slug]), {}),
        (reverse("review:office_relation_add", args=[linyi.slug]), {}),
        (reverse("review:office_round_action", args=[chuping.pk, "open"]), {}),
        (reverse("review:office_round_checkers", args=[chuping.pk]), {}),
        (reverse("review:office_entries_create", args=[chuping.pk]), {}),
        (reverse("review:office_round_delete", args=[linyi.slug, chuping.pk]), {}),
        (reverse("review:round_edit", args=[chuping.pk]), {}),
        (reverse("review:round_add", args=[linyi.slug]), {}),
        (reverse("review:office_entry_check", args=[chuping.pk, entry.pk]), {"eligible": "1"}),
        (reverse("review:office_entry_add", args=[chuping.pk]), {}),
        (reverse("review:office_entry_remove", args=[chuping.pk, entry.pk]), {"reason": "x"}),
        (reverse("review:office_conflicts_refresh", args=[chuping.pk]), {}),
        (reverse("review:office_conflict_declare", args=[chuping.pk]), {}),
        (
            reverse("review:office_conflict_dismiss", args=[chuping.pk, conflict.pk]),
            {"reason": "x"},
        ),
    ]


def test_supervisor_gets_403_on_every_change_and_nothing_changes(
    login, supervisor, coordinator_a, linyi, committee, chuping, county_a, artist, submitted_work
):
    submitted_work(county_a, artist.person)
    entry = rounds.create_entries(supervisor, chuping)[0]
    conflict = Conflict.objects.get(entry=entry)  # expert_conflicted sits at county_a
    before = AuditEntry.objects.count()

    supervising, outsider = login(supervisor), login(coordinator_a)
    for url, data in _posts(linyi, chuping, entry, conflict):
        assert supervising.post(url, data).status_code == 403, url
        assert outsider.post(url, data).status_code == 404, url

    assert AuditEntry.objects.count() == before
    entry.refresh_from_db()
    assert entry.eligibility == Eligibility.PENDING
    assert Round.objects.get(pk=chuping.pk).status == RoundStatus.DRAFT


# --- the committee and relations ----------------------------------------------------


def test_office_sets_up_the_committee_and_adds_an_expert_once(login, office, expert, linyi):
    client = login(office)
    home = reverse("review:home", args=[linyi.slug])

    client.post(reverse("review:office_committee", args=[linyi.slug]), {"name": "评审委员会"})
    options = client.get(home).context["expert_form"].fields["person"].queryset
    assert list(options) == [expert.person]
    url = reverse("review:office_expert_add", args=[linyi.slug])
    first = client.post(url, {"person": expert.person.pk})
    second = client.post(url, {"person": expert.person.pk})

    assert first.status_code == second.status_code == 302
    assert CommitteeMember.objects.filter(person=expert.person).count() == 1
    assert _audits("committeemember", AuditAction.CREATE) == 1
    assert _messages(second) == ["钱评审已是评审委员。"]


def test_committee_name_is_required(login, office, linyi):
    response = login(office).post(
        reverse("review:office_committee", args=[linyi.slug]), {"name": " "}
    )

    assert "这个字段是必填项" in " ".join(_messages(response))
    assert _audits("committee") == 0


def test_office_removes_an_expert(login, office, linyi, committee, expert):
    url = reverse("review:office_expert_remove", args=[linyi.slug, expert.person.pk])
    client = login(office)

    client.post(url)
    again = client.post(url)

    assert not CommitteeMember.objects.filter(person=expert.person).exists()
    assert _audits("committeemember", AuditAction.DELETE) == 1
    assert _messages(again) == ["钱评审不是评审委员。"]


def test_office_declares_and_withdraws_a_relation(login, office, linyi, committee, expert, worker):
    client = login(office)
    url = reverse("review:office_relation_add", args=[linyi.slug])
    data = {"person": expert.person.pk, "kind": "teacher", "other_person": worker.pk}

    client.post(url, data)
    again = client.post(url, data)

    relation = Relation.objects.get()
    assert (relation.person, relation.other_person, relation.kind) == (
        expert.person,
        worker,
        "teacher",
    )
    assert _audits("relation", AuditAction.CREATE) == 1
    assert _messages(again) == ["该关系已申报。"]
    assert Relation.objects.count() == 1

    withdraw = reverse("review:office_relation_withdraw", args=[linyi.slug, relation.pk])
    refused = client.post(withdraw, {"reason": ""})
    assert "理由" in " ".join(_messages(refused))
    assert Relation.objects.count() == 1

    client.post(withdraw, {"reason": "填错了"})
    assert not Relation.objects.exists()
    assert AuditEntry.objects.get(content_type__model="relation", action="delete").note == "填错了"


def test_a_relation_needs_someone_or_a_unit_and_other_needs_a_reason(
    login, office, linyi, committee, expert, worker
):
    client = login(office)
    url = reverse("review:office_relation_add", args=[linyi.slug])

    nobody = client.post(url, {"person": expert.person.pk, "kind": "relative"})
    no_reason = client.post(
        url, {"person": expert.person.pk, "kind": "other", "other_person": worker.pk}
    )

    assert "关系人" in " ".join(_messages(nobody))
    assert _messages(no_reason) == ["原因：请说明是什么关系。"]
    assert not Relation.objects.exists()


# --- a round --------------------------------------------------------------------------


def test_round_page_shows_the_definition(login, office, linyi):
    fuping = file_round(linyi, "fuping")

    response = login(office).get(reverse("review:round", args=[fuping.pk]))

    text = response.content.decode()
    assert "思想性" in text and "艺术性" in text  # the criteria
    assert "作品初评" in text  # the source round
    assert reverse("review:round_edit", args=[fuping.pk]) in text


def test_open_close_and_reopen_with_a_reason(login, office, linyi, committee, chuping, entry):
    client = login(office)

    def act(name, **data):
        url = reverse("review:office_round_action", args=[chuping.pk, name])
        return client.post(url, data)

    act("open")
    twice = act("open")
    chuping.refresh_from_db()
    assert chuping.status == RoundStatus.OPEN
    assert _messages(twice) == ["本轮次现为评审中，未开始。"]
    assert _audits("round", AuditAction.TRANSITION) == 1

    act("close")
    no_reason = act("reopen", reason="")
    chuping.refresh_from_db()
    assert chuping.status == RoundStatus.CLOSED
    assert "理由" in " ".join(_messages(no_reason))

    act("reopen", reason="一位专家漏评")
    chuping.refresh_from_db()
    assert (chuping.status, chuping.reopen_reason) == (RoundStatus.REOPENED, "一位专家漏评")


def test_office_creates_the_entries_and_a_second_click_adds_none(
    login, office, linyi, chuping, county_b, worker, submitted_work
):
    submitted_work(county_b, worker)
    submitted_work(county_b, worker)
    url = reverse("review:office_entries_create", args=[chuping.pk])
    client = login(office)

    client.post(url)
    client.post(url)

    assert chuping.entries.count() == 2
    assert _audits("entry", AuditAction.CREATE) == 2


def test_office_names_the_checkers(login, office, coordinator_b, linyi, chuping):
    url = reverse("review:office_round_checkers", args=[chuping.pk])

    login(office).post(url, {"users": [coordinator_b.pk]})
    login(office).post(url, {"users": [coordinator_b.pk]})

    assert list(RoundChecker.objects.values_list("user", flat=True)) == [coordinator_b.pk]
    assert AuditEntry.objects.filter(changes__has_key="checkers").count() == 1


def _definition_post(round_, **changes) -> dict:
    data = {
        name: value
        for name, value in rounds.definition(round_).items()
        if name != "criteria" and value not in (None, "", False, [])
    }
    data = {k: "on" if v is True else v for k, v in data.items()}
    data["version"] = round_.version
    criteria = rounds.definition(round_)["criteria"]
    data["criteria-TOTAL_FORMS"] = len(criteria)
    data["criteria-INITIAL_FORMS"] = len(criteria)
    for n, item in enumerate(criteria):
        for key, value in item.items():
            data[f"criteria-{n}-{key}"] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_office_edits_a_draft_round(login, office, linyi, chuping):
    url = reverse("review:round_edit", args=[chuping.pk])

    response = login(office).post(url, _definition_post(chuping, name="作品初评（修订）"))

    assert response.status_code == 302
    chuping.refresh_from_db()
    assert (chuping.name, chuping.version) == ("作品初评（修订）", 2)
    assert _audits("round", AuditAction.UPDATE) == 1


def test_a_stale_edit_is_refused_naming_who_changed_it(login, office, linyi, chuping):
    stale = _definition_post(chuping, name="我的修改")
    rounds.update_round(office, chuping, version=chuping.version, name="别人的修改")

    response = login(office).post(reverse("review:round_edit", args=[chuping.pk]), stale)

    assert response.status_code == 200
    form = response.context["form"]
    assert "刘洁" in " ".join(form.non_field_errors())
    assert form["name"].value() == "我的修改"  # the input kept
    assert form["version"].value() == "2"
    chuping.refresh_from_db()
    assert chuping.name == "别人的修改"


def test_a_bad_definition_is_shown_on_its_field(login, office, linyi, chuping):
    response = login(office).post(
        reverse("review:round_edit", args=[chuping.pk]),
        _definition_post(chuping, opens="2014-11-20", closes="2014-11-10", pass_with="9"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "截止日期早于开始日期" in " ".join(form.errors["closes"])
    assert "reviewers_per_item" in " ".join(form.errors["pass_with"])
    chuping.refresh_from_db()
    assert (chuping.name, chuping.version) == ("作品初评", 1)


def test_a_definition_is_frozen_once_the_round_opens(
    login, office, linyi, committee, chuping, entry
):
    rounds.open_round(office, chuping)
    client = login(office)

    page = client.get(reverse("review:round_edit", args=[chuping.pk]))
    sent = client.post(reverse("review:round_edit", args=[chuping.pk]), _definition_post(chuping))

    assert page.status_code == sent.status_code == 302
    assert "冻结" in " ".join(_messages(sent))
    assert _audits("round", AuditAction.UPDATE) == 0


def test_office_adds_a_scoring_round_with_criteria(login, office, linyi):
    data = {
        "key": "zhongping",
        "name": "作品终评",
        "subject": "works",
        "opens": "2014-11-26",
        "closes": "2014-11-30",
        "kind": "scoring",
        "reviewers_per_item": "5",
        "method": "mean",
        "fallback": "mean",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-key": "zonghe",
        "criteria-0-name": "综合",
        "criteria-0-maximum": "100",
    }
    client = login(office)

    response = client.post(reverse("review:round_add", args=[linyi.slug]), data)
    again = client.post(reverse("review:round_add", args=[linyi.slug]), data)

    made = Round.objects.get(campaign=linyi, key="zhongping")
    assert response["Location"] == reverse("review:round", args=[made.pk])
    assert list(made.criteria.values_list("key", "maximum")) == [("zonghe", 100)]
    assert (made.status, made.from_file, made.created_by) == ("draft", False, office)
    assert again.status_code == 200  # the key is taken now: said on the field
    assert again.context["form"].errors["key"]
    assert Round.objects.filter(key="zhongping").count() == 1


def test_a_scoring_round_needs_criteria_and_a_criterion_its_maximum(login, office, linyi):
    data = {
        "key": "zhongping",
        "name": "作品终评",
        "subject": "works",
        "opens": "2014-11-26",
        "closes": "2014-11-30",
        "kind": "scoring",
        "reviewers_per_item": "5",
        "method": "mean",
        "fallback": "mean",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
    }
    client = login(office)
    url = reverse("review:round_add", args=[linyi.slug])

    none = client.post(url, data)
    no_maximum = client.post(url, data | {"criteria-0-key": "zonghe", "criteria-0-name": "综合"})

    assert "评分标准" in " ".join(none.context["form"].non_field_errors())
    assert no_maximum.context["formset"].forms[0].errors["maximum"] == ["缺少必填项"]
    assert not Round.objects.filter(key="zhongping").exists()


def test_office_deletes_a_draft_round_once(login, office, linyi):
    geren = file_round(linyi, "geren")
    url = reverse("review:office_round_delete", args=[linyi.slug, geren.pk])
    client = login(office)

    first = client.post(url)
    second = client.post(url)

    assert first["Location"] == second["Location"] == reverse("review:home", args=[linyi.slug])
    assert not Round.objects.filter(pk=geren.pk).exists()
    assert _audits("round", AuditAction.DELETE) == 1


# --- entries: the eligibility check ---------------------------------------------------


def test_entries_page_shows_names_and_filters_by_eligibility(
    login, office, linyi, chuping, entry, county_b, worker, submitted_work
):
    url = reverse("review:entries", args=[chuping.pk])
    client = login(office)

    every = client.get(url)
    eligible = client.get(url, {"eligibility": "eligible"})

    assert entry.work.title in every.content.decode() and "罗庄区" in every.content.decode()
    assert len(every.context["page"]) == 1
    assert len(eligible.context["page"]) == 0


def test_office_marks_an_entry_eligible_once(login, office, chuping, entry):
    url = reverse("review:office_entry_check", args=[chuping.pk, entry.pk])
    client = login(office)

    client.post(url, {"eligible": "1"})
    client.post(url, {"eligible": "1"})

    entry.refresh_from_db()
    assert (entry.eligibility, entry.checked_by) == (Eligibility.ELIGIBLE, office)
    assert _audits("entry", AuditAction.TRANSITION) == 1


def test_not_eligible_needs_a_reason(login, office, chuping, entry):
    url = reverse("review:office_entry_check", args=[chuping.pk, entry.pk])
    client = login(office)

    refused = client.post(url, {"eligible": "0", "reason": ""})
    entry.refresh_from_db()
    assert entry.eligibility == Eligibility.PENDING
    assert "不合格原因" in " ".join(_messages(refused))

    client.post(url, {"eligible": "0", "reason": "consent", "note": "缺授权书"})
    entry.refresh_from_db()
    assert (entry.eligibility, entry.ineligible_reason, entry.eligibility_note) == (
        Eligibility.INELIGIBLE,
        "consent",
        "缺授权书",
    )


def test_a_checker_checks_but_never_their_own_submission(
    login, office, coordinator_a, coordinator_b, county_a, artist, linyi, chuping, submitted_work
):
    submitted_work(county_a, artist.person, by=coordinator_a)
    submitted_work(county_a, artist.person, by=coordinator_b)
    rounds.set_checkers(office, chuping, [coordinator_a])
    own, other = rounds.create_entries(office, chuping)
    if own.work.submitted_by != coordinator_a:
        own, other = other, own
    client = login(coordinator_a)

    page = client.get(reverse("review:entries", args=[chuping.pk]))
    refused = client.post(
        reverse("review:office_entry_check", args=[chuping.pk, own.pk]), {"eligible": "1"}
    )
    client.post(
        reverse("review:office_entry_check", args=[chuping.pk, other.pk]), {"eligible": "1"}
    )

    assert page.status_code == 200
    assert page.context["own"] == {own.pk}
    assert client.get(reverse("review:round", args=[chuping.pk])).status_code == 404
    assert "他人审读" in " ".join(_messages(refused))
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.eligibility, other.eligibility) == (Eligibility.PENDING, Eligibility.ELIGIBLE)
    assert (
        client.post(
            reverse("review:office_entry_remove", args=[chuping.pk, other.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_office_removes_an_entry_with_a_reason(login, office, chuping, entry):
    url = reverse("review:office_entry_remove", args=[chuping.pk, entry.pk])
    client = login(office)

    refused = client.post(url, {"reason": ""})
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert "理由" in " ".join(_messages(refused))

    client.post(url, {"reason": "重复报送"})
    again = client.post(url, {"reason": "重复报送"})
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert _audits("entry", AuditAction.DELETE) == 1
    assert again.status_code == 302


def test_office_adds_an_entry_by_hand(
    login, office, chuping, county_b, worker, submitted_work, linyi
):
    work = submitted_work(county_b, worker)
    url = reverse("review:office_entry_add", args=[chuping.pk])
    client = login(office)

    page = client.get(reverse("review:entries", args=[chuping.pk]))
    assert list(page.context["add_form"].fields["item"].queryset) == [work]
    client.post(url, {"item": work.pk})
    again = client.post(url, {"item": work.pk})

    assert list(chuping.entries.values_list("work", flat=True)) == [work.pk]
    assert _messages(again) == ["已是本轮次的参评条目。"]


def _entries_queries(client, round_) -> int:
    client.get(reverse("review:entries", args=[round_.pk]))  # the session's first reads
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("review:entries", args=[round_.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_entries_page_queries_do_not_grow_with_entries(
    login, office, linyi, chuping, county_b, worker, submitted_work
):
    client = login(office)
    for _ in range(3):
        submitted_work(county_b, worker)
    rounds.check_entry(office, rounds.create_entries(office, chuping)[0], eligible=True)
    few = _entries_queries(client, chuping)

    for _ in range(7):
        submitted_work(county_b, worker)
    rounds.create_entries(office, chuping)
    assert chuping.entries.count() == 10
    many = _entries_queries(client, chuping)

    assert many == few


# --- conflicts ------------------------------------------------------------------------


@pytest.fixture
def unit_conflict(office, county_a, artist, submitted_work, committee, chuping) -> Conflict:
    """expert_conflicted (county_a) × a county_a work: the unit rule."""
    submitted_work(county_a, artist.person)
    rounds.create_entries(office, chuping)
    return Conflict.objects.get()


def test_conflicts_page_lists_the_unit_conflict(login, office, chuping, unit_conflict):
    response = login(office).get(reverse("review:conflicts", args=[chuping.pk]))

    text = response.content.decode()
    assert "孙回避" in text and unit_conflict.entry.code in text
    assert unit_conflict.get_source_display() in text


def test_office_dismisses_a_conflict_with_a_reason_once(login, office, chuping, unit_conflict):
    url = reverse("review:office_conflict_dismiss", args=[chuping.pk, unit_conflict.pk])
    client = login(office)

    refused = client.post(url, {"reason": ""})
    unit_conflict.refresh_from_db()
    assert unit_conflict.blocks
    assert "理由" in " ".join(_messages(refused))

    client.post(url, {"reason": "已调离该单位"})
    again = client.post(url, {"reason": "已调离该单位"})
    unit_conflict.refresh_from_db()
    assert (unit_conflict.blocks, unit_conflict.dismiss_reason) == (False, "已调离该单位")
    assert _audits("conflict", AuditAction.TRANSITION) == 1
    assert "已撤销" in " ".join(_messages(again))


def test_office_records_a_conflict_for_an_expert(login, office, expert, chuping, committee, entry):
    url = reverse("review:office_conflict_declare", args=[chuping.pk])
    client = login(office)
    data = {"code": entry.code, "expert": expert.person.pk, "reason": "曾指导该作者"}

    no_reason = client.post(url, data | {"reason": ""})
    wrong_code = client.post(url, data | {"code": "9999"})
    client.post(url, data)
    again = client.post(url, data)

    assert "理由" in " ".join(_messages(no_reason))
    assert _messages(wrong_code)
    conflict = Conflict.objects.get(expert=expert.person)
    assert (conflict.entry, conflict.source, conflict.declared_by) == (entry, "declared", office)
    assert _audits("conflict", AuditAction.CREATE) == 1
    assert "已申报" in " ".join(_messages(again))


def test_office_finds_conflicts_again(
    login, office, linyi, chuping, committee, county_a, artist, submitted_work
):
    submitted_work(county_a, artist.person)
    rounds.create_entries(office, chuping)
    Conflict.objects.all().delete()

    login(office).post(reverse("review:office_conflicts_refresh", args=[chuping.pk]))
    login(office).post(reverse("review:office_conflicts_refresh", args=[chuping.pk]))

    assert Conflict.objects.count() == 1

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.core.models import AuditEntry
from wenyi.orgs.enums import Role
from wenyi.reporting import services
from wenyi.reporting.enums import ReportKind, ReportStatus
from wenyi.reporting.models import Report

AUGUST = datetime.date(2014, 8, 1)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.WENYI_TODAY = datetime.date(2014, 8, 3)


def _open_url(linyi, unit, kind="monthly_plan", period="2014-08"):
    return reverse("reporting:open", args=[linyi.slug, unit.code, kind, period])


def _detail(report):
    return reverse("reporting:detail", args=[report.pk])


def _action(report, action):
    return reverse("reporting:action", args=[report.pk, action])


def _plan_data(report, rows, text=""):
    """The editor's POST for a plan: the version it was opened at, text, item rows
    (`report` None: a plan not started yet, saved for the first time)."""
    data = {
        "version": report.version if report else 1,
        "text": text,
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": report.items.count() if report else 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{i}-{key}"] = value
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _row(html: str, testid: str) -> str:
    """The list row (an <a>) with this data-testid."""
    match = re.search(rf'<a [^>]*data-testid="{testid}".*?</a>', html, re.S)
    assert match, testid
    return match.group(0)


def _zh(msgid: str, **values) -> str:
    """A message as a Chinese page shows it (lazy values translated too)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid) % {k: str(v) for k, v in values.items()}


# -- the whole round: fill, submit, return, resubmit, approve, lock, unlock -----------------


def test_plan_returned_resubmitted_approved_then_locked_and_unlocked(
    login, coordinator_a, office, county_a, linyi
):
    weiwen = linyi.activity_types.get(key="weiwen")
    coordinator = login(coordinator_a)
    response = coordinator.get(_open_url(linyi, county_a))
    # looking changes nothing: the plan is made by its first save
    assert response.status_code == 200 and not Report.objects.exists()
    assert 'id="items-empty"' in response.content.decode()
    row = {"type": weiwen.pk, "title": "送戏进车间", "planned_date": "2014-08-08", "place": ""}
    response = coordinator.post(
        _open_url(linyi, county_a), _plan_data(None, [row], text="八月安排")
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(report)
    assert (report.kind, report.period, report.status) == ("monthly_plan", AUGUST, "draft")
    assert [(i.title, i.planned_date) for i in report.items.all()] == [
        ("送戏进车间", datetime.date(2014, 8, 8))
    ]
    assert report.text == "八月安排"
    assert 'value="2014-08-08"' in coordinator.get(_detail(report)).content.decode()

    coordinator.post(_action(report, "submit"))
    report.refresh_from_db()
    assert report.status == "submitted"

    manager = login(office)
    assert (
        f'data-testid="waiting-{report.pk}"'
        in manager.get(reverse("reporting:list", args=[linyi.slug])).content.decode()
    )
    manager.post(_action(report, "return"), {"comment": "请写明演出地点"})
    report.refresh_from_db()
    assert (report.status, report.return_comment) == ("returned", "请写明演出地点")

    page = coordinator.get(_detail(report)).content.decode()
    assert "请写明演出地点" in page
    row["place"] = "兰山区某机械厂"
    response = coordinator.post(_detail(report), _plan_data(report, [row], text="八月安排"))
    assert response.status_code == 302
    coordinator.post(_action(report, "submit"))
    report.refresh_from_db()
    assert (report.status, report.items.get().place) == ("submitted", "兰山区某机械厂")

    manager.post(_action(report, "approve"))
    report.refresh_from_db()
    assert (report.status, report.approved_by) == ("approved", office)

    # locked: an edit is refused and the text stays on the page; a submit is refused
    response = coordinator.post(_detail(report), _plan_data(report, [row], text="锁定后改"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="editor-errors"' in page
    assert "锁定后改" in page
    response = coordinator.post(_action(report, "submit"), follow=True)
    assert _messages(response) == [
        _zh(
            "This report is now %(status)s; the action was not carried out.",
            status=ReportStatus.APPROVED.label,
        )
    ]
    report.refresh_from_db()
    assert (report.status, report.text) == ("approved", "八月安排")

    manager.post(_action(report, "unlock"), {"reason": "补充照片"})
    report.refresh_from_db()
    assert (report.status, report.return_comment) == ("returned", "补充照片")
    transitions = AuditEntry.objects.filter(object_id=str(report.pk), action="transition")
    assert [e.changes["status"] for e in transitions.order_by("at", "id")] == [
        ["draft", "submitted"],
        ["submitted", "returned"],
        ["returned", "submitted"],
        ["submitted", "approved"],
        ["approved", "returned"],
    ]


def test_return_needs_a_comment(login, coordinator_a, office, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a, submit=True)
    response = login(office).post(_action(report, "return"), {"comment": " "}, follow=True)
    assert _messages(response) == [_zh("Comments: say what needs changing.")]
    report.refresh_from_db()
    assert report.status == "submitted"


def test_unlock_needs_a_reason(login, coordinator_a, office, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a, submit=True)
    services.approve_report(office, report)
    response = login(office).post(_action(report, "unlock"), {"reason": ""}, follow=True)
    assert _messages(response) == [_zh("Reason: say why the report is unlocked.")]
    report.refresh_from_db()
    assert report.status == "approved"


def test_plan_rows_can_be_removed(login, coordinator_a, county_a, linyi, monthly_plan):
    report = monthly_plan(coordinator_a, county_a, titles=("甲", "乙"))
    weiwen = linyi.activity_types.get(key="weiwen")
    rows = [
        {"type": weiwen.pk, "title": "甲", "DELETE": "on"},
        {"type": weiwen.pk, "title": "乙"},
    ]
    login(coordinator_a).post(_detail(report), _plan_data(report, rows))
    assert [i.title for i in report.items.all()] == ["乙"]


def test_plan_item_type_must_belong_to_the_campaign(
    login, coordinator_a, county_a, linyi, monthly_plan
):
    from tests.factories import CampaignFactory
    from wenyi.campaigns.models import ActivityType

    other = ActivityType.objects.create(
        campaign=CampaignFactory(), key="x", name="别的活动", position=0
    )
    report = monthly_plan(coordinator_a, county_a)
    rows = [{"type": other.pk, "title": "甲"}]
    response = login(coordinator_a).post(_detail(report), _plan_data(report, rows))
    assert response.status_code == 200
    assert [i.title for i in report.items.all()] == ["送戏进车间"]


# -- progress reports -------------------------------------------------------------------


def _progress_data(report, lines, text=""):
    data = {"version": report.version if report else 1, "text": text}
    for item, values in lines.items():
        for key, value in values.items():
            data[f"line-{item.pk}-{key}"] = value
    return data


def test_progress_line_links_an_activity(
    login, coordinator_a, county_a, linyi, monthly_plan, record_activity
):
    plan = monthly_plan(coordinator_a, county_a, submit=True)
    item = plan.items.get()
    activity = record_activity(coordinator_a, county_a, title="送戏进车间（第一场）")
    client = login(coordinator_a)
    opened = _open_url(linyi, county_a, "monthly_progress")
    page = client.get(opened).content.decode()
    assert "送戏进车间（第一场）（2014-08-08）" in page

    data = _progress_data(
        None, {item: {"outcome": "done", "activities": [activity.pk]}}, text="另有两场培训"
    )
    response = client.post(opened, {**data, "submit_now": "1"})
    assert response.status_code == 302
    report = Report.objects.get(kind=ReportKind.MONTHLY_PROGRESS)
    report.refresh_from_db()
    line = report.lines.get()
    assert (line.item, line.outcome, list(line.activities.all())) == (item, "done", [activity])
    assert (report.status, report.text) == ("submitted", "另有两场培训")
    page = client.get(_detail(report)).content.decode()
    assert reverse("activities:detail", args=[activity.pk]) in page


def test_progress_offers_only_activities_around_the_month(
    login, coordinator_a, county_a, linyi, monthly_plan, record_activity
):
    monthly_plan(coordinator_a, county_a)
    record_activity(coordinator_a, county_a, title="七月底", day=datetime.date(2014, 7, 25))
    record_activity(coordinator_a, county_a, title="十月", day=datetime.date(2014, 10, 20))
    response = login(coordinator_a).get(_open_url(linyi, county_a, "monthly_progress"), follow=True)
    page = response.content.decode()
    assert "七月底（2014-07-25）" in page
    assert "十月（2014-10-20）" not in page


def test_progress_cannot_link_an_activity_of_another_county(
    login, coordinator_a, coordinator_b, county_a, county_b, linyi, monthly_plan, record_activity
):
    item = monthly_plan(coordinator_a, county_a).items.get()
    theirs = record_activity(coordinator_b, county_b)
    report = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    data = _progress_data(report, {item: {"outcome": "done", "activities": [theirs.pk]}})
    response = login(coordinator_a).post(_detail(report), data)
    assert response.status_code == 200
    assert not report.lines.exists()


def test_progress_submit_refused_while_a_planned_item_has_no_line(
    login, coordinator_a, county_a, linyi, monthly_plan
):
    plan = monthly_plan(coordinator_a, county_a, titles=("甲", "乙"))
    first = plan.items.get(title="甲")
    report = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    client = login(coordinator_a)
    response = client.post(
        _detail(report),
        _progress_data(report, {first: {"outcome": "dropped", "reason": "企业停产"}}),
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    response = client.post(_action(report, "submit"), follow=True)
    assert _messages(response) == [
        _zh("Say how each planned activity turned out: %(n)s not yet.", n=1)
    ]
    report.refresh_from_db()
    assert (report.status, report.lines.get().reason) == ("draft", "企业停产")


def test_moved_item_without_reason_is_refused_on_the_form(
    login, coordinator_a, county_a, linyi, monthly_plan
):
    item = monthly_plan(coordinator_a, county_a).items.get()
    report = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    data = _progress_data(report, {item: {"outcome": "moved", "new_date": "2014-09-10"}})
    response = login(coordinator_a).post(_detail(report), data)
    assert response.status_code == 200
    assert response.context["editor"].lines[0].errors["reason"]
    assert not report.lines.exists()


def test_progress_without_a_plan_says_so_and_links_to_it(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    response = client.get(_open_url(linyi, county_a, "monthly_progress"), follow=True)
    page = response.content.decode()
    assert 'data-testid="no-plan"' in page
    assert _open_url(linyi, county_a, "monthly_plan") in page


def test_summary_is_edited_as_text_with_its_tools(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    opened = _open_url(linyi, county_a, "summary", "2014-10")
    page = client.get(opened).content.decode()
    assert re.search(r'<textarea name="text" cols="40" rows="20"[^>]*id="id_text"', page)
    assert 'data-testid="summary-tools"' in page
    client.post(opened, {"version": 1, "text": "一年来，我区……", "submit_now": "1"})
    report = Report.objects.get()
    # far shorter than asked for: saved, and submitted once the author confirms its count
    assert (report.kind, report.status, report.text) == ("summary", "draft", "一年来，我区……")
    client.post(_detail(report), {"version": 2, "text": report.text, "confirm_submit": "5"})
    report.refresh_from_db()
    assert report.status == "submitted"


# -- no lost update ---------------------------------------------------------------------


def test_second_save_of_the_same_version_is_refused_and_keeps_its_text(
    login, coordinator_a, county_a, linyi, monthly_plan
):
    second = UserFactory(username="coordinator_a2")
    PersonFactory(user=second, unit=county_a, name="陈兰山")
    membership(second, county_a, Role.COORDINATOR)
    report = monthly_plan(coordinator_a, county_a)
    weiwen = linyi.activity_types.get(key="weiwen")
    row = {"type": weiwen.pk, "title": "送戏进车间"}
    first_client, second_client = login(coordinator_a), login(second)
    first_client.get(_detail(report))
    second_client.get(_detail(report))

    response = first_client.post(_detail(report), _plan_data(report, [row], text="甲的安排"))
    assert response.status_code == 302
    response = second_client.post(_detail(report), _plan_data(report, [row], text="乙的安排"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "王兰山" in page
    assert re.search(r'<textarea name="text"[^>]*>\s*乙的安排</textarea>', page)
    report.refresh_from_db()
    assert report.text == "甲的安排"


# -- permissions with the fixed cast ----------------------------------------------------


def test_other_county_gets_404(login, coordinator_a, coordinator_b, county_a, linyi, monthly_plan):
    report = monthly_plan(coordinator_a, county_a)
    client = login(coordinator_b)
    assert client.get(_detail(report)).status_code == 404
    assert client.get(_open_url(linyi, county_a)).status_code == 404
    assert client.post(_action(report, "submit")).status_code == 404
    assert Report.objects.count() == 1


def test_artist_gets_403_on_the_list_and_404_on_a_report(
    login, artist, coordinator_a, county_a, linyi, monthly_plan
):
    report = monthly_plan(coordinator_a, county_a)
    client = login(artist)
    assert client.get(reverse("reporting:list", args=[linyi.slug])).status_code == 403
    assert client.get(_detail(report)).status_code == 404
    assert client.get(_open_url(linyi, county_a)).status_code == 404


def test_coordinator_cannot_approve_or_return_their_own_report(
    login, coordinator_a, county_a, monthly_plan
):
    report = monthly_plan(coordinator_a, county_a, submit=True)
    client = login(coordinator_a)
    assert client.post(_action(report, "approve")).status_code == 403
    assert client.post(_action(report, "return"), {"comment": "自己退"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"
    assert 'data-testid="approve"' not in client.get(_detail(report)).content.decode()


def test_only_the_office_unlocks(login, coordinator_a, office, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a, submit=True)
    services.approve_report(office, report)
    response = login(coordinator_a).post(_action(report, "unlock"), {"reason": "想改"})
    assert response.status_code == 403


def test_actions_are_post_only(login, coordinator_a, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a)
    assert login(coordinator_a).get(_action(report, "submit")).status_code == 405


def test_unknown_action_is_404(login, coordinator_a, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a)
    assert login(coordinator_a).post(_action(report, "publish")).status_code == 404


def test_anonymous_is_sent_to_login(anonymous, coordinator_a, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a)
    response = anonymous.get(_detail(report))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_office_looking_at_a_missing_report_does_not_start_it(login, office, county_a, linyi):
    response = login(office).get(_open_url(linyi, county_a))
    assert response.status_code == 200
    assert 'data-testid="not-started"' in response.content.decode()
    assert not Report.objects.exists()


def test_open_refuses_a_month_without_reports(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    assert client.get(_open_url(linyi, county_a, period="2014-12")).status_code == 404
    assert client.get(_open_url(linyi, county_a, period="2014-13")).status_code == 404
    assert client.get(_open_url(linyi, county_a, kind="poem")).status_code == 404
    assert not Report.objects.exists()


# -- the list ---------------------------------------------------------------------------


def test_list_shows_status_and_deadline_flags(
    login, coordinator_a, office, county_a, linyi, monthly_plan
):
    monthly_plan(coordinator_a, county_a, month=datetime.date(2014, 7, 1), submit=True)
    monthly_plan(coordinator_a, county_a)
    page = login(coordinator_a).get(reverse("reporting:list", args=[linyi.slug])).content.decode()
    july = _row(page, "slot-monthly_plan-2014-07")
    august = _row(page, "slot-monthly_plan-2014-08")
    campaign_plan = _row(page, "slot-unit_plan-2014-07")
    september = _row(page, "slot-monthly_plan-2014-09")
    # submitted long after 2014-07-05 (the services stamp the real clock)
    assert 'data-status="submitted"' in july and 'data-flag="late"' in july
    assert 'data-status="draft"' in august and 'data-flag="due_soon"' in august
    assert 'data-status="not_started"' in campaign_plan and 'data-flag="missing"' in campaign_plan
    assert 'data-status="not_started"' in september and "data-flag" not in september
    assert _open_url(linyi, county_a, "monthly_plan", "2014-09") in september


def test_office_list_is_its_inbox_with_a_link_to_completeness(
    login, coordinator_a, coordinator_b, office, county_a, county_b, linyi, monthly_plan
):
    older = monthly_plan(coordinator_a, county_a, submit=True)
    newer = monthly_plan(coordinator_b, county_b, submit=True)
    monthly_plan(coordinator_a, county_a, month=datetime.date(2014, 9, 1))  # a draft
    page = login(office).get(reverse("reporting:list", args=[linyi.slug])).content.decode()
    assert reverse("reporting:completeness", args=[linyi.slug]) in page
    waiting = re.findall(r'data-testid="waiting-(\d+)"', page)
    assert waiting == [str(newer.pk), str(older.pk)]
    assert 'data-testid="slot-' not in page


def _coordinator_of(*units):
    user = UserFactory(username="coordinator_many")
    PersonFactory(user=user, unit=units[0], name="周多区")
    for unit in units:
        membership(user, unit, Role.COORDINATOR)
    return user


def test_list_query_count_does_not_grow_with_units(
    login, city, county_a, county_b, linyi, monthly_plan, django_assert_max_num_queries
):
    county_c = OrgUnitFactory(parent=city, code="371312", name="河东区")
    user = _coordinator_of(county_a)
    monthly_plan(user, county_a, submit=True)
    url = reverse("reporting:list", args=[linyi.slug])
    client = login(user)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20) as one:
        assert client.get(url).status_code == 200
    for unit in (county_b, county_c):
        membership(user, unit, Role.COORDINATOR)
        monthly_plan(user, unit, submit=True)
        monthly_plan(user, unit, month=datetime.date(2014, 9, 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["tables"]) == 3


def test_inbox_query_count_does_not_grow(
    login, office, coordinator_a, county_a, linyi, monthly_plan, django_assert_max_num_queries
):
    monthly_plan(coordinator_a, county_a, submit=True)
    url = reverse("reporting:list", args=[linyi.slug])
    client = login(office)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20) as one:
        assert client.get(url).status_code == 200
    for month in (7, 9, 10):
        monthly_plan(coordinator_a, county_a, month=datetime.date(2014, month, 1), submit=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["waiting"]) == 4


def test_progress_page_query_count_does_not_grow_with_planned_items(
    login, coordinator_a, county_a, linyi, monthly_plan, django_assert_max_num_queries
):
    from wenyi.reporting import services as report_services
    from wenyi.reporting.enums import ReportKind

    client = login(coordinator_a)

    def progress_url(titles, month):
        monthly_plan(coordinator_a, county_a, month, titles=titles)
        report = report_services.open_report(
            coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, month
        )
        return reverse("reporting:detail", args=[report.pk])

    one = progress_url(("甲",), datetime.date(2014, 8, 1))
    three = progress_url(("甲", "乙", "丙"), datetime.date(2014, 9, 1))
    assert client.get(one).status_code == 200
    with django_assert_max_num_queries(60) as first:
        assert client.get(one).status_code == 200
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(three).status_code == 200


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        ("unit_plan", "2014-07"),
        ("monthly_plan", "2014-08"),
        ("monthly_progress", "2014-08"),
        ("summary", "2014-10"),
    ],
)
def test_looking_at_a_report_creates_nothing(
    login, coordinator_a, office, county_a, linyi, kind, period
):
    """GET of any report URL, by the unit or by the office, has no side effect."""
    from wenyi.core.models import AuditEntry

    entries = AuditEntry.objects.count()
    for user in (coordinator_a, office):
        assert login(user).get(_open_url(linyi, county_a, kind, period)).status_code == 200
    assert Report.objects.count() == 0
    assert AuditEntry.objects.count() == entries

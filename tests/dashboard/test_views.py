"""The dashboard: who sees it (office everything, a coordinator their subtree, everyone
else 404), its numbers against aggregates of the raw rows on a small fixed case, the
.xlsx export, and a query count that does not grow with the units."""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrgUnitFactory, PersonFactory
from wenyi.activities.models import Activity, MetricValue
from wenyi.campaigns.participation import reporting_units
from wenyi.dashboard import panels
from wenyi.orgs.enums import UnitKind
from wenyi.reporting import deadlines
from wenyi.reporting import services as report_services
from wenyi.reporting.enums import MONTHLY, ReportKind
from wenyi.reporting.models import Report
from wenyi.reporting.queries import deadlines_near
from wenyi.works import services as work_services
from wenyi.works.models import Work, WorkAuthor

TODAY = datetime.date(2014, 9, 16)
JULY, AUGUST = datetime.date(2014, 7, 1), datetime.date(2014, 8, 1)
POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。"
)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.WENYI_TODAY = TODAY


def _url(campaign, name="dashboard:office", **params) -> str:
    url = reverse(name, args=[campaign.slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _work(campaign, actor, unit, author, *, submitted=True) -> Work:
    work = work_services.create_work(
        actor,
        campaign=campaign,
        category=campaign.work_categories.get(key="shici"),
        unit=unit,
        title=f"诗{Work.objects.count() + 1}",
        authors=[author],
        text=POEM,
    )
    if submitted:
        work = work_services.submit_work(actor, work)  # counted into the works' roll-ups
    return work


@pytest.fixture
def case(linyi, office, coordinator_a, coordinator_b, county_a, county_b, record, artist):
    """Three verified activities (兰山区 two shows in July and August, 罗庄区 one training
    in August), one only submitted; three submitted works by two authors and a draft;
    兰山区's July work plan sent in."""
    record(
        coordinator_a,
        county_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 7, 10),
        values={"shows": 2, "audience": 300},
    )
    record(
        coordinator_a,
        county_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 8, 5),
        values={"shows": 1, "audience": 200},
    )
    record(coordinator_b, county_b, "peixun", status="verified", start_date=AUGUST)
    record(coordinator_a, county_a, "weiwen", status="submitted")  # not counted
    author = artist.person
    worker = PersonFactory(unit=county_b, name="钱师傅")
    _work(linyi, coordinator_a, county_a, author)
    _work(linyi, coordinator_a, county_a, author)
    _work(linyi, coordinator_b, county_b, worker)
    _work(linyi, coordinator_b, county_b, worker, submitted=False)
    report = report_services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY
    )
    type_ = linyi.activity_types.first()
    report = report_services.save_report(
        coordinator_a,
        report,
        version=report.version,
        text="计划",
        items=[{"type": type_, "title": "采风", "place": "某厂"}],
        lines=None,
    )
    report_services.submit_report(coordinator_a, report)
    return linyi


# -- who sees what ----------------------------------------------------------------------


def test_dashboard_office_sees_every_county(login, office, case, county_a, county_b):
    response = login(office).get(_url(case))

    assert response.status_code == 200
    board = response.context["board"]
    codes = [u.code for u in board.units]
    assert county_a.code in codes and county_b.code in codes
    assert board.rounds is not None  # the office follows the review


def test_dashboard_coordinator_sees_only_their_subtree(login, coordinator_a, case, county_a):
    response = login(coordinator_a).get(_url(case))

    assert response.status_code == 200
    board = response.context["board"]
    assert [u.code for u in board.units] == [county_a.code]
    assert [row.unit.code for row in board.quota_rows] == [county_a.code]
    # 兰山区's two shows only, not 罗庄区's training
    assert sum(line.total for line in board.months) == 2
    assert board.works_total == 2
    assert board.rounds is None
    assert "罗庄区" not in response.content.decode()


@pytest.mark.parametrize("name", ["dashboard:office", "dashboard:xlsx"])
def test_dashboard_other_county_is_404(login, coordinator_b, case, county_a, name):
    client = login(coordinator_b)

    assert client.get(_url(case, name, unit=county_a.code)).status_code == 404
    assert client.get(_url(case, name)).status_code == 200


@pytest.mark.parametrize("name", ["dashboard:office", "dashboard:xlsx"])
def test_dashboard_expert_and_artist_get_404(login, expert, artist, case, name):
    assert login(expert).get(_url(case, name)).status_code == 404
    assert login(artist).get(_url(case, name)).status_code == 404


def test_dashboard_anonymous_is_sent_to_login(anonymous, case):
    response = anonymous.get(_url(case))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_menu_link_for_managers_only(login, office, coordinator_a, artist, case):
    link = _url(case)

    assert link in login(office).get(reverse("home")).content.decode()
    assert link in login(coordinator_a).get(reverse("home")).content.decode()
    assert link not in login(artist).get(reverse("home")).content.decode()


# -- the numbers equal the raw data --------------------------------------------------------


def test_dashboard_activities_per_month_equal_raw_counts(login, office, case):
    board = login(office).get(_url(case)).context["board"]

    raw = Counter(
        (type_id, day.replace(day=1))
        for type_id, day in Activity.objects.filter(campaign=case, status="verified").values_list(
            "type_id", "start_date"
        )
    )
    shown = {
        (t.pk, line.month): line.counts[n]
        for line in board.months
        for n, t in enumerate(board.types)
        if line.counts[n]
    }
    assert shown == dict(raw)
    assert sum(raw.values()) == 3


def test_dashboard_totals_equal_raw_sums(login, office, case):
    board = login(office).get(_url(case)).context["board"]

    totals = {(t.key, m.key): value for t, m, value in board.metric_totals}
    for key in ("shows", "audience"):
        raw = MetricValue.objects.filter(
            activity__campaign=case,
            activity__status="verified",
            activity__type__key="weiwen",
            metric__key=key,
        ).aggregate(total=Sum("number"))["total"]
        assert totals["weiwen", key] == raw
    assert totals["weiwen", "shows"] == Decimal(3)
    assert totals["weiwen", "audience"] == Decimal(500)
    assert totals["zhanshi", "audience"] == 0  # the exhibitions' audience stays apart
    submitted = Work.objects.filter(campaign=case, status="submitted")
    assert board.works_total == submitted.count() == 3
    authors = WorkAuthor.objects.filter(work__in=submitted).values("person").distinct().count()
    assert board.artists == authors == 2


def test_dashboard_quota_and_risks(login, office, case, county_a, county_b):
    board = login(office).get(_url(case)).context["board"]

    lanshan = next(r for r in board.quota_rows if r.unit == county_a)
    assert {c.type.key: c.count for c in lanshan.cells}["weiwen"] == 2
    # 罗庄区 is behind on all four types, 兰山区 on three (its shows are on track)
    assert [r.row.unit.code for r in board.risks] == [county_b.code, county_a.code]
    assert len(board.risks[0].behind) == 4 and len(board.risks[1].behind) == 3
    assert {t.row.unit.code for t in board.tiles} == {county_a.code, county_b.code}


def test_dashboard_reports_equal_raw_counts(login, office, case):
    board = login(office).get(_url(case)).context["board"]

    july = next(r for r in board.reports if r.month == JULY)
    due = [
        s
        for s in deadlines.slots(case)
        if s.kind in MONTHLY and s.period == JULY and s.due <= TODAY
    ]
    assert july.expected == 2 * len(due) == 4  # two counties, a plan and a progress report
    assert (
        july.submitted
        == Report.objects.filter(
            campaign=case, period=JULY, first_submitted_at__isnull=False
        ).count()
        == 1
    )
    assert july.on_time == 0  # sent in September for a July deadline


def test_dashboard_filters_narrow_the_months_and_types(login, office, case, county_b):
    client = login(office)

    board = client.get(_url(case, type="weiwen", **{"from": "2014-08", "to": "2014-08"}))
    board = board.context["board"]
    assert [t.key for t in board.types] == ["weiwen"]
    assert [line.month for line in board.months] == [AUGUST]
    assert board.months[0].counts == [1]
    board = client.get(_url(case, unit=county_b.code)).context["board"]
    assert sum(line.total for line in board.months) == 1
    board = client.get(_url(case, stage="tuijin")).context["board"]
    assert board.months[0].month == JULY and board.months[-1].month == datetime.date(2014, 10, 1)


def test_dashboard_bad_month_is_named_and_ignored(login, office, case):
    response = login(office).get(_url(case, **{"from": "2014-13"}))

    assert response.status_code == 200
    assert len(response.context["board"].filters.errors) == 1
    assert response.context["board"].months[0].month == JULY


# -- the .xlsx ------------------------------------------------------------------------------


def test_dashboard_xlsx_opens_and_matches(login, office, case):
    client = login(office)
    board = client.get(_url(case)).context["board"]

    response = client.get(_url(case, "dashboard:xlsx"))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 11  # ten panels and the review
    deadlines = list(book["截止日期"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[3], row[4], row[5]) for row in deadlines] == [
        (d.label, d.units, d.sent, d.missing) for d in board.deadlines
    ]
    months = list(book["每月活动"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in months] == [f"{line.month:%Y-%m}" for line in board.months]
    assert [list(row[1:-1]) for row in months] == [line.counts for line in board.months]
    sheet = list(book["合计"].iter_rows(min_row=2, values_only=True))
    totals = {(row[0], row[1]): row[3] for row in sheet}
    assert totals["慰问演出", "演出场次"] == 3 and totals["慰问演出", "受众人数"] == 500
    assert [row[3] for row in sheet[-2:]] == [3, 2]  # submitted works, their authors
    risks = [row[0] for row in book["风险单位"].iter_rows(min_row=2, values_only=True)]
    assert risks == [r.row.unit.code for r in board.risks]


def test_dashboard_xlsx_sheets_are_named_in_chinese(login, office, case):
    """Waits for the translations to be compiled."""
    book = load_workbook(io.BytesIO(login(office).get(_url(case, "dashboard:xlsx")).content))

    assert book.sheetnames[:5] == ["阶段", "任务进度", "任务达标情况", "截止日期", "每月活动"]


def test_dashboard_page_speaks_chinese(login, office, case):
    """Waits for the translations to be compiled."""
    html = login(office).get(_url(case)).content.decode()

    assert "数据看板" in html and "下载图片" in html and "风险单位" in html


# -- query count ------------------------------------------------------------------------------


def test_dashboard_query_count_does_not_grow_with_units(
    login, office, coordinator_a, city, county_a, county_b, record, linyi
):
    client = login(office)
    record(coordinator_a, county_a, "weiwen", status="verified")
    client.get(_url(linyi))  # warm caches (session, scope)
    with CaptureQueriesContext(connection) as two:
        assert client.get(_url(linyi)).status_code == 200
    for n in range(4):
        unit = OrgUnitFactory(
            parent=city, code=f"37139{n}", name=f"新区{n}", kind=UnitKind.DISTRICT
        )
        record(office, unit, "caifeng", status="verified")
    with CaptureQueriesContext(connection) as six:
        response = client.get(_url(linyi))

    assert len(response.context["board"].tiles) == 6
    assert len(six) == len(two)


# -- deadlines ---------------------------------------------------------------------------


def test_dashboard_deadlines_are_each_logins_own(
    login, office, coordinator_a, coordinator_b, case, county_a
):
    september = datetime.date(2014, 9, 1)
    report = report_services.open_report(
        coordinator_a, case, county_a, ReportKind.MONTHLY_PLAN, september
    )
    report = report_services.save_report(
        coordinator_a,
        report,
        version=report.version,
        text="九月计划",
        items=[{"type": case.activity_types.first(), "title": "采风", "place": "某厂"}],
        lines=None,
    )
    report_services.submit_report(coordinator_a, report)

    def near(user) -> dict[tuple[str, str], tuple[int, int, int, str]]:
        board = login(user).get(_url(case)).context["board"]
        return {
            (d.slot.kind, f"{d.slot.period:%Y-%m}"): (d.days, d.sent, d.units, d.state)
            for d in board.deadlines
        }

    # as of 16 September: from 2 September to 17 October
    mine = near(coordinator_a)
    assert mine == {
        ("monthly_plan", "2014-09"): (-11, 1, 1, "in"),
        ("monthly_progress", "2014-09"): (14, 0, 1, "open"),
        ("monthly_plan", "2014-10"): (19, 0, 1, "open"),
        ("summary", "2014-10"): (29, 0, 1, "open"),
    }
    assert near(coordinator_b)["monthly_plan", "2014-09"] == (-11, 0, 1, "overdue")
    counties = reporting_units(case, today=TODAY).count()
    assert near(office)["monthly_plan", "2014-09"] == (-11, 1, counties, "overdue")
    page = login(coordinator_b).get(_url(case)).content.decode()
    assert "2014-09 工作方案" in page and "1 份未报" in page


def test_units_that_owe_no_reports_have_no_deadlines(case, county_a, enterprise_a):
    """An enterprise below the reporting level owes nothing: no rows of 0/0."""
    assert deadlines_near(case, [enterprise_a], TODAY) == []
    assert deadlines_near(case, [county_a], TODAY)


# -- levels shown --------------------------------------------------------------------------


def test_dashboard_shows_two_levels_and_drills_down(
    login, office, case, city, county_a, county_b, monkeypatch
):
    """A nation's office sees its provinces and their cities, each row standing for all
    below it; here one level is shown (LEVELS_SHOWN = 0 below the city), so the city
    alone stands for its counties, and a county is reached by drilling down."""
    full = login(office).get(_url(case)).context["board"]
    monkeypatch.setattr(panels, "LEVELS_SHOWN", 0)
    client = login(office)
    board = client.get(_url(case)).context["board"]

    assert [u.code for u in board.units] == [city.code] == [u.code for u in board.all_units]
    assert [t.row.unit.code for t in board.tiles] == [city.code]  # standing for its counties
    # the counts by status are still every county's, from the city's breakdown
    assert board.status_counts == full.status_counts
    (risk,) = board.risks
    assert risk.row.unit == city and risk.units_behind
    assert risk.why.startswith("单位进度落后：")
    # a county further down: its own view, and it joins the filter's choices
    drilled = client.get(_url(case, unit=county_a.code)).context["board"]
    assert [u.code for u in drilled.units] == [county_a.code]
    assert [u.code for u in drilled.all_units] == [city.code, county_a.code]
    assert client.get(_url(case, unit="no-such-unit")).status_code == 404

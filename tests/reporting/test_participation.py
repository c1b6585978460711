"""Reports are owed by the units at the file's report levels, and by nobody outside the
campaign (issue 11): the completeness page and its export, the report list, reminders
mailed through a real SMTP server; and the progress report due on a day of the month.

The tree is tests/campaigns/shandong.py's: sd-2015 owned by 山东省, report_levels = [1]
(济南市 reports), minimum_levels = [2] (历下区 carries the minimums, owes no reports);
某街道 is a level deeper, 市中区 and 青岛市 are retired, 临沂市's units another tree.
"""

import datetime
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from tests.campaigns import shandong
from tests.campaigns.conftest import edited
from tests.factories import CampaignFactory, StageFactory
from tests.smtp import smtp_server
from wenyi.campaigns.loader import load_campaign_file
from wenyi.reporting import deadlines, reminders
from wenyi.reporting.enums import ReminderType, ReportKind
from wenyi.reporting.models import Reminder

D = datetime.date


@pytest.fixture
def sd(db, settings, linyi, city, county_a, county_b, coordinator_a, coordinator_b):
    settings.WENYI_TODAY = shandong.TODAY
    tree = shandong.build()
    shandong.retire(tree.shizhong, tree.qingdao)
    return tree


@pytest.fixture
def boss(db, django_user_model):
    """A superuser: reaches every unit of every tree, so only participation can keep a
    unit off a page."""
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)">', page)


def _swap_levels(tmp_path, minimum: str, report: str) -> None:
    path = tmp_path / "shandong-2015.toml"
    path.write_text(
        edited(
            shandong.FULL.read_text(encoding="utf-8"),
            ("minimum_levels = [2] ", f"minimum_levels = {minimum} "),
            ("report_levels = [1] ", f"report_levels = {report} "),
        ),
        encoding="utf-8",
    )
    load_campaign_file(path)


# -- completeness -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["boss", "office"])
def test_completeness_lists_the_owner_and_the_reporting_units_only(sd, boss, login, who):
    user = boss if who == "boss" else sd.office
    response = login(user).get(reverse("reporting:completeness", args=[sd.campaign.slug]))

    assert _rows(response.content.decode()) == ["370000", "370100"]
    row = response.context["table"].rows[1]
    assert (row.unit.code, row.units) == ("370100", 1)


def test_completeness_export_lists_the_same_units(sd, boss, login):
    response = login(boss).get(reverse("reporting:completeness_xlsx", args=[sd.campaign.slug]))

    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in ws.iter_rows(min_row=5, values_only=True) if r[0]] == [
        "370000",
        "370100",
    ]


def test_completeness_with_reports_a_level_down_sums_them_in_the_level_above(
    sd, boss, login, tmp_path
):
    _swap_levels(tmp_path, "[1]", "[2]")

    response = login(boss).get(reverse("reporting:completeness", args=[sd.campaign.slug]))

    # 济南市 reports no more but sums 历下区; 市中区 is retired, 某街道 too deep
    assert _rows(response.content.decode()) == ["370000", "370100", "370102"]
    jinan = response.context["table"].rows[1]
    assert (jinan.units, jinan.rolls_up) == (1, True)


def test_the_2014_completeness_lists_no_unit_of_another_tree(sd, boss, login, linyi):
    page = login(boss).get(reverse("reporting:completeness", args=[linyi.slug])).content.decode()

    assert _rows(page) == ["371300", "371302", "371311"]


# -- the report list and a report's page --------------------------------------------------


def test_report_list_shows_a_coordinator_only_units_that_report(sd, login):
    def units(code) -> list[str]:
        page = (
            login(sd.coordinators[code])
            .get(reverse("reporting:list", args=[sd.campaign.slug]))
            .content.decode()
        )
        return re.findall(r'data-testid="unit-(\d+)"', page)

    assert units("370100") == ["370100"]
    assert units("370102") == []  # carries the minimums, reports nothing
    assert units("370102001") == []  # a level too deep
    assert units("370200") == []  # retired


@pytest.mark.parametrize("code", ["370102", "370102001", "370200"])
def test_a_report_of_a_unit_that_owes_none_is_404(sd, login, code):
    url = reverse(
        "reporting:open", args=[sd.campaign.slug, code, ReportKind.MONTHLY_PLAN, "2015-08"]
    )

    assert login(sd.coordinators[code]).get(url).status_code == 404
    assert login(sd.office).get(url).status_code == 404


# -- reminders ----------------------------------------------------------------------------


def test_reminders_reach_only_the_reporting_units(sd, settings):
    with smtp_server(settings) as inbox:
        result = reminders.send_reminders(D(2015, 8, 6))  # August's plan due on the 8th

    assert result.sent[ReminderType.BEFORE] == 1
    assert {m["To"] for m in inbox} == {sd.coordinators["370100"].email}
    assert set(Reminder.objects.values_list("unit__code", flat=True)) == {"370100"}


def test_reminders_follow_report_levels_of_the_file(sd, settings, tmp_path):
    _swap_levels(tmp_path, "[1]", "[2]")

    with smtp_server(settings) as inbox:
        reminders.send_reminders(D(2015, 8, 6))

    # 历下区 now; not its retired neighbour 市中区, not the street below it
    assert {m["To"] for m in inbox} == {sd.coordinators["370102"].email}


def test_progress_due_day_drives_the_progress_reminder(sd, settings):
    reminders.send_reminders(D(2015, 8, 20))  # everything due before, to the test outbox
    mail.outbox.clear()

    with smtp_server(settings) as inbox:
        result = reminders.send_reminders(D(2015, 8, 26))  # two days before the 28th

    assert result.sent == {ReminderType.BEFORE: 1}
    (message,) = inbox
    assert message["To"] == sd.coordinators["370100"].email
    assert "2015年8月28日" in str(message["Subject"])
    assert Reminder.objects.filter(
        kind=ReportKind.MONTHLY_PROGRESS, period=D(2015, 8, 1), reminder=ReminderType.BEFORE
    ).exists()


# -- progress_due_day ---------------------------------------------------------------------


def test_progress_due_day_of_the_file_sets_every_progress_due_date(sd):
    due = {
        s.period: s.due
        for s in deadlines.slots(sd.campaign)
        if s.kind == ReportKind.MONTHLY_PROGRESS
    }

    assert due == {D(2015, month, 1): D(2015, month, 28) for month in range(5, 11)}


@pytest.mark.parametrize(
    ("year", "day", "expected"),
    [
        (2015, 30, [D(2015, 1, 30), D(2015, 2, 28), D(2015, 3, 30), D(2015, 4, 30)]),
        (2016, 30, [D(2016, 1, 30), D(2016, 2, 29), D(2016, 3, 30), D(2016, 4, 30)]),
        (2015, 31, [D(2015, 1, 31), D(2015, 2, 28), D(2015, 3, 31), D(2015, 4, 30)]),
        (2015, 28, [D(2015, 1, 28), D(2015, 2, 28), D(2015, 3, 28), D(2015, 4, 28)]),
        (2015, 1, [D(2015, 1, 1), D(2015, 2, 1), D(2015, 3, 1), D(2015, 4, 1)]),
    ],
)
def test_progress_due_day_is_the_last_day_of_a_shorter_month(db, year, day, expected):
    start, end = D(year, 1, 1), D(year, 4, 30)
    campaign = CampaignFactory(
        start=start,
        end=end,
        year=year,
        progress_due_day=day,
        progress_due_days_before_month_end=5,  # unused once a day is set
        implementation_stage_key="run",
    )
    StageFactory(campaign=campaign, key="run", start=start, end=end)

    due = [s.due for s in deadlines.slots(campaign) if s.kind == ReportKind.MONTHLY_PROGRESS]

    assert due == expected

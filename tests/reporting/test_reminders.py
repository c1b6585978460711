"""Reminders (issue #4): through a real SMTP server on loopback, never twice, and the
in-app notices they leave behind.

The 2014 campaign's August work plan is due 2014-08-05 and reminders start 3 days
before: 2014-08-02 is the first "before" day, 2014-08-06 the first overdue day.
"""

import datetime
import socket
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.smtp import smtp_server
from wenyi.core.models import Notification
from wenyi.reporting import reminders
from wenyi.reporting.enums import ReminderType, ReportKind
from wenyi.reporting.models import Reminder

AUGUST = datetime.date(2014, 8, 1)
BEFORE_DAY = datetime.date(2014, 8, 2)
OVERDUE_DAY = datetime.date(2014, 8, 6)


@pytest.fixture
def campaign(linyi, coordinator_a, coordinator_b, settings):
    """The 2014 campaign with July's reminders already sent (to the test outbox), so
    each test sees only the August work plan's."""
    settings.SITE_URL = "https://wenyi.example.org"
    reminders.send_reminders(AUGUST)
    mail.outbox.clear()
    Notification.objects.all().delete()
    return linyi


def _august_plan_reminders(reminder: str):
    return Reminder.objects.filter(kind=ReportKind.MONTHLY_PLAN, period=AUGUST, reminder=reminder)


def _subject(message) -> str:
    # Django folds a long encoded subject onto a continuation line; the parser keeps
    # the folding space that mail clients drop
    return str(message["Subject"]).strip()


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


def test_before_reminder_reaches_each_coordinator_by_smtp(
    campaign, settings, coordinator_a, coordinator_b, county_a
):
    with smtp_server(settings) as inbox:
        result = reminders.send_reminders(BEFORE_DAY)

    assert result.sent == {ReminderType.BEFORE: 2}
    assert sorted(m["To"] for m in inbox) == [coordinator_a.email, coordinator_b.email]
    to_a = next(m for m in inbox if m["To"] == coordinator_a.email)
    assert _subject(to_a).startswith("提醒")
    for part in ("兰山区", "2014年8月", "2014年8月5日"):
        assert part in _subject(to_a)
    link = "https://wenyi.example.org" + reverse(
        "reporting:open", args=[campaign.slug, county_a.code, ReportKind.MONTHLY_PLAN, "2014-08"]
    )
    assert link in _body(to_a)
    assert campaign.title in _body(to_a)


def test_reminder_is_not_sent_twice(campaign, settings):
    with smtp_server(settings) as inbox:
        reminders.send_reminders(BEFORE_DAY)
        again = reminders.send_reminders(BEFORE_DAY)
        next_day = reminders.send_reminders(BEFORE_DAY + datetime.timedelta(days=1))

    assert len(inbox) == 2
    assert sum(again.sent.values()) == 0
    assert sum(next_day.sent.values()) == 0
    assert _august_plan_reminders(ReminderType.BEFORE).count() == 2


def test_overdue_reminder_skips_units_that_submitted(
    campaign, settings, monthly_plan, coordinator_a, coordinator_b, county_a
):
    reminders.send_reminders(BEFORE_DAY)
    monthly_plan(coordinator_a, county_a, AUGUST, submit=True)

    with smtp_server(settings) as inbox:
        first = reminders.send_reminders(OVERDUE_DAY)
        second = reminders.send_reminders(OVERDUE_DAY)
        later = reminders.send_reminders(OVERDUE_DAY + datetime.timedelta(days=3))

    assert [m["To"] for m in inbox] == [coordinator_b.email]
    assert _subject(inbox[0]).startswith("逾期")
    assert first.sent == {ReminderType.OVERDUE: 1}
    assert sum(second.sent.values()) == sum(later.sent.values()) == 0


def test_submitted_unit_gets_no_before_reminder(
    campaign, settings, monthly_plan, coordinator_a, coordinator_b, county_a
):
    monthly_plan(coordinator_a, county_a, AUGUST, submit=True)

    with smtp_server(settings) as inbox:
        reminders.send_reminders(BEFORE_DAY)

    assert [m["To"] for m in inbox] == [coordinator_b.email]


def test_two_workers_send_each_reminder_once(campaign, settings):
    # worker B reads what is due, then worker A claims and sends all of it before B
    # gets to claiming: B's claims fail on the unique constraint and it sends nothing
    seen_by_b = reminders.pending(BEFORE_DAY)
    assert len(seen_by_b) == 2

    with smtp_server(settings) as inbox:
        by_a = reminders.send_reminders(BEFORE_DAY)
        by_b = reminders.deliver(seen_by_b)

    assert sum(by_a.sent.values()) == 2
    assert sum(by_b.sent.values()) == 0
    assert by_b.skipped == 2
    assert len(inbox) == 2
    assert Notification.objects.count() == 2


def test_claim_is_refused_when_another_worker_holds_it(campaign):
    due = reminders.pending(BEFORE_DAY)[0]

    assert reminders.claim(due, []) is not None
    assert reminders.claim(due, []) is None


def test_failed_smtp_leaves_no_claim_and_next_run_sends(campaign, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()

    failed = reminders.send_reminders(BEFORE_DAY)

    assert failed.failed == 2
    assert sum(failed.sent.values()) == 0
    assert _august_plan_reminders(ReminderType.BEFORE).count() == 0
    assert not Notification.objects.exists()
    with smtp_server(settings) as inbox:
        retried = reminders.send_reminders(BEFORE_DAY)
    assert retried.sent == {ReminderType.BEFORE: 2}
    assert len(inbox) == 2
    assert Notification.objects.count() == 2


def test_unit_without_coordinator_is_reported_once(campaign, settings, coordinator_b):
    coordinator_b.memberships.all().delete()

    with smtp_server(settings) as inbox:
        result = reminders.send_reminders(BEFORE_DAY)
        again = reminders.send_reminders(BEFORE_DAY)

    assert len(inbox) == 1
    assert len(result.unattended) == 1
    assert "罗庄区" in result.unattended[0]
    assert again.unattended == []
    claim = _august_plan_reminders(ReminderType.BEFORE).get(unit__name="罗庄区")
    assert claim.recipients == []


def test_reminder_leaves_a_notice_on_the_notices_page(campaign, login, coordinator_a, county_a):
    reminders.send_reminders(BEFORE_DAY)

    notice = Notification.objects.get(user=coordinator_a)
    assert notice.url == reverse(
        "reporting:open", args=[campaign.slug, county_a.code, ReportKind.MONTHLY_PLAN, "2014-08"]
    )
    client = login(coordinator_a)
    page = client.get(reverse("core:notifications"))
    assert page.status_code == 200
    assert notice.message in page.content.decode()
    assert 'data-unread="1"' in page.content.decode()


def test_opening_a_notice_marks_it_read_and_follows_its_link(campaign, login, coordinator_a):
    reminders.send_reminders(BEFORE_DAY)
    notice = Notification.objects.get(user=coordinator_a)

    response = login(coordinator_a).get(reverse("core:notification_open", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_404(campaign, login, coordinator_a, coordinator_b):
    reminders.send_reminders(BEFORE_DAY)
    notice = Notification.objects.get(user=coordinator_a)

    response = login(coordinator_b).get(reverse("core:notification_open", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_notice_with_an_outside_link_stays_on_the_site(login, coordinator_a):
    notice = Notification.objects.create(
        user=coordinator_a, message="外链", url="https://evil.example.com/"
    )

    response = login(coordinator_a).get(reverse("core:notification_open", args=[notice.pk]))

    assert response["Location"] == reverse("core:notifications")


def test_mark_all_read_touches_only_own_notices(login, coordinator_a, coordinator_b):
    Notification.objects.create(user=coordinator_a, message="一")
    Notification.objects.create(user=coordinator_a, message="二")
    theirs = Notification.objects.create(user=coordinator_b, message="三")

    response = login(coordinator_a).post(reverse("core:notifications_read"))

    assert response.status_code == 302
    assert not coordinator_a.notifications.filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_post(login, coordinator_a):
    response = login(coordinator_a).get(reverse("core:notifications_read"))

    assert response.status_code == 405


def test_notices_need_login(anonymous):
    response = anonymous.get(reverse("core:notifications"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [1, 3])
def test_notices_page_query_count_does_not_grow(
    login, coordinator_a, django_assert_num_queries, count
):
    for n in range(count):
        Notification.objects.create(user=coordinator_a, message=f"通知{n}", url="/")
    client = login(coordinator_a)
    client.get(reverse("core:notifications"))  # session and login queries settle first

    # session, user, notices (count, page); navigation: roles, campaign, unread, person
    with django_assert_num_queries(8):
        response = client.get(reverse("core:notifications"))
    assert response.content.decode().count('data-testid="notification"') == count


def test_remind_command_prints_counts_in_chinese(campaign, settings):
    first, second = StringIO(), StringIO()
    with smtp_server(settings) as inbox:
        call_command("remind", "--date", "2014-08-02", stdout=first)
        call_command("remind", "--date", "2014-08-02", stdout=second)

    assert len(inbox) == 2
    assert first.getvalue().count("已发送") == 2
    summary = first.getvalue().splitlines()[-1]
    assert summary.startswith("2014-08-02")
    assert "截止前提醒 2 条" in summary and "逾期提醒 0 条" in summary
    assert "截止前提醒 0 条" in second.getvalue()


def test_remind_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="--date"):
        call_command("remind", "--date", "2014-13-40")


def test_daily_task_runs_once_under_the_immediate_backend(campaign, settings):
    from django_tasks import TaskResultStatus
    from django_tasks.signals import task_enqueued

    from wenyi.reporting.tasks import ensure_daily_reminders, send_daily_reminders

    runs = []

    def count(sender, task_result, **kwargs):
        runs.append(task_result.task.name)

    settings.WENYI_TODAY = BEFORE_DAY
    task_enqueued.connect(count)
    try:
        with smtp_server(settings) as inbox:
            result = send_daily_reminders.enqueue()
    finally:
        task_enqueued.disconnect(count)

    assert runs == ["send_daily_reminders"]  # it ran inline and queued no next run
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent"] == {"before": 2}
    assert len(inbox) == 2
    assert ensure_daily_reminders() == "unsupported"


# the worker closes the database connection after its tasks, as it does in production:
# on PostgreSQL that ends a test wrapped in a transaction, so this one commits for real
@pytest.mark.django_db(transaction=True)
def test_daily_task_queues_tomorrow_at_eight(campaign, settings):
    from django_tasks_db.models import DBTaskResult

    from wenyi.reporting.tasks import ensure_daily_reminders, next_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WENYI_TODAY = BEFORE_DAY

    assert ensure_daily_reminders() == "queued"
    assert ensure_daily_reminders() == "present"
    with smtp_server(settings) as inbox:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert len(inbox) == 2
    queued = DBTaskResult.objects.filter(status="READY")
    assert [t.run_after for t in queued] == [next_run()]
    assert next_run().hour == 8
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


def test_schedule_reminders_command_says_one_thing(db, settings):
    """Setup and serve both make sure of the daily run: whoever reads the start-up
    lines reads the same thing twice, not "queued" and then "already queued"."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()

    call_command("schedule_reminders", stdout=out)
    call_command("schedule_reminders", stdout=out)

    first, second = out.getvalue().splitlines()
    assert first == second == "报送提醒：每天 08:00 发送。"

"""`[public_notice]` of the campaign file: how long the notice of results (公示) lasts
and how its days are counted, checked, stored on the Campaign, reloaded in place and
shown on the campaign page."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.campaigns.conftest import FULL, JINAN, LINYI, edited
from wenyi.campaigns.enums import NoticeCount
from wenyi.campaigns.loader import CampaignFileError, LoadStatus, load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.core.models import AuditEntry

pytestmark = pytest.mark.django_db

D = datetime.date
NOTICE = (
    "[public_notice]\n"
    "days = 5                                 # 公示期 5 个工作日（暂定）\n"
    'count = "working"'
)


def _with_notice(text: str, table: str) -> str:
    """The Linyi file with its `[public_notice]` table replaced by `table`."""
    return edited(text, (NOTICE, table))


def _problems(write_file, text: str) -> list[str]:
    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(text))
    return error.value.problems


# -- loading ---------------------------------------------------------------------------


def test_linyi_file_stores_five_working_days():
    load_campaign_file(LINYI)

    campaign = Campaign.objects.get(slug="linyi-2014")
    assert (campaign.notice_days, campaign.notice_count, campaign.notice_closed_days) == (
        5,
        NoticeCount.WORKING,
        [],
    )
    # from Tuesday 2014-09-30 across National Day to the make-up Saturday 10-11
    assert campaign.notice_window(D(2014, 9, 30)) == (D(2014, 9, 30), D(2014, 10, 11))


def test_full_example_stores_every_field_and_the_window_skips_the_closed_days():
    load_campaign_file(FULL)

    campaign = Campaign.objects.get(slug="sd-2015")
    assert (campaign.notice_days, campaign.notice_count) == (7, NoticeCount.WORKING)
    assert campaign.notice_closed_days == ["2015-12-04", "2015-12-07"]
    # Tue 12-01, Wed 12-02, Thu 12-03, (Fri 12-04 and Mon 12-07 closed), 12-08 … Fri 12-11
    assert campaign.notice_window(D(2015, 12, 1)) == (D(2015, 12, 1), D(2015, 12, 11))


def test_a_file_without_the_table_gets_every_default():
    load_campaign_file(JINAN)

    campaign = Campaign.objects.get(slug="jinan-2016")
    assert (campaign.notice_days, campaign.notice_count, campaign.notice_closed_days) == (
        5,
        NoticeCount.WORKING,
        [],
    )


def test_calendar_days_are_stored_and_counted(linyi_text, write_file):
    load_campaign_file(
        write_file(_with_notice(linyi_text, '[public_notice]\ncount = "calendar"\ndays = 7'))
    )

    campaign = Campaign.objects.get()
    assert (campaign.notice_days, campaign.notice_count) == (7, NoticeCount.CALENDAR)
    assert campaign.notice_window(D(2014, 9, 30)) == (D(2014, 9, 30), D(2014, 10, 6))


# -- bad values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[public_notice]\ndays = 0", ["public_notice.days: 应在 1 到 60 之间"]),
        ("[public_notice]\ndays = 61", ["public_notice.days: 应在 1 到 60 之间"]),
        ('[public_notice]\ndays = "5"', ["public_notice.days: 应为整数（不加引号）"]),
        (
            '[public_notice]\ncount = "weekdays"',
            ["public_notice.count: 应为 working、calendar 之一"],
        ),
        (
            '[public_notice]\nclosed_days = ["2014-12-01"]',
            [
                "public_notice.closed_days: 应为日期列表（如 [2015-12-04, 2015-12-07]，"
                "日期不加引号、不带时间）"
            ],
        ),
        (
            "[public_notice]\nclosed_days = [2014-12-01T09:00:00]",
            [
                "public_notice.closed_days: 应为日期列表（如 [2015-12-04, 2015-12-07]，"
                "日期不加引号、不带时间）"
            ],
        ),
        (
            "[public_notice]\nclosed_days = 2014-12-01",
            [
                "public_notice.closed_days: 应为日期列表（如 [2015-12-04, 2015-12-07]，"
                "日期不加引号、不带时间）"
            ],
        ),
        (
            "[public_notice]\nclosed_days = [2014-12-01, 2014-12-01]",
            ["public_notice.closed_days[2]: 重复的值「2014-12-01」"],
        ),
        (
            '[public_notice]\ncount = "calendar"\nclosed_days = [2014-12-01]',
            [
                'public_notice.closed_days: 只在 count = "working" 时使用'
                "（按自然日计算时每一天都算，休息日不影响公示期）"
            ],
        ),
        ("[public_notice]\ndyas = 5", ["public_notice.dyas: 未知字段（是否应为 days？）"]),
    ],
)
def test_bad_values_are_named_in_chinese_and_nothing_is_written(
    linyi_text, write_file, table, expected
):
    problems = _problems(write_file, _with_notice(linyi_text, table))

    assert problems == [f"linyi-2014.toml: {line}" for line in expected]
    assert Campaign.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_value_that_is_not_a_table_is_refused(linyi_text, write_file):
    text = "public_notice = 5\n" + _with_notice(linyi_text, "")

    assert _problems(write_file, text) == [
        "linyi-2014.toml: public_notice: 应为表（[public_notice] 或 { ... }）"
    ]


def test_every_bad_value_is_listed_at_once(linyi_text, write_file):
    table = '[public_notice]\ndays = 0\ncount = "weekdays"\nclosed_days = ["x"]'

    problems = _problems(write_file, _with_notice(linyi_text, table))

    assert [line.split(": ")[1] for line in problems] == [
        "public_notice.days",
        "public_notice.count",
        "public_notice.closed_days",
    ]


def test_a_bad_reload_leaves_the_stored_rule_alone(linyi_text, write_file):
    load_campaign_file(LINYI)

    _problems(write_file, _with_notice(linyi_text, "[public_notice]\ndays = 0"))

    campaign = Campaign.objects.get()
    assert (campaign.notice_days, campaign.notice_count) == (5, NoticeCount.WORKING)


# -- reloading -------------------------------------------------------------------------


def test_reload_of_the_same_file_changes_nothing():
    load_campaign_file(FULL)
    before = list(Campaign.objects.values())
    entries = AuditEntry.objects.count()

    result = load_campaign_file(FULL)

    assert result.status == LoadStatus.UNCHANGED
    assert list(Campaign.objects.values()) == before
    assert AuditEntry.objects.count() == entries


def test_reload_updates_the_rule_in_place_and_says_what_changed(linyi_text, write_file):
    path = write_file(linyi_text)
    first = load_campaign_file(path).campaign
    table = '[public_notice]\ndays = 7\ncount = "working"\nclosed_days = [2014-11-28]'
    path.write_text(_with_notice(linyi_text, table), encoding="utf-8")

    result = load_campaign_file(path)

    assert result.status == LoadStatus.UPDATED
    campaign = Campaign.objects.get()
    assert campaign.pk == first.pk
    assert (campaign.notice_days, campaign.notice_closed_days) == (7, ["2014-11-28"])
    assert "public_notice.days: 5 → 7" in result.changes
    assert "public_notice.closed_days: （空） → [2014-11-28]" in result.changes
    assert load_campaign_file(path).status == LoadStatus.UNCHANGED


def test_a_table_taken_out_again_goes_back_to_the_defaults(linyi_text, write_file):
    path = write_file(_with_notice(linyi_text, '[public_notice]\ndays = 7\ncount = "calendar"'))
    load_campaign_file(path)
    path.write_text(_with_notice(linyi_text, ""), encoding="utf-8")

    result = load_campaign_file(path)

    campaign = Campaign.objects.get()
    assert (campaign.notice_days, campaign.notice_count) == (5, NoticeCount.WORKING)
    assert "public_notice.count: calendar → working" in result.changes


# -- the campaign page -----------------------------------------------------------------


def _rule(client, slug: str) -> str:
    body = client.get(reverse("campaigns:detail", args=[slug])).content.decode()
    (rule,) = re.findall(r'data-testid="notice-rule">(.*?)</p>', body, re.S)
    return re.sub(r"\s+", " ", rule).strip()


@pytest.fixture
def english(login, artist, settings):
    client = login(artist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_campaign_page_shows_the_working_day_rule(english, linyi):
    assert _rule(english, linyi.slug) == "Public notice of the results: 5 working days"


def test_campaign_page_shows_the_closed_days(english):
    load_campaign_file(FULL)

    assert _rule(english, "sd-2015") == (
        "Public notice of the results: 7 working days, not counting 2015-12-04、2015-12-07"
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('[public_notice]\ndays = 7\ncount = "calendar"', "Public notice of the results: 7 days"),
        ('[public_notice]\ndays = 1\ncount = "calendar"', "Public notice of the results: 1 day"),
        ("[public_notice]\ndays = 1", "Public notice of the results: 1 working day"),
    ],
)
def test_campaign_page_shows_calendar_days_and_the_singular(
    english, city, linyi_text, write_file, table, expected
):
    load_campaign_file(write_file(_with_notice(linyi_text, table)))

    assert _rule(english, "linyi-2014") == expected

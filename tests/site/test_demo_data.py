"""`wenyi demo-data` (issue 15 point 6): the city scale, in the test database.

The larger scales differ only in their numbers (wenyi.site.scale.SCALES); they are run
by bench/bench_dashboard.py, not here.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Max

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.models import Activity, MetricValue, MonthTally, Tally, month_of
from wenyi.campaigns import participation
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import OrgUnit
from wenyi.reporting.models import Report
from wenyi.review.models import Score
from wenyi.site import scale
from wenyi.works.models import Work

TODAY = datetime.date(2014, 11, 20)  # the works' scoring round (复评) is open


@pytest.fixture
def today(db, settings, tmp_path):
    settings.WENYI_TODAY = TODAY
    settings.DATA_DIR = tmp_path  # the generated campaign file goes there
    return TODAY


def _run(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("demo_data", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_demo_data_city_builds_exactly_its_numbers(today):
    _run(scale="city")

    campaign = Campaign.objects.get(slug="scale-city")
    assert scale.is_scale_campaign(campaign)
    assert scale.counts(campaign) == {
        "units": 15,
        "activities": 1_000,
        "works": 200,
        "scores": 1_000,
        "reports": Report.objects.filter(campaign=campaign).count(),
    }
    assert participation.minimum_units(campaign).count() == 15
    assert Report.objects.filter(campaign=campaign).exists()
    # every participating unit ran activities; a few are far behind
    assert Activity.objects.filter(campaign=campaign).values("unit").distinct().count() == 15


def test_demo_data_city_roll_ups_equal_the_raw_counts(today):
    _run(scale="city")
    campaign = Campaign.objects.get(slug="scale-city")

    verified = Activity.objects.filter(campaign=campaign, status=ActivityStatus.VERIFIED)
    raw_counts = Counter(verified.values_list("unit_id", "type_id"))
    raw_totals: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for unit_id, type_id, key, number in MetricValue.objects.filter(
        activity__in=verified, number__isnull=False
    ).values_list("activity__unit_id", "activity__type_id", "metric__key", "number"):
        cell = raw_totals[(unit_id, type_id)]
        cell[key] = cell.get(key, Decimal(0)) + number
    tallies = Tally.objects.filter(campaign=campaign)
    assert {(t.unit_id, t.type_id): t.verified for t in tallies} == dict(raw_counts)
    assert {
        (t.unit_id, t.type_id): {k: Decimal(v) for k, v in t.totals.items()} for t in tallies
    } == dict(raw_totals)
    raw_months = Counter(
        (unit_id, type_id, month_of(day))
        for unit_id, type_id, day in verified.values_list("unit_id", "type_id", "start_date")
    )
    months = MonthTally.objects.filter(campaign=campaign, verified__gt=0)
    assert {(m.unit_id, m.type_id, m.month): m.verified for m in months} == dict(raw_months)
    assert sum(raw_counts.values()) > 800  # most are verified, not all
    assert verified.count() < 1_000


def _moments_after(day: datetime.date) -> list[str]:
    """Every stored moment of the app's own records that lies after `day` (as
    tests/site/test_demo_clock.py asks of the demo)."""
    late = []
    for model in apps.get_models():
        if not model.__module__.startswith("wenyi."):
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateTimeField):
                continue
            newest = model.objects.aggregate(newest=Max(field.name))["newest"]
            if newest is not None and newest.astimezone().date() > day:
                late.append(f"{model._meta.label}.{field.name} = {newest}")
    return late


def test_demo_data_city_holds_nothing_after_today(today):
    _run(scale="city")

    campaign = Campaign.objects.get(slug="scale-city")
    assert not Activity.objects.filter(start_date__gt=today).exists()
    assert Activity.objects.filter(start_date__lt=campaign.start).count() == 0
    assert not Work.objects.filter(created_on__gt=today).exists()
    assert not Report.objects.filter(due__gt=today).exists()
    assert not Report.objects.filter(period__gt=today).exists()
    assert _moments_after(today) == []


def test_demo_data_before_review_makes_no_scores(db, settings, tmp_path):
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)
    settings.DATA_DIR = tmp_path
    _run(scale="city")

    campaign = Campaign.objects.get(slug="scale-city")
    assert scale.counts(campaign)["activities"] == 1_000
    assert not Score.objects.exists()
    assert not Activity.objects.filter(start_date__gt=datetime.date(2014, 9, 16)).exists()


def test_demo_data_prints_its_progress_and_summary(today):
    out, err = _run(scale="city")

    assert "活动：1,000 / 1,000" in err
    assert "作品：200 / 200" in err
    assert "评分：1,000 / 1,000" in err
    assert "汇总数据已重建" in err
    assert "scale-city" in out and "1,000" in out
    assert "scale-city-office" in out


def test_demo_data_refuses_an_unknown_scale(today):
    with pytest.raises(CommandError) as exc:
        _run(scale="county")

    assert str(exc.value) == "--scale：没有“county”这个规模，请用 city、province 或 nation。"
    assert not OrgUnit.objects.exists()
    assert not Campaign.objects.exists()


def test_demo_data_refuses_a_campaign_with_scale_data_unless_replace(today):
    _run(scale="city", seed=1)
    first = set(Activity.objects.values_list("title", flat=True))

    with pytest.raises(CommandError) as exc:
        _run(scale="city")
    assert "--campaign" in str(exc.value) and "--replace" in str(exc.value)
    assert "已有规模数据" in str(exc.value)
    assert Activity.objects.count() == 1_000

    _run(scale="city", seed=2, replace=True)
    campaign = Campaign.objects.get(slug="scale-city")
    assert scale.counts(campaign)["units"] == 15
    assert Activity.objects.count() == 1_000  # the first run's rows are gone
    assert OrgUnit.objects.count() == 16
    assert set(Activity.objects.values_list("title", flat=True)) != first


def test_demo_data_never_touches_a_real_campaign(today):
    load_campaign_file(django_settings.CAMPAIGNS_DIR / "linyi-2014.toml")

    with pytest.raises(CommandError) as exc:
        _run(scale="city", campaign="linyi-2014", replace=True)

    assert "--campaign" in str(exc.value) and "linyi-2014" in str(exc.value)
    assert not Activity.objects.exists()
    assert not OrgUnit.objects.exists()


def test_demo_data_refuses_a_today_before_the_campaign(db, settings, tmp_path):
    settings.WENYI_TODAY = datetime.date(2014, 6, 1)
    settings.DATA_DIR = tmp_path

    with pytest.raises(CommandError) as exc:
        _run(scale="city")

    assert "WENYI_TODAY" in str(exc.value) and "2014-06-01" in str(exc.value)
    assert not OrgUnit.objects.exists()


def test_demo_data_same_seed_same_names(today, settings):
    _run(scale="city", campaign="one", seed=5)
    _run(scale="city", campaign="two", seed=5)

    def titles(slug):
        return sorted(Activity.objects.filter(campaign__slug=slug).values_list("title", flat=True))

    assert titles("one") == titles("two")
    names = OrgUnit.objects.filter(code__startswith="one-").values_list("name", flat=True)
    assert "兰山区" in names

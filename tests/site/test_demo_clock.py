"""The demo is built as of WENYI_TODAY: nothing in it happened after that day (issue 10)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Max

from wenyi.activities.models import Activity
from wenyi.reporting.models import Report
from wenyi.works.models import Work


def _moments_after(day: datetime.date) -> list[str]:
    """Every stored moment of the app's own records that lies after `day`."""
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


@pytest.mark.parametrize("today", ["2014-08-10", "2014-09-16"])
def test_the_demo_holds_nothing_after_today(db, settings, today):
    settings.WENYI_TODAY = day = datetime.date.fromisoformat(today)
    call_command("setup", demo=True, stdout=StringIO())
    assert Activity.objects.exists() and Report.objects.exists()
    assert not Activity.objects.filter(start_date__gt=day).exists()
    assert not Activity.objects.filter(end_date__gt=day).exists()
    assert not Work.objects.filter(created_on__gt=day).exists()
    assert _moments_after(day) == []


def test_a_later_day_shows_more_of_the_campaign(transactional_db, settings):
    # transactional: the database is emptied in between (PostgreSQL cannot empty tables
    # inside the test's transaction)
    settings.WENYI_TODAY = datetime.date(2014, 8, 10)
    call_command("setup", demo=True, stdout=StringIO())
    early = (Activity.objects.count(), Report.objects.count())
    call_command("flush", interactive=False)
    settings.WENYI_TODAY = datetime.date(2014, 10, 20)
    call_command("setup", demo=True, stdout=StringIO())
    assert Activity.objects.count() > early[0]
    assert Report.objects.count() > early[1]


def test_before_the_campaign_began_there_is_no_activity_yet(db, settings):
    settings.WENYI_TODAY = datetime.date(2014, 6, 20)
    call_command("setup", demo=True, stdout=StringIO())
    assert not Activity.objects.exists()
    assert not Work.objects.exists()
    assert _moments_after(settings.WENYI_TODAY) == []

"""The record(...) fixture: an activity of the 2014 campaign, made through the service
(registered for every test module by tests/conftest.py)."""

import datetime

import pytest

from wenyi.activities import services


def required_values(type_) -> dict:
    """A value for each required metric of the type."""
    values = {}
    for metric in type_.metrics.all():
        if metric.required:
            values[metric.key] = "x" if metric.value_type == "text" else 10
    return values


@pytest.fixture
def record(linyi):
    """record(actor, unit, type_key, **overrides) -> a new activity with valid values."""
    counter = iter(range(1, 10_000))

    def _record(actor, unit, type_key="weiwen", *, status="draft", **overrides):
        type_ = linyi.activity_types.get(key=type_key)
        n = next(counter)
        fields = {
            "title": f"活动{n}",
            "start_date": datetime.date(2014, 7, 1) + datetime.timedelta(days=n % 90),
            "place": f"某企业车间{n}",
            "values": required_values(type_),
        }
        fields.update(overrides)
        activity = services.create_activity(actor, campaign=linyi, unit=unit, type=type_, **fields)
        checker = None
        if status == "verified":
            from wenyi.orgs.models import Membership

            office = Membership.objects.filter(role="office").first()
            assert office is not None, "verifying needs the office fixture"
            checker = office.user
        if status in ("submitted", "verified"):
            # nobody verifies what they submitted: the office's own records go in unsigned
            services.submit_activity(None if actor == checker else actor, activity)
        if status == "verified":
            services.verify_activity(checker, activity)
        activity.refresh_from_db()
        return activity

    return _record

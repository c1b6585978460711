import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from wenyi.activities import services
from wenyi.activities.models import Activity, Tally
from wenyi.core.models import AuditEntry


def test_create_stores_metric_values(office, county_a, record):
    activity = record(office, county_a, "weiwen", values={"shows": 3, "audience": "1,200"})
    values = {v.metric.key: v.number for v in activity.values.select_related("metric")}
    assert values == {"shows": Decimal("3"), "audience": Decimal("1200")}


def test_required_metric_missing_is_refused_naming_it(office, county_a, linyi):
    type_ = linyi.activity_types.get(key="peixun")
    with pytest.raises(ValidationError) as exc:
        services.create_activity(
            office,
            campaign=linyi,
            unit=county_a,
            type=type_,
            title="培训",
            start_date=datetime.date(2014, 8, 1),
            place="工人文化宫",
            values={},
        )
    assert any("培训" in m or "人次" in m for m in exc.value.messages)
    assert Activity.objects.count() == 0


def test_integer_metric_refuses_fraction(office, county_a, record):
    with pytest.raises(ValidationError):
        record(office, county_a, "weiwen", values={"shows": "2.5", "audience": 10})


def test_date_outside_campaign_is_refused(office, county_a, record):
    with pytest.raises(ValidationError):
        record(office, county_a, start_date=datetime.date(2013, 5, 1))


def test_same_token_twice_creates_one_activity(office, county_a, record):
    token = uuid.uuid4()
    first = record(office, county_a, token=token)
    second = record(office, county_a, token=token)
    assert first.pk == second.pk
    assert Activity.objects.count() == 1


def test_duplicate_key_ignores_spacing_and_width(office, county_a, record):
    activity = record(office, county_a, place="临沂 某机械厂")
    found = services.find_duplicates(county_a, activity.type, activity.start_date, "临沂某机械厂")
    assert list(found) == [activity]


def test_workflow_submit_return_resubmit_verify(office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a)
    services.submit_activity(coordinator_a, activity)
    services.return_activity(office, activity, "照片不清楚")
    activity.refresh_from_db()
    assert activity.status == "returned"
    assert activity.return_reason == "照片不清楚"
    activity.refresh_from_db()
    services.update_activity(coordinator_a, activity, version=activity.version, title="改过的标题")
    services.submit_activity(coordinator_a, activity)
    services.verify_activity(office, activity)
    activity.refresh_from_db()
    assert activity.status == "verified"
    assert activity.verified_by == office
    actions = list(
        AuditEntry.objects.filter(object_id=str(activity.pk), content_type__model="activity")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "transition", "transition", "update", "transition", "transition"]


def test_return_needs_a_reason(office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    with pytest.raises(ValidationError):
        services.return_activity(office, activity, "  ")


def test_verified_activity_is_locked(office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="verified")
    with pytest.raises(ValidationError):
        services.update_activity(coordinator_a, activity, version=activity.version, title="偷偷改")


def test_verify_twice_counts_once(office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    services.verify_activity(office, activity)
    with pytest.raises(ValidationError):
        services.verify_activity(office, activity)
    tally = Tally.objects.get(unit=county_a, type=activity.type)
    assert tally.verified == 1


def test_tally_follows_verify_and_unlock(office, coordinator_a, county_a, record):
    activity = record(
        coordinator_a, county_a, "weiwen", status="submitted", values={"shows": 2, "audience": 500}
    )
    services.verify_activity(office, activity)
    tally = Tally.objects.get(unit=county_a, type=activity.type)
    totals = {k: Decimal(v) for k, v in tally.totals.items()}
    assert (tally.verified, totals) == (1, {"shows": 2, "audience": 500})
    services.unlock_activity(office, activity, "数据有误")
    tally.refresh_from_db()
    assert tally.verified == 0
    assert Decimal(tally.totals["audience"]) == 0


def test_rebuilt_tallies_equal_maintained_ones(
    office, coordinator_a, county_a, county_b, enterprise_a, record, linyi
):
    for unit, kind in [
        (county_a, "weiwen"),
        (county_a, "weiwen"),
        (enterprise_a, "peixun"),
        (county_b, "zhanshi"),
    ]:
        record(coordinator_a if unit != county_b else office, unit, kind, status="verified")
    record(coordinator_a, county_a, "weiwen", status="submitted")

    def read():
        return {
            (t.unit_id, t.type_id): (t.verified, {k: Decimal(v) for k, v in t.totals.items()})
            for t in Tally.objects.all()
        }

    maintained = read()
    services.rebuild_tallies(linyi)
    rebuilt = read()
    assert rebuilt == {k: v for k, v in maintained.items() if v[0]}


def test_only_drafts_can_be_deleted(coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    with pytest.raises(ValidationError, match="只能删除草稿"):
        services.delete_activity(coordinator_a, activity)
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_rebuild_tallies_command(office, coordinator_a, county_a, record, linyi):
    from io import StringIO

    from django.core.management import call_command

    record(coordinator_a, county_a, "weiwen", status="verified")
    Tally.objects.all().delete()
    out = StringIO()
    call_command("rebuild_tallies", "linyi-2014", stdout=out)
    assert Tally.objects.get(unit=county_a).verified == 1
    assert "linyi-2014" in out.getvalue()


# -- an activity dated after today is not submitted (issue 10, item 11) -------------------


@pytest.fixture
def august_15(settings):
    settings.WENYI_TODAY = datetime.date(2014, 8, 15)


def test_submit_refuses_an_activity_dated_after_today(august_15, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, start_date=datetime.date(2014, 8, 16))

    with pytest.raises(ValidationError) as refused:
        services.submit_activity(coordinator_a, activity)

    assert "2014-08-16" in refused.value.messages[0]
    assert "2014-08-15" in refused.value.messages[0]
    activity.refresh_from_db()
    assert (activity.status, activity.submitted_at) == ("draft", None)


def test_submit_takes_an_activity_dated_today(august_15, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, start_date=datetime.date(2014, 8, 15))

    services.submit_activity(coordinator_a, activity)

    activity.refresh_from_db()
    assert activity.status == "submitted"


def test_returned_activity_moved_to_a_later_date_is_not_submitted_again(
    august_15, office, coordinator_a, county_a, record
):
    activity = record(coordinator_a, county_a, status="submitted")
    services.return_activity(office, activity, "日期有误")
    activity = services.update_activity(
        coordinator_a,
        Activity.objects.get(pk=activity.pk),
        version=activity.version,
        start_date=datetime.date(2014, 9, 1),
    )

    with pytest.raises(ValidationError):
        services.submit_activity(coordinator_a, activity)

    activity.refresh_from_db()
    assert activity.status == "returned"

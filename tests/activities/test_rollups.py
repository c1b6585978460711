"""The dashboards' roll-ups (issue 15, point 5): `activities.rollups` on a small case with
hand-counted numbers, the subtree roll-up, constant query counts, and the rebuild.
(The random sequences of changes are in test_rollups_property.py.)"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import OrgUnitFactory, UserFactory
from wenyi.activities import rollups, services
from wenyi.activities.models import Activity, MonthTally, Tally, month_of
from wenyi.core.enums import ImportKind
from wenyi.core.models import ImportJob
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import OrgUnit

JULY, AUGUST, SEPTEMBER = (datetime.date(2014, m, 1) for m in (7, 8, 9))


def _fresh(*units) -> list[OrgUnit]:
    """The units as stored now (adding a sibling may have moved their paths)."""
    by_pk = OrgUnit.objects.in_bulk([u.pk for u in units])
    return [by_pk[u.pk] for u in units]


@pytest.fixture
def case(office, coordinator_a, coordinator_b, city, county_a, county_b, enterprise_a, record):
    """Four verified activities in July and August, and three that do not count."""
    record(
        coordinator_a,
        county_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 7, 5),
        values={"shows": 2, "audience": 300},
    )
    record(
        coordinator_a,
        enterprise_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 7, 31),
        values={"shows": 1, "audience": 200},
    )
    record(
        coordinator_a,
        county_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 8, 1),
        values={"shows": 1, "audience": 100},
    )
    record(
        coordinator_b,
        county_b,
        "peixun",
        status="verified",
        start_date=datetime.date(2014, 8, 10),
        values={"trainees": 40, "sessions": 2},
    )
    # waiting for checking, a draft, and one verified then unlocked: none counts
    record(
        coordinator_a, county_a, "weiwen", status="submitted", values={"shows": 9, "audience": 9}
    )
    record(coordinator_b, county_b, "weiwen", values={"shows": 9, "audience": 9})
    unlocked = record(
        coordinator_b, county_b, "zhanshi", status="verified", values={"events": 3, "audience": 50}
    )
    services.unlock_activity(office, unlocked, "数字有误")


def _types(linyi) -> dict[str, int]:
    return dict(linyi.activity_types.values_list("key", "pk"))


def test_per_month_counts_verified_activities_by_type_and_start_month(
    case, linyi, city, county_a, county_b, enterprise_a
):
    t = _types(linyi)
    assert rollups.per_month(linyi, [city]) == {
        (t["weiwen"], JULY): 2,
        (t["weiwen"], AUGUST): 1,
        (t["peixun"], AUGUST): 1,
    }
    assert rollups.per_month(linyi, [county_b]) == {(t["peixun"], AUGUST): 1}
    assert rollups.per_month(linyi, [enterprise_a]) == {(t["weiwen"], JULY): 1}


def test_per_month_counts_an_activity_once_when_listed_units_nest(
    case, linyi, city, county_a, enterprise_a
):
    assert rollups.per_month(linyi, [city, county_a, enterprise_a]) == rollups.per_month(
        linyi, [city]
    )
    assert rollups.per_month(linyi, []) == {}


def test_per_month_by_unit_counts_each_units_whole_subtree(
    case, linyi, city, county_a, county_b, enterprise_a
):
    t = _types(linyi)
    assert rollups.per_month_by_unit(linyi, [city, county_a, county_b]) == {
        (city.pk, t["weiwen"], JULY): 2,
        (city.pk, t["weiwen"], AUGUST): 1,
        (city.pk, t["peixun"], AUGUST): 1,
        # the enterprise's July show counts for its county
        (county_a.pk, t["weiwen"], JULY): 2,
        (county_a.pk, t["weiwen"], AUGUST): 1,
        (county_b.pk, t["peixun"], AUGUST): 1,
    }
    # listed with its county, the enterprise counts for both
    assert rollups.per_month_by_unit(linyi, [county_a, enterprise_a]) == {
        (county_a.pk, t["weiwen"], JULY): 2,
        (county_a.pk, t["weiwen"], AUGUST): 1,
        (enterprise_a.pk, t["weiwen"], JULY): 1,
    }
    assert rollups.per_month_by_unit(linyi, []) == {}


def test_totals_add_the_numeric_metrics_of_the_subtrees(
    case, linyi, city, county_a, county_b, enterprise_a
):
    assert rollups.totals(linyi, [city]) == {
        "shows": 4,
        "audience": 600,
        "trainees": 40,
        "sessions": 2,
    }
    assert rollups.totals(linyi, [county_a]) == {"shows": 4, "audience": 600}
    assert rollups.totals(linyi, [enterprise_a]) == {"shows": 1, "audience": 200}
    assert rollups.totals(linyi, [county_a, county_b]) == rollups.totals(linyi, [city])
    assert all(isinstance(v, Decimal) for v in rollups.totals(linyi, [city]).values())
    assert rollups.totals(linyi, []) == {}


def test_totals_of_some_types_and_months(case, linyi, city):
    t = _types(linyi)
    assert rollups.totals(linyi, [city], type_ids=[t["weiwen"]]) == {"shows": 4, "audience": 600}
    august = (datetime.date(2014, 8, 1), datetime.date(2014, 8, 31))
    assert rollups.totals(linyi, [city], months=august) == {
        "shows": 1,
        "audience": 100,
        "trainees": 40,
        "sessions": 2,
    }
    # a stage from mid-July: the months it touches
    stage = (datetime.date(2014, 7, 15), datetime.date(2014, 10, 31))
    assert rollups.totals(linyi, [city], months=stage) == rollups.totals(linyi, [city])
    september = (SEPTEMBER, datetime.date(2014, 9, 30))
    assert rollups.totals(linyi, [city], months=september, type_ids=[t["weiwen"]]) == {}


def test_totals_by_type_keep_a_shared_metric_apart(office, coordinator_a, county_a, record, linyi):
    t = _types(linyi)
    record(
        coordinator_a, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 300}
    )
    record(
        coordinator_a, county_a, "zhanshi", status="verified", values={"events": 1, "audience": 50}
    )
    assert rollups.totals_by_type(linyi, [county_a]) == {
        (t["weiwen"], "shows"): 2,
        (t["weiwen"], "audience"): 300,
        (t["zhanshi"], "events"): 1,
        (t["zhanshi"], "audience"): 50,
    }
    assert rollups.totals(linyi, [county_a]) == {"shows": 2, "audience": 350, "events": 1}


@pytest.mark.parametrize(
    "months", [None, (datetime.date(2014, 8, 1), datetime.date(2014, 8, 31))], ids=["all", "aug"]
)
def test_totals_summed_by_the_database_equal_those_added_here(case, linyi, city, county_a, months):
    """`keys`: the database adds the JSON totals up (KT, a cast) — the same numbers,
    decimals included, on SQLite and PostgreSQL."""
    Tally.objects.filter(unit=county_a).update(totals={"shows": "2.5", "audience": "300"})
    MonthTally.objects.filter(unit=county_a).update(totals={"shows": "2.5", "audience": "300"})
    keys = {"shows", "audience", "trainees", "sessions", "events", "no_such_key"}
    here = rollups.totals_by_type(linyi, [city], months=months)
    summed = rollups.totals_by_type(linyi, [city], months=months, keys=keys)
    assert summed == here and summed
    assert all(isinstance(v, Decimal) for v in summed.values())
    assert rollups.totals_by_type(linyi, [city], keys=[]) == {}


def test_an_unlocked_activity_counts_again_in_its_new_month_and_type(
    office, coordinator_a, county_a, record, linyi
):
    t = _types(linyi)
    activity = record(
        coordinator_a,
        county_a,
        "weiwen",
        status="verified",
        start_date=datetime.date(2014, 7, 20),
        values={"shows": 2, "audience": 300},
    )
    services.unlock_activity(office, activity, "日期填错")
    activity.refresh_from_db()
    activity = services.update_activity(
        coordinator_a,
        activity,
        version=activity.version,
        type=linyi.activity_types.get(key="peixun"),
        start_date=datetime.date(2014, 9, 2),
        values={"trainees": 25},
    )
    services.submit_activity(coordinator_a, activity)
    services.verify_activity(office, activity)
    assert rollups.per_month(linyi, [county_a]) == {(t["peixun"], SEPTEMBER): 1}
    assert rollups.totals(linyi, [county_a]) == {"trainees": 25}
    month_rows = {
        (m.type_id, m.month): m.verified for m in MonthTally.objects.filter(unit=county_a)
    }
    # the July row stays, at zero
    assert month_rows == {(t["weiwen"], JULY): 0, (t["peixun"], SEPTEMBER): 1}


def test_imported_activities_count_once_verified_one_by_one(
    office, coordinator_a, county_a, enterprise_a, linyi
):
    """The bulk import writes drafts or submitted activities: no roll-up moves until
    each is verified through the service."""
    weiwen = linyi.activity_types.get(key="weiwen")
    shows, audience = (weiwen.metrics.get(key=k).pk for k in ("shows", "audience"))
    rows = [
        services.ActivityRow(
            type_id=weiwen.pk,
            unit_id=unit.pk,
            title=f"送文化进企业{n}",
            start_date=datetime.date(2014, 7 + n, 10),
            place=f"某机械厂{n}",
            values=[(shows, Decimal(1), ""), (audience, Decimal(100 * (n + 1)), "")],
        )
        for n, unit in enumerate([county_a, enterprise_a])
    ]
    job = ImportJob.objects.create(
        kind=ImportKind.ACTIVITIES,
        created_by=coordinator_a,
        options={"campaign": linyi.pk, "submit": True},
    )
    assert services.create_activities(coordinator_a, linyi, rows, job=job, submit=True) == 2
    assert (Tally.objects.count(), MonthTally.objects.count()) == (0, 0)
    for activity in Activity.objects.filter(campaign=linyi):
        services.verify_activity(office, activity)
    assert rollups.per_month_by_unit(linyi, [county_a]) == {
        (county_a.pk, weiwen.pk, JULY): 1,
        (county_a.pk, weiwen.pk, AUGUST): 1,
    }
    assert rollups.totals(linyi, [county_a]) == {"shows": 2, "audience": 300}


def test_month_of_is_the_first_day():
    assert month_of(datetime.date(2014, 12, 31)) == datetime.date(2014, 12, 1)
    assert month_of(datetime.date(2014, 7, 1)) == JULY


# -- one query each, however many units ----------------------------------------------------


@pytest.fixture
def six_counties(office, city, county_a, county_b, record):
    """Four more counties (codes after the fixed cast's), each with verified activities."""
    more = [
        OrgUnitFactory(parent=city, code=f"37132{n}", name=f"第{n}县", kind=UnitKind.COUNTY)
        for n in range(4)
    ]
    for n, unit in enumerate([county_a, county_b, *more]):
        for k in range(n % 3 + 1):
            record(office, unit, ["weiwen", "peixun"][k % 2], status="verified")
    return _fresh(county_a, county_b, *more)


@pytest.mark.parametrize(
    "read",
    [rollups.per_month, rollups.per_month_by_unit, rollups.totals, rollups.totals_by_type],
)
def test_rollups_take_one_query_for_two_or_six_units(
    read, six_counties, linyi, django_assert_num_queries
):
    linyi.owner_unit()  # read once per campaign object (the dashboards have it already)
    with django_assert_num_queries(1):
        two = read(linyi, six_counties[:2])
    with django_assert_num_queries(1):
        six = read(linyi, six_counties)
    assert 0 < sum(two.values()) < sum(six.values())


# -- rebuilding --------------------------------------------------------------------------


def _stored(model) -> dict:
    """Every row with a count, as (unit, type[, month]) -> (count, non-zero totals)."""
    rows = {}
    for row in model.objects.all():
        key = (row.unit_id, row.type_id, getattr(row, "month", None))
        sums = {k: Decimal(v) for k, v in row.totals.items() if Decimal(v)}
        if row.verified:
            rows[key] = (row.verified, sums)
        else:
            assert sums == {}, f"{row} counts nothing but has totals"
    return rows


def test_rebuild_command_rebuilds_both_rollups_from_scratch(case, linyi, city):
    maintained = (_stored(Tally), _stored(MonthTally))
    per_month = rollups.per_month(linyi, [city])
    assert len(maintained[1]) == 4
    MonthTally.objects.all().delete()
    Tally.objects.all().delete()
    assert rollups.per_month(linyi, [city]) == {}
    out = StringIO()
    call_command("rebuild_tallies", "linyi-2014", stdout=out)
    assert (_stored(Tally), _stored(MonthTally)) == maintained
    assert rollups.per_month(linyi, [city]) == per_month
    # rows at zero (the unlocked activity's) are not written again
    assert MonthTally.objects.filter(verified=0).count() == 0
    assert "linyi-2014: 3 条统计、4 条月度统计、" in out.getvalue()


def test_rebuild_replaces_wrong_rows(case, linyi, county_a):
    expected = _stored(Tally), _stored(MonthTally)
    MonthTally.objects.filter(unit=county_a, month=JULY).update(
        verified=99, totals={"shows": "1000"}
    )
    Tally.objects.filter(unit=county_a).update(verified=0, totals={})
    rebuilt = services.rebuild_tallies(linyi)
    assert (rebuilt.tallies, rebuilt.month_tallies) == (3, 4)
    assert (_stored(Tally), _stored(MonthTally)) == expected
    assert rollups.totals(linyi, [county_a]) == {"shows": 4, "audience": 600}


def test_admin_cannot_change_what_a_verified_activity_counts(
    office, coordinator_a, county_a, record, linyi, login
):
    activity = record(
        coordinator_a, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 300}
    )
    client = login(UserFactory(username="root", is_superuser=True, is_staff=True))
    change = reverse("admin:activities_activity_change", args=[activity.pk])
    assert client.get(change).status_code == 200  # to look at
    assert client.post(change, {"title": "改", "start_date": "2014-12-01"}).status_code == 403
    delete = reverse("admin:activities_activity_delete", args=[activity.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    listed = client.get(reverse("admin:activities_activity_changelist"))
    assert "delete_selected" not in listed.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.start_date.month) != ("改", 12)
    assert rollups.totals(linyi, [county_a]) == {"shows": 2, "audience": 300}

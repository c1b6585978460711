"""The roll-ups equal the raw aggregates, whatever happens (issue 15, point 5).

Hypothesis draws sequences of up to 12 changes — records (as drafts, submitted or
verified), edits that move an activity to another unit, type, month or metric values,
submissions, verifications, returns, unlocks and deletions — and applies them through
the real services, refusals included (a verified activity cannot be edited, a
submitted one not deleted …). After every step `Tally` and `MonthTally` must equal the
counts and sums computed here from the Activity and MetricValue rows, and after the
sequence a rebuild must change nothing.

Each example runs in a transaction rolled back at its end, so the next one starts
from the fixed cast and the 2014 campaign with no activity.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import hypothesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from tests.rollups import check_sequence
from wenyi.activities import services
from wenyi.activities.models import Activity, MetricValue, MonthTally, Tally

# the function-scoped fixtures (the cast, the campaign) hold nothing an example changes:
# every example's writes are rolled back
properties = hypothesis.settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

UNITS = ("county_a", "enterprise_a", "county_b")
TYPES = ("caifeng", "peixun", "weiwen", "zhanshi")

unit = st.sampled_from(UNITS)
type_key = st.sampled_from(TYPES)
# across the campaign's months (a day after the 28th is in the same month still)
day = st.dates(datetime.date(2014, 7, 1), datetime.date(2014, 12, 31))
# values of a type's numeric metrics in their order; None leaves an optional one empty
numbers = st.lists(st.none() | st.integers(0, 5000), min_size=3, max_size=3)
# which recorded activity a step acts on (modulo how many there are)
which = st.integers(0, 11)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            unit,
            type_key,
            day,
            numbers,
            st.sampled_from(("draft", "submitted", "verified")),
        ),
        st.tuples(st.just("edit"), which, unit, type_key, day, numbers),
        st.tuples(st.sampled_from(("submit", "verify", "return", "unlock", "delete")), which),
    ),
    min_size=1,
    max_size=12,
)


def _values(type_, drawn: list) -> dict:
    """The drawn numbers as the type's numeric metric values (a required one never
    empty), and a text for a required text metric."""
    values, drawn = {}, iter(drawn)
    for metric in type_.metrics.all():
        if metric.value_type == "integer":
            number = next(drawn, None)
            values[metric.key] = 1 if number is None and metric.required else number
        elif metric.required:
            values[metric.key] = "效果良好"
    return values


def raw_aggregates(campaign) -> tuple[dict, dict]:
    """From the activities themselves: (unit, type) and (unit, type, month) ->
    (verified activities, {metric key: total of its numbers}, zero totals left out)."""
    verified = Activity.objects.filter(campaign=campaign, status="verified")
    months = {a.pk: a.start_date.replace(day=1) for a in verified}
    counts, month_counts = Counter(), Counter()
    for a in verified:
        counts[a.unit_id, a.type_id] += 1
        month_counts[a.unit_id, a.type_id, months[a.pk]] += 1
    sums, month_sums = defaultdict(dict), defaultdict(dict)
    values = MetricValue.objects.filter(
        activity__in=verified,
        number__isnull=False,
        metric__value_type__in=["integer", "decimal"],
    ).values_list("activity_id", "activity__unit_id", "activity__type_id", "metric__key", "number")
    for activity_id, unit_id, type_id, key, number in values:
        for target, where in (
            (sums, (unit_id, type_id)),
            (month_sums, (unit_id, type_id, months[activity_id])),
        ):
            target[where][key] = target[where].get(key, Decimal(0)) + number

    def nonzero(totals: dict) -> dict:
        return {k: v for k, v in totals.items() if v}

    return (
        {key: (n, nonzero(sums[key])) for key, n in counts.items()},
        {key: (n, nonzero(month_sums[key])) for key, n in month_counts.items()},
    )


def maintained(campaign) -> tuple[dict, dict]:
    """The roll-up rows in the same shape; a row at zero must hold zero totals."""
    result = []
    for model, key in (
        (Tally, lambda r: (r.unit_id, r.type_id)),
        (MonthTally, lambda r: (r.unit_id, r.type_id, r.month)),
    ):
        rows = {}
        for row in model.objects.filter(campaign=campaign):
            totals = {k: Decimal(v) for k, v in row.totals.items() if Decimal(v)}
            if row.verified:
                rows[key(row)] = (row.verified, totals)
            else:
                assert totals == {}, f"{row}: no activity but totals {row.totals}"
        result.append(rows)
    return result[0], result[1]


class Run:
    """Applies the drawn steps through the services, as the people of the cast."""

    def __init__(self, cast: dict, linyi, record):
        self.cast, self.linyi, self.record = cast, linyi, record
        self.types = {t.key: t for t in linyi.activity_types.prefetch_related("metrics")}
        self.ids: list[int] = []

    def _pick(self, n: int) -> Activity | None:
        if not self.ids:
            return None
        return Activity.objects.get(pk=self.ids[n % len(self.ids)])

    def apply(self, step: tuple) -> None:
        office, coordinator = self.cast["office"], self.cast["coordinator_a"]
        kind, *args = step
        if kind == "create":
            unit_name, key, start, drawn, status = args
            activity = self.record(
                coordinator,
                self.cast[unit_name],
                key,
                status=status,
                start_date=start,
                values=_values(self.types[key], drawn),
            )
            self.ids.append(activity.pk)
            return
        activity = self._pick(args[0])
        if activity is None:
            return
        if kind == "edit":
            _which, unit_name, key, start, drawn = args
            services.update_activity(
                coordinator,
                activity,
                version=activity.version,
                unit=self.cast[unit_name],
                type=self.types[key],
                start_date=start,
                values=_values(self.types[key], drawn),
            )
        elif kind == "submit":
            services.submit_activity(coordinator, activity)
        elif kind == "verify":
            services.verify_activity(office, activity)
        elif kind == "return":
            services.return_activity(office, activity, "请补充受众人数的依据")
        elif kind == "unlock":
            services.unlock_activity(office, activity, "数字有误")
        elif kind == "delete":
            services.delete_activity(coordinator, activity)
            self.ids.remove(activity.pk)


@properties
@given(sequence=steps)
def test_rollups_equal_the_raw_aggregates_after_any_sequence(
    sequence, office, coordinator_a, county_a, county_b, enterprise_a, linyi, record
):
    cast = {
        "office": office,
        "coordinator_a": coordinator_a,
        "county_a": county_a,
        "county_b": county_b,
        "enterprise_a": enterprise_a,
    }
    run = Run(cast, linyi, record)
    check_sequence(
        run.apply,
        sequence,
        lambda: maintained(linyi),
        lambda: raw_aggregates(linyi),
        lambda: services.rebuild_tallies(linyi),
    )


def test_the_property_sees_a_wrong_rollup(office, coordinator_a, county_a, linyi, record):
    """The check above would catch a roll-up the services forgot to move."""
    record(coordinator_a, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 9})
    assert maintained(linyi) == raw_aggregates(linyi)
    MonthTally.objects.update(totals={"shows": "3", "audience": "9"})
    assert maintained(linyi) != raw_aggregates(linyi)

import datetime

import pytest

from wenyi.activities.queries import months_elapsed, quota_matrix, quota_status

WINDOW = (datetime.date(2014, 7, 1), datetime.date(2014, 10, 31))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2014, 6, 30), (0, 4)),  # before the stage
        (datetime.date(2014, 7, 1), (0, 4)),  # first day: nothing completed yet
        (datetime.date(2014, 7, 31), (1, 3)),  # last day of July completes it
        (datetime.date(2014, 8, 15), (1, 3)),
        (datetime.date(2014, 10, 31), (4, 0)),
        (datetime.date(2014, 12, 1), (4, 0)),  # after the stage
    ],
)
def test_months_elapsed(today, expected):
    assert months_elapsed(WINDOW, today) == expected


@pytest.mark.parametrize(
    ("count", "completed", "remaining", "expected"),
    [
        (4, 1, 3, "met"),
        (0, 0, 4, "on_track"),  # no month complete: no judgement yet
        (1, 1, 3, "on_track"),  # 1 a month reaches 4
        (0, 1, 3, "behind"),
        (1, 2, 2, "behind"),  # 0.5 a month: 1 + 1 = 2 < 4
        (2, 2, 2, "on_track"),
        (3, 4, 0, "behind"),  # the stage is over
    ],
)
def test_quota_status(count, completed, remaining, expected):
    assert quota_status(count, 4, completed, remaining) == expected


def test_matrix_rolls_up_the_tree(
    office, coordinator_a, city, county_a, county_b, enterprise_a, record, linyi
):
    record(
        coordinator_a, county_a, "weiwen", status="verified", values={"shows": 2, "audience": 300}
    )
    record(
        coordinator_a,
        enterprise_a,
        "weiwen",
        status="verified",
        values={"shows": 1, "audience": 200},
    )
    record(coordinator_a, county_a, "weiwen", status="submitted")  # does not count
    rows = quota_matrix(linyi, [city, county_a, county_b], datetime.date(2014, 8, 15))
    counts = {row.unit.code: {c.type.key: c.count for c in row.cells} for row in rows}
    assert counts["371302"]["weiwen"] == 2
    assert counts["371311"]["weiwen"] == 0
    assert counts["371300"]["weiwen"] == 2
    lanshan = next(r for r in rows if r.unit == county_a)
    weiwen = next(c for c in lanshan.cells if c.type.key == "weiwen")
    assert weiwen.totals == {"shows": 3, "audience": 500}
    assert weiwen.status == "on_track"  # 2 in one completed month
    assert rows[0].rolls_up and not lanshan.rolls_up

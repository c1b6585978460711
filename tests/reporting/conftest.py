"""Generic reporting fixtures: monthly_plan(...) and record_activity(...) build data
through the services, so every test starts from states the app itself can reach."""

import datetime

import pytest

AUGUST = datetime.date(2014, 8, 1)


@pytest.fixture
def monthly_plan(linyi):
    """monthly_plan(actor, unit, month=AUGUST, titles=("送戏进车间",), submit=False)
    -> the unit's work plan for the month with one 慰问演出 item per title."""
    from wenyi.reporting import services
    from wenyi.reporting.enums import ReportKind

    def _plan(actor, unit, month=AUGUST, titles=("送戏进车间",), *, submit=False):
        report = services.open_report(actor, linyi, unit, ReportKind.MONTHLY_PLAN, month)
        weiwen = linyi.activity_types.get(key="weiwen")
        items = [
            {
                "type": weiwen,
                "title": title,
                "planned_date": month.replace(day=8),
                "place": "某机械厂",
            }
            for title in titles
        ]
        report = services.save_report(actor, report, version=report.version, items=items)
        if submit:
            report = services.submit_report(actor, report)
        return report

    return _plan


@pytest.fixture
def record_activity(linyi):
    """record_activity(actor, unit, title="送戏进车间", day=2014-08-08, type_key="weiwen")
    -> a draft activity of the 2014 campaign with every required metric filled."""
    from wenyi.activities import services

    def _record(actor, unit, title="送戏进车间", day=datetime.date(2014, 8, 8), type_key="weiwen"):
        type_ = linyi.activity_types.get(key=type_key)
        values = {
            m.key: ("x" if m.value_type == "text" else 10)
            for m in type_.metrics.all()
            if m.required
        }
        return services.create_activity(
            actor,
            campaign=linyi,
            unit=unit,
            type=type_,
            title=title,
            start_date=day,
            place="某机械厂",
            values=values,
        )

    return _record

"""Who may do what with a report, declared once."""

import rules

from wenyi.core.permissions import submitted_it
from wenyi.orgs.queries import scope_for
from wenyi.orgs.rules import is_manager, is_office_for_unit, manages_unit
from wenyi.reporting.enums import ReportStatus


@rules.predicate
def manages_report_unit(user, report) -> bool:
    return report is not None and scope_for(user).manages(report.unit)


@rules.predicate
def checks_report_unit(user, report) -> bool:
    return report is not None and scope_for(user).manages_above(report.unit)


@rules.predicate
def is_office_for_report(user, report) -> bool:
    return report is not None and scope_for(user).is_office_for(report.unit)


@rules.predicate
def report_editable(user, report) -> bool:
    return report is not None and report.is_editable


@rules.predicate
def report_submitted(user, report) -> bool:
    return report is not None and report.status == ReportStatus.SUBMITTED


@rules.predicate
def report_approved(user, report) -> bool:
    return report is not None and report.status == ReportStatus.APPROVED


rules.add_perm("reporting.view", manages_report_unit)
rules.add_perm("reporting.change", manages_report_unit & report_editable)
rules.add_perm("reporting.submit", manages_report_unit & report_editable)
# nobody decides on what they submitted themselves
rules.add_perm("reporting.approve", checks_report_unit & report_submitted & ~submitted_it)
rules.add_perm("reporting.return", checks_report_unit & report_submitted & ~submitted_it)
rules.add_perm("reporting.unlock", is_office_for_report & report_approved)
# the roles alone, whatever the report's state (see activities.rules)
rules.add_perm("reporting.as_reporter", manages_report_unit)
rules.add_perm("reporting.as_checker", checks_report_unit)
rules.add_perm("reporting.as_office", is_office_for_report)
rules.add_perm("reporting.list", is_manager)
# a unit: the office sees the whole table; the unit's own people start its reports
rules.add_perm("reporting.oversee", is_office_for_unit)
rules.add_perm("reporting.start", manages_unit & ~is_office_for_unit)

"""The report pages: a unit's reports with their deadlines, one report with its editor,
and the actions on it. Outsiders 404, read-only insiders 403."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wenyi.activities.queries import activities_visible_to
from wenyi.campaigns.participation import reporting_units
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import actions, audit, clock
from wenyi.core.actions import Action
from wenyi.core.enums import AuditAction
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.orgs.queries import units_managed_by
from wenyi.reporting import deadlines, services
from wenyi.reporting.enums import MONTHLY, PLANS, ReportKind, ReportStatus
from wenyi.reporting.forms import (
    TEXT_LABELS,
    ReportTextForm,
    ReturnForm,
    UnlockForm,
    activities_for_progress,
    plan_item_formset,
    progress_line_forms,
)
from wenyi.reporting.models import Report
from wenyi.reporting.queries import reports_visible_to
from wenyi.reporting.summary import count_chars, length_question

NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Flag:
    """A report against its deadline: late / missing / due_soon / on_time."""

    key: str
    label: str
    css: str


FLAGS = {
    "late": (gettext_lazy("late"), "text-bg-danger"),
    "missing": (gettext_lazy("missing"), "text-bg-danger"),
    "due_soon": (gettext_lazy("due soon"), "text-bg-warning"),
    "on_time": (gettext_lazy("on time"), "text-bg-success"),
}


def _flag(
    report: Report | None, due: datetime.date, today: datetime.date, soon: int
) -> Flag | None:
    """How a report stands against its due date; None when there is nothing to say yet.

    Timeliness is judged on the first submission (a returned report sent again does
    not become late); a report never submitted is missing once its due date has passed.
    """
    if report is not None and report.first_submitted_at is not None:
        key = "on_time" if report.on_time else "late"
    elif due < today:
        key = "missing"
    elif due <= today + datetime.timedelta(days=soon):
        key = "due_soon"
    else:
        return None
    label, css = FLAGS[key]
    return Flag(key, str(label), css)


def _status_label(status: str) -> str:
    return _("not started") if status == NOT_STARTED else ReportStatus(status).label


@dataclass
class Row:
    """One report a unit owes, with what there is of it so far."""

    slot: deadlines.Slot
    report: Report | None
    flag: Flag | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else NOT_STARTED

    @property
    def status_label(self) -> str:
        return _status_label(self.status)

    @property
    def kind_label(self) -> str:
        return ReportKind(self.slot.kind).label

    @property
    def monthly(self) -> bool:
        return self.slot.kind in MONTHLY


@login_required
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "reporting.list")
    owner = campaign.owner_unit()
    is_office = owner is not None and allowed(request.user, "reporting.oversee", owner)
    today = clock.today()
    soon = campaign.reminder_days_before
    # submitted reports waiting for this login's approval, newest first
    waiting = [
        r
        for r in reports_visible_to(request.user)
        .filter(campaign=campaign, status=ReportStatus.SUBMITTED)
        .select_related("unit")
        .order_by("-submitted_at", "-id")
        if allowed(request.user, "reporting.approve", r)
    ]
    units = []
    if not is_office:
        units = list(
            reporting_units(campaign, today=today, owner=owner)
            .filter(pk__in=units_managed_by(request.user).values("pk"))
            .order_by("path")
        )
    found = {
        (r.unit_id, r.kind, r.period): r
        for r in Report.objects.filter(campaign=campaign, unit__in=units)
    }
    slots = deadlines.slots(campaign)
    tables = [
        (
            unit,
            [
                Row(s, report, _flag(report, s.due, today, soon))
                for s in slots
                for report in [found.get((unit.pk, s.kind, s.period))]
            ],
        )
        for unit in units
    ]
    return render(
        request,
        "reporting/list.html",
        {
            "campaign": campaign,
            "is_office": is_office,
            "waiting": [(r, _flag(r, r.due, today, soon)) for r in waiting],
            "tables": tables,
            "today": today,
        },
    )


def _period(text: str) -> datetime.date:
    try:
        year, month = text.split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise Http404 from None


@login_required
def report_open(request: HttpRequest, slug: str, code: str, kind: str, period: str) -> HttpResponse:
    """The unit's report for one slot; its coordinator starts it as a draft the first
    time. The office looks but does not start other units' reports."""
    campaign = campaign_or_404(request.user, slug)
    if kind not in ReportKind.values:
        raise Http404
    unit = visible_or_404(
        reporting_units(campaign).filter(pk__in=units_managed_by(request.user).values("pk")),
        code=code,
    )
    slot = deadlines.slot_for(campaign, kind, _period(period))
    if slot is None:
        raise Http404
    report = Report.objects.filter(
        campaign=campaign, unit=unit, kind=kind, period=slot.period
    ).first()
    if report is None:
        if not allowed(request.user, "reporting.start", unit):
            return render(
                request,
                "reporting/detail.html",
                {
                    "campaign": campaign,
                    "unit": unit,
                    "slot": slot,
                    "report": None,
                    "kind_label": ReportKind(kind).label,
                    "status_label": _status_label(NOT_STARTED),
                    "status": NOT_STARTED,
                    "flag": _flag(None, slot.due, clock.today(), campaign.reminder_days_before),
                },
            )
        # not started: its page with an empty editor; the first save creates it
        report = Report(campaign=campaign, unit=unit, kind=kind, period=slot.period, due=slot.due)
        return _page(request, report)
    return redirect("reporting:detail", pk=report.pk)


def _report(request: HttpRequest, pk: int) -> Report:
    return visible_or_404(
        reports_visible_to(request.user).select_related(
            "campaign", "unit", "updated_by__person", "approved_by__person"
        ),
        pk=pk,
    )


class _Editor:
    """The forms of one report's editor: text (with the version), and the planned
    items of a plan or the progress lines of a progress report."""

    def __init__(self, request: HttpRequest, report: Report, plan: Report | None, data=None):
        self.report = report
        self.text = ReportTextForm(data, report=report)
        self.items = plan_item_formset(report, data) if report.kind in PLANS else None
        self.lines = []
        if report.kind == ReportKind.MONTHLY_PROGRESS:
            activities = activities_for_progress(activities_visible_to(request.user), report)
            self.lines = progress_line_forms(report, plan, activities, data)

    def is_valid(self) -> bool:
        valid = self.text.is_valid()
        if self.items is not None:
            valid = self.items.is_valid() and valid
        for form in self.lines:
            valid = form.is_valid() and valid
        return valid

    def save(self, actor) -> Report:
        lines = None
        if self.report.kind == ReportKind.MONTHLY_PROGRESS:
            lines = [line for form in self.lines if (line := form.line()) is not None]
        return services.save_report(
            actor,
            self.report,
            version=self.text.cleaned_data["version"],
            text=self.text.cleaned_data["text"],
            items=self.items.items() if self.items is not None else None,
            lines=lines,
        )


def _history(report: Report) -> list[dict]:
    labels = dict(ReportStatus.choices)
    rows = []
    for entry in audit.entries_for(report)[:30]:
        status = None
        if entry.action == AuditAction.TRANSITION:
            status = entry.changes.get("status")
        who = entry.actor
        rows.append(
            {
                "at": entry.at,
                "who": (getattr(getattr(who, "person", None), "name", "") or who.username)
                if who
                else _("system"),
                "action": entry.get_action_display(),
                "status": [labels.get(s, s) for s in status] if status else None,
                "note": entry.note,
            }
        )
    return rows


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require(request.user, "reporting.view", report)
    return _page(request, report)


def _page(request: HttpRequest, report: Report) -> HttpResponse:
    """A report's page: what it says, its editor for those who report for the unit, the
    decisions for the level above. `report` may be a report not started yet (unsaved):
    the first save creates it (looking at a page changes nothing)."""
    user = request.user
    can = {
        name: allowed(user, f"reporting.{name}", report)
        for name in ("change", "submit", "approve", "return", "unlock")
    }
    plan = services.plan_for(report) if report.kind == ReportKind.MONTHLY_PROGRESS else None
    editor = None
    if request.method == "POST":
        # someone who reports for the unit: even when the report was approved meanwhile,
        # let the service refuse and keep what they wrote on the page
        editor = _Editor(request, report, plan, request.POST)
        if editor.is_valid():
            try:
                if report.pk is None:
                    report = editor.report = services.open_report(
                        user, report.campaign, report.unit, report.kind, report.period
                    )
                saved = editor.save(user)
            except services.ReportConflict as exc:
                editor.text.add_error(None, str(exc))
            except ValidationError as exc:
                for message in exc.messages:
                    editor.text.add_error(None, message)
            else:
                submit = "submit_now" in request.POST or "confirm_submit" in request.POST
                if not submit:
                    messages.success(request, _("Saved."))
                    return redirect("reporting:detail", pk=report.pk)
                if _length_unconfirmed(saved, request.POST.get("confirm_submit")):
                    # saved; the question on the page names the count and the target
                    messages.success(request, _("Saved."))
                    url = reverse("reporting:detail", args=[report.pk])
                    return redirect(f"{url}?confirm=submit")
                try:
                    services.submit_report(user, saved)
                except ValidationError as exc:
                    messages.error(
                        request,
                        _("Saved, but not submitted: %(reason)s")
                        % {"reason": " ".join(exc.messages)},
                    )
                else:
                    messages.success(request, _("Saved and submitted."))
                return redirect("reporting:detail", pk=report.pk)
    elif can["change"]:
        editor = _Editor(request, report, plan)
    question = None
    if editor is not None and request.GET.get("confirm") == "submit":
        question = _length_question(report)
    plan_items = list(plan.items.select_related("type")) if plan else []
    lines = {line.item_id: line for line in _lines(report)}
    return render(
        request,
        "reporting/detail.html",
        {
            "campaign": report.campaign,
            "unit": report.unit,
            "report": report,
            "kind_label": report.get_kind_display(),
            "status_label": report.get_status_display(),
            "status": report.status,
            "flag": _flag(report, report.due, clock.today(), report.campaign.reminder_days_before),
            "period_text": f"{report.period:%Y-%m}",
            "items": report.items.select_related("type")
            if report.pk and report.kind in PLANS
            else [],
            "plan": plan,
            "plan_items": plan_items,
            "progress_rows": [(item, lines.get(item.pk)) for item in plan_items],
            "text_label": TEXT_LABELS.get(report.kind, _("Text")),
            "editor": editor,
            "length_question": question,
            "can": can,
            "return_form": ReturnForm(),
            "unlock_form": UnlockForm(),
            "history": _history(report) if report.pk else [],
            "editor_url": reverse("reporting:detail", args=[report.pk])
            if report.pk
            else request.get_full_path(),
        },
    )


@dataclass(frozen=True)
class LengthQuestion:
    """Asked before submitting a summary outside the length tolerance."""

    text: str
    count: int  # the count asked about: confirming it confirms this length only


def _length_question(report: Report) -> LengthQuestion | None:
    if report.kind != ReportKind.SUMMARY:
        return None
    text = length_question(report.campaign, report.text)
    return LengthQuestion(text, count_chars(report.text)) if text else None


def _length_unconfirmed(report: Report, confirmed: str | None) -> bool:
    """A summary outside the length tolerance whose count the author has not confirmed
    (the confirmation names a count: a text changed since is asked about again)."""
    question = _length_question(report)
    return question is not None and confirmed != str(question.count)


def _lines(report: Report):
    if report.kind != ReportKind.MONTHLY_PROGRESS or report.pk is None:
        return []
    return report.lines.select_related("item__type").prefetch_related("activities")


ACTIONS = {
    "submit": Action(
        "reporting.submit",
        services.submit_report,
        gettext_lazy("Submitted to the level above."),
        could="reporting.as_reporter",
    ),
    "approve": Action(
        "reporting.approve",
        services.approve_report,
        gettext_lazy("Approved. The report is now locked."),
        could="reporting.as_checker",
    ),
    "return": Action(
        "reporting.return",
        services.return_report,
        gettext_lazy("Returned to the unit with your comments."),
        form=ReturnForm,
        could="reporting.as_checker",
    ),
    "unlock": Action(
        "reporting.unlock",
        services.unlock_report,
        gettext_lazy("Unlocked. The unit can change it and submit again."),
        form=UnlockForm,
        could="reporting.as_office",
    ),
}


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    back = redirect("reporting:detail", pk=report.pk)
    return actions.dispatch(request, report, action, ACTIONS, back=back)


urlpatterns = [
    path("campaigns/<slug:slug>/reports/", report_list, name="list"),
    path(
        "campaigns/<slug:slug>/reports/<str:code>/<str:kind>/<str:period>/",
        report_open,
        name="open",
    ),
    path("reports/<int:pk>/", report_detail, name="detail"),
    path("reports/<int:pk>/<slug:action>/", report_action, name="action"),
]

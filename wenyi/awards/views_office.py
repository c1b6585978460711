"""The office's results pages: the campaign's results (`awards:results`) with their
state and next step, the lines by award kind and tier, the notices and the objections;
publishing a notice (`awards:publish`, with the window it gives shown before it is
published); an objection (`awards:objection`) with its files, investigation and
decision; the .xlsx export (`awards:export`, never naming an objector).

The office of the campaign's owner unit changes; a supervisor of the review reads
(403 on every change, and never an objector's identity or files); everyone else gets
404. Every page reads in a fixed number of queries whatever the number of lines and
objections.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wenyi.awards import queries, services
from wenyi.awards.enums import DECIDED, ObjectionStatus, ResultsStatus
from wenyi.awards.forms import DecideForm, InvestigateForm, NoticeForm, ReopenForm, VersionForm
from wenyi.awards.models import Objection, Results
from wenyi.campaigns.models import AwardKind, Campaign
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import clock, uploads, workdays
from wenyi.core.actions import form_errors
from wenyi.core.permissions import allowed, require
from wenyi.core.versioning import show_refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign whose results the office runs or a supervisor reads; 404 for the
    rest."""
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "awards.view_results", campaign):
        raise Http404
    return campaign


def _results_or_404(campaign: Campaign) -> Results:
    results = queries.results_of(campaign)
    if results is None:
        raise Http404
    return results


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _back(campaign: Campaign) -> HttpResponse:
    return redirect("awards:results", slug=campaign.slug)


# -- the results page --------------------------------------------------------------------


def next_step(request: HttpRequest, results: Results | None, objections: list) -> str:
    """What the office does next, in words, for the banner."""
    if results is None:
        return _("Draw the results from the award tiers approved in the review.")
    today = clock.today()
    if results.status == ResultsStatus.DRAFT:
        if results.drawn_by_id == request.user.pk:
            return _("Check the lines. You drew them: another member of the office approves them.")
        return _("Check the lines and approve them, or draw them again.")
    if results.status == ResultsStatus.APPROVED:
        return _("Put the provisional results on public notice.")
    if results.status == ResultsStatus.NOTICE:
        latest = results.latest
        waiting = [o for o in objections if o.status not in DECIDED]
        if latest is not None and today < latest.starts_on:
            return _("The notice opens to objections on %(start)s.") % {
                "start": latest.starts_on.isoformat()
            }
        if latest is not None and today <= latest.ends_on:
            return _(
                "The notice is open to objections until %(end)s; investigate and decide each "
                "one as it comes in."
            ) % {"end": latest.ends_on.isoformat()}
        if waiting:
            return _(
                "The notice has ended: decide the objections still open, then declare "
                "the results final."
            )
        return _("The notice has ended and every objection is decided: declare the results final.")
    return _(
        "The results are final: make the commendation decision and the certificates from "
        "them under “Documents and certificates” in the menu."
    )


def _context(request: HttpRequest, campaign: Campaign, results: Results | None) -> dict[str, Any]:
    user = request.user
    context: dict[str, Any] = {
        "campaign": campaign,
        "results": results,
        "can_manage": allowed(user, "awards.manage", campaign),
        "can_draw": allowed(user, "awards.draw", results or campaign),
        "sees_objector": allowed(user, "awards.see_objector", campaign),
    }
    objections: list[Objection] = []
    if results is not None:
        notices = list(results.notices.order_by("number"))
        results.latest = notices[-1] if notices else None
        for notice in notices:
            notice.window = services.window_text(campaign, notice.starts_on, notice.ends_on)
        objections = list(queries.objections_of(results))
        for objection in objections:
            objection.result = services.describe(objection.award)
        awards = list(queries.all_awards(results))
        kinds = list(AwardKind.objects.filter(campaign=campaign).order_by("position", "id"))
        present = {a.award_kind_id for a in awards}
        context |= {
            "groups": queries.grouped(awards),
            "total": sum(1 for a in awards if a.standing),
            "withdrawn": sum(1 for a in awards if not a.standing),
            "missing": [k for k in kinds if k.pk not in present],
            "notices": notices,
            "latest": results.latest,
            "objections": objections,
            "undecided": [o.reference for o in objections if o.status not in DECIDED],
            "can_approve": allowed(user, "awards.approve", results),
            "can_reopen": allowed(user, "awards.reopen", results),
            "can_publish": allowed(user, "awards.publish", results)
            and (results.status != ResultsStatus.NOTICE or not services.renotice_refusal(results)),
            "can_final": allowed(user, "awards.declare_final", results),
            "own_draw": results.drawn_by_id == user.pk,
            "drawn_by": _name(results.drawn_by),
            "approved_by": _name(results.approved_by),
            "final_by": _name(results.final_by),
        }
    context["next_step"] = next_step(request, results, objections)
    return context


def _name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return getattr(person, "name", "") or user.get_username()


@login_required
@require_safe
def results_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    results = (
        Results.objects.filter(campaign=campaign)
        .select_related("drawn_by__person", "approved_by__person", "final_by__person")
        .first()
    )
    context = _context(request, campaign, results)
    context["reopen_form"] = ReopenForm()
    return render(request, "awards/office/results.html", context)


@login_required
@require_POST
def results_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    # the office is told by the service why a state refuses; a supervisor gets 403
    require(request.user, "awards.manage", campaign)
    user = request.user
    try:
        if action == "draw":
            drawn = services.draw(user, campaign)
            total = sum(drawn.counts.values())
            messages.success(request, _("Results drawn: %(n)s award lines.") % {"n": total})
            for warning in drawn.warnings():
                messages.warning(request, warning)
            return _back(campaign)
        results = _results_or_404(campaign)
        form = VersionForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else None
        if action == "approve":
            services.approve(user, results, version=version)
            messages.success(request, _("Results approved (provisional)."))
        elif action == "reopen":
            reason = ReopenForm(request.POST)
            if not reason.is_valid():
                messages.error(request, form_errors(reason))
                return _back(campaign)
            services.reopen(user, results, reason=reason.cleaned_data["reason"])
            messages.success(request, _("The approval was taken back: the results are a draft."))
        elif action == "final":
            services.declare_final(user, results, version=version)
            messages.success(request, _("The results are final."))
        else:
            raise Http404
    except ValidationError as exc:
        _error(request, exc)
    return _back(campaign)


# -- publishing a notice ------------------------------------------------------------------


def _initial(campaign: Campaign, results: Results) -> dict[str, Any]:
    number = results.notices.count() + 1
    title = _("Public notice of the results of %(campaign)s") % {"campaign": campaign.title}
    if number > 1:
        title = _("Public notice of the results of %(campaign)s (no. %(n)s)") % {
            "campaign": campaign.title,
            "n": number,
        }
    text = _(
        "After recommendation by the units and evaluation by the expert committee, the units, "
        "people and works below are proposed for commendation in %(campaign)s and are hereby "
        "put on public notice. Anyone who objects to a result may raise an objection during "
        "the notice through the objection form on this page, under their real name with a "
        "telephone number; a unit objects under its seal (a scan of it is uploaded). Give the "
        "grounds and the evidence. Anonymous objections and objections raised after the "
        "notice has ended are not received."
    ) % {"campaign": campaign.title}
    return {
        "version": results.version,
        "starts_on": clock.today(),
        "title": title,
        "text": text,
    }


def _preview(campaign: Campaign, day) -> tuple[str, str]:
    """(the window a start date gives, in words; why there is none) — ("", "") without
    a date."""
    if day is None:
        return "", ""
    try:
        first, last = campaign.notice_window(day)
    except (workdays.UnknownYear, ValueError) as exc:
        return "", _("Start date: %(why)s") % {"why": exc}
    return services.window_text(campaign, first, last), ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "awards.manage", campaign)
    results = _results_or_404(campaign)
    if request.method != "POST":
        if not allowed(request.user, "awards.publish", results):
            messages.error(request, _("Only approved results go on public notice."))
            return _back(campaign)
        if results.status == ResultsStatus.NOTICE and services.renotice_refusal(results):
            messages.error(request, services.renotice_refusal(results))
            return _back(campaign)
        form = NoticeForm(initial=_initial(campaign, results))
        window, problem = _preview(campaign, form.initial["starts_on"])
    else:
        form = NoticeForm(request.POST)
        window, problem = "", ""
        if form.is_valid():
            window, problem = _preview(campaign, form.cleaned_data["starts_on"])
        if problem:
            form.add_error("starts_on", problem)
            problem = ""
        elif form.is_valid() and "publish" in request.POST:
            data = form.cleaned_data
            try:
                notice = services.publish_notice(
                    request.user,
                    results,
                    starts_on=data["starts_on"],
                    title=data["title"],
                    text=data["text"],
                    version=data["version"],
                )
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                messages.success(
                    request,
                    _("The notice is published. %(window)s")
                    % {"window": services.window_text(campaign, notice.starts_on, notice.ends_on)},
                )
                return _back(campaign)
    return render(
        request,
        "awards/office/publish.html",
        {
            "campaign": campaign,
            "results": results,
            "form": form,
            "window": window,
            "problem": problem,
        },
    )


# -- an objection -------------------------------------------------------------------------


def _objection(campaign: Campaign, reference: str) -> Objection:
    return get_object_or_404(
        Objection.objects.select_related(
            "notice__results",
            "award__award_kind",
            "award__tier",
            "investigated_by__person",
            "decided_by__person",
        ),
        notice__results__campaign=campaign,
        reference=reference,
    )


@login_required
@require_safe
def objection_page(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    objection = _objection(campaign, reference)
    user = request.user
    sees = allowed(user, "awards.see_objector", objection)
    may_handle = allowed(user, "awards.handle_objection", objection)
    return render(
        request,
        "awards/office/objection.html",
        {
            "campaign": campaign,
            "objection": objection,
            "result": services.describe(objection.award),
            "sees_objector": sees,
            "files": list(objection.files.all()) if sees else [],
            "may_handle": may_handle,
            "own": may_handle and services.raised_it(user, objection),
            "investigate_form": InvestigateForm()
            if may_handle and objection.status == ObjectionStatus.RECEIVED
            else None,
            "decide_form": DecideForm() if may_handle else None,
            "investigated_by": _name(objection.investigated_by),
            "decided_by": _name(objection.decided_by),
        },
    )


@login_required
@require_POST
def objection_action(request: HttpRequest, slug: str, reference: str, action: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "awards.manage", campaign)
    objection = _objection(campaign, reference)
    back = redirect("awards:objection", slug=campaign.slug, reference=objection.reference)
    try:
        if action == "investigate":
            form = InvestigateForm(request.POST)
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return back
            services.start_investigation(request.user, objection, note=form.cleaned_data["note"])
            messages.success(request, _("The objection is under investigation."))
        elif action == "decide":
            form = DecideForm(request.POST)
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return back
            upheld = form.cleaned_data["outcome"] == "upheld"
            services.decide(
                request.user, objection, upheld=upheld, decision=form.cleaned_data["decision"]
            )
            messages.success(
                request,
                _("Objection upheld: the result is withdrawn.")
                if upheld
                else _("Objection dismissed: the result stands."),
            )
        else:
            raise Http404
    except ValidationError as exc:
        _error(request, exc)
    return back


@login_required
@require_safe
def objection_file(
    request: HttpRequest, slug: str, reference: str, pk: int, variant: str
) -> HttpResponse:
    """A file sent with an objection: for the office only (a supervisor gets 403)."""
    campaign = _campaign(request, slug)
    objection = _objection(campaign, reference)
    if not allowed(request.user, "awards.see_objector", objection):
        raise PermissionDenied
    return uploads.serve_one(request, objection.files.all(), pk, variant, originals=True)


# -- export -------------------------------------------------------------------------------


@login_required
@require_safe
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """The results and the objections' outcomes as .xlsx — never who raised them."""
    from openpyxl import Workbook

    from wenyi.core import xlsx

    campaign = _campaign(request, slug)
    results = _results_or_404(campaign)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:31]
    ws.append(
        [
            _("Award kind"),
            _("Tier"),
            _("Order"),
            _("Awarded to"),
            _("Unit"),
            _("Title of the work"),
            _("Score"),
            _("Status"),
            _("Why it was withdrawn"),
        ]
    )
    for award in queries.all_awards(results):
        ws.append(
            [
                award.award_kind.name,
                award.tier.name if award.tier_id else "",
                award.position,
                award.holder,
                award.unit_name,
                award.title,
                award.score,
                award.get_status_display(),
                award.withdrawn_reason,
            ]
        )
    sheet = wb.create_sheet(_("Objections")[:31])
    sheet.append(
        [
            _("Reference number"),
            _("Notice"),
            _("Result objected to"),
            _("Received at"),
            _("Status"),
            _("Written decision"),
            _("Decided at"),
        ]
    )
    for objection in queries.public_outcomes(results):
        sheet.append(
            [
                objection.reference,
                objection.notice.number,
                services.describe(objection.award),
                _local(objection.received_at),
                objection.get_status_display(),
                objection.decision,
                _local(objection.decided_at),
            ]
        )
    response = HttpResponse(xlsx.save(wb), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-results.xlsx"'
    return response


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


urlpatterns = [
    path("campaigns/<slug:slug>/results/", results_page, name="results"),
    path("campaigns/<slug:slug>/results/notice/", publish, name="publish"),
    path("campaigns/<slug:slug>/results/export/", export, name="export"),
    path(
        "campaigns/<slug:slug>/results/objections/<str:reference>/",
        objection_page,
        name="objection",
    ),
    path(
        "campaigns/<slug:slug>/results/objections/<str:reference>/files/<int:pk>/<slug:variant>/",
        objection_file,
        name="objection_file",
    ),
    path(
        "campaigns/<slug:slug>/results/objections/<str:reference>/<slug:action>/",
        objection_action,
        name="objection_action",
    ),
    path("campaigns/<slug:slug>/results/<slug:action>/", results_action, name="action"),
]

"""Recording, checking and counting activities. Outsiders 404, read-only insiders 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wenyi.activities import evidence as evidence_files
from wenyi.activities import services
from wenyi.activities.enums import ActivityStatus, QuotaStatus
from wenyi.activities.filters import filter_activities
from wenyi.activities.forms import ActivityForm
from wenyi.activities.models import Activity
from wenyi.activities.queries import (
    activities_visible_to,
    metric_columns,
    quota_rows_for,
)
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import actions, audit, clock, tokens
from wenyi.core import uploads as core_uploads
from wenyi.core.actions import Action, ReasonForm
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs.models import Person
from wenyi.orgs.queries import by_name, unit_choices, units_flat, units_managed_by


@login_required
def activity_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "activities.view_list")
    activities = filter_activities(
        activities_visible_to(request.user).filter(campaign=campaign), request.GET
    )
    activities = activities.select_related("type", "unit").order_by("-start_date", "-id")
    page = Paginator(activities, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/list.html",
        {
            "campaign": campaign,
            "page": page,
            "params": request.GET,
            "types": campaign.activity_types.all(),
            "units": units_flat(units_managed_by(request.user)),
            "statuses": ActivityStatus.choices,
            "can_record": allowed(request.user, "activities.list"),
        },
    )


def _people_for(user):
    return by_name(
        Person.objects.filter(pk__in=units_managed_by(user).values("people")).select_related("unit")
    )


@login_required
def activity_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "activities.list")
    types = list(campaign.activity_types.prefetch_related("metrics"))
    type_ = next((t for t in types if t.key == request.GET.get("type")), None)
    if type_ is None:
        return render(
            request,
            "activities/pick_type.html",
            {"campaign": campaign, "types": types, "unit": request.GET.get("unit", "")},
        )
    units = unit_choices(units_managed_by(request.user))
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = units.filter(code=request.GET["unit"]).first()
    elif units.count() == 1:
        initial["unit"] = units.first()
    form = ActivityForm(
        request.POST or None,
        campaign=campaign,
        type_=type_,
        units=units,
        people=_people_for(request.user),
        initial=initial,
    )
    if request.method == "POST":
        # the same form sent again (double click, retry after a timeout): show what the
        # first request saved instead of checking it against itself as a duplicate
        token = tokens.bind(request, request.POST.get("token"))
        sent = services.activity_for_token(token, request.user)
        if sent is not None:
            return redirect("activities:detail", pk=sent.pk)
        uploads = request.FILES.getlist("files") + request.FILES.getlist("camera")
        links = [
            line.strip() for line in request.POST.get("links", "").splitlines() if line.strip()
        ]
        if form.is_valid():
            prepared, problems = _prepare_uploads(uploads)
            if problems:
                for problem in problems:
                    form.add_error(None, problem)
            else:
                try:
                    activity, refused = _create_with_files(
                        request, form, campaign, type_, prepared, links, token
                    )
                except services.DuplicateActivity as exc:
                    # someone saved the same activity while this form was being filled in
                    form.duplicates = exc.duplicates
                    form.add_error(None, exc)
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    for note in core_uploads.shortened(uploads):
                        messages.info(request, note)
                    if refused:
                        messages.warning(
                            request,
                            _("Activity saved as a draft, not submitted: %(reason)s")
                            % {"reason": refused},
                        )
                    elif activity.status == ActivityStatus.SUBMITTED:
                        messages.success(request, _("Activity saved and submitted for checking."))
                    else:
                        messages.success(request, _("Activity saved as a draft."))
                    return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "campaign": campaign,
            "type": type_,
            "form": form,
            "activity": None,
            "max_mb": evidence_files.max_upload_mb(),
        },
    )


def _prepare_uploads(uploads) -> tuple[list, list[str]]:
    """Check and process every file before anything is saved; all problems at once."""
    prepared, problems = [], []
    for upload in uploads:
        try:
            prepared.append(evidence_files.prepare_upload(upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    return prepared, problems


def _create_with_files(
    request, form, campaign, type_, prepared, links, token
) -> tuple[Activity, str]:
    """The activity and its files together: a failure anywhere leaves neither. With
    *Save and submit*, a submission the service refuses (an activity dated after
    today) leaves the draft saved: (activity, the reason; "" when nothing was refused)."""
    submit_now = "submit_now" in request.POST
    refused = ""
    with core_uploads.files_written(), transaction.atomic():
        activity = services.create_activity(
            request.user,
            campaign=campaign,
            type=type_,
            **form.activity_fields(),
            participants=form.cleaned_data["participants"],
            values=form.metric_values(),
            token=token,
            allow_duplicate=bool(form.cleaned_data.get("confirm_duplicate")),
        )
        for item in prepared:
            evidence_files.store_evidence(request.user, activity, item.file, prepared=item)
        for link in links:
            evidence_files.add_link(request.user, activity, link)
        if submit_now:
            try:
                with transaction.atomic():
                    services.submit_activity(request.user, activity)
            except ValidationError as exc:
                refused = " ".join(exc.messages)
    return activity, refused


def _activity(request: HttpRequest, pk: int) -> Activity:
    return visible_or_404(
        activities_visible_to(request.user).select_related(
            "campaign", "type", "unit", "verified_by", "created_by"
        ),
        pk=pk,
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    require(request.user, "activities.view", activity)
    user = request.user
    values = activity.values.select_related("metric").order_by("metric__position")
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "values": values,
            "participants": activity.participants.select_related("unit"),
            "evidence_list": activity.evidence.all(),
            "can_add": allowed(user, "activities.add_evidence", activity),
            "can_see_originals": allowed(user, "activities.view_original_files", activity),
            "can": {
                name: allowed(user, f"activities.{name}", activity)
                for name in ("change", "submit", "delete", "verify", "return", "unlock")
            },
            "duplicates": services.find_duplicates(
                activity.unit, activity.type, activity.start_date, activity.place, exclude=activity
            )[:5],
            "history": audit.entries_for(activity)[:20]
            if allowed(user, "activities.view_history", activity)
            else [],
            "reason_form": ReasonForm(),
            "max_mb": evidence_files.max_upload_mb(),
        },
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    require(request.user, "activities.change", activity)
    campaign, type_ = activity.campaign, activity.type
    units = unit_choices(units_managed_by(request.user), keep=activity.unit)
    initial = {
        name: getattr(activity, name)
        for name in ("unit", "title", "start_date", "end_date", "place", "address", "description")
    }
    initial["participants"] = list(activity.participants.all())
    initial["version"] = activity.version
    form = ActivityForm(
        request.POST or None,
        campaign=campaign,
        type_=type_,
        units=units,
        people=_people_for(request.user),
        instance=activity,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                request.user,
                activity,
                version=form.cleaned_data["version"],
                **form.activity_fields(),
                participants=form.cleaned_data["participants"],
                values=form.metric_values(),
                allow_duplicate=bool(form.cleaned_data.get("confirm_duplicate")),
            )
        except services.DuplicateActivity as exc:
            form.duplicates = exc.duplicates
            form.add_error(None, exc)
        except ValidationError as exc:  # an edit conflict too
            show_refusal(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {
            "campaign": campaign,
            "type": type_,
            "form": form,
            "activity": activity,
        },
    )


ACTIONS = {
    "submit": Action(
        "activities.submit",
        services.submit_activity,
        gettext_lazy("Submitted for checking."),
        could="activities.as_recorder",
    ),
    "verify": Action(
        "activities.verify",
        services.verify_activity,
        gettext_lazy("Verified. It now counts toward the quota."),
        could="activities.as_checker",
    ),
    "return": Action(
        "activities.return",
        services.return_activity,
        gettext_lazy("Returned to the unit."),
        form=ReasonForm,
        could="activities.as_checker",
    ),
    "unlock": Action(
        "activities.unlock",
        services.unlock_activity,
        gettext_lazy("Unlocked. It no longer counts until verified again."),
        form=ReasonForm,
        could="activities.as_office",
    ),
    "delete": Action(
        "activities.delete",
        services.delete_activity,
        gettext_lazy("Draft deleted."),
        could="activities.as_recorder",
    ),
}


@login_required
@require_POST
def activity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = _activity(request, pk)
    if action == "delete":
        back = redirect("activities:list", slug=activity.campaign.slug)
    else:
        back = redirect("activities:detail", pk=activity.pk)
    return actions.dispatch(request, activity, action, ACTIONS, back=back)


def _number(value) -> str:
    """1200.00 -> "1200", 2.50 -> "2.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@login_required
def quota(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "activities.list")
    rows = quota_rows_for(request.user, campaign)
    types = [cell.type for cell in rows[0].cells] if rows else []
    columns = metric_columns(types)
    # the totals table, laid out here: a template loop per cell and metric is slow
    keys = [(t.pk, m.key) for t, m in columns]
    totals = [
        (
            row,
            format_html_join(
                "",
                '<td class="text-end">{}</td>',
                ((_number(by_type[type_id].get(key, 0)),) for type_id, key in keys),
            ),
        )
        for row in rows
        for by_type in [{cell.type.pk: cell.totals for cell in row.cells}]
    ]
    counts = {
        s: sum(1 for r in rows if not r.rolls_up and r.status == s) for s in QuotaStatus.values
    }
    return render(
        request,
        "activities/quota.html",
        {
            "campaign": campaign,
            "rows": rows,
            "types": types,
            "counts": counts,
            "columns": columns,
            "totals": totals,
            "statuses": QuotaStatus,
            "today": clock.today(),
        },
    )

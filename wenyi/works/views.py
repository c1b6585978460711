"""Entering, submitting and browsing works (the office's check of possible copies is in
views_originality).

Outsiders get 404 (works are fetched through `works_visible_to`), read-only insiders
403. Artists enter their works as drafts, which hands them to their unit; the unit's
coordinator (or the office) submits them. The original of a picture, which may hold
the place it was taken, is served to the office only; everyone else sees the copy
without location data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from wenyi.activities.queries import activities_visible_to
from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import actions, audit, tokens
from wenyi.core import uploads as core_uploads
from wenyi.core.actions import Action
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs import services as org_services
from wenyi.orgs.models import Person
from wenyi.orgs.queries import person_of, units_flat, units_managed_by
from wenyi.works import files as work_files
from wenyi.works import services
from wenyi.works.enums import FileRole, MatchStatus, Origin, WorkStatus
from wenyi.works.forms import ConsentForm, WorkForm, format_duration
from wenyi.works.models import Match, Work, WorkAuthor, WorkFile
from wenyi.works.queries import (
    authors_for_entry,
    filter_works,
    sees,
    units_for_entry,
    with_standing,
    works_visible_to,
)

PAGE_SIZE = 24


# --- the gallery ----------------------------------------------------------------------


@login_required
def work_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "works.enter")
    units = units_flat(units_managed_by(request.user))
    works = filter_works(
        works_visible_to(request.user).filter(campaign=campaign), request.GET, units
    )
    works = with_standing(works)
    works = (
        works.select_related("category", "unit")
        .prefetch_related(
            Prefetch(
                "author_links", WorkAuthor.objects.select_related("person").order_by("position")
            ),
            Prefetch("files", WorkFile.objects.order_by("id")),
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))
    is_office = allowed(request.user, "works.review_originality")
    open_copies = {}
    if is_office:
        open_copies = dict(
            Match.objects.filter(work__in=[w.pk for w in page], status=MatchStatus.OPEN)
            .values("work")
            .annotate(n=Count("id"))
            .values_list("work", "n")
        )
    for work in page:
        work.cover = next(
            (f for f in work.files.all() if f.role == FileRole.IMAGE and f.thumbnail), None
        )
        work.open_copies = open_copies.get(work.pk, 0)
    return render(
        request,
        "works/list.html",
        {
            "campaign": campaign,
            "page": page,
            "params": request.GET,
            "categories": campaign.work_categories.select_related("parent").order_by(
                "position", "id"
            ),
            "units": units,
            "statuses": WorkStatus.choices,
            "origins": Origin.choices,
            "is_office": is_office,
        },
    )


# --- entering and editing -------------------------------------------------------------


def _leaf_categories(campaign):
    return [
        c
        for c in campaign.work_categories.select_related("parent")
        .annotate(n_children=Count("children"))
        .order_by("position", "id")
        if c.n_children == 0
    ]


def _form(request, campaign, category, person, instance=None, initial=None):
    return WorkForm(
        request.POST or None,
        campaign=campaign,
        category=category,
        units=units_for_entry(request.user, keep=instance.unit if instance else None),
        people=authors_for_entry(request.user),
        activities=activities_visible_to(request.user)
        .filter(campaign=campaign, type__produces_works=True)
        .select_related("unit")
        .order_by("-start_date", "-id"),
        instance=instance,
        initial=initial,
    )


def _uploads(request) -> list:
    return request.FILES.getlist("files") + request.FILES.getlist("camera")


def _prepare(category, uploads) -> tuple[list, list[str]]:
    """Check every upload before anything is saved; all problems at once."""
    prepared, problems = [], []
    for upload in uploads:
        try:
            prepared.append(work_files.prepare_work_file(category, upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    return prepared, problems


def _new_authors(actor, form) -> list[Person]:
    unit = form.cleaned_data["unit"]
    return [
        org_services.create_person(actor, name=name, unit=unit)
        for name in form.cleaned_data["new_authors"]
    ]


def _form_context(campaign, category, form, work=None, *, can_submit_now=False) -> dict:
    kinds = set(category.file_kinds or [])
    accept = []
    if FileKind.IMAGE in kinds:
        accept.append("image/*")
    if FileKind.AUDIO in kinds:
        accept.append("audio/*")
    if FileKind.VIDEO in kinds:
        accept.append("video/*")
    if FileKind.DOCUMENT in kinds:
        accept += [".pdf", ".doc", ".docx", ".wps"]
    return {
        "campaign": campaign,
        "category": category,
        "form": form,
        "work": work,
        "accept": ",".join(accept),
        "takes_images": FileKind.IMAGE in kinds,
        "max_mb": work_files.max_file_mb(category),
        "can_submit_now": can_submit_now,
    }


@login_required
def work_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "works.enter")
    person = person_of(request.user)
    categories = _leaf_categories(campaign)
    category = next((c for c in categories if c.key == request.GET.get("form")), None)
    if category is None:
        return render(
            request, "works/pick_form.html", {"campaign": campaign, "categories": categories}
        )
    units = units_for_entry(request.user)
    how_many = units.count()
    if not how_many:
        raise PermissionDenied
    initial = {}
    manages = units_managed_by(request.user).exists()
    if person is not None and not manages:
        # an art worker enters their own work
        initial = {"unit": person.unit, "authors": [person], "consent_name": person.name}
    elif how_many == 1:
        initial["unit"] = units.first()
    form = _form(request, campaign, category, person, initial=initial)
    if request.method == "POST":
        # the same form sent again (double click, retry after a timeout): show the work
        # the first request saved
        token = tokens.bind(request, request.POST.get("token"))
        sent = services.work_for_token(token, request.user)
        if sent is not None:
            return redirect("works:detail", pk=sent.pk)
        if form.is_valid():
            prepared, problems = _prepare(category, _uploads(request))
            for problem in problems:
                form.add_error(None, problem)
            if not problems:
                try:
                    work = _create(request, form, campaign, category, prepared, token)
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    for note in core_uploads.shortened(_uploads(request)):
                        messages.info(request, note)
                    if work.status == WorkStatus.SUBMITTED:
                        messages.success(request, _("Work saved and submitted."))
                    elif allowed(request.user, "works.submit", work):
                        messages.success(request, _("Work saved as a draft."))
                    else:
                        messages.success(
                            request, _("Work saved and handed to your unit, which submits it.")
                        )
                    return redirect("works:detail", pk=work.pk)
    return render(
        request, "works/form.html", _form_context(campaign, category, form, can_submit_now=manages)
    )


def _create(request, form, campaign, category, prepared, token) -> Work:
    """The work, its new authors and its files together: a failure leaves none of them."""
    data = form.cleaned_data
    with core_uploads.files_written(), transaction.atomic():
        authors = list(data["authors"]) + _new_authors(request.user, form)
        work = services.create_work(
            request.user,
            campaign=campaign,
            category=category,
            authors=authors,
            token=token,
            **form.work_fields(),
        )
        for item in prepared:
            work_files.store_work_file(request.user, work, item.file, prepared=item)
        if data.get("consent_portal") or data.get("consent_anthology"):
            services.record_consent(
                request.user,
                work,
                portal=data["consent_portal"],
                anthology=data["consent_anthology"],
                name=data["consent_name"],
            )
        if "submit_now" in request.POST and allowed(request.user, "works.submit", work):
            services.submit_work(request.user, work)
            work.refresh_from_db()
    return work


def _work(request: HttpRequest, pk: int) -> Work:
    return visible_or_404(
        with_standing(works_visible_to(request.user)).select_related(
            "campaign", "category", "unit", "activity", "created_by", "consent_by"
        ),
        pk=pk,
    )


@login_required
def work_edit(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    require(request.user, "works.change", work)
    person = person_of(request.user)
    initial = {
        name: getattr(work, name)
        for name in (
            "title",
            "text",
            "video_url",
            "unit",
            "origin",
            "activity",
            "created_on",
            "description",
        )
    }
    initial["duration"] = format_duration(work.duration_seconds)
    initial["version"] = work.version
    initial["authors"] = [link.person for link in work.author_links.select_related("person")]
    form = _form(request, work.campaign, work.category, person, instance=work, initial=initial)
    existing = list(work.files.all())
    if request.method == "POST" and form.is_valid():
        prepared, problems = _prepare(work.category, _uploads(request))
        for problem in problems:
            form.add_error(None, problem)
        remove = {int(v) for v in request.POST.getlist("remove_file") if v.isdigit()}
        if not problems:
            try:
                with core_uploads.files_written(), transaction.atomic():
                    authors = list(form.cleaned_data["authors"]) + _new_authors(request.user, form)
                    services.update_work(
                        request.user,
                        work,
                        version=form.cleaned_data["version"],
                        authors=authors,
                        files_changed=bool(prepared or remove & {f.pk for f in existing}),
                        **form.work_fields(),
                    )
                    for item in existing:
                        if item.pk in remove:
                            work_files.remove_work_file(request.user, item)
                    for item in prepared:
                        work_files.store_work_file(request.user, work, item.file, prepared=item)
            except ValidationError as exc:  # an edit conflict too
                show_refusal(form, exc)
            else:
                for note in core_uploads.shortened(_uploads(request)):
                    messages.info(request, note)
                messages.success(request, _("Saved."))
                return redirect("works:detail", pk=work.pk)
    context = _form_context(work.campaign, work.category, form, work)
    context["existing"] = existing
    return render(request, "works/form.html", context)


# --- a work ---------------------------------------------------------------------------


@login_required
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    work = _work(request, pk)
    require(request.user, "works.view", work)
    user = request.user
    files = list(work.files.all())
    disqualification = (
        work.matches.filter(status=MatchStatus.DISQUALIFIED).order_by("-decided_at").first()
        if work.disqualified
        else None
    )
    is_reviewer = allowed(user, "works.review_originality")
    matches = []
    if is_reviewer:
        matches = list(
            Match.objects.filter(Q(work=work) | Q(other=work))
            .select_related(
                "work__campaign", "work__category", "other__campaign", "other__category"
            )
            .annotate(work_seen=sees(user, "work"), other_seen=sees(user, "other"))
            .order_by(
                Case(
                    When(status=MatchStatus.OPEN, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                ),
                "-found_at",
            )
        )
    for m in matches:
        # the other work of the pair; one outside the viewer's units is named by its
        # art form and campaign only (see views_originality)
        mine = m.work_id == work.pk
        m.counterpart = m.other if mine else m.work
        m.counterpart_seen = m.other_seen if mine else m.work_seen
    consent = ConsentForm(
        initial={
            "portal": work.consent_portal,
            "anthology": work.consent_anthology,
            "name": work.consent_name,
        }
    )
    return render(
        request,
        "works/detail.html",
        {
            "work": work,
            "authors": [link.person for link in work.author_links.select_related("person__unit")],
            "images": [f for f in files if f.role == FileRole.IMAGE],
            "audio": [f for f in files if f.role == FileRole.AUDIO],
            "videos": [f for f in files if f.role == FileRole.VIDEO],
            "documents": [f for f in files if f.role in (FileRole.DOCUMENT, FileRole.SCORE)],
            "duration": format_duration(work.duration_seconds),
            "can_see_originals": allowed(user, "works.view_original_files", work),
            "can": {
                name: allowed(user, f"works.{name}", work)
                for name in ("change", "submit", "withdraw")
            },
            "can_consent": allowed(user, "works.consent", work),
            "consent_form": consent,
            "matches": matches,
            "history": audit.entries_for(work)[:30]
            if allowed(user, "works.view_history", work)
            else [],
            "status_labels": dict(WorkStatus.choices),
            "disqualification": disqualification,
        },
    )


ACTIONS = {
    "submit": Action(
        "works.submit",
        services.submit_work,
        gettext_lazy("Submitted. The originality check runs in the background."),
        could="works.as_manager",
    ),
    "withdraw": Action(
        "works.withdraw",
        services.withdraw_work,
        gettext_lazy("Withdrawn."),
        could="works.as_owner",
    ),
}


@login_required
@require_POST
def work_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    work = _work(request, pk)
    require(request.user, "works.view", work)
    back = redirect("works:detail", pk=work.pk)
    if action != "consent":
        return actions.dispatch(request, work, action, ACTIONS, back=back)
    require(request.user, "works.consent", work)
    form = ConsentForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.record_consent(
            request.user,
            work,
            portal=data.get("portal", False),
            anthology=data.get("anthology", False),
            name=data.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Consent recorded."))
    return back


@login_required
@require_safe
def work_file(request: HttpRequest, pk: int, fid: int, variant: str) -> HttpResponse:
    """original: as uploaded (a picture's or video's for the office only); public: what
    everyone sees; thumb: the thumbnail (see core.uploads.serve)."""
    work = _work(request, pk)
    require(request.user, "works.view", work)
    originals = allowed(request.user, "works.view_original_files", work)
    return core_uploads.serve_one(request, work.files, fid, variant, originals=originals)


urlpatterns = [
    path("campaigns/<slug:slug>/works/", work_list, name="list"),
    path("campaigns/<slug:slug>/works/new/", work_add, name="add"),
    path("works/<int:pk>/", work_detail, name="detail"),
    path("works/<int:pk>/edit/", work_edit, name="edit"),
    path("works/<int:pk>/files/<int:fid>/<slug:variant>/", work_file, name="file"),
    path("works/<int:pk>/<slug:action>/", work_action, name="action"),
]

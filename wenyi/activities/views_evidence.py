"""Evidence of an activity: adding (all or nothing), serving and removing files.

Outsiders get 404 (the activity is fetched through `activities_visible_to`),
read-only insiders 403. The original of a photo, which may hold the place it was
taken, is served to the office only; everyone else sees the public copy.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from wenyi.activities import evidence as evidence_files
from wenyi.activities.models import Activity, Evidence
from wenyi.activities.queries import activities_visible_to
from wenyi.core import uploads as core_uploads
from wenyi.core.permissions import allowed, require, visible_or_404


def _activity(request: HttpRequest, pk: int) -> Activity:
    return visible_or_404(activities_visible_to(request.user), pk=pk)


def _back(activity: Activity, *, to_evidence: bool = False) -> HttpResponseRedirect:
    """The activity page; after a success, scrolled to the evidence (errors show at the
    top of the page, so they keep it unscrolled)."""
    url = reverse("activities:detail", args=[activity.pk])
    return HttpResponseRedirect(url + "#evidence" if to_evidence else url)


class _Refused(Exception):
    """Some items of a batch could not be stored: roll the whole batch back."""


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Files (`files`, `camera`) and links (`links`, one a line) with one caption."""
    activity = _activity(request, pk)
    require(request.user, "activities.add_evidence", activity)
    uploads = request.FILES.getlist("files") + request.FILES.getlist("camera")
    links = [line.strip() for line in request.POST.get("links", "").splitlines() if line.strip()]
    caption = request.POST.get("caption", "")
    if not uploads and not links:
        messages.error(request, _("Evidence: choose at least one file or enter a link."))
        return _back(activity)

    # every item checked before anything is written; all problems reported at once
    problems: list[str] = []
    prepared = []
    try:
        caption = evidence_files.clean_caption(caption)
    except ValidationError as exc:
        problems.extend(exc.messages)
    for upload in uploads:
        try:
            prepared.append(evidence_files.prepare_upload(upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    for link in links:
        try:
            evidence_files.clean_link(link)
        except ValidationError as exc:
            problems.extend(exc.messages)
    if not problems:
        try:
            with core_uploads.files_written(), transaction.atomic():
                for item in prepared:
                    try:
                        evidence_files.store_evidence(
                            request.user, activity, item.file, caption, prepared=item
                        )
                    except ValidationError as exc:
                        problems.extend(exc.messages)
                for link in links:
                    try:
                        evidence_files.add_link(request.user, activity, link, caption)
                    except ValidationError as exc:
                        problems.extend(exc.messages)
                if problems:
                    raise _Refused
        except _Refused:
            pass
    if problems:
        for problem in dict.fromkeys(problems):
            messages.error(request, problem)
        messages.error(request, _("Nothing was added; correct the above and try again."))
        return _back(activity)
    count = len(prepared) + len(links)
    for note in core_uploads.shortened(uploads):
        messages.info(request, note)
    messages.success(
        request,
        ngettext("%(count)d item of evidence added.", "%(count)d items of evidence added.", count)
        % {"count": count},
    )
    return _back(activity, to_evidence=True)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int, eid: int) -> HttpResponse:
    activity = _activity(request, pk)
    require(request.user, "activities.add_evidence", activity)
    evidence = get_object_or_404(Evidence.objects.filter(activity=activity), pk=eid)
    try:
        evidence_files.remove_evidence(request.user, evidence)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _('Removed "%(name)s".') % {"name": str(evidence)[:80]})
        return _back(activity, to_evidence=True)
    return _back(activity)


@login_required
@require_safe
def evidence_file(request: HttpRequest, pk: int, eid: int, variant: str) -> HttpResponse:
    """original: as uploaded (a photo's or video's for the office only); public: what
    everyone sees; thumb: the thumbnail (see core.uploads.serve)."""
    activity = _activity(request, pk)
    require(request.user, "activities.view", activity)
    originals = allowed(request.user, "activities.view_original_files", activity)
    return core_uploads.serve_one(request, activity.evidence, eid, variant, originals=originals)


urlpatterns = [
    path("activities/<int:pk>/evidence/", evidence_add, name="evidence_add"),
    path("activities/<int:pk>/evidence/<int:eid>/delete/", evidence_delete, name="evidence_delete"),
    path(
        "activities/<int:pk>/evidence/<int:eid>/<slug:variant>/",
        evidence_file,
        name="evidence_file",
    ),
]

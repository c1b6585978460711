"""Evidence of an activity: adding (all or nothing), serving and removing files.

Outsiders get 404 (the activity is fetched through `activities_visible_to`),
read-only insiders 403. The original of a photo, which may hold the place it was
taken, is served to the office only; everyone else sees the public copy.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from wenyi.activities import evidence as evidence_files
from wenyi.activities.enums import EvidenceKind
from wenyi.activities.models import Activity, Evidence
from wenyi.activities.queries import activities_visible_to
from wenyi.core import uploads as core_uploads
from wenyi.core.permissions import require, visible_or_404

VARIANTS = ("original", "public", "thumb")
CHUNK = 64 * 1024


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
            with evidence_files.files_written(), transaction.atomic():
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
    """original: as uploaded (a photo's only for the office); public: what everyone
    sees (a photo's stripped copy, otherwise the file itself); thumb: the thumbnail."""
    if variant not in VARIANTS:
        raise Http404
    activity = _activity(request, pk)
    require(request.user, "activities.view", activity)
    evidence = get_object_or_404(Evidence.objects.filter(activity=activity), pk=eid)
    # a photo's or video's original may hold the place it was made: the office only;
    # everyone else gets the public copy (a video's once the background task made it)
    stripped = evidence.kind in (EvidenceKind.PHOTO, EvidenceKind.VIDEO)
    if variant == "original":
        if stripped:
            require(request.user, "activities.view_original_files", activity)
        field, content_type = evidence.file, evidence.content_type
        filename = evidence.original_name
    elif variant == "public":
        field = evidence.public_file if stripped else evidence.file
        content_type = (
            evidence_files.content_type_for(field.name) if stripped else evidence.content_type
        )
        filename = _renamed(evidence.original_name, field.name)
    else:
        field, content_type = evidence.thumbnail, "image/jpeg"
        filename = _renamed(evidence.original_name, "-thumb.jpg")
    if not field:
        raise Http404  # a link, or a thumbnail not made yet
    try:
        size = field.storage.size(field.name)
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    attachment = request.GET.get("download") == "1"
    response = _ranged(request, handle, size, content_type, attachment, filename)
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _renamed(original: str, stored: str) -> str:
    """The uploader's name with the extension of the copy served."""
    stem = original.rsplit(".", 1)[0] if "." in original else (original or "evidence")
    suffix = stored if stored.startswith("-") else "." + stored.rsplit(".", 1)[-1]
    return stem + suffix


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(
    request: HttpRequest, handle, size: int, content_type: str, attachment: bool, filename: str
) -> HttpResponse:
    """The file, or the one byte range asked for: phones (iOS Safari in particular)
    play video only from servers that answer range requests. Served in a sandbox
    (core.uploads.served_file_policy) and never sniffed as another type."""
    response = _ranged_response(request, handle, size, content_type, attachment, filename)
    response["Content-Security-Policy"] = core_uploads.served_file_policy(content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ranged_response(
    request: HttpRequest, handle, size: int, content_type: str, attachment: bool, filename: str
) -> HttpResponse:
    match = RANGE.match(request.headers.get("Range", "").replace(" ", ""))
    if match is None or not any(match.groups()):
        response = FileResponse(
            handle, content_type=content_type, as_attachment=attachment, filename=filename
        )
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), (min(int(last), size - 1) if last else size - 1)
    else:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    response = StreamingHttpResponse(
        _read(handle, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


def _read(handle, remaining: int):
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


urlpatterns = [
    path("activities/<int:pk>/evidence/", evidence_add, name="evidence_add"),
    path("activities/<int:pk>/evidence/<int:eid>/delete/", evidence_delete, name="evidence_delete"),
    path(
        "activities/<int:pk>/evidence/<int:eid>/<slug:variant>/",
        evidence_file,
        name="evidence_file",
    ),
]

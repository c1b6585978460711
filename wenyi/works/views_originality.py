"""The office's check of possible copies: the list, a pair side by side, its decision.

Originality compares every work with every other, in any campaign and any unit tree
(`works.originality`, `works.images`), so a possible copy may pair a work of the
viewer's with one outside what they may see (`works.view`; in lists
`works.queries.sees`). Such a work is shown only as far as judging the pair needs: the
matching passages with a little context (`originality.excerpts`) or its picture, through
an address bound to the pair (`match_picture`), with its art form and its campaign's
title and year — never its title, authors, unit, files or whole text, nor who decided
on the pair in another office and why. A pair of works the viewer sees both of is shown
in full, as before.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import audit
from wenyi.core import uploads as core_uploads
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.works import originality, services
from wenyi.works.enums import FileRole, MatchKind, MatchStatus
from wenyi.works.forms import DecisionForm
from wenyi.works.models import Match, Work, WorkAuthor, WorkFile
from wenyi.works.queries import sees, works_visible_to

OPEN_FIRST = Case(
    When(status=MatchStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _figures(match: Match) -> dict:
    return {
        "jaccard": _percent(match.jaccard),
        "containment": _percent(match.containment),
        "containment_other": _percent(match.containment_other),
    }


@login_required
def originality_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    require(request.user, "works.review_originality")
    matches = (
        Match.objects.filter(work__campaign=campaign, work__in=works_visible_to(request.user))
        .select_related(
            "work__unit", "work__category", "other__unit", "other__category", "other__campaign"
        )
        .annotate(other_seen=sees(request.user, "other"))
        .order_by(OPEN_FIRST, "-found_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in MatchStatus.values:
        matches = matches.filter(status=status)
    page = Paginator(matches, 30).get_page(request.GET.get("page"))
    for match in page:
        match.figures = _figures(match)
    return render(
        request,
        "works/originality.html",
        {
            "campaign": campaign,
            "page": page,
            "params": request.GET,
            "statuses": MatchStatus.choices,
            "open_count": Match.objects.filter(
                work__campaign=campaign, status=MatchStatus.OPEN
            ).count(),
        },
    )


def _side(user, match: Match, work: Work, file: WorkFile | None, ranges, own: Work) -> dict:
    """One work of the pair as the page shows it: in full when the viewer may see it,
    else its passages in context or its picture through the pair's own address."""
    full = allowed(user, "works.view", work)
    side = {"work": work, "full": full, "segments": None, "excerpts": None, "picture": None}
    if match.kind == MatchKind.TEXT:
        if full:
            side["segments"] = originality.highlight(work.text, ranges)
        else:
            side["excerpts"] = originality.excerpts(work.text, ranges)
    elif file is not None:
        side["picture"] = (
            reverse("works:file", args=[work.pk, file.pk, "public"])
            if full
            else reverse("works:match_picture", args=[own.pk, match.pk, "public"])
        )
    return side


@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, "works.review_originality")
    visible = works_visible_to(user)
    match = get_object_or_404(
        Match.objects.filter(Q(work__in=visible) | Q(other__in=visible)).select_related(
            "work__unit",
            "work__category",
            "work__campaign",
            "other__unit",
            "other__category",
            "other__campaign",
            "file",
            "other_file",
            "decided_by",
        ),
        pk=pk,
    )
    # the viewer's own work of the pair: the checked one when they see both
    own = match.work if allowed(user, "works.view", match.work) else match.other
    if not allowed(user, "works.view", own):
        raise Http404
    may_decide = allowed(user, "works.decide_match", match)
    if request.method == "POST" and not may_decide:
        raise PermissionDenied
    form = DecisionForm(request.POST or None, initial={"reason": match.reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_match(
                user, match, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("works:match", pk=match.pk)
    passages = [p for p in (match.passages or []) if len(p) == 4]
    sides = [
        _side(user, match, match.work, match.file, [(p[0], p[1]) for p in passages], own),
        _side(user, match, match.other, match.other_file, [(p[2], p[3]) for p in passages], own),
    ]
    seen = [side["work"].pk for side in sides if side["full"]]
    authors = {
        link.work_id: link.person.name
        for link in WorkAuthor.objects.filter(work__in=seen)
        .select_related("person")
        .order_by("position")
    }
    # the decision is the checked work's office's: who decided and why only for it
    decision_seen = sides[0]["full"]
    return render(
        request,
        "works/match.html",
        {
            "match": match,
            "own": own,
            "figures": _figures(match),
            "is_text": match.kind == MatchKind.TEXT,
            "sides": sides,
            "authors": authors,
            "decision_seen": decision_seen,
            "form": form if may_decide else None,
            "history": audit.entries_for(match)[:10] if decision_seen else [],
            "n_passages": ngettext(
                "%(n)d matching passage", "%(n)d matching passages", len(passages)
            )
            % {"n": len(passages)},
        },
    )


PICTURE_VARIANTS = ("public", "thumb")


@login_required
@require_safe
def match_picture(request: HttpRequest, pk: int, match_pk: int, variant: str) -> HttpResponse:
    """The picture the viewer's work `pk` was matched with in the possible copy
    `match_pk`: how an office compares two pictures when the other work lies outside its
    units (its own `work_file` address is a 404 to them). Served only when the viewer may
    see work `pk` and the pair really links it; only that picture, only its copy without
    metadata or its thumbnail, under a name that says nothing of the upload."""
    user = request.user
    own = visible_or_404(works_visible_to(user), pk=pk)
    require(user, "works.view", own)
    require(user, "works.review_originality")
    match = get_object_or_404(
        Match.objects.filter(
            Q(work=own, other_file__isnull=False) | Q(other=own, file__isnull=False),
            kind=MatchKind.IMAGE,
        ).select_related("file", "other_file"),
        pk=match_pk,
    )
    picture = match.other_file if match.work_id == own.pk else match.file
    if variant not in PICTURE_VARIANTS or picture.role != FileRole.IMAGE:
        raise Http404
    return _serve_picture(picture, variant, f"match-{match.pk}")


def _serve_picture(picture: WorkFile, variant: str, name: str) -> HttpResponse:
    # the copy made without location and other metadata, never the original; not
    # core.uploads.serve, which names the download after the uploader's file
    field = picture.public_file if variant == "public" else picture.thumbnail
    if not field:
        raise Http404  # not made yet
    content_type = (
        core_uploads.content_type_for(field.name) if variant == "public" else "image/jpeg"
    )
    if not content_type.startswith("image/"):
        raise Http404
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = field.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(handle, content_type=content_type, filename=f"{name}.{extension}")
    response["Content-Security-Policy"] = core_uploads.served_file_policy(content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


urlpatterns = [
    path("campaigns/<slug:slug>/works/originality/", originality_list, name="originality"),
    path("originality/<int:pk>/", match_detail, name="match"),
    path(
        "works/<int:pk>/copies/<int:match_pk>/picture/<slug:variant>/",
        match_picture,
        name="match_picture",
    ),
]

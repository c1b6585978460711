"""The office's portal pages, under campaigns/<slug>/portal/:

- `portal:publishing`: the campaign's submitted works with their consent and portal
  state, filters (art form, unit, state, title), and publish / take-off buttons; a work
  that cannot be published says why instead of offering the button.
- `portal:news_office`, `portal:news_add`, `portal:news_edit`: the news (activity
  reports, typical examples) — a versioned form with photo uploads checked by
  `core.uploads`; `portal:news_action`: publish, take off, delete;
  `portal:news_photo_office`: the photos of any item, originals too.

The office of the campaign's owner unit changes; a supervisor of the review reads (403
on every change); everyone else gets 404. Lists read in a fixed number of queries.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import uploads
from wenyi.core.actions import Action, dispatch
from wenyi.core.permissions import allowed, require
from wenyi.core.versioning import show_refusal
from wenyi.orgs.models import OrgUnit
from wenyi.portal import services
from wenyi.portal.forms import NewsForm
from wenyi.portal.models import NewsItem, WorkPublication
from wenyi.works.enums import WorkStatus
from wenyi.works.models import Work
from wenyi.works.queries import with_standing

PAGE_SIZE = 50
STATES = {
    "published": gettext_lazy("on the portal"),
    "ready": gettext_lazy("can be published"),
    "blocked": gettext_lazy("cannot be published"),
}


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign whose portal the office runs or a supervisor reads; 404 for the rest."""
    if not request.user.is_authenticated:
        raise Http404
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "portal.view_office", campaign):
        raise Http404
    return campaign


# -- works ----------------------------------------------------------------------------------


def _state_filter(works, state: str):
    from django.db.models import Exists, OuterRef

    published = Exists(WorkPublication.objects.filter(work=OuterRef("pk"), is_published=True))
    if state == "published":
        return works.filter(published)
    ready = works.exclude(published).filter(
        consent_portal=True, status=WorkStatus.SUBMITTED, disqualified=False
    )
    if state == "ready":
        return ready
    if state == "blocked":
        return works.exclude(published).exclude(pk__in=ready.values("pk"))
    return works


@login_required
@require_safe
def publishing(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    params = request.GET
    works = with_standing(
        Work.objects.filter(campaign=campaign).exclude(status=WorkStatus.DRAFT)
    ).select_related("category", "unit", "publication")
    if params.get("form", "").isdigit():
        works = works.filter(category_id=int(params["form"]))
    if params.get("unit", "").isdigit():
        works = works.filter(unit_id=int(params["unit"]))
    if params.get("q", "").strip():
        works = works.filter(title__icontains=params["q"].strip())
    state = params.get("state", "")
    works = _state_filter(works, state).order_by("title_sort", "title", "id")
    page = Paginator(works, PAGE_SIZE).get_page(params.get("page"))
    for w in page.object_list:
        pub = getattr(w, "publication", None)
        w.on_portal = pub is not None and pub.is_published
        w.refusal = "" if w.on_portal else services.publish_refusal(w)
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/office/publishing.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "page": page,
            "can_manage": allowed(request.user, "portal.manage", campaign),
            "categories": list(
                WorkCategory.objects.filter(campaign=campaign, children__isnull=True)
            ),
            "units": list(
                OrgUnit.objects.filter(
                    pk__in=Work.objects.filter(campaign=campaign).values("unit_id")
                ).order_by("path")
            ),
            "states": STATES,
            "params": params,
            "query": query.urlencode(),
        },
    )


WORK_ACTIONS = {
    "publish": Action("portal.manage", services.publish_work, gettext_lazy("Published.")),
    "unpublish": Action(
        "portal.manage", services.unpublish_work, gettext_lazy("Taken off the portal.")
    ),
}


@login_required
@require_POST
def work_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    work = get_object_or_404(Work, campaign=campaign, pk=pk)
    # back to the list as it was filtered and paged
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        back = redirect(nxt)
    else:
        back = redirect("portal:publishing", slug=campaign.slug)
    return dispatch(request, work, action, WORK_ACTIONS, back=back)


# -- news -----------------------------------------------------------------------------------


@login_required
@require_safe
def news_office(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    news = NewsItem.objects.filter(campaign=campaign).order_by("-dated", "-id")
    page = Paginator(news, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/office/news_list.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "page": page,
            "can_manage": allowed(request.user, "portal.manage", campaign),
        },
    )


def _photos(request: HttpRequest) -> list:
    return request.FILES.getlist("photos")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def news_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "portal.manage", campaign)
    if request.method == "POST":
        form = NewsForm(request.POST)
        if form.is_valid():
            try:
                prepared = services.prepare_photos(_photos(request))
                caption = form.cleaned_data["caption"]
                item = services.create_news(
                    request.user,
                    campaign,
                    form.values(),
                    prepared,
                    [caption] * len(prepared),
                    token=form.cleaned_data["token"],
                )
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("Saved. It is not public until you publish it."))
                return redirect("portal:news_edit", slug=campaign.slug, pk=item.pk)
    else:
        form = NewsForm()
    return render(
        request,
        "portal/office/news_form.html",
        {"campaign": campaign, "nav_campaign": campaign, "form": form, "item": None},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def news_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    item = get_object_or_404(NewsItem, campaign=campaign, pk=pk)
    can_manage = allowed(request.user, "portal.manage", campaign)
    if request.method == "POST":
        require(request.user, "portal.manage", campaign)
        form = NewsForm(request.POST)
        if form.is_valid():
            try:
                prepared = services.prepare_photos(_photos(request))
                caption = form.cleaned_data["caption"]
                remove = [int(v) for v in request.POST.getlist("remove") if v.isdigit()]
                services.update_news(
                    request.user,
                    item,
                    form.values(),
                    form.cleaned_data["version"],
                    photos=prepared,
                    captions=[caption] * len(prepared),
                    remove=remove,
                )
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("portal:news_edit", slug=campaign.slug, pk=item.pk)
    else:
        form = NewsForm(
            initial={
                "kind": item.kind,
                "title": item.title,
                "dated": item.dated,
                "summary": item.summary,
                "body": item.body,
                "version": item.version,
            }
        )
    return render(
        request,
        "portal/office/news_form.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "form": form,
            "item": item,
            "photos": list(item.photos.all()),
            "can_manage": can_manage,
        },
    )


NEWS_ACTIONS = {
    "publish": Action("portal.manage", services.publish_news, gettext_lazy("Published.")),
    "unpublish": Action(
        "portal.manage", services.unpublish_news, gettext_lazy("Taken off the portal.")
    ),
    "delete": Action("portal.manage", services.delete_news, gettext_lazy("Deleted.")),
}


@login_required
@require_POST
def news_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    item = get_object_or_404(NewsItem, campaign=campaign, pk=pk)
    if action == "delete":
        back = redirect("portal:news_office", slug=campaign.slug)
        response = dispatch(request, item, action, NEWS_ACTIONS, back=back)
        if NewsItem.objects.filter(pk=item.pk).exists():  # refused: stay on the item
            return redirect("portal:news_edit", slug=campaign.slug, pk=item.pk)
        return response
    back = redirect("portal:news_edit", slug=campaign.slug, pk=item.pk)
    return dispatch(request, item, action, NEWS_ACTIONS, back=back)


@login_required
@require_safe
def news_photo_office(
    request: HttpRequest, slug: str, pk: int, fid: int, variant: str
) -> HttpResponse:
    campaign = _campaign(request, slug)
    item = get_object_or_404(NewsItem, campaign=campaign, pk=pk)
    originals = allowed(request.user, "portal.manage", campaign)
    return uploads.serve_one(request, item.photos, fid, variant, originals=originals)

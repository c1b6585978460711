"""The public portal of a campaign, under /p/<campaign>/: no login, made for phones.

- `portal:home`: the campaign from its file — title, aims, stages with the current one,
  organisers, contacts — the latest news, some works, and the links to the gallery, the
  results (once final), the public notice (once published) and certificate checking.
- `portal:news` and `portal:news_item`: the office's activity reports and typical
  examples, published ones only.
- `portal:gallery` (filter by art form, unit and award; paged) and `portal:work`: works
  published, with their rights holder's consent, submitted and not disqualified
  (`queries.public_works`). Files are served as their public copies only
  (`portal:work_file`, `portal:news_photo`): a photo without its EXIF and location.

Anything not published is a 404 here, to everyone. Each page reads in a fixed number of
queries whatever the number of works; each carries a title, a description and Open
Graph tags (og:title, og:description, og:url, og:image when there is a picture) for
sharing in WeChat.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from wenyi.awards.enums import ResultsStatus
from wenyi.awards.queries import results_of
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.campaigns.participation import participating_units
from wenyi.core import clock, uploads
from wenyi.portal import queries, views_vote
from wenyi.portal.enums import NewsKind
from wenyi.works.enums import FileRole

PAGE_SIZE = 24
PUBLIC_VARIANTS = ("public", "thumb")


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(
        Campaign.objects.prefetch_related("stages", "organisers", "contacts"), slug=slug
    )


def _meta(request: HttpRequest, title: str, description: str, image=None) -> dict:
    """What the page's <head> says when it is shared: absolute addresses."""
    return {
        "title": title,
        "description": " ".join(description.split())[:160],
        "url": request.build_absolute_uri(request.path),
        "image": request.build_absolute_uri(image) if image else "",
    }


def _links(campaign: Campaign) -> dict:
    """Whether the results and the public notice are public yet (one query)."""
    results = results_of(campaign)
    status = results.status if results is not None else None
    return {
        "has_results": status == ResultsStatus.FINAL,
        "has_notice": status in (ResultsStatus.NOTICE, ResultsStatus.FINAL),
    }


def _photo_url(campaign: Campaign, news, photo, variant: str = "public") -> str:
    return reverse(
        "portal:news_photo",
        kwargs={"slug": campaign.slug, "pk": news.pk, "fid": photo.pk, "variant": variant},
    )


def _file_url(campaign: Campaign, work, f, variant: str = "public") -> str:
    return reverse(
        "portal:work_file",
        kwargs={"slug": campaign.slug, "pk": work.pk, "fid": f.pk, "variant": variant},
    )


def _covers(campaign: Campaign, news_items) -> None:
    for item in news_items:
        photos = list(item.photos.all())
        item.cover_url = _photo_url(campaign, item, photos[0]) if photos else ""


def _pictures(campaign: Campaign, works) -> None:
    for w in works:
        w.picture_url = _file_url(campaign, w, w.picture) if w.picture else ""


@require_safe
def newest(request: HttpRequest) -> HttpResponse:
    """`/p/`: the public pages of the newest campaign (the visitor's way in from any
    page's menu, which links here without reading the database)."""
    campaign = Campaign.objects.order_by("-year", "slug").first()
    if campaign is None:
        raise Http404
    return redirect("portal:home", campaign.slug)


@require_safe
def home(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    links = _links(campaign)
    awards = queries.work_awards(campaign) if links["has_results"] else []
    works = queries.dress(queries.public_slice(campaign, None, 0, 6), awards)
    _pictures(campaign, works)
    news = list(queries.with_cover(queries.public_news(campaign))[:4])
    _covers(campaign, news)
    image = next((n.cover_url for n in news if n.cover_url), "") or next(
        (w.picture_url for w in works if w.picture_url), ""
    )
    return render(
        request,
        "portal/home.html",
        {
            "campaign": campaign,
            "section": "home",
            "current": campaign.current_stage(clock.today()),
            "works": works,
            "news": news,
            "meta": _meta(request, campaign.title, campaign.summary or campaign.title, image),
            **links,
        },
    )


@require_safe
def news_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    news = queries.public_news(campaign)
    kind = request.GET.get("kind", "")
    if kind in NewsKind.values:
        news = news.filter(kind=kind)
    page = Paginator(queries.with_cover(news), PAGE_SIZE).get_page(request.GET.get("page"))
    _covers(campaign, page.object_list)
    title = f"{campaign.title} · " + str(NewsKind(kind).label if kind else _("News"))
    return render(
        request,
        "portal/news_list.html",
        {
            "campaign": campaign,
            "section": "news",
            "page": page,
            "kind": kind,
            "kinds": NewsKind.choices,
            "meta": _meta(request, title, campaign.summary or campaign.title),
            **_links(campaign),
        },
    )


def _news_label():
    return _("News")


@require_safe
def news_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    item = get_object_or_404(queries.with_cover(queries.public_news(campaign)), pk=pk)
    photos = list(item.photos.all())
    for p in photos:
        p.url = _photo_url(campaign, item, p)
    return render(
        request,
        "portal/news_item.html",
        {
            "campaign": campaign,
            "section": "news",
            "item": item,
            "photos": photos,
            "meta": _meta(request, item.title, item.lead(), photos[0].url if photos else None),
            **_links(campaign),
        },
    )


@require_safe
def news_photo(request: HttpRequest, slug: str, pk: int, fid: int, variant: str) -> HttpResponse:
    """A published news item's photo: its public copy (no location) or thumbnail."""
    if variant not in PUBLIC_VARIANTS:
        raise Http404
    campaign = get_object_or_404(Campaign, slug=slug)
    item = get_object_or_404(queries.public_news(campaign), pk=pk)
    return uploads.serve_one(request, item.photos, fid, variant, originals=False)


class Page:
    """A page of the gallery without counting every work (a count of 100,000 works costs
    more than the page): the rows, its number, and whether there is a next one."""

    def __init__(self, rows: list, number: int):
        self.object_list = rows[:PAGE_SIZE]
        self.number = number
        self.has_next = len(rows) > PAGE_SIZE
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1


def _page(campaign: Campaign, chosen: dict, params) -> Page:
    raw = params.get("page", "1")
    number = min(int(raw), 10_000) if raw.isdigit() and int(raw) > 0 else 1
    offset = (number - 1) * PAGE_SIZE
    return Page(queries.public_slice(campaign, chosen, offset, PAGE_SIZE + 1), number)


@require_safe
def gallery(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    links = _links(campaign)
    awards = queries.work_awards(campaign) if links["has_results"] else []
    chosen = queries.gallery_filters(campaign, request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    page = _page(campaign, chosen, request.GET)
    queries.dress(page.object_list, awards)
    _pictures(campaign, page.object_list)
    vote = views_vote.vote_context(request, campaign, page.object_list)
    categories = list(
        WorkCategory.objects.filter(campaign=campaign, children__isnull=True).order_by(
            "position", "id"
        )
    )
    # the campaign's participating units (reading which units have public works would
    # read every work)
    units = list(participating_units(campaign).order_by("path"))
    return render(
        request,
        "portal/gallery.html",
        {
            "campaign": campaign,
            "section": "gallery",
            "page": page,
            "categories": categories,
            "units": units,
            "award_options": queries.award_options(awards),
            "chosen": chosen,
            "query": query.urlencode(),
            "meta": _meta(
                request,
                _("Works of %(campaign)s") % {"campaign": campaign.title},
                campaign.summary or campaign.title,
                next((w.picture_url for w in page.object_list if w.picture_url), None),
            ),
            **links,
            **vote,
        },
    )


@require_safe
def work(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    links = _links(campaign)
    item = get_object_or_404(
        queries.public_works(campaign).select_related("category", "unit"), pk=pk
    )
    awards = (
        [a for a in queries.work_awards(campaign) if a.work_id == item.pk]
        if links["has_results"]
        else []
    )
    files = list(item.files.all())
    for f in files:
        f.url = _file_url(campaign, item, f)
    images = [f for f in files if f.role == FileRole.IMAGE and f.public_file]
    description = (
        item.description
        or item.text
        or _("%(form)s by %(unit)s")
        % {
            "form": item.category.name,
            "unit": item.unit.name,
        }
    )
    return render(
        request,
        "portal/work.html",
        {
            "campaign": campaign,
            "section": "gallery",
            "work": item,
            "authors": [link.person.name for link in item.author_links.select_related("person")],
            "awards": awards,
            "paragraphs": [p for p in (line.strip() for line in item.text.splitlines()) if p],
            "images": images,
            "audio": [f for f in files if f.role == FileRole.AUDIO],
            "videos": [f for f in files if f.role == FileRole.VIDEO and f.public_file],
            "documents": [f for f in files if f.role in (FileRole.DOCUMENT, FileRole.SCORE)],
            "meta": _meta(request, item.title, description, images[0].url if images else None),
            **links,
            **views_vote.vote_context(request, campaign, [item]),
        },
    )


@require_safe
def work_file(request: HttpRequest, slug: str, pk: int, fid: int, variant: str) -> HttpResponse:
    """A public work's file as everyone may see it: a photo's or video's public copy
    (no location), a document as it is, or the thumbnail; never an original photo."""
    if variant not in PUBLIC_VARIANTS:
        raise Http404
    campaign = get_object_or_404(Campaign, slug=slug)
    item = get_object_or_404(queries.public_works(campaign), pk=pk)
    return uploads.serve_one(request, item.files, fid, variant, originals=False)

"""The office's anthology pages (作品汇编), under campaigns/<slug>/portal/anthology/:

- `portal:anthologies`: the campaign's books; `portal:anthology_new` and
  `portal:anthology_edit`: title, subtitle, who compiles it, preface, editor's note,
  page size and cover (a versioned form; the cover checked by `core.uploads`).
- `portal:anthology`: the builder — the works in the book's order by art form, each
  movable up, down or to a place, or removable; the automatic order back on a click;
  works to add by filters (art form, unit, award), from the award lists, or one by one
  by title (`portal:anthology_add`); and making the book: PDF and EPUB as background
  jobs (`portal:anthology_make`) whose progress the page follows with htmx, also after
  a reload (`portal:anthology_job`), with every kept version to download
  (`portal:anthology_file`).

Every form carries the version of the book the page showed: a change made meanwhile by
someone else refuses it (the page says who changed what) and keeps the input. The office
of the campaign's owner unit changes; a supervisor of the review reads (403 on every
change); everyone else gets 404, as on the other portal office pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core import uploads
from wenyi.core.actions import form_errors
from wenyi.core.permissions import allowed, require
from wenyi.core.versioning import show_refusal
from wenyi.documents import generate
from wenyi.documents.enums import RUNNING, DocumentFormat, DocumentKind, JobStatus
from wenyi.documents.models import Document, GenerationJob
from wenyi.orgs.models import OrgUnit
from wenyi.portal import anthology as books
from wenyi.portal import queries
from wenyi.portal.book import Layout
from wenyi.portal.forms import AnthologyForm, MoveForm
from wenyi.portal.models import Anthology, AnthologyCover, AnthologyItem, WorkPublication
from wenyi.portal.views_office import _campaign
from wenyi.works.enums import WorkStatus
from wenyi.works.models import Work, WorkFile
from wenyi.works.queries import with_standing

CANDIDATES_PAGE = 50
FILTER_KEYS = ("form", "unit", "award", "q", "page")
FORMATS = (DocumentFormat.PDF, DocumentFormat.EPUB)
CONTENT_TYPES = {DocumentFormat.PDF: "application/pdf", DocumentFormat.EPUB: "application/epub+zip"}


def _layouts() -> dict[str, str]:
    return {
        Layout.PROSE: _("text (paragraphs)"),
        Layout.POEM: _("text (line by line)"),
        Layout.IMAGE: _("full-page picture"),
        Layout.SCORE: _("score pages"),
        Layout.FILM: _("still and QR code"),
    }


def _book(request: HttpRequest, slug: str, pk: int) -> tuple[Campaign, Anthology]:
    campaign = _campaign(request, slug)
    return campaign, get_object_or_404(
        Anthology.objects.select_related("campaign"), campaign=campaign, pk=pk
    )


def _office_book(request: HttpRequest, slug: str, pk: int) -> tuple[Campaign, Anthology]:
    """The book of a change: 404 outside, 403 for a supervisor."""
    campaign, anthology = _book(request, slug, pk)
    require(request.user, "portal.manage", campaign)
    return campaign, anthology


def _page_url(anthology: Anthology, query: str = "", anchor: str = "") -> str:
    url = reverse("portal:anthology", args=[anthology.campaign.slug, anthology.pk])
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _kept_query(raw: str, picked: list[int] = ()) -> str:
    """The builder's filters as the page had them (only its own keys), and the works
    picked when an addition was refused, so the page comes back as it was sent."""
    source = QueryDict(raw or "")
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = source.get(key, "")
        if value:
            kept[key] = value[:100]
    if picked:
        kept.setlist("picked", [str(p) for p in picked])
    return kept.urlencode()


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


# -- the list and the details ---------------------------------------------------------------


@login_required
@require_safe
def anthologies(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    books_ = list(books.anthologies_of(campaign))
    counts = {
        row["anthology_id"]: row["n"]
        for row in AnthologyItem.objects.filter(anthology__campaign=campaign)
        .values("anthology_id")
        .annotate(n=Count("id"))
    }
    for book in books_:
        book.works_n = counts.get(book.pk, 0)
    return render(
        request,
        "portal/office/anthology_list.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "anthologies": books_,
            "can_manage": allowed(request.user, "portal.manage", campaign),
        },
    )


def _form_page(request, campaign, form, anthology=None, status=200) -> HttpResponse:
    cover = AnthologyCover.objects.filter(anthology=anthology).first() if anthology else None
    return render(
        request,
        "portal/office/anthology_form.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "form": form,
            "anthology": anthology,
            "cover": cover,
            "default_editor": books.default_editor(campaign),
        },
        status=status,
    )


def _cover(request: HttpRequest):
    upload = request.FILES.get("cover")
    return books.prepare_cover(upload) if upload else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def anthology_new(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "portal.manage", campaign)
    if request.method == "POST":
        form = AnthologyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                anthology = books.create_anthology(
                    request.user,
                    campaign,
                    form.values(),
                    cover=_cover(request),
                    token=form.cleaned_data["token"],
                )
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("The anthology was created. Now add its works."))
                return redirect(_page_url(anthology, anchor="add"))
    else:
        form = AnthologyForm(
            initial={
                "title": _("Selected works of %(campaign)s") % {"campaign": campaign.title},
                "editor": books.default_editor(campaign),
                "page_size": "a5",
            }
        )
    return _form_page(request, campaign, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def anthology_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign, anthology = _book(request, slug, pk)
    has_cover = AnthologyCover.objects.filter(anthology=anthology).exists()
    if request.method == "POST":
        require(request.user, "portal.manage", campaign)
        form = AnthologyForm(request.POST, request.FILES, has_cover=has_cover)
        if form.is_valid():
            try:
                books.update_anthology(
                    request.user,
                    anthology,
                    form.values(),
                    form.cleaned_data["version"],
                    cover=_cover(request),
                    remove_cover=form.cleaned_data.get("remove_cover", False),
                )
            except ValidationError as exc:
                show_refusal(form, exc)  # an edit conflict too: the input kept
            else:
                messages.success(request, _("Saved."))
                return redirect(_page_url(anthology))
    else:
        require(request.user, "portal.manage", campaign)
        initial = {name: getattr(anthology, name) for name in books.FIELDS}
        form = AnthologyForm(initial={**initial, "version": anthology.version}, has_cover=has_cover)
    return _form_page(request, campaign, form, anthology)


@login_required
@require_safe
def anthology_cover(request: HttpRequest, slug: str, pk: int, variant: str) -> HttpResponse:
    """The cover as the book prints it (its copy without metadata) or its thumbnail."""
    _campaign_, anthology = _book(request, slug, pk)
    if variant not in ("public", "thumb"):
        raise Http404
    cover = get_object_or_404(AnthologyCover, anthology=anthology)
    return uploads.serve(request, cover, variant, originals=False)


# -- the builder ------------------------------------------------------------------------------


def _candidates(campaign: Campaign, anthology: Anthology, params) -> tuple:
    """The works the filters find (submitted or withdrawn; drafts are not offered), a
    page of them with whether each is in the book and why one cannot go in, and how
    many of all found can be added."""
    chosen = queries.gallery_filters(campaign, params)
    works = with_standing(Work.objects.filter(campaign=campaign).exclude(status=WorkStatus.DRAFT))
    works = queries.filtered(works, campaign, chosen)
    q = params.get("q", "").strip()[:100]
    if q:
        works = works.filter(title__icontains=q)
    in_book = Exists(AnthologyItem.objects.filter(anthology=anthology, work=OuterRef("pk")))
    works = works.annotate(in_book=in_book).select_related("category", "unit")
    addable = (
        works.filter(in_book=False, disqualified=False, status=WorkStatus.SUBMITTED)
        .filter(consent_anthology=True)
        .count()
    )
    page = Paginator(works.order_by("title_sort", "title", "id"), CANDIDATES_PAGE).get_page(
        params.get("page")
    )
    for work in page.object_list:
        work.refusal = "" if work.in_book else books.add_refusal(work)
    return chosen, q, page, addable


def _award_lists(campaign: Campaign, anthology: Anthology) -> list[dict]:
    """The award lists of works of the final results, by kind and by tier: how many
    works each holds and how many of those can still be added."""
    awards = queries.work_awards(campaign)
    options = queries.award_options(awards)
    work_ids = {a.work_id for a in awards if a.work_id}
    ready = set(
        with_standing(Work.objects.filter(pk__in=work_ids))
        .filter(status=WorkStatus.SUBMITTED, consent_anthology=True, disqualified=False)
        .exclude(anthology_items__anthology=anthology)
        .values_list("pk", flat=True)
    )
    lists = []
    for value, label in options:
        kind, _sep, tier = value.partition("-")
        members = {
            a.work_id
            for a in awards
            if a.work_id and str(a.award_kind_id) == kind and (not tier or str(a.tier_id) == tier)
        }
        lists.append(
            {
                "value": value,
                "label": label,
                "tier": bool(tier),
                "count": len(members),
                "ready": len(members & ready),
            }
        )
    return lists


def _jobs_and_versions(
    campaign: Campaign, anthology: Anthology
) -> tuple[list[dict], list[Document]]:
    variant = str(anthology.pk)
    versions = list(
        Document.objects.filter(campaign=campaign, kind=DocumentKind.ANTHOLOGY, variant=variant)
        .select_related("made_by__person")
        .order_by("format", "-version")
    )
    latest: dict[str, Document] = {}
    for document in versions:
        latest.setdefault(document.format, document)
    jobs: dict[str, GenerationJob] = {}
    recent = GenerationJob.objects.filter(
        campaign=campaign, kind=DocumentKind.ANTHOLOGY, variant=variant
    ).select_related("document")
    for job in recent.order_by("-created_at", "-id")[:20]:
        jobs.setdefault(job.format, job)
    cards = []
    for fmt in FORMATS:
        job = jobs.get(fmt)
        document = latest.get(fmt)
        if job is not None and not job.is_running:
            if job.status == JobStatus.DONE:
                keep = document is not None and job.document_id == document.pk
            else:
                keep = document is None or job.updated_at > document.made_at
            job = job if keep else None
        if job is not None:
            job.status_url = reverse(
                "portal:anthology_job", args=[campaign.slug, anthology.pk, job.pk]
            )
        cards.append(
            {
                "format": fmt,
                "label": DocumentFormat(fmt).label,
                "job": job,
                "latest": document,
                "versions": [d for d in versions if d.format == fmt],
            }
        )
    return cards, versions


def _film_warnings(rows, anthology: Anthology) -> None:
    """Each row's layout, and whether a film's QR code would lead to a page the public
    cannot see (the work is not published on the portal)."""
    inside = {"work__anthology_items__anthology": anthology}
    files: dict[int, list[WorkFile]] = {}
    for f in WorkFile.objects.filter(**inside).order_by("work_id", "id"):
        files.setdefault(f.work_id, []).append(f)
    published = set(
        WorkPublication.objects.filter(is_published=True, **inside).values_list(
            "work_id", flat=True
        )
    )
    labels = _layouts()
    for row in rows:
        row.layout = books.layout_of(row.work, files.get(row.work.pk, []))
        row.layout_label = labels[row.layout]
        row.unpublished_film = row.layout == Layout.FILM and row.work.pk not in published


@login_required
@require_safe
def anthology_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign, anthology = _book(request, slug, pk)
    rows = books.book_rows(anthology)
    _film_warnings(rows, anthology)
    chosen, q, candidates, addable = _candidates(campaign, anthology, request.GET)
    picked = {int(v) for v in request.GET.getlist("picked") if v.isdigit()}
    cards, versions = _jobs_and_versions(campaign, anthology)
    filters = request.GET.copy()
    filters.pop("page", None)
    filters.pop("picked", None)
    return render(
        request,
        "portal/office/anthology.html",
        {
            "campaign": campaign,
            "nav_campaign": campaign,
            "anthology": anthology,
            "cover": AnthologyCover.objects.filter(anthology=anthology).first(),
            "can_manage": allowed(request.user, "portal.manage", campaign),
            "sections": books.sections(rows),
            "rows_n": len(rows),
            "blocked": [row for row in rows if row.refusal],
            "unpublished_films": [row for row in rows if row.unpublished_film],
            "categories": list(
                WorkCategory.objects.filter(campaign=campaign, children__isnull=True).order_by(
                    "position", "id"
                )
            ),
            "units": list(
                OrgUnit.objects.filter(
                    pk__in=Work.objects.filter(campaign=campaign).values("unit_id")
                ).order_by("path")
            ),
            "award_lists": _award_lists(campaign, anthology),
            "chosen": chosen,
            "q": q,
            "candidates": candidates,
            "addable": addable,
            "picked": picked,
            "query": _kept_query(request.GET.urlencode()),
            "filters": filters.urlencode(),
            "cards": cards,
            "has_versions": bool(versions),
        },
    )


@login_required
@require_POST
def anthology_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add the works picked (`work`, or `one`), or every work the filters find
    (`how=all`: those that cannot go in are named and left out)."""
    campaign, anthology = _office_book(request, slug, pk)
    query = request.POST.get("query", "")
    version = _version(request)
    if request.POST.get("how") == "all":
        params = QueryDict(query)
        if "award" in request.POST:  # an award list's own button
            params = QueryDict(mutable=True)
            params["award"] = request.POST["award"]
        chosen = queries.gallery_filters(campaign, params)
        works = queries.filtered(Work.objects.filter(campaign=campaign), campaign, chosen)
        works = works.exclude(status=WorkStatus.DRAFT)
        q = params.get("q", "").strip()[:100]
        if q:
            works = works.filter(title__icontains=q)
        picked: list[int] = []
        skip = True
    else:
        one = request.POST.get("one", "")
        raw = [one] if one else request.POST.getlist("work")
        picked = [int(v) for v in raw if v.isdigit()]
        works = Work.objects.filter(campaign=campaign, pk__in=picked)
        skip = False
        if not picked:
            messages.error(request, _("Tick the works to add first."))
            return redirect(_page_url(anthology, _kept_query(query), "add"))
    try:
        done = books.add_works(request.user, anthology, works, version=version, skip_refused=skip)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_page_url(anthology, _kept_query(query, picked), "add"))
    messages.success(request, done.message())
    if done.refused:
        left_out = ngettext(
            "%(n)d work was left out:", "%(n)d works were left out:", len(done.refused)
        ) % {"n": len(done.refused)}
        messages.warning(request, " ".join([left_out, *(r for _w, r in done.refused)]))
    return redirect(_page_url(anthology, _kept_query(query), "add"))


@login_required
@require_POST
def anthology_item(
    request: HttpRequest, slug: str, pk: int, work: int, action: str
) -> HttpResponse:
    """Move a work of the book (`move`, with `to`, its new place in its section) or take
    it out (`remove`)."""
    campaign, anthology = _office_book(request, slug, pk)
    item = get_object_or_404(
        AnthologyItem.objects.select_related("work"), anthology=anthology, work_id=work
    )
    back = redirect(_page_url(anthology, _kept_query(request.POST.get("query", "")), "works"))
    try:
        if action == "remove":
            books.remove_work(request.user, anthology, item.work, version=_version(request))
            messages.success(
                request,
                _("“%(title)s” was taken out of the anthology.") % {"title": item.work.title},
            )
        elif action == "move":
            form = MoveForm(request.POST)
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return back
            books.move_work(
                request.user,
                anthology,
                item.work,
                form.cleaned_data["to"],
                version=form.cleaned_data["version"],
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back


@login_required
@require_POST
def anthology_order(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign, anthology = _office_book(request, slug, pk)
    try:
        books.order_automatically(request.user, anthology, version=_version(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The works follow the automatic order again."))
    return redirect(_page_url(anthology, anchor="works"))


# -- making the book ------------------------------------------------------------------------


@login_required
@require_POST
def anthology_make(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """Ask for the book as PDF or EPUB: a background job (a second click finds it)."""
    campaign, anthology = _office_book(request, slug, pk)
    if fmt not in FORMATS:
        raise Http404
    job = generate.request(
        request.user, campaign, DocumentKind.ANTHOLOGY, fmt, variant=str(anthology.pk)
    )
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        messages.error(request, job.message)
    elif job.status in RUNNING:
        messages.info(request, _("The book is being made; this page shows its progress."))
    else:
        messages.success(request, job.message)
    return redirect(_page_url(anthology, anchor="make"))


@login_required
@require_safe
def anthology_job(request: HttpRequest, slug: str, pk: int, job: int) -> HttpResponse:
    """A job's state (htmx asks every second while it runs); once it has ended the page
    is told to reload, so it lists the new version."""
    campaign, anthology = _book(request, slug, pk)
    found = get_object_or_404(
        GenerationJob.objects.select_related("document"),
        campaign=campaign,
        kind=DocumentKind.ANTHOLOGY,
        variant=str(anthology.pk),
        pk=job,
    )
    if not request.htmx:
        return redirect(_page_url(anthology, anchor="make"))
    response = render(
        request,
        "documents/documents_job.html",
        {"job": found, "campaign": campaign, "status_url": request.path},
    )
    if found.status not in RUNNING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_safe
def anthology_file(request: HttpRequest, slug: str, pk: int, document: int) -> HttpResponse:
    """A kept version of the book, for the office and supervisors."""
    campaign, anthology = _book(request, slug, pk)
    found = get_object_or_404(
        Document,
        campaign=campaign,
        kind=DocumentKind.ANTHOLOGY,
        variant=str(anthology.pk),
        pk=document,
    )
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{found.title}-v{found.version}.{found.format}",
        content_type=CONTENT_TYPES.get(found.format, "application/octet-stream"),
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

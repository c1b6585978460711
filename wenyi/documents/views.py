"""The campaign's official documents page (documents:home): the settings, making the
commendation decision and the campaign's notice, and the archive.

- **Settings** (`documents:settings`): the issuer, the number, the addressees, the body
  template and the layout (DocumentSettings), a versioned form: a save over a colleague's
  later one is refused and the input kept (core.versioning).
- **Making** (`documents:make`): each document in each format is a background job
  (documents.generate.request): a second click finds the job already asked for; the
  page follows its progress with htmx (`documents:job`) and shows the running job
  after a reload too; once it ends the page reloads itself to list the new version.
- **Archive**: every version of every document made (by the page, the command line
  or the demo), with its number, size, checksum, who and when; each downloadable
  (`documents:download`).

The office of the campaign's owner unit does all of it; a supervisor reads the page
(settings, jobs, archive) and gets 403 on every change and on a download; everyone else
gets 404. The rules are the review office's (`review.manage`, `review.supervise`): the
office that ran the review commends its results.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wenyi.awards.enums import ResultsStatus
from wenyi.awards.queries import final_awards, results_of
from wenyi.campaigns.models import Campaign
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.documents import generate, loading
from wenyi.documents.commendation import PLACEHOLDERS, figures
from wenyi.documents.enums import RUNNING, DocumentFormat, DocumentKind, JobStatus
from wenyi.documents.forms import SettingsForm
from wenyi.documents.models import Document, DocumentSettings, GenerationJob

# the documents of this page (certificates have their own)
KINDS = (DocumentKind.COMMENDATION, DocumentKind.NOTICE)
FORMATS = (DocumentFormat.DOCX, DocumentFormat.PDF)
CONTENT_TYPES = {
    DocumentFormat.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    DocumentFormat.PDF: "application/pdf",
}


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign whose documents the office makes or a supervisor reads; 404 for
    everyone else."""
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "review.supervise", campaign):
        raise Http404
    return campaign


def _office(request: HttpRequest, slug: str) -> Campaign:
    """The campaign of a change: 404 outside, 403 for a supervisor."""
    campaign = _campaign(request, slug)
    require(request.user, "review.manage", campaign)
    return campaign


def _home(campaign: Campaign, anchor: str = "") -> str:
    url = reverse("documents:home", args=[campaign.slug])
    return f"{url}#{anchor}" if anchor else url


def _cards(campaign: Campaign, results_final: bool) -> list[dict]:
    """One card per document and format: its newest version, and the job to show (one
    running, or the last one failing since that version)."""
    latest: dict[tuple[str, str], Document] = {}
    for document in Document.objects.filter(campaign=campaign, kind__in=KINDS).order_by(
        "kind", "format", "-version"
    ):
        latest.setdefault((document.kind, document.format), document)
    jobs: dict[tuple[str, str], GenerationJob] = {}
    for job in GenerationJob.objects.filter(campaign=campaign, kind__in=KINDS, variant="").order_by(
        "-created_at", "-id"
    ):
        jobs.setdefault((job.kind, job.format), job)
    cards = []
    for kind in KINDS:
        for fmt in FORMATS:
            document = latest.get((kind, fmt))
            job = jobs.get((kind, fmt))
            if job is not None and not job.is_running:
                newer = document is None or job.updated_at > document.made_at
                if job.status != JobStatus.FAILED or not newer:
                    job = None
            cards.append(
                {
                    "kind": kind,
                    "format": fmt,
                    "label": DocumentKind(kind).label,
                    "format_label": DocumentFormat(fmt).label,
                    "anchor": f"doc-{kind}-{fmt}",
                    "latest": document,
                    "job": job,
                    "ready": results_final or kind != DocumentKind.COMMENDATION,
                }
            )
    return cards


@login_required
@require_safe
def home(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    results = results_of(campaign)
    results_final = results is not None and results.status == ResultsStatus.FINAL
    archive = (
        Document.objects.filter(campaign=campaign, kind__in=KINDS)
        .select_related("made_by__person")
        .order_by("kind", "format", "-version")
    )
    context = {
        "campaign": campaign,
        "settings": DocumentSettings.objects.filter(campaign=campaign).first(),
        "results_final": results_final,
        "cards": _cards(campaign, results_final),
        "archive": archive,
        "can_manage": allowed(request.user, "review.manage", campaign),
    }
    return render(request, "documents/documents_home.html", context)


@login_required
def settings_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office(request, slug)
    current = DocumentSettings.objects.filter(campaign=campaign).first()
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                loading.save_settings(
                    request.user,
                    campaign,
                    version=form.cleaned_data["version"],
                    values=form.values(),
                )
            except ValidationError as exc:
                show_refusal(form, exc)  # an edit conflict too: the input kept
            else:
                messages.success(request, _("Document settings saved."))
                return redirect(_home(campaign))
    elif current is not None:
        form = SettingsForm(initial=SettingsForm.initial_from(current))
    else:
        form = SettingsForm(initial=_starting_values(campaign))
    results = results_of(campaign)
    values = None
    if results is not None and results.status == ResultsStatus.FINAL:
        values = figures(campaign, final_awards(campaign))
    placeholders = [
        {"name": name, "meaning": meaning, "value": values[name] if values else None}
        for name, meaning in PLACEHOLDERS.items()
    ]
    return render(
        request,
        "documents/documents_settings.html",
        {
            "campaign": campaign,
            "form": form,
            "settings": current,
            "placeholders": placeholders,
        },
    )


def _starting_values(campaign: Campaign) -> dict:
    """What a new settings form starts with: the campaign's issuer and the standard text."""
    from wenyi.documents.commendation import DEFAULT_BODY

    return {
        "issuer": campaign.issuer,
        "issuer_mark": f"{campaign.issuer}文件",
        "commendation_title": f"关于表彰{campaign.title}先进集体、先进个人和优秀作品的决定",
        "commendation_body": DEFAULT_BODY,
        "printed_by": campaign.issuer,
    }


@login_required
@require_POST
def make(request: HttpRequest, slug: str, kind: str, fmt: str) -> HttpResponse:
    campaign = _office(request, slug)
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    job = generate.request(request.user, campaign, kind, fmt)
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        messages.error(request, job.message)
    elif job.status == JobStatus.DONE:
        messages.success(request, job.message)
    return redirect(_home(campaign, f"doc-{kind}-{fmt}"))


@login_required
@require_safe
def job_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A job's state (htmx polls it while the job runs). Once it has ended, the page
    is told to reload, so its cards and archive show the outcome."""
    campaign = _campaign(request, slug)
    job = visible_or_404(GenerationJob.objects.filter(campaign=campaign, kind__in=KINDS), pk=pk)
    if not request.htmx:
        return redirect(_home(campaign, f"doc-{job.kind}-{job.format}"))
    response = render(
        request,
        "documents/documents_job.html",
        {"job": job, "campaign": campaign, "status_url": request.path},
    )
    if job.status not in RUNNING:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_safe
def download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(request, slug)
    document = visible_or_404(Document.objects.filter(campaign=campaign, kind__in=KINDS), pk=pk)
    require(request.user, "review.manage", campaign)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = f"{document.title}-v{document.version}.{document.format}"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[document.format],
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

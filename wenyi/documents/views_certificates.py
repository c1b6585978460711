"""The certificates' pages.

- **Verification** (`documents:verify`, `documents:verify_code`), public, no login: a
  form where anyone types the code printed on a certificate, and the page its QR code
  leads to. A real code shows what the certificate says (holder, award, work, campaign,
  issuer, number, date) and whether it was revoked; a code whose check character fails
  is "not valid" (mistyped or altered); a valid code nobody was given is "no such
  certificate". Nothing else of the award is shown: no objection, no objector, no
  contact. Search engines are asked not to index the pages (X-Robots-Tag). Codes carry
  40 random bits, so the pages are not rate limited (see docs/certificates.md).
- **The office's page** (`documents:certificates`): the campaign office issues the
  certificates (and revokes those of withdrawn awards), lists them by award kind, asks
  for the PDF of a kind or of all kinds (a background job, its progress followed by
  htmx, also after a reload) and downloads every kept version. A supervisor reads the
  same page without a button and gets 403 on a change; everyone else 404. The rules
  are the review office's (`review.manage`, `review.supervise`).
"""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wenyi.awards.enums import AwardStatus, ResultsStatus
from wenyi.awards.queries import final_awards, results_of
from wenyi.campaigns.models import Campaign
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.documents import certificates, generate
from wenyi.documents.enums import RUNNING, DocumentFormat, DocumentKind, JobStatus
from wenyi.documents.models import Certificate, Document, GenerationJob

NOINDEX = "noindex, nofollow, noarchive"


# --- public verification -------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = NOINDEX
    response["Referrer-Policy"] = "no-referrer"  # the code stays out of other sites' logs
    return response


def _verdict(request: HttpRequest, check: certificates.Verification, typed: str) -> HttpResponse:
    context = {"check": check, "typed": typed, "url": reverse("documents:verify")}
    status = 200
    if check.state == certificates.Check.FOUND:
        context["facts"] = certificates.public_facts(check.certificate)
    else:
        status = 404
    return _public(render(request, "documents/verify_result.html", context, status=status))


@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    """The form; with a code typed in, the answer (a valid code goes to its own page)."""
    typed = request.GET.get("code", "").strip()[:100]
    error = ""
    if "code" in request.GET:
        if not typed:
            error = _("Verification code: please type the code printed under the QR code.")
        else:
            check = certificates.verify(typed)
            if check.state != certificates.Check.INVALID:
                return redirect("documents:verify_code", code=check.shown_code)
            return _verdict(request, check, typed)
    return _public(render(request, "documents/verify.html", {"typed": typed, "error": error}))


@require_safe
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The page a certificate's QR code leads to."""
    return _verdict(request, certificates.verify(code[:100]), code[:100])


# --- the office's page -----------------------------------------------------------------


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign for its office and supervisors; 404 for everyone else."""
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "review.supervise", campaign):
        raise Http404
    return campaign


def _page_url(campaign: Campaign) -> str:
    return reverse("documents:certificates", args=[campaign.slug])


def _latest_jobs(campaign: Campaign) -> dict[str, GenerationJob]:
    """The newest job per variant (running ones first): what the page shows."""
    jobs: dict[str, GenerationJob] = {}
    jobs_made = GenerationJob.objects.filter(campaign=campaign, kind=DocumentKind.CERTIFICATES)
    for job in jobs_made.select_related("campaign", "document").order_by("-created_at", "-id")[:50]:
        current = jobs.get(job.variant)
        if current is None or (job.is_running and not current.is_running):
            jobs[job.variant] = job
    return jobs


@login_required
@require_safe
def office(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    can_manage = allowed(request.user, "review.manage", campaign)
    results = results_of(campaign)
    final = results is not None and results.status == ResultsStatus.FINAL
    kinds = list(campaign.award_kinds.order_by("position", "id"))
    sections: OrderedDict[int, dict] = OrderedDict(
        (kind.pk, {"kind": kind, "rows": [], "missing": 0, "job": None, "documents": []})
        for kind in kinds
    )
    for certificate in certificates.certificates_of(campaign):
        award = certificate.award
        certificate.award_label = certificates.award_name(award.award_kind, award.tier)
        certificate.grouped = certificates.grouped(certificate.code)
        certificate.revoked = certificates.is_revoked(certificate)
        sections[award.award_kind_id]["rows"].append(certificate)
    missing = 0
    if final:
        counts = (
            final_awards(campaign)
            .filter(certificate__isnull=True)
            .values_list("award_kind_id", flat=True)
        )
        for kind_id in counts:
            sections[kind_id]["missing"] += 1
            missing += 1
    withdrawn = Certificate.objects.filter(
        campaign=campaign, revoked_at__isnull=True, award__status=AwardStatus.WITHDRAWN
    ).count()
    jobs = _latest_jobs(campaign)
    documents: dict[str, list[Document]] = {}
    kept = generate.versions(campaign, DocumentKind.CERTIFICATES)
    for document in kept.select_related("made_by__person").order_by("variant", "-version"):
        documents.setdefault(document.variant, []).append(document)
    by_key = {}
    for section in sections.values():
        key = section["kind"].key
        section["job"] = jobs.get(key)
        section["documents"] = documents.get(key, [])
        by_key[key] = section
    return render(
        request,
        "documents/certificates.html",
        {
            "campaign": campaign,
            "results": results,
            "final": final,
            "can_manage": can_manage,
            "sections": list(sections.values()),
            "missing": missing,
            "withdrawn": withdrawn,
            "issued": sum(len(s["rows"]) for s in sections.values()),
            "all_job": jobs.get(""),
            "all_documents": documents.get("", []),
        },
    )


@login_required
@require_POST
def issue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "review.manage", campaign)
    try:
        issued = certificates.issue(request.user, campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, issued.message())
    return redirect(_page_url(campaign))


@login_required
@require_POST
def make(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for the PDF of one award kind (`kind`) or of all (empty): a background job."""
    campaign = _campaign(request, slug)
    require(request.user, "review.manage", campaign)
    key = request.POST.get("kind", "").strip()
    if key and not campaign.award_kinds.filter(key=key).exists():
        messages.error(request, _("Award kind: the campaign has no kind %(key)s.") % {"key": key})
        return redirect(_page_url(campaign))
    job = generate.request(
        request.user, campaign, DocumentKind.CERTIFICATES, DocumentFormat.PDF, variant=key
    )
    job.refresh_from_db()
    if job.status == JobStatus.FAILED:
        messages.error(request, job.message)
    elif job.status in RUNNING:
        messages.info(request, _("The PDF is being made; this page shows its progress."))
    else:
        messages.success(request, job.message)
    return redirect(f"{_page_url(campaign)}#kind-{key or 'all'}")


@login_required
@require_safe
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress (htmx asks every second while it runs)."""
    job = visible_or_404(
        GenerationJob.objects.select_related("campaign", "document"),
        pk=pk,
        kind=DocumentKind.CERTIFICATES,
    )
    if not allowed(request.user, "review.supervise", job.campaign):
        raise Http404
    if not request.htmx:
        return redirect(_page_url(job.campaign))
    return render(request, "documents/certificates_job.html", {"job": job})


@login_required
@require_safe
def download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A kept version of a certificates PDF, for the office and supervisors."""
    campaign = _campaign(request, slug)
    document = visible_or_404(
        Document.objects.filter(campaign=campaign, kind=DocumentKind.CERTIFICATES), pk=pk
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"{document.title}-v{document.version}.{document.format}"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

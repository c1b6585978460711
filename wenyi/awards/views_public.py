"""The public pages of a campaign's results: no login needed, made for phones.

- `awards:public_notice`: the latest public notice (公示) — its title, text and window,
  the results by award kind and tier as they will be printed (no scores), the way to
  object while the window is open ("公示期已结束" after it), and the objections'
  outcomes: reference, result, state and decision, never who raised them.
- `awards:object`: the objection form (异议), during the window only; a refusal says
  why (late, anonymous, a unit without its seal …) on the field concerned.
- `awards:receipt`: the reference number the objector keeps.
- `awards:public_results`: the final results, once declared.

Nothing here reads an objector's name, unit, contact or files: the outcomes come from
`queries.public_outcomes`, which loads only the public fields.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from wenyi.awards import objections, queries, services
from wenyi.awards.enums import ResultsStatus
from wenyi.awards.forms import ObjectionForm
from wenyi.awards.models import PublicNotice, Results
from wenyi.campaigns.models import Campaign
from wenyi.core import clock
from wenyi.core.versioning import show_refusal
from wenyi.review import vote_results, votes


def _published(slug: str) -> tuple[Campaign, Results, PublicNotice]:
    """The campaign, its results and their latest notice, once one is published; 404
    before (and for results taken back to a draft, which no notice shows)."""
    campaign = get_object_or_404(Campaign, slug=slug)
    results = get_object_or_404(
        Results, campaign=campaign, status__in=[ResultsStatus.NOTICE, ResultsStatus.FINAL]
    )
    notice = results.notices.order_by("-number").first()
    if notice is None:
        raise Http404
    return campaign, results, notice


def _state(notice: PublicNotice, results: Results, today) -> dict:
    refusal = objections.window_refusal(notice, today)
    return {
        "open": not refusal,
        "not_yet": today < notice.starts_on and results.status == ResultsStatus.NOTICE,
        "ended": today > notice.ends_on or results.status == ResultsStatus.FINAL,
        "refusal": refusal,
    }


@require_safe
def public_notice(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, results, notice = _published(slug)
    today = clock.today()
    return render(
        request,
        "awards/public/notice.html",
        {
            "campaign": campaign,
            "results": results,
            "notice": notice,
            "window": services.window_text(campaign, notice.starts_on, notice.ends_on),
            "groups": queries.grouped(queries.all_awards(results)),
            "outcomes": list(queries.public_outcomes(results)),
            "final": results.status == ResultsStatus.FINAL,
            **_state(notice, results, today),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def object_form(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, results, notice = _published(slug)
    today = clock.today()
    state = _state(notice, results, today)
    awards = list(queries.standing_awards(results))
    if request.method == "POST":
        form = ObjectionForm(request.POST, awards=awards, evidence_max=objections.EVIDENCE_MAX)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("seal", "evidence")}
            files = {
                "seal": request.FILES.get("seal"),
                "evidence": request.FILES.getlist("evidence"),
            }
            try:
                objection = services.receive_objection(notice, data, files, today)
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                return redirect("awards:receipt", slug=campaign.slug, reference=objection.reference)
        chosen_files = bool(request.FILES)
    else:
        form = ObjectionForm(
            initial={"token": secrets.token_urlsafe(24)},
            awards=awards,
            evidence_max=objections.EVIDENCE_MAX,
        )
        chosen_files = False
    return render(
        request,
        "awards/public/object.html",
        {
            "campaign": campaign,
            "notice": notice,
            "form": form,
            "window": services.window_text(campaign, notice.starts_on, notice.ends_on),
            "chosen_files": chosen_files,
            **state,
        },
    )


@require_safe
def receipt(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The objector's receipt: the reference number and what it concerns (nothing of
    who raised it)."""
    campaign, results, notice = _published(slug)
    objection = get_object_or_404(queries.public_outcomes(results), reference=reference)
    return render(
        request,
        "awards/public/receipt.html",
        {
            "campaign": campaign,
            "objection": objection,
            "result": services.describe(objection.award),
        },
    )


@require_safe
def public_results(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    results = get_object_or_404(Results, campaign=campaign, status=ResultsStatus.FINAL)
    awards = list(queries.final_awards(campaign))
    # a public vote fed the works' scores: each work line shows its parts apart
    vote = votes.vote_of(campaign)
    if vote is not None:
        parts = vote_results.results_for_placements(a.placement_id for a in awards if a.work_id)
        for award in awards:
            award.parts = parts.get(award.placement_id)
    return render(
        request,
        "awards/public/results.html",
        {
            "campaign": campaign,
            "results": results,
            "groups": queries.grouped(awards),
            "notice": results.notices.order_by("-number").first(),
            "vote": vote,
        },
    )


urlpatterns = [
    path("public/<slug:slug>/notice/", public_notice, name="public_notice"),
    path("public/<slug:slug>/notice/objection/", object_form, name="object"),
    path(
        "public/<slug:slug>/notice/objection/<str:reference>/received/",
        receipt,
        name="receipt",
    ),
    path("public/<slug:slug>/results/", public_results, name="public_results"),
]

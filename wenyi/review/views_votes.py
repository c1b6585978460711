"""The office's page of a campaign's public vote (wenyi.review.votes), linked from the
review's page: how the vote is set (from the campaign file), the votes of each work
(counted online, held, on-site), the held votes grouped by network address with their
counting or rejection (one address at once, or the ones ticked), and the on-site counts
entered in one form (one transaction; a bad row named by the work's title, nothing
saved).

The office of the campaign's owner unit changes; a supervisor reads the same page
without a form and gets 403 on a change; everyone else 404, as on every review page.
The page reads in a fixed number of queries whatever the number of works and votes;
the phone numbers of the public are nowhere (voters are keyed hashes).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core.permissions import allowed, require
from wenyi.review import votes
from wenyi.review.enums import BallotStatus, RoundStatus
from wenyi.review.models import Ballot, PublicVote

HELD_SHOWN = 500  # held ballots listed one by one (each address is decided whole anyway)


def _vote(request: HttpRequest, slug: str) -> tuple[Campaign, PublicVote]:
    """The campaign's vote for its office and supervisors; 404 for everyone else, and
    for a campaign without a vote."""
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "review.supervise", campaign):
        raise Http404
    vote = votes.vote_of(campaign)
    if vote is None:
        raise Http404
    return campaign, vote


def _context(
    request: HttpRequest, campaign: Campaign, vote: PublicVote, posted: dict | None = None
) -> dict[str, Any]:
    works = list(
        votes.vote_works(vote).select_related("unit", "category").order_by("category_id", "pk")
    )
    by_status: dict[str, dict[int, int]] = defaultdict(dict)
    for row in (
        Ballot.objects.filter(vote=vote)
        .order_by()
        .values("status", "work_id")
        .annotate(n=Count("id"))
    ):
        by_status[row["status"]][row["work_id"]] = row["n"]
    onsite = votes.onsite_counts(vote)
    for work in works:
        work.online = by_status[BallotStatus.COUNTED].get(work.pk, 0)
        work.held = by_status[BallotStatus.HELD].get(work.pk, 0)
        work.rejected = by_status[BallotStatus.REJECTED].get(work.pk, 0)
        work.onsite = onsite.get(work.pk)
        work.onsite_posted = (posted or {}).get(work.pk)
    held = list(
        Ballot.objects.filter(vote=vote, status=BallotStatus.HELD)
        .select_related("work")
        .order_by("address", "cast_at", "id")[:HELD_SHOWN]
    )
    groups = votes.held_by_address(vote)
    for group in groups:
        group["ballots"] = [b for b in held if b.address == group["address"]]
    now = timezone.now()
    state = "open" if votes.is_open(vote, now) else ("before" if now < vote.starts else "after")
    totals = {status: sum(by_status[status].values()) for status in BallotStatus.values}
    can_manage = allowed(request.user, "review.manage", campaign)
    return {
        "campaign": campaign,
        "vote": vote,
        "round": vote.round,
        "state": state,
        "works": works,
        "groups": groups,
        "totals": totals,
        "voters": Ballot.objects.filter(vote=vote).values("voter").distinct().count(),
        "can_manage": can_manage,
        "can_change": can_manage and vote.round.status != RoundStatus.CLOSED,
        "round_closed": vote.round.status == RoundStatus.CLOSED,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def vote_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, vote = _vote(request, slug)
    return render(request, "review/office/votes.html", _context(request, campaign, vote))


def _ids(values: list[str]) -> list[int] | None:
    if not values:
        return None
    if not all(v.isdigit() for v in values):
        raise ValidationError(_("Choose the votes, or an address."))
    return [int(v) for v in values]


@login_required
@require_POST
def held_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    campaign, vote = _vote(request, slug)
    require(request.user, "review.manage", campaign)
    if action not in ("count", "reject"):
        raise Http404
    back = redirect("review:votes", slug=campaign.slug)
    try:
        ids = _ids(request.POST.getlist("ballot"))
        address = None if ids is not None else request.POST.get("address")
        if ids is None and address is None:
            raise ValidationError(_("Choose the votes, or an address."))
        if action == "count":
            n = votes.count_ballots(request.user, vote, ids=ids, address=address)
            messages.success(
                request, ngettext("%(n)s vote counted.", "%(n)s votes counted.", n) % {"n": n}
            )
        else:
            n = votes.reject_ballots(
                request.user,
                vote,
                ids=ids,
                address=address,
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request, ngettext("%(n)s vote rejected.", "%(n)s votes rejected.", n) % {"n": n}
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back


@login_required
@require_POST
def onsite(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, vote = _vote(request, slug)
    require(request.user, "review.manage", campaign)
    counts: dict[int, str] = {}
    for name, value in request.POST.items():
        if name.startswith("onsite-") and name[7:].isdigit():
            counts[int(name[7:])] = value.strip()
    try:
        n = votes.set_onsite_counts(request.user, vote, counts)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        context = _context(request, campaign, vote, posted=counts)
        return render(request, "review/office/votes.html", context, status=400)
    if n:
        messages.success(
            request,
            ngettext("On-site votes of %(n)s work saved.", "On-site votes of %(n)s works saved.", n)
            % {"n": n},
        )
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("review:votes", slug=campaign.slug)


urlpatterns = [
    path("campaigns/<slug:slug>/review/vote/", vote_page, name="votes"),
    path("campaigns/<slug:slug>/review/vote/onsite/", onsite, name="votes_onsite"),
    path("campaigns/<slug:slug>/review/vote/held/<slug:action>/", held_action, name="votes_held"),
]

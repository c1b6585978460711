"""The public vote on the portal (wenyi.review.votes): phone-first, no login needed.

- In the gallery and on a work's page (views_public, `vote_context`): while the window
  is open, each work shows its counted votes and a vote button (or 已投 once voted).
- `portal:vote` (POST): a vote for a work. A login votes as itself; a visitor votes
  with a phone number verified in this session; anyone else is sent to verify one, and
  the vote they asked for is cast as soon as the code is right.
- `portal:vote_phone` → `portal:vote_code`: the number, then the 6-digit code sent to
  it (wenyi.core.sms). The verified voter (a keyed hash of the number and the number
  masked, never the number itself) stays in the session until the vote ends.
- `portal:vote_check`: the challenge a voter without a login answers when many votes
  come from their address; the answer counts once (the nonce kept in the session).

The work voted for is always read through `queries.public_works`: a work not on the
portal is a 404 here too. Every answer is a redirect back to the page the visitor came
from (checked to be a page of this campaign's portal) with a message saying what
happened: counted, held for the office, 已投过, a question first, or a login.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenyi.campaigns.models import Campaign
from wenyi.orgs.throttle import client_address
from wenyi.portal import queries, views_public
from wenyi.portal.forms_vote import ChallengeForm, CodeForm, PhoneForm
from wenyi.review import votes
from wenyi.review.enums import BallotStatus
from wenyi.review.models import PublicVote
from wenyi.works.models import Work

# {vote id: {"voter": key, "phone": masked number, "until": ISO end of the window}}
SESSION_VOTERS = "wenyi_vote_voters"
# the vote asked for before a phone or a challenge: {"vote", "work", "back"}
SESSION_PENDING = "wenyi_vote_pending"
# the number a code was sent to: {"vote", "key", "phone"}
SESSION_PHONE = "wenyi_vote_phone"
# the nonce of the challenge shown (answered once)
SESSION_CHALLENGE = "wenyi_vote_challenge"


def _vote(slug: str) -> tuple[Campaign, PublicVote]:
    campaign = get_object_or_404(
        Campaign.objects.prefetch_related("stages", "organisers", "contacts"), slug=slug
    )
    vote = votes.vote_of(campaign)
    if vote is None:
        raise Http404
    return campaign, vote


def voter_of(request: HttpRequest, vote: PublicVote) -> votes.Voter | None:
    """The login, or the phone verified in this session for this vote (until it ends)."""
    if request.user.is_authenticated:
        return votes.login_voter(request.user)
    found = request.session.get(SESSION_VOTERS, {}).get(str(vote.pk))
    if not found:
        return None
    if timezone.now() > datetime.datetime.fromisoformat(found["until"]):
        return None
    return votes.Voter(key=found["voter"], phone=found["phone"])


def vote_context(request: HttpRequest, campaign: Campaign, works: list[Work]) -> dict[str, Any]:
    """What the gallery and a work's page show of the vote: whether it is open, and on
    each work its counted votes (`vote_count`) and whether this voter voted for it
    (`voted`). One query without a vote; three at most with one, whatever the works."""
    vote = votes.vote_of(campaign)
    if vote is None:
        return {"vote": None, "vote_open": False}
    is_open = votes.is_open(vote)
    voter = voter_of(request, vote)
    if is_open:
        ids = [w.pk for w in works]
        counts = votes.online_counts(vote, ids) if ids else {}
        done = votes.voted_works(vote, voter.key, ids) if voter and ids else set()
        for w in works:
            w.vote_count = counts.get(w.pk, 0)
            w.voted = w.pk in done
    upcoming = not is_open and timezone.now() < vote.starts
    return {"vote": vote, "vote_open": is_open, "vote_upcoming": upcoming, "voter": voter}


def _back(request: HttpRequest, campaign: Campaign, work: Work | None = None) -> str:
    """Where to go after the vote: the page the form was on, if it is this campaign's
    portal; else the work's page (or the gallery)."""
    target = request.POST.get("back", "")
    if target.startswith(f"/p/{campaign.slug}/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target.split("#")[0]
    if work is not None:
        return reverse("portal:work", args=[campaign.slug, work.pk])
    return reverse("portal:gallery", args=[campaign.slug])


def _pending(request: HttpRequest, campaign: Campaign, vote: PublicVote):
    """The vote asked for before a phone or a challenge: (work, back), or None."""
    found = request.session.get(SESSION_PENDING)
    if not found or found.get("vote") != vote.pk:
        return None
    work = queries.public_works(campaign).filter(pk=found.get("work")).first()
    if work is None:
        return None
    return work, found.get("back") or reverse("portal:work", args=[campaign.slug, work.pk])


def _remember(request: HttpRequest, vote: PublicVote, work: Work, back: str) -> None:
    request.session[SESSION_PENDING] = {"vote": vote.pk, "work": work.pk, "back": back}


def _cast(
    request: HttpRequest,
    campaign: Campaign,
    vote: PublicVote,
    work: Work,
    voter: votes.Voter,
    back: str,
    *,
    challenged: bool = False,
) -> HttpResponse:
    """Cast the vote and say what happened; back to the page, at the work's card."""
    try:
        ballot = votes.cast_ballot(
            vote, work, voter, client_address(request), challenged=challenged
        )
    except votes.ChallengeNeeded as exc:
        _remember(request, vote, work, back)
        messages.info(request, exc.messages[0])
        return redirect("portal:vote_check", campaign.slug)
    except votes.LoginNeeded as exc:
        request.session.pop(SESSION_PENDING, None)
        messages.warning(request, exc.messages[0])
        return redirect(f"{reverse('login')}?{urlencode({'next': back})}")
    except votes.AlreadyVoted as exc:
        request.session.pop(SESSION_PENDING, None)
        messages.info(request, exc.messages[0])
        return redirect(f"{back}#work-{work.pk}")
    except ValidationError as exc:
        request.session.pop(SESSION_PENDING, None)
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    request.session.pop(SESSION_PENDING, None)
    if ballot.status == BallotStatus.HELD:
        messages.info(request, _("Your vote was received; the office checks it before it counts."))
    else:
        messages.success(
            request, _("Thank you: your vote for “%(title)s” counts.") % {"title": work.title}
        )
    return redirect(f"{back}#work-{work.pk}")


def _page(request: HttpRequest, campaign: Campaign, template: str, title: str, **context):
    # views_public imports this module for vote_context: its helpers are read from the
    # module at call time, so the two may import each other
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "section": "gallery",
            "meta": views_public._meta(request, title, campaign.title),
            **views_public._links(campaign),
            **context,
        },
    )


def _refusal(form, exc: ValidationError) -> None:
    """A service's refusal on the form: by field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_POST
def cast(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign, vote = _vote(slug)
    work = get_object_or_404(queries.public_works(campaign), pk=pk)
    back = _back(request, campaign, work)
    voter = voter_of(request, vote)
    if voter is not None:
        return _cast(request, campaign, vote, work, voter, back)
    try:
        votes.refuse_unless_open(vote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    _remember(request, vote, work, back)
    return redirect("portal:vote_phone", campaign.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def phone(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, vote = _vote(slug)
    pending = _pending(request, campaign, vote)
    back = pending[1] if pending else reverse("portal:gallery", args=[campaign.slug])
    if voter_of(request, vote) is not None:
        # a login, or a phone verified already: nothing to do here (a page seen is
        # never a vote cast: the visitor votes with the button)
        request.session.pop(SESSION_PENDING, None)
        return redirect(back)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = votes.send_code(vote, form.cleaned_data["phone"], client_address(request))
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            request.session[SESSION_PHONE] = {
                "vote": vote.pk,
                "key": sent.key,
                "phone": sent.phone,
            }
            messages.success(request, _("A code was sent to %(phone)s.") % {"phone": sent.phone})
            return redirect("portal:vote_code", campaign.slug)
    return _page(
        request,
        campaign,
        "portal/vote_phone.html",
        _("Vote with your phone"),
        vote=vote,
        vote_open=votes.is_open(vote),
        form=form,
        work=pending[0] if pending else None,
        login_url=f"{reverse('login')}?{urlencode({'next': back})}",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def code(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, vote = _vote(slug)
    sent = request.session.get(SESSION_PHONE)
    if not sent or sent.get("vote") != vote.pk:
        return redirect("portal:vote_phone", campaign.slug)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            votes.verify_code(vote, sent["key"], form.cleaned_data["code"])
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            return _verified(request, campaign, vote, sent)
    pending = _pending(request, campaign, vote)
    return _page(
        request,
        campaign,
        "portal/vote_code.html",
        _("Enter the code"),
        vote=vote,
        form=form,
        phone=sent["phone"],
        work=pending[0] if pending else None,
    )


def _verified(request: HttpRequest, campaign: Campaign, vote: PublicVote, sent: dict):
    """The phone is verified: keep the voter for the window, then cast the vote asked
    for (if any)."""
    pending = _pending(request, campaign, vote)
    # a new session key once the visitor proved something (no session fixation)
    request.session.cycle_key()
    request.session.pop(SESSION_PHONE, None)
    voters = request.session.get(SESSION_VOTERS, {})
    voters[str(vote.pk)] = {
        "voter": sent["key"],
        "phone": sent["phone"],
        "until": vote.ends.isoformat(),
    }
    request.session[SESSION_VOTERS] = voters
    voter = votes.Voter(key=sent["key"], phone=sent["phone"])
    if pending is not None:
        return _cast(request, campaign, vote, pending[0], voter, pending[1])
    messages.success(request, _("Your phone number is verified: vote for the works you like."))
    return redirect("portal:gallery", campaign.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    campaign, vote = _vote(slug)
    pending = _pending(request, campaign, vote)
    voter = voter_of(request, vote)
    if pending is None or voter is None:
        return redirect("portal:gallery", campaign.slug)
    work, back = pending
    if request.method == "POST":
        form = ChallengeForm(request.POST)
        nonce = request.session.pop(SESSION_CHALLENGE, None)
        if form.is_valid() and votes.check_challenge(
            form.cleaned_data["token"], form.cleaned_data["answer"], nonce
        ):
            return _cast(request, campaign, vote, work, voter, back, challenged=True)
        messages.error(request, _("That is not the answer; here is another question."))
    challenge = votes.new_challenge()
    request.session[SESSION_CHALLENGE] = challenge.nonce
    form = ChallengeForm(initial={"token": challenge.token})
    form.fields["answer"].label = challenge.question
    return _page(
        request,
        campaign,
        "portal/vote_check.html",
        _("One question before your vote"),
        vote=vote,
        form=form,
        work=work,
        back=back,
    )

"""Who may do what with a campaign's results, declared once.

- The office of the campaign's owner unit (the one that runs the review) draws the
  results, approves them, puts them on public notice, handles the objections and
  declares the results final. Nobody approves results they drew themselves, nor
  decides on an objection they raised (four eyes, in wenyi.awards.services).
- A supervisor of the review reads the results, the notices and the objections'
  course, and changes nothing; the objector's identity and files are not theirs to
  see either (the office's only).
- Everyone else gets 404 on the office's pages. The public pages (the notice, the
  objection form, the final results) need no login and never show an objector.
"""

import rules

from wenyi.awards.enums import DECIDED, ResultsStatus
from wenyi.awards.models import Award, Objection, ObjectionFile, PublicNotice, Results
from wenyi.review.rules import runs_review, supervises


def campaign_of(obj):
    """The campaign of a results object (results, award, notice, objection, file), or
    the campaign itself."""
    if isinstance(obj, ObjectionFile):
        obj = obj.objection
    if isinstance(obj, Objection):
        obj = obj.notice
    if isinstance(obj, Award | PublicNotice):
        obj = obj.results
    if isinstance(obj, Results):
        return obj.campaign
    return obj


def results_of(obj) -> Results | None:
    """The results an object belongs to; for a campaign, its results if drawn."""
    if isinstance(obj, Results):
        return obj
    if isinstance(obj, Award | PublicNotice):
        return obj.results
    if isinstance(obj, Objection):
        return obj.notice.results
    if obj is None:
        return None
    return Results.objects.filter(campaign=obj).first()


def _status(obj) -> str | None:
    results = results_of(obj)
    return results.status if results is not None else None


@rules.predicate
def is_results_office(user, obj) -> bool:
    return obj is not None and runs_review(user, campaign_of(obj))


@rules.predicate
def is_results_supervisor(user, obj) -> bool:
    return obj is not None and supervises(user, campaign_of(obj))


@rules.predicate
def is_drawable(user, obj) -> bool:
    """Not drawn yet, or still a draft: drawing (again) is allowed."""
    return obj is not None and _status(obj) in (None, ResultsStatus.DRAFT)


@rules.predicate
def is_draft(user, obj) -> bool:
    return _status(obj) == ResultsStatus.DRAFT


@rules.predicate
def is_approved(user, obj) -> bool:
    return _status(obj) == ResultsStatus.APPROVED


@rules.predicate
def is_on_notice(user, obj) -> bool:
    return _status(obj) == ResultsStatus.NOTICE


@rules.predicate
def is_undecided(user, objection) -> bool:
    return isinstance(objection, Objection) and objection.status not in DECIDED


# read the campaign's results, notices and objections (the office's pages)
rules.add_perm("awards.view_results", is_results_office | is_results_supervisor)
# the office's role alone (the state and four eyes are the services' to check)
rules.add_perm("awards.manage", is_results_office)
rules.add_perm("awards.draw", is_results_office & is_drawable)
rules.add_perm("awards.approve", is_results_office & is_draft)
rules.add_perm("awards.reopen", is_results_office & is_approved)
rules.add_perm("awards.publish", is_results_office & (is_approved | is_on_notice))
rules.add_perm("awards.declare_final", is_results_office & is_on_notice)
rules.add_perm("awards.handle_objection", is_results_office & is_undecided)
# who raised an objection (name, unit, contact) and the files sent with it
rules.add_perm("awards.see_objector", is_results_office)

"""What the results put on the office's to-do list (see core.todo): results someone
else drew, waiting for approval (four eyes: never counted for whoever drew them);
objections waiting for a decision; a notice that has ended with every objection
decided, waiting to be declared final. Two queries at most."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.awards.enums import DECIDED, ResultsStatus
from wenyi.awards.models import Results
from wenyi.core import clock, todo
from wenyi.review.rules import runs_review


@todo.register
def results_todos(user, campaign, counting: bool = False) -> list[todo.Todo]:
    if not runs_review(user, campaign):
        return []
    results = (
        Results.objects.filter(campaign=campaign)
        .annotate(
            waiting=Count("notices__objections", filter=~Q(notices__objections__status__in=DECIDED))
        )
        .first()
    )
    if results is None:
        return []
    url = reverse("awards:results", args=[campaign.slug])
    items = []
    if results.status == ResultsStatus.DRAFT and results.drawn_by_id not in (None, user.pk):
        items.append(todo.Todo(_("Results drawn up, waiting for your approval"), url, 1, order=50))
    if results.waiting:
        items.append(
            todo.Todo(
                _("Objections to the public notice, to decide"), url, results.waiting, order=51
            )
        )
    if results.status == ResultsStatus.NOTICE and not results.waiting:
        latest = results.notices.order_by("-number").first()
        if latest is not None and clock.today() > latest.ends_on:
            items.append(
                todo.Todo(
                    _("The public notice has ended: declare the results final"), url, 1, order=52
                )
            )
    return items

"""What works put on people's to-do lists (see core.todo)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.core import clock, todo
from wenyi.core.permissions import allowed
from wenyi.orgs.queries import managed
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Match, Work

RECENT_DAYS = 30


@todo.register
def work_todos(user, campaign, counting: bool = False) -> list[todo.Todo]:
    gallery = reverse("works:list", args=[campaign.slug])
    works = Work.objects.filter(campaign=campaign)
    items: list[todo.Todo] = []
    if allowed(user, "works.enter") and allowed(user, "orgs.list_people"):
        items.append(
            todo.Todo(
                _("Works handed in, waiting for your unit to submit"),
                f"{gallery}?status=draft",
                works.filter(managed(user, "unit__"), status=WorkStatus.DRAFT).count(),
                order=30,
            )
        )
        since = clock.now() - datetime.timedelta(days=RECENT_DAYS)
        decided = Match.objects.filter(
            managed(user, "work__unit__"), work__campaign=campaign, decided_at__gte=since
        ).exclude(status=MatchStatus.OPEN)
        if not counting and decided.exists():  # a note
            items.append(
                todo.Todo(
                    _("Possible copies decided in the last %(days)s days") % {"days": RECENT_DAYS},
                    gallery,
                    note=_("%(n)s decided") % {"n": decided.count()},
                    order=70,
                )
            )
    if allowed(user, "works.review_originality"):
        open_matches = [
            m
            for m in Match.objects.filter(
                managed(user, "work__unit__"), work__campaign=campaign, status=MatchStatus.OPEN
            ).select_related("work__unit")
            if allowed(user, "works.decide_match", m)
        ]
        items.append(
            todo.Todo(
                _("Possible copies to decide"),
                reverse("works:originality", args=[campaign.slug]),
                len(open_matches),
                order=40,
            )
        )
    own = works.filter(Q(authors__user=user) | Q(created_by=user)).distinct()
    if not counting and own.exists():  # a note: it adds nothing to the menu's number
        drafts = own.filter(status=WorkStatus.DRAFT).count()
        submitted = own.filter(status=WorkStatus.SUBMITTED).count()
        items.append(
            todo.Todo(
                _("My works"),
                gallery,
                note=_("%(drafts)s with the unit, %(submitted)s submitted")
                % {"drafts": drafts, "submitted": submitted},
                order=35,
            )
        )
    no_consent = own.filter(consent_portal=False, consent_anthology=False).exclude(
        status=WorkStatus.WITHDRAWN
    )
    items.append(
        todo.Todo(_("My works without rights consent"), gallery, no_consent.count(), order=36)
    )
    return items

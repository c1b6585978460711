"""The start page — what each person has to do next — and what the navigation bar needs
(site is the top layer: it may read every app)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.queries import campaigns_concerning
from wenyi.core import clock, dbstate, todo
from wenyi.core.permissions import allowed
from wenyi.orgs.queries import person_of


def newest_campaign(user) -> Campaign | None:
    """The newest campaign the login works in (never another tree's campaign)."""
    return next(iter(campaigns_concerning(user)), None)


@todo.register
def review_note(user, campaign, counting: bool = False) -> list[todo.Todo]:
    """Experts: when the review opens (their assignments will be listed here)."""
    if counting or not allowed(user, "orgs.serve_as_expert"):
        return []
    stage = campaign.review_stage()
    if stage is None:
        return []
    today = clock.today()
    if today < stage.start:
        note = _("Review opens on %(start)s; what is assigned to you will be listed here.")
    elif today <= stage.end:
        note = _("Review is under way until %(end)s; what is assigned to you is listed here.")
    else:
        note = _("Review ended on %(end)s.")
    values = {"start": f"{stage.start:%Y-%m-%d}", "end": f"{stage.end:%Y-%m-%d}"}
    queue = reverse("review:queue", args=[campaign.slug])
    return [todo.Todo(stage.name, queue, note=note % values, order=1)]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What to do next in the newest campaign, with a count per kind of thing waiting;
    the list of campaigns when there is none."""
    campaign = newest_campaign(request.user)
    if campaign is None:
        return redirect("campaigns:list")
    items = todo.items(request.user, campaign)
    return render(
        request,
        "site/home.html",
        {
            "campaign": campaign,
            "stage": campaign.current_stage(),
            "waiting": [i for i in items if i.count],
            "notes": [i for i in items if not i.count],
            "today": clock.today(),
        },
    )


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    if match.namespace == "activities":
        return "quota" if name == "quota" else "activities"
    if match.namespace == "orgs":
        if name.startswith("unit"):
            return "units"
        if name.startswith(("person", "people")):
            return "people"
        return {"audit": "audit", "audit_object": "audit"}.get(name, "security")
    if match.namespace == "review":
        return "review"
    if match.namespace == "awards":
        return "results"
    if match.namespace == "documents":
        return "documents"
    if match.namespace == "portal":
        return "portal"
    if match.namespace == "dashboard":
        return "dashboard"
    if match.namespace == "core":
        return "notices"
    if match.namespace == "" and name == "home":
        return "home"
    return {"works": "works", "reporting": "reports", "campaigns": "campaigns"}.get(
        match.namespace, ""
    )


def _review_url(user, campaign: Campaign | None) -> str:
    """The review's page for the office and supervisors, the queue for an expert."""
    if campaign is None:
        return ""
    if allowed(user, "review.supervise", campaign):
        return reverse("review:home", args=[campaign.slug])
    if allowed(user, "orgs.serve_as_expert"):
        return reverse("review:queue", args=[campaign.slug])
    return ""


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if not signed_in:
        return {"pretend_today": settings.WENYI_TODAY}
    # the same for every page of the login while nothing has been committed since
    question = ("navigation", user.pk, translation.get_language(), clock.today())
    state = dbstate.token()  # read before both answers below
    menu = dbstate.kept(question, lambda: _menu(user), state=state)
    section = _section(request)
    context = {**menu, "nav_section": section}

    def draw() -> str:
        return render_to_string("_menu.html", {**context, "user": user})

    return {
        **context,
        "pretend_today": settings.WENYI_TODAY,
        # drawn once per section too (base.html adds the log-out form with its CSRF token)
        "nav_menu": mark_safe(dbstate.kept((*question, section), draw, state=state)),
    }


def _menu(user) -> dict:
    """What the menu offers the login: the rules decide, as they decide what the pages
    allow."""
    campaign = newest_campaign(user)
    return {
        "nav_is_office": allowed(user, "orgs.view_sign_in_security"),
        "nav_audit": allowed(user, "core.view_audit"),
        "nav_is_manager": allowed(user, "orgs.list_people"),
        "nav_activities": allowed(user, "activities.view_list"),
        "nav_works": allowed(user, "works.enter"),
        "nav_campaign": campaign,
        "nav_review": _review_url(user, campaign),
        "nav_results": campaign is not None and allowed(user, "awards.view_results", campaign),
        "nav_documents": campaign is not None and allowed(user, "review.supervise", campaign),
        "nav_portal": campaign is not None and allowed(user, "portal.view_office", campaign),
        "nav_dashboard": campaign is not None and allowed(user, "dashboard.view"),
        "nav_todo": todo.count(user, campaign),
        "nav_unread": user.notifications.filter(read_at__isnull=True).count(),
        "nav_person": person_of(user),
    }


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """`/healthz`: "ok" while the app answers — for load balancers and monitors, and the
    load test's ceiling (the cheapest request this server can answer). Reads nothing."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")

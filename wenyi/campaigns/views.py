"""The campaign's pages: its rules as the file defines them, and the leading groups (R2)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wenyi.campaigns import services
from wenyi.campaigns.forms import GroupMemberFormSet, LeadingGroupForm
from wenyi.campaigns.models import LeadingGroup
from wenyi.campaigns.participation import participating_units, takes_part
from wenyi.campaigns.queries import campaign_with_rules, campaigns_visible_to
from wenyi.core import clock
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs.queries import units_managed_by, units_visible_to


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible_to(request.user).prefetch_related("stages")
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "today": clock.today()})


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_or_404(campaign_with_rules(campaigns_visible_to(request.user)), slug=slug)
    today = clock.today()
    stages = [
        {"stage": s, "current": s.start <= today <= s.end, "past": s.end < today}
        for s in campaign.stages.all()
    ]
    categories = list(campaign.work_categories.all())
    top_categories = [
        {"category": c, "children": [k for k in categories if k.parent_id == c.pk]}
        for c in categories
        if c.parent_id is None
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "stages": stages,
            "ended": today > campaign.end,
            "not_started": today < campaign.start,
            "top_categories": top_categories,
            "today": today,
        },
    )


@login_required
def leading_groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The office's view of R2: which units have registered their leading group."""
    campaign = visible_or_404(campaigns_visible_to(request.user), slug=slug)
    require(request.user, "campaigns.view_leading_groups_overview")
    owner = campaign.owner_unit()
    units = participating_units(campaign, owner=owner) & units_managed_by(request.user)
    groups = {
        g.unit_id: g
        for g in LeadingGroup.objects.filter(campaign=campaign).annotate(
            member_count=Count("members")
        )
    }
    rows = [{"unit": u, "group": groups.get(u.pk)} for u in units.order_by("path")]
    missing = [r for r in rows if r["group"] is None]
    return render(
        request,
        "campaigns/leading_groups.html",
        {
            "campaign": campaign,
            "rows": rows,
            "missing": missing,
            "owner": owner,
        },
    )


@login_required
def leading_group_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    campaign = visible_or_404(campaigns_visible_to(request.user), slug=slug)
    unit = visible_or_404(units_visible_to(request.user), code=code)
    if not takes_part(campaign, unit):
        raise Http404  # a unit that takes no part sets up no leading group for it
    require(request.user, "campaigns.manage_leading_group", unit)
    group = LeadingGroup.objects.filter(campaign=campaign, unit=unit).first()
    initial = {}
    member_initial = []
    if group:
        initial = {
            "version": group.version,
            "name": group.name,
            "office_location": group.office_location,
            "office_phone": group.office_phone,
            "office_email": group.office_email,
        }
        member_initial = [
            {"name": m.name, "position": m.position, "role": m.role, "phone": m.phone}
            for m in group.members.all()
        ]
    else:
        initial = {
            "name": _("%(unit)s leading group for %(campaign)s")
            % {"unit": unit.name, "campaign": campaign.title}
        }
    form = LeadingGroupForm(request.POST or None, initial=initial)
    # a posted formset is compared with nothing: the rows stored now may not be the ones
    # the page showed (someone saved meanwhile), and rows equal to them would be dropped
    formset = GroupMemberFormSet(
        request.POST or None,
        prefix="members",
        initial=None if request.method == "POST" else member_initial,
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]
        if not any(m["role"] == "leader" for m in members):
            form.add_error(None, _("Name at least the group leader."))
        else:
            values = dict(form.cleaned_data)
            version = values.pop("version")
            try:
                services.save_leading_group(
                    request.user, campaign, unit, version=version, members=members, **values
                )
            except ValidationError as exc:  # an edit conflict too
                show_refusal(form, exc)
            else:
                messages.success(request, _("Leading group saved."))
                return redirect("orgs:unit", code=unit.code)
    return render(
        request,
        "campaigns/leading_group_form.html",
        {
            "campaign": campaign,
            "unit": unit,
            "form": form,
            "formset": formset,
            "group": group,
            "is_office": allowed(request.user, "orgs.manage_roles", unit),
        },
    )

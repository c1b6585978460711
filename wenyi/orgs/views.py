"""People and their roles (the units: views_units). Outsiders get 404, read-only insiders
403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs import services
from wenyi.orgs.forms import NewLoginForm, PersonForm, RoleForm
from wenyi.orgs.models import Membership
from wenyi.orgs.queries import (
    active_units,
    by_name,
    filter_people,
    people_visible_to,
    unit_choices,
    units_flat,
    units_managed_by,
)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    people = filter_people(request.user, request.GET).select_related("unit", "user")
    q, unit_code = request.GET.get("q", "").strip(), request.GET.get("unit", "").strip()
    role = request.GET.get("role", "").strip()
    people = people.prefetch_related("user__memberships")
    page = Paginator(by_name(people), 50).get_page(request.GET.get("page"))
    from wenyi.orgs.enums import Role

    return render(
        request,
        "orgs/person_list.html",
        {
            "page": page,
            "q": q,
            "unit_code": unit_code,
            "role": role,
            "units": units_flat(active_units(units_managed_by(request.user))),
            "roles": Role.choices,
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(people_visible_to(request.user).select_related("unit", "user"), pk=pk)
    require(request.user, "orgs.view_person", person)
    can_manage = allowed(request.user, "orgs.change_person", person)
    can_edit = allowed(request.user, "orgs.edit_profile", person)
    memberships = []
    if person.user_id:
        memberships = [
            {
                "membership": m,
                "can_revoke": can_manage and services.can_grant(request.user, m.unit, m.role),
            }
            for m in person.user.memberships.select_related("unit").order_by("unit__path")
        ]
    role_form = None
    if can_manage and person.user_id:
        role_form = RoleForm(
            units=units_flat(active_units(units_managed_by(request.user))),
            initial={"unit": person.unit_id},
        )
    login_form = NewLoginForm(person=person) if can_manage and not person.user_id else None
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "can_manage": can_manage,
            "can_edit": can_edit,
            "role_form": role_form,
            "login_form": login_form,
        },
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(people_visible_to(request.user).select_related("unit"), pk=pk)
    require(request.user, "orgs.edit_profile", person)
    # units in use, and the person's own even if it was retired since
    units = unit_choices(units_managed_by(request.user), keep=person.unit)
    form = PersonForm(
        request.POST or None,
        instance=person,
        units=units,
        own_profile=not allowed(request.user, "orgs.change_person", person),
        identity=allowed(request.user, "orgs.change_identity", person),
    )
    if request.method == "POST" and form.is_valid():
        person.refresh_from_db()  # the form wrote into the instance; compare against the stored row
        try:
            services.update_person(
                request.user, person, version=form.cleaned_data["version"], **form.person_values()
            )
        except ValidationError as exc:  # an edit conflict too
            show_refusal(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:person", pk=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@login_required
def person_add(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.list_people")
    units = unit_choices(units_managed_by(request.user))
    form = PersonForm(
        request.POST or None,
        units=units,
        initial={
            "unit": request.GET.get("unit") and units.filter(code=request.GET["unit"]).first()
        },
    )
    login_form = NewLoginForm(request.POST or None, prefix="login")
    if request.method == "POST" and form.is_valid() and login_form.is_valid():
        login = login_form.cleaned_data
        if login["role"] and not services.can_grant(
            request.user, form.cleaned_data["unit"], login["role"]
        ):
            login_form.add_error("role", _("You may not give this role at this unit."))
        else:
            try:
                person = services.create_person(request.user, **form.person_values(), **login)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(name)s added.") % {"name": person.name})
                return redirect("orgs:person", pk=person.pk)
    return render(
        request, "orgs/person_form.html", {"form": form, "login_form": login_form, "person": None}
    )


@login_required
@require_POST
def person_login(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(people_visible_to(request.user).select_related("unit"), pk=pk)
    require(request.user, "orgs.change_person", person)
    form = NewLoginForm(request.POST, person=person)
    if form.is_valid():
        data = form.cleaned_data
        if not data["username"]:
            messages.error(request, _("Login name: this field is required."))
        elif data["role"] and not services.can_grant(request.user, person.unit, data["role"]):
            messages.error(request, _("You may not give this role at this unit."))
        else:
            try:
                services.create_login(request.user, person, **data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Login created."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errors)}" if label else " ".join(errors))
    return redirect("orgs:person", pk=person.pk)


@login_required
@require_POST
def person_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(people_visible_to(request.user).select_related("user"), pk=pk)
    require(request.user, "orgs.change_person", person)
    form = RoleForm(request.POST, units=active_units(units_managed_by(request.user)))
    if person.user_id is None:
        messages.error(request, _("Give this person a login first."))
    elif form.is_valid():
        unit, role = form.cleaned_data["unit"], form.cleaned_data["role"]
        if not services.can_grant(request.user, unit, role):
            messages.error(request, _("You may not give this role at this unit."))
        else:
            services.grant_role(request.user, person.user, unit, role)
            messages.success(request, _("Role added."))
    else:
        messages.error(request, _("Choose a unit and a role."))
    return redirect("orgs:person", pk=person.pk)


@login_required
@require_POST
def person_role_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    person = visible_or_404(people_visible_to(request.user), pk=pk)
    require(request.user, "orgs.change_person", person)
    membership = visible_or_404(
        Membership.objects.filter(user_id=person.user_id).select_related("unit"),
        pk=membership_id,
    )
    if not services.can_grant(request.user, membership.unit, membership.role):
        messages.error(request, _("You may not take away this role."))
    else:
        services.revoke_role(request.user, membership)
        messages.success(request, _("Role removed."))
    return redirect("orgs:person", pk=person.pk)

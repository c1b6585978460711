"""The unit tree: the units page, a unit's page, adding, editing, moving, retiring and
restoring units, and the tree's import and export as .xlsx.

Outsiders (a unit outside the reader's reach: another county's coordinator, another
tree's office) get 404; insiders without the rule (a coordinator moving their county)
get 403. The changes are made by `wenyi.orgs.units`, the import by
`wenyi.orgs.units_import` in the background (`wenyi.core.imports`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenyi.core.enums import ImportKind
from wenyi.core.forms import ImportUploadForm
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.core.views_imports import job_page, upload_page
from wenyi.orgs import units as unit_services
from wenyi.orgs.forms import MoveUnitForm, UnitForm
from wenyi.orgs.models import Membership, OrgUnit
from wenyi.orgs.queries import (
    active_units,
    unit_imports_visible_to,
    units_flat,
    units_managed_by,
    units_of_office,
    units_visible_to,
)
from wenyi.orgs.units_import import ROW_LIMIT, build_template, units_to_xlsx
from wenyi.orgs.views_import import xlsx_response


def _actions(user, unit: OrgUnit) -> dict[str, bool]:
    """What the reader may do to a unit (the rules; no query: the reach is cached)."""
    return {
        "can_edit": allowed(user, "orgs.change_unit", unit),
        "can_add": allowed(user, "orgs.add_unit", unit),
        "can_move": allowed(user, "orgs.move_unit", unit),
        "can_retire": allowed(user, "orgs.retire_unit", unit),
        "can_restore": allowed(user, "orgs.restore_unit", unit),
    }


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    """The reader's units drawn as the tree, retired ones marked, with the actions the
    reader may take on each."""
    require(request.user, "orgs.list_people")
    units = units_managed_by(request.user).annotate(people_count=Count("people"))
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q))
    units = list(units.order_by("path"))
    top = min((u.depth for u in units), default=1)
    rows = [
        {"unit": u, "indent": min(u.depth - top, 4), **_actions(request.user, u)} for u in units
    ]
    return render(
        request,
        "orgs/unit_list.html",
        {
            "rows": rows,
            "q": q,
            "retired_count": sum(1 for u in units if u.is_retired),
            "can_manage": allowed(request.user, "orgs.manage_units"),
            "can_add_top": allowed(request.user, "orgs.add_top_unit"),
        },
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = visible_or_404(units_visible_to(request.user), code=code)
    require(request.user, "orgs.view_unit", unit)
    can_manage = allowed(request.user, "orgs.change_unit", unit)
    children = units_flat(OrgUnit.objects.get_children(unit)).annotate(people_count=Count("people"))
    # the units above, as links only where the reader may open them (a county's
    # coordinator does not see the city's page)
    above = list(OrgUnit.objects.get_ancestors(unit))
    opens = set(
        units_visible_to(request.user)
        .filter(pk__in=[a.pk for a in above])
        .values_list("pk", flat=True)
    )
    ancestors = [
        (a.name, reverse("orgs:unit", args=[a.code]) if a.pk in opens else "") for a in above
    ]
    memberships = (
        Membership.objects.filter(unit=unit)
        .select_related("user__person")
        .order_by("role", "user__person__name_sort", "user__username")
        if can_manage
        else Membership.objects.none()
    )
    actions = _actions(request.user, unit)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "ancestors": ancestors,
            "memberships": memberships,
            "people_count": unit.people.count(),
            "can_manage": can_manage,
            "can_add_child": actions["can_add"],
            **actions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = visible_or_404(units_visible_to(request.user), code=code)
    require(request.user, "orgs.change_unit", unit)
    initial = {f: getattr(unit, f) for f in unit_services.UNIT_FIELDS}
    initial["version"] = unit.version
    form = UnitForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            unit_services.update_unit(request.user, unit, version=version, **values)
        except ValidationError as exc:  # an edit conflict too
            show_refusal(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit, "parent": None})


def _add(request: HttpRequest, parent: OrgUnit | None) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            unit = unit_services.create_unit(request.user, parent, **values)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("Unit %(name)s added.") % {"name": unit.name})
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": None, "parent": parent})


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    parent = visible_or_404(units_visible_to(request.user), code=code)
    require(request.user, "orgs.add_unit", parent)
    return _add(request, parent)


@login_required
@require_http_methods(["GET", "POST"])
def unit_add_top(request: HttpRequest) -> HttpResponse:
    """The top unit of a new tree (a province, a city): a superuser's."""
    require(request.user, "orgs.add_top_unit")
    return _add(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def unit_move(request: HttpRequest, code: str) -> HttpResponse:
    unit = visible_or_404(units_visible_to(request.user), code=code)
    require(request.user, "orgs.move_unit", unit)
    current = unit_services.parent_of(unit)
    form = MoveUnitForm(
        request.POST or None,
        unit=unit,
        # below a unit in use in the mover's office area (the rule orgs.add_unit)
        parents=active_units(units_of_office(request.user)).order_by("path"),
        initial={"parent": current},
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit_services.move_unit(
                request.user,
                unit,
                form.cleaned_data["parent"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:  # an edit conflict too
            show_refusal(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s now lies below %(parent)s.")
                % {"name": unit.name, "parent": form.cleaned_data["parent"].name},
            )
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/unit_move.html", {"form": form, "unit": unit, "current": current})


def _back(request: HttpRequest, unit: OrgUnit) -> HttpResponse:
    """Back where the button was (the units page or the unit's page)."""
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("orgs:unit", code=unit.code)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def unit_retire(request: HttpRequest, code: str) -> HttpResponse:
    unit = visible_or_404(units_visible_to(request.user), code=code)
    if unit.is_retired:  # a second click: nothing to do
        messages.info(request, _("%(name)s is retired already.") % {"name": unit.name})
        return _back(request, unit)
    require(request.user, "orgs.retire_unit", unit)
    try:
        unit_services.retire_unit(request.user, unit, version=_version(request))
    except ValidationError as exc:  # units below still in use, or an edit conflict
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is retired: it keeps its records and is offered in no choice.")
            % {"name": unit.name},
        )
    return _back(request, unit)


@login_required
@require_POST
def unit_restore(request: HttpRequest, code: str) -> HttpResponse:
    unit = visible_or_404(units_visible_to(request.user), code=code)
    if not unit.is_retired:  # a second click: nothing to do
        messages.info(request, _("%(name)s is in use already.") % {"name": unit.name})
        return _back(request, unit)
    require(request.user, "orgs.restore_unit", unit)
    try:
        unit_services.restore_unit(request.user, unit, version=_version(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is in use again.") % {"name": unit.name})
    return _back(request, unit)


# -- the tree as .xlsx ---------------------------------------------------------------


@login_required
@require_GET
def units_template(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.manage_units")
    parents = active_units(units_of_office(request.user)).order_by("path").only("code", "name")
    return xlsx_response(build_template(parents), _("unit-import-template.xlsx"))


@login_required
@require_http_methods(["GET", "POST"])
def units_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.manage_units")
    return upload_page(
        request,
        ImportUploadForm,
        ImportKind.UNITS,
        "orgs/units_import.html",
        job_view="orgs:units_import_detail",
        row_limit=ROW_LIMIT,
    )


@login_required
@require_GET
def units_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "orgs.manage_units")
    job = visible_or_404(unit_imports_visible_to(request.user), pk=pk)
    return job_page(request, job, "orgs/units_import.html")


@login_required
@require_GET
def units_export(request: HttpRequest) -> HttpResponse:
    """The reader's units in use, in tree order, in the import format."""
    require(request.user, "orgs.manage_units")
    data = units_to_xlsx(active_units(units_of_office(request.user)))
    today = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(data, _("units-%(date)s.xlsx") % {"date": today})

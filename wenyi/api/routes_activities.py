"""Activities: read as the pages list them; recorded, changed and moved through the same
form checks and services as the pages (audited, versioned, four eyes)."""

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenyi.activities import services
from wenyi.activities.enums import ActivityStatus
from wenyi.activities.filters import ActivityFilters, filter_activities
from wenyi.activities.forms import ActivityForm
from wenyi.activities.models import Activity, MetricValue
from wenyi.activities.queries import activities_visible_to
from wenyi.activities.views import ACTIONS
from wenyi.api.base import Pages
from wenyi.api.problems import Problem, refused
from wenyi.campaigns.queries import campaigns_visible_to
from wenyi.core import tokens
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.orgs.models import Person
from wenyi.orgs.queries import unit_choices, units_managed_by

router = Router(tags=["activities"])

StatusValue = Literal[tuple(ActivityStatus.values)]  # type: ignore[valid-type]


class ActivityOut(Schema):
    id: int
    version: int
    campaign: str = Field(alias="campaign.slug")
    type: str = Field(alias="type.key")
    type_name: str = Field(alias="type.name")
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    title: str
    start_date: datetime.date
    end_date: datetime.date | None
    place: str
    address: str
    description: str
    status: str
    status_name: str
    return_reason: str
    values: dict[str, Decimal | str | None]
    participants: list[int]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    submitted_at: datetime.datetime | None
    verified_at: datetime.datetime | None

    @staticmethod
    def resolve_status_name(obj: Activity):
        return obj.get_status_display()

    @staticmethod
    def resolve_values(obj: Activity):
        return {
            v.metric.key: v.number if v.number is not None else v.text for v in obj.values.all()
        }

    @staticmethod
    def resolve_participants(obj: Activity):
        return sorted(p.pk for p in obj.participants.all())


def _activities(user):
    return (
        activities_visible_to(user)
        .select_related("campaign", "type", "unit")
        .prefetch_related(
            Prefetch("values", MetricValue.objects.select_related("metric")),
            Prefetch("participants", Person.objects.only("id")),
        )
    )


class ActivityQuery(Schema):
    campaign: str = Field("", max_length=60, description="Campaign slug.")
    type: str = Field("", max_length=60, description="Activity type key.")
    unit: str = Field("", max_length=40, description="This unit and those below it (code).")
    status: StatusValue | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    q: str = Field("", max_length=100, description="Part of the title or the place.")


@router.get("/activities", response=list[ActivityOut], summary="Activities")
@paginate(Pages)
def activity_list(request, filters: Query[ActivityQuery]):
    require(request.user, "activities.view_list")
    found = _activities(request.user)
    if filters.campaign:
        found = found.filter(campaign__slug=filters.campaign)
    found = filter_activities(
        found,
        ActivityFilters(
            type=filters.type,
            unit=filters.unit,
            status=filters.status or "",
            date_from=filters.date_from,
            date_to=filters.date_to,
            q=filters.q.strip(),
        ),
    )
    return found.order_by("-start_date", "-id")


def _activity(request, pk: int) -> Activity:
    return visible_or_404(_activities(request.user), pk=pk)


@router.get("/activities/{int:pk}", response=ActivityOut, summary="One activity")
def activity_detail(request, pk: int):
    activity = _activity(request, pk)
    require(request.user, "activities.view", activity)
    return activity


# --- recording and changing ---------------------------------------------------------------

Value = Decimal | int | str | None


class ActivityIn(Schema):
    campaign: str = Field(..., max_length=60)
    type: str = Field(..., max_length=60, description="Activity type key.")
    unit: str = Field(..., max_length=40, description="Organising unit (code).")
    title: str = Field(..., max_length=200)
    start_date: datetime.date
    end_date: datetime.date | None = None
    place: str = Field(..., max_length=200)
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=20000)
    participants: list[int] = Field(default_factory=list, max_length=1000)
    values: dict[str, Value] = Field(default_factory=dict, description="Metric key: value.")
    token: uuid.UUID | None = Field(
        None, description="Any new UUID: sending the same one again returns the first record."
    )
    submit: bool = Field(False, description="Submit for checking at once.")
    confirm_duplicate: bool = Field(
        False, description="The same unit, type, date and place exist: save anyway."
    )


class ActivityPatch(Schema):
    version: int = Field(..., ge=1, description="The version the change starts from.")
    unit: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=200)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    place: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20000)
    participants: list[int] | None = Field(None, max_length=1000)
    values: dict[str, Value] | None = None
    confirm_duplicate: bool = False


# the form's field names in the API's words
FORM_FIELDS = {"__all__": ""}


def _form(request, campaign, type_, data: dict[str, Any], instance=None) -> ActivityForm:
    people = Person.objects.filter(pk__in=units_managed_by(request.user).values("people"))
    keep = instance.unit if instance is not None else None
    return ActivityForm(
        data,
        campaign=campaign,
        type_=type_,
        units=unit_choices(units_managed_by(request.user), keep=keep),
        people=people,
        instance=instance,
    )


def _form_data(payload: dict[str, Any], type_, units) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's data from the API's fields; (data, the form's names → the API's)."""
    data: dict[str, Any] = {}
    names = dict(FORM_FIELDS)
    for key in ("title", "place", "address", "description", "version"):
        if payload.get(key) is not None:
            data[key] = payload[key]
    for key in ("start_date", "end_date"):
        if payload.get(key) is not None:
            data[key] = payload[key].isoformat()
    code = payload.get("unit")
    if code is not None:
        unit = units.filter(code=code).values_list("pk", flat=True).first()
        data["unit"] = unit if unit is not None else "0"
    data["participants"] = [str(p) for p in payload.get("participants") or []]
    known = {m.key for m in type_.metrics.all()}
    unknown = sorted(set(payload.get("values") or {}) - known)
    if unknown:
        raise ValidationError({f"values.{k}": _unknown_metric() for k in unknown})
    for key, value in (payload.get("values") or {}).items():
        data[f"m_{key}"] = "" if value is None else str(value)
        names[f"m_{key}"] = f"values.{key}"
    for metric in type_.metrics.all():
        names.setdefault(f"m_{metric.key}", f"values.{metric.key}")
    if payload.get("confirm_duplicate"):
        data["confirm_duplicate"] = "on"
    return data, names


def _unknown_metric() -> str:
    return _("No such metric in this activity type.")


def _form_refusal(request, form: ActivityForm, names: dict[str, str]) -> HttpResponse:
    return refused(request, ValidationError(form.errors.as_data()), names)


@router.post(
    "/activities",
    response={201: ActivityOut, 200: ActivityOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Record an activity",
)
def activity_create(request, payload: ActivityIn):
    user = request.user
    campaign = visible_or_404(campaigns_visible_to(user), slug=payload.campaign)
    require(user, "activities.list")
    type_ = get_object_or_404(campaign.activity_types.prefetch_related("metrics"), key=payload.type)
    token = tokens.bind(request, payload.token) if payload.token else None
    sent = services.activity_for_token(token, user)
    if sent is not None:
        return Status(200, _activity(request, sent.pk))
    units = unit_choices(units_managed_by(user))
    data, names = _form_data(payload.dict(), type_, units)
    form = _form(request, campaign, type_, data)
    if not form.is_valid():
        return _form_refusal(request, form, names)
    try:
        activity = services.create_activity(
            user,
            campaign=campaign,
            type=type_,
            **form.activity_fields(),
            participants=form.cleaned_data["participants"],
            values=form.metric_values(),
            token=token,
            submit=payload.submit,
            allow_duplicate=payload.confirm_duplicate,
        )
    except ValidationError as exc:
        return refused(request, exc, names)
    return Status(201, _activity(request, activity.pk))


@router.patch(
    "/activities/{int:pk}",
    response={200: ActivityOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Change a draft or returned activity",
)
def activity_update(request, pk: int, payload: ActivityPatch):
    activity = _activity(request, pk)
    require(request.user, "activities.change", activity)
    given = payload.dict(exclude_unset=True)
    current = {
        "unit": activity.unit.code,
        "title": activity.title,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "place": activity.place,
        "address": activity.address,
        "description": activity.description,
        "participants": [p.pk for p in activity.participants.all()],
        "values": {
            v.metric.key: (v.number if v.number is not None else v.text)
            for v in activity.values.all()
        },
    }
    merged = {**current, **{k: v for k, v in given.items() if v is not None or k == "end_date"}}
    if "values" in given and given["values"] is not None:
        merged["values"] = {**current["values"], **given["values"]}
    units = unit_choices(units_managed_by(request.user), keep=activity.unit)
    data, names = _form_data(merged, activity.type, units)
    form = _form(request, activity.campaign, activity.type, data, instance=activity)
    if not form.is_valid():
        return _form_refusal(request, form, names)
    try:
        services.update_activity(
            request.user,
            activity,
            version=payload.version,
            **form.activity_fields(),
            participants=form.cleaned_data["participants"],
            values=form.metric_values(),
            allow_duplicate=payload.confirm_duplicate,
        )
    except ValidationError as exc:
        return refused(request, exc, names)
    return Status(200, _activity(request, pk))


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="Needed to return or unlock.")


Move = Literal["submit", "verify", "return", "unlock"]


@router.post(
    "/activities/{int:pk}/{action}",
    response={200: ActivityOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Submit, verify, return or unlock an activity",
)
def activity_action(request, pk: int, action: Move, payload: ReasonIn | None = None):
    activity = _activity(request, pk)
    move = ACTIONS[action]
    user = request.user
    if not allowed(user, move.perm, activity) and not (
        move.could and allowed(user, move.could, activity)
    ):
        require(user, move.perm, activity)
    args = []
    if move.form is not None:
        form = move.form({"reason": (payload.reason if payload else "")})
        if not form.is_valid():
            return refused(request, ValidationError(form.errors.as_data()))
        args.append(form.cleaned_data["reason"])
    try:
        move.run(user, activity, *args)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(200, _activity(request, pk))


@router.delete(
    "/activities/{int:pk}",
    response={204: None, 403: Problem, 404: Problem, 422: Problem},
    summary="Delete a draft activity",
)
def activity_delete(request, pk: int):
    activity = _activity(request, pk)
    move = ACTIONS["delete"]
    if not allowed(request.user, move.perm, activity) and not allowed(
        request.user, move.could, activity
    ):
        require(request.user, move.perm, activity)
    try:
        move.run(request.user, activity)
    except ValidationError as exc:
        return refused(request, exc)
    return Status(204, None)

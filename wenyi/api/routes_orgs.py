"""Who am I, campaigns, units, people and final results: read-only, scoped as the pages."""

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Length, Substr
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wenyi.api.base import Pages, within
from wenyi.awards import queries as awards
from wenyi.awards.enums import ResultsStatus
from wenyi.awards.models import Results
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.campaigns.queries import campaigns_visible_to
from wenyi.core.permissions import require, visible_or_404
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.queries import by_name, people_visible_to, units_flat, units_visible_to

router = Router(tags=["campaigns, units, people"])


# --- who is asking -----------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    role_name: str
    unit: str
    unit_name: str


class MeOut(Schema):
    username: str
    person: int | None
    name: str
    unit: str | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The login the token stands for, with its roles")
def me(request):
    user = request.user
    person = getattr(user, "person", None)
    roles = [
        RoleOut(
            role=m.role, role_name=m.get_role_display(), unit=m.unit.code, unit_name=m.unit.name
        )
        for m in Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")
    ]
    return MeOut(
        username=user.get_username(),
        person=person.pk if person else None,
        name=person.name if person else user.get_username(),
        unit=person.unit.code if person and person.unit_id else None,
        roles=roles,
    )


# --- campaigns --------------------------------------------------------------------------


class StageOut(Schema):
    key: str
    name: str
    start: datetime.date | None
    end: datetime.date | None


class MetricOut(Schema):
    key: str
    name: str
    unit: str
    value_type: str
    required: bool
    choices: list[str]


class ActivityTypeOut(Schema):
    key: str
    name: str
    min_per_year: int
    produces_works: bool
    metrics: list[MetricOut]

    @staticmethod
    def resolve_metrics(obj: ActivityType):
        return list(obj.metrics.all())


class CampaignOut(Schema):
    slug: str
    title: str
    doc_number: str
    issuer: str
    year: int
    start: datetime.date
    end: datetime.date
    level: str
    summary: str
    owner_unit: str = Field(alias="owner_unit_code")
    stages: list[StageOut]
    activity_types: list[ActivityTypeOut]

    @staticmethod
    def resolve_stages(obj: Campaign):
        return list(obj.stages.all())

    @staticmethod
    def resolve_activity_types(obj: Campaign):
        return list(obj.activity_types.all())


def _campaigns(user):
    return campaigns_visible_to(user).prefetch_related(
        "stages",
        Prefetch(
            "activity_types", ActivityType.objects.prefetch_related("metrics").order_by("position")
        ),
    )


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns")
@paginate(Pages)
def campaigns(request):
    return _campaigns(request.user).order_by("-year", "-start", "slug")


@router.get("/campaigns/{slug}", response=CampaignOut, summary="One campaign")
def campaign(request, slug: str):
    return visible_or_404(_campaigns(request.user), slug=slug)


# --- final results (public, as on the portal) -------------------------------------------


class AwardOut(Schema):
    award_kind: str = Field(alias="award_kind.key")
    award_kind_name: str = Field(alias="award_kind.name")
    tier: str | None
    tier_name: str | None
    holder: str
    unit_name: str
    title: str
    work: int | None = Field(alias="work_id")
    score: Decimal | None
    position: int

    @staticmethod
    def resolve_tier(obj):
        return obj.tier.key if obj.tier_id else None

    @staticmethod
    def resolve_tier_name(obj):
        return obj.tier.name if obj.tier_id else None


class ResultsOut(Schema):
    campaign: str
    final_at: datetime.datetime | None
    awards: list[AwardOut]


@router.get(
    "/campaigns/{slug}/results",
    response=ResultsOut,
    summary="The campaign's final results (404 until they are final)",
)
def results(request, slug: str):
    campaign = visible_or_404(campaigns_visible_to(request.user), slug=slug)
    final = get_object_or_404(Results, campaign=campaign, status=ResultsStatus.FINAL)
    return ResultsOut(
        campaign=campaign.slug,
        final_at=final.final_at,
        awards=list(awards.final_awards(campaign)),
    )


# --- units ------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    depth: int
    parent: str | None
    address: str
    phone: str
    retired_on: datetime.date | None

    @staticmethod
    def resolve_parent(obj: OrgUnit):
        return getattr(obj, "parent_code", None)


class UnitFilters(Schema):
    q: str = Field("", max_length=100, description="Part of the name or the code.")
    under: str = Field("", max_length=40, description="Only this unit and those below it (code).")


def _units(user):
    parent = OrgUnit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
    ).values("code")[:1]
    return units_visible_to(user).annotate(parent_code=Subquery(parent))


@router.get("/units", response=list[UnitOut], summary="Units the login may see")
@paginate(Pages)
def units(request, filters: Query[UnitFilters]):
    units = _units(request.user)
    if filters.q.strip():
        q = filters.q.strip()
        units = units.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return units_flat(within(request.user, units, filters.under, prefix=""))


@router.get("/units/{code}", response=UnitOut, summary="One unit")
def unit(request, code: str):
    found = visible_or_404(_units(request.user), code=code)
    require(request.user, "orgs.view_unit", found)
    return found


# --- people -----------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    unit: str | None
    unit_name: str
    job_title: str
    mobile: str
    email: str
    art_forms: list[str]
    associations: str
    titles: str

    @staticmethod
    def resolve_unit(obj: Person):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_unit_name(obj: Person):
        return obj.unit.name if obj.unit_id else ""


class PeopleFilters(Schema):
    q: str = Field("", max_length=100, description="Part of the name, mobile or e-mail.")
    unit: str = Field("", max_length=40, description="Only people of this unit and below (code).")


@router.get("/people", response=list[PersonOut], summary="People the login may see")
@paginate(Pages)
def people(request, filters: Query[PeopleFilters]):
    found = people_visible_to(request.user).select_related("unit")
    q = filters.q.strip()
    if q:
        found = found.filter(Q(name__icontains=q) | Q(mobile__icontains=q) | Q(email__icontains=q))
    return by_name(within(request.user, found, filters.unit))


@router.get("/people/{int:pk}", response=PersonOut, summary="One person")
def person(request, pk: int):
    found = visible_or_404(people_visible_to(request.user).select_related("unit"), pk=pk)
    require(request.user, "orgs.view_person", found)
    return found

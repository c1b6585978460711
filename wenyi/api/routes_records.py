"""Reports and works, read as their pages show them to the login."""

import datetime
from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wenyi.api.base import Pages, within
from wenyi.core.permissions import require, visible_or_404
from wenyi.orgs.queries import units_visible_to
from wenyi.reporting.enums import ReportKind, ReportStatus
from wenyi.reporting.models import Report
from wenyi.reporting.queries import reports_visible_to
from wenyi.works.enums import WorkStatus
from wenyi.works.models import Work, WorkAuthor
from wenyi.works.queries import filter_works, works_visible_to

router = Router(tags=["reports and works"])


# --- reports ----------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    version: int
    campaign: str = Field(alias="campaign.slug")
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    kind: str
    kind_name: str
    period: datetime.date
    due: datetime.date
    status: str
    status_name: str
    text: str
    on_time: bool | None
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    return_comment: str

    @staticmethod
    def resolve_kind_name(obj: Report):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_name(obj: Report):
        return obj.get_status_display()


class ReportQuery(Schema):
    campaign: str = Field("", max_length=60, description="Campaign slug.")
    unit: str = Field("", max_length=40, description="This unit and those below it (code).")
    kind: Literal[tuple(ReportKind.values)] | None = None  # type: ignore[valid-type]
    status: Literal[tuple(ReportStatus.values)] | None = None  # type: ignore[valid-type]
    period: datetime.date | None = Field(None, description="First day of the month reported.")


def _reports(user):
    return reports_visible_to(user).select_related("campaign", "unit")


@router.get("/reports", response=list[ReportOut], summary="Reports")
@paginate(Pages)
def report_list(request, filters: Query[ReportQuery]):
    require(request.user, "reporting.list")
    found = _reports(request.user)
    if filters.campaign:
        found = found.filter(campaign__slug=filters.campaign)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.period:
        found = found.filter(period=filters.period)
    return within(request.user, found, filters.unit).order_by("-period", "unit__path", "kind", "id")


@router.get("/reports/{int:pk}", response=ReportOut, summary="One report")
def report_detail(request, pk: int):
    report = visible_or_404(_reports(request.user), pk=pk)
    require(request.user, "reporting.view", report)
    return report


# --- works ------------------------------------------------------------------------------


class AuthorOut(Schema):
    id: int
    name: str


class WorkOut(Schema):
    id: int
    version: int
    campaign: str = Field(alias="campaign.slug")
    art_form: str = Field(alias="category.key")
    art_form_name: str = Field(alias="category.name")
    unit: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    title: str
    authors: list[AuthorOut]
    text: str
    video_url: str
    duration_seconds: int | None
    origin: str
    activity: int | None = Field(alias="activity_id")
    created_on: datetime.date | None
    description: str
    status: str
    status_name: str
    submitted_at: datetime.datetime | None
    consent_portal: bool
    consent_anthology: bool
    files: int

    @staticmethod
    def resolve_authors(obj: Work):
        return [
            AuthorOut(id=link.person_id, name=link.person.name) for link in obj.author_links.all()
        ]

    @staticmethod
    def resolve_status_name(obj: Work):
        return obj.get_status_display()

    @staticmethod
    def resolve_files(obj: Work):
        return len(obj.files.all())


class WorkQuery(Schema):
    campaign: str = Field("", max_length=60, description="Campaign slug.")
    art_form: str = Field("", max_length=60, description="Art form key (or its parent's).")
    unit: str = Field("", max_length=40, description="This unit and those below it (code).")
    status: Literal[tuple(WorkStatus.values)] | None = None  # type: ignore[valid-type]
    q: str = Field("", max_length=100, description="Part of the title or an author's name.")


def _works(user):
    return (
        works_visible_to(user)
        .select_related("campaign", "category", "unit")
        .prefetch_related(
            Prefetch(
                "author_links",
                WorkAuthor.objects.select_related("person").order_by("position", "id"),
            ),
            "files",
        )
    )


@router.get("/works", response=list[WorkOut], summary="Works")
@paginate(Pages)
def work_list(request, filters: Query[WorkQuery]):
    require(request.user, "works.enter")
    found = _works(request.user)
    if filters.campaign:
        found = found.filter(campaign__slug=filters.campaign)
    params = {"form": filters.art_form, "unit": filters.unit.strip(), "q": filters.q}
    params["status"] = filters.status or ""
    found = filter_works(found, params, units_visible_to(request.user))
    return found.order_by("-created_at", "-id")


@router.get("/works/{int:pk}", response=WorkOut, summary="One work")
def work_detail(request, pk: int):
    work = visible_or_404(_works(request.user), pk=pk)
    require(request.user, "works.view", work)
    return work

"""Every change to an activity: one function each, audited.

States: draft → submitted → verified, or submitted → returned (with a reason) →
submitted again. A verified activity is locked; the office unlocks it with a reason.
Moving into or out of "verified" also moves the unit's roll-ups (`Tally` and the
month's `MonthTally`), in the same transaction: they change nowhere else, and nothing
else changes what a verified activity counts (it cannot be edited or deleted; it is
unlocked first, which counts it out). An import records many at once:
`create_activities`, one bulk service, whose drafts and submitted activities count in
no roll-up until verified one by one.
"""

import datetime
import decimal
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.activities.enums import ActivityStatus
from wenyi.activities.metrics import NUMERIC_TYPES, check_required, is_numeric, parse_metric
from wenyi.activities.models import Activity, MetricValue, MonthTally, Tally, month_of
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.core import audit, clock, notify, uploads, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.imports import Problem, RowRef, RowsRefused
from wenyi.core.models import ImportJob
from wenyi.core.sheets import chunks
from wenyi.core.transitions import move_status, refuse_own_submission
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import checkers_for, coordinators_for

EDITABLE_FIELDS = (
    "type",
    "unit",
    "title",
    "start_date",
    "end_date",
    "place",
    "address",
    "description",
)


def duplicate_key(unit_id: int, type_id: int, start_date: datetime.date, place: str) -> str:
    """Unit, type, date and place, with the place's spacing, width and case ignored."""
    norm = re.sub(r"[\s\u3000·・,，.。]+", "", unicodedata.normalize("NFKC", place)).lower()
    return f"{unit_id}:{type_id}:{start_date.isoformat()}:{norm}"[:300]


def find_duplicates(
    unit: OrgUnit,
    type_: ActivityType,
    start_date: datetime.date,
    place: str,
    exclude: Activity | None = None,
) -> QuerySet[Activity]:
    found = Activity.objects.filter(
        duplicate_key=duplicate_key(unit.pk, type_.pk, start_date, place)
    )
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found


def clean_values(type_: ActivityType, raw: dict[str, Any]) -> dict[int, tuple]:
    """{metric id: (number, text)} for every metric of the type; all problems at once."""
    cleaned, problems = {}, []
    for metric in type_.metrics.all():
        try:
            number, text = parse_metric(metric, raw.get(metric.key))
            check_required(metric, number, text)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        cleaned[metric.pk] = (number, text)
    if problems:
        raise ValidationError(problems)
    return cleaned


def _check_dates(campaign: Campaign, start: datetime.date, end: datetime.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError(_("End date: cannot be before the start date."))
    if not (campaign.start <= start <= campaign.end):
        raise ValidationError(
            _("Date: must fall within the campaign (%(start)s to %(end)s).")
            % {"start": campaign.start, "end": campaign.end}
        )


def _save_values(
    activity: Activity, cleaned: dict[int, tuple], *, new: bool = False
) -> dict[str, list]:
    """Store the cleaned metric values (`new`: the activity has none yet, nothing to
    read first); the changes, for the audit entry."""
    existing = {} if new else {v.metric_id: v for v in activity.values.all()}
    changes, added = {}, []
    for metric_id, (number, text) in cleaned.items():
        current = existing.get(metric_id)
        if current is None:
            if number is None and not text:
                continue
            added.append(
                MetricValue(activity=activity, metric_id=metric_id, number=number, text=text)
            )
            changes[f"metric:{metric_id}"] = [None, str(number) if number is not None else text]
        elif (current.number, current.text) != (number, text):
            old = current.display
            if number is None and not text:
                current.delete()
            else:
                current.number, current.text = number, text
                current.save(update_fields=["number", "text"])
            changes[f"metric:{metric_id}"] = [old, str(number) if number is not None else text]
    for metric_id, value in existing.items():
        if metric_id not in cleaned:  # the type changed: drop values of the old type
            changes[f"metric:{metric_id}"] = [value.display, None]
            value.delete()
    MetricValue.objects.bulk_create(added)
    return changes


class DuplicateActivity(ValidationError):
    """The same activity (unit, type, date, place) is recorded already."""

    def __init__(self, duplicates: list[Activity]):
        self.duplicates = duplicates
        super().__init__(
            _(
                "An activity of this type by this unit on this date at this place is "
                "already recorded. Check it below; if this is a different activity, tick "
                "the box to save it anyway."
            ),
            code="duplicate",
        )


def _refuse_duplicates(
    unit: OrgUnit, type_: ActivityType, start_date, place: str, exclude: Activity | None = None
) -> None:
    """Inside the writing transaction: lock the unit's row, so two people entering the
    same activity at the same moment queue here and the second one sees the first
    (SQLite's BEGIN IMMEDIATE queues every writer already; this is for PostgreSQL)."""
    list(OrgUnit.objects.select_for_update().filter(pk=unit.pk).values_list("pk"))
    found = list(find_duplicates(unit, type_, start_date, place, exclude=exclude)[:5])
    if found:
        raise DuplicateActivity(found)


def activity_for_token(token: uuid.UUID | None, actor=None) -> Activity | None:
    """The activity a form with this one-time token already created, if any (only the
    login that sent the form finds it)."""
    if token is None:
        return None
    found = Activity.objects.filter(token=token)
    if actor is not None:
        found = found.filter(created_by=actor if getattr(actor, "pk", None) else None)
    return found.first()


def create_activity(
    actor,
    *,
    campaign: Campaign,
    unit: OrgUnit,
    type: ActivityType,
    title: str,
    start_date: datetime.date,
    place: str,
    end_date: datetime.date | None = None,
    address: str = "",
    description: str = "",
    participants: Iterable[Person] = (),
    values: dict[str, Any] | None = None,
    token: uuid.UUID | None = None,
    submit: bool = False,
    allow_duplicate: bool = False,
) -> Activity:
    """Record an activity. A repeated call with the same token returns the first record;
    the same activity (unit, type, date, place) recorded already is refused with
    `DuplicateActivity` unless `allow_duplicate` (the user said it is another one)."""
    existing = activity_for_token(token, actor)
    if existing is not None:
        return existing
    if type.campaign_id != campaign.pk:
        raise ValidationError(_("Activity type: not part of this campaign."))
    _check_dates(campaign, start_date, end_date)
    cleaned = clean_values(type, values or {})
    try:
        with transaction.atomic():
            if not allow_duplicate:
                _refuse_duplicates(unit, type, start_date, place)
            activity = Activity.objects.create(
                campaign=campaign,
                unit=unit,
                type=type,
                title=title.strip(),
                start_date=start_date,
                end_date=end_date,
                place=place.strip(),
                address=address.strip(),
                description=description.strip(),
                created_by=actor if getattr(actor, "pk", None) else None,
                token=token,
                duplicate_key=duplicate_key(unit.pk, type.pk, start_date, place),
            )
            participants = list(dict.fromkeys(participants))  # the form's order, once each
            activity.participants.add(*participants)
            _save_values(activity, cleaned, new=True)
            audit.record(
                actor,
                AuditAction.CREATE,
                activity,
                changes={
                    **audit.diff({}, audit.snapshot(activity)),
                    "participants": [None, [p.pk for p in participants]],
                    "values": [
                        None,
                        {
                            str(k): str(v[0]) if v[0] is not None else v[1]
                            for k, v in cleaned.items()
                        },
                    ],
                },
            )
            if submit:
                submit_activity(actor, activity)
    except IntegrityError:
        # two requests with the same token raced; the other one won
        if token is not None and (won := activity_for_token(token, actor)):
            return won
        raise
    return activity


@transaction.atomic
def update_activity(
    actor,
    activity: Activity,
    *,
    version: int | None,
    values: dict[str, Any] | None = None,
    participants: Iterable[Person] | None = None,
    allow_duplicate: bool = False,
    **fields: Any,
) -> Activity:
    """Change a draft or returned activity; `version` is the one the editor's form was
    opened at (a save over someone else's is refused with EditConflict)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.is_editable:
        raise ValidationError(
            _("This activity is %(status)s and can no longer be changed.")
            % {"status": activity.get_status_display()}
        )
    before = audit.snapshot(activity)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    _check_dates(activity.campaign, activity.start_date, activity.end_date)
    cleaned = clean_values(activity.type, values or {}) if values is not None else None
    key = duplicate_key(activity.unit_id, activity.type_id, activity.start_date, activity.place)
    if key != activity.duplicate_key and not allow_duplicate:
        _refuse_duplicates(
            activity.unit, activity.type, activity.start_date, activity.place, exclude=activity
        )
    activity.duplicate_key = key
    activity.save()
    changes = audit.diff(before, audit.snapshot(activity))
    if cleaned is not None:
        changes.update(_save_values(activity, cleaned))
    if participants is not None:
        old = sorted(activity.participants.values_list("pk", flat=True))
        new = sorted(p.pk for p in participants)
        if old != new:
            activity.participants.set(participants)
            changes["participants"] = [old, new]
    changes.pop("updated_at", None)
    if changes:
        # last, so a refusal rolls back everything written above
        versioning.claim(activity, version)
        changes["version"] = [version, activity.version]
        audit.record(actor, AuditAction.UPDATE, activity, changes=changes)
    return activity


def _transition(
    actor, activity: Activity, allowed: Iterable[str], to: str, *, note: str = "", **extra: Any
) -> Activity:
    return move_status(
        actor,
        activity,
        allowed,
        to,
        note=note,
        refused=_("This activity is now %(status)s; the action was not carried out."),
        **extra,
    )


@transaction.atomic
def _concerned(activity: Activity) -> list:
    """Who hears of a decision on an activity: who entered and who submitted it, and
    the coordinators who look after its unit."""
    people = [activity.created_by, activity.submitted_by, *coordinators_for(activity.unit)]
    return [u for u in people if u is not None]


def _tell(users, actor, kind: str, message: str, activity: Activity, **values) -> None:
    with notify.site_language():
        text = _(message) % {"title": activity.title, "unit": activity.unit.name, **values}
    notify.notify(
        users,
        text,
        kind=kind,
        url=reverse("activities:detail", args=[activity.pk]),
        exclude=actor,
    )


def future_date_refusal(start_date: datetime.date) -> str:
    """Why an activity dated after today cannot be submitted yet ("" when it can): what
    is checked is what took place, so it waits as a draft until its day."""
    today = clock.today()
    if start_date <= today:
        return ""
    return _(
        "Date: %(date)s is after today (%(today)s); an activity can be submitted for "
        "checking once it has taken place."
    ) % {"date": start_date.isoformat(), "today": today.isoformat()}


def submit_activity(actor, activity: Activity) -> Activity:
    if refusal := future_date_refusal(activity.start_date):
        raise ValidationError(refusal, code="future")
    # the required metrics are checked again: the campaign file may have changed since
    values = {
        v.metric.key: (v.number if v.number is not None else v.text)
        for v in activity.values.select_related("metric")
    }
    clean_values(activity.type, values)
    activity = _transition(
        actor,
        activity,
        [ActivityStatus.DRAFT, ActivityStatus.RETURNED],
        ActivityStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=actor if getattr(actor, "pk", None) else None,
        return_reason="",
    )
    _tell(
        checkers_for(activity.unit),
        actor,
        NoticeKind.WAITING,
        gettext_noop("To check: %(unit)s submitted the activity “%(title)s”."),
        activity,
    )
    return activity


@transaction.atomic
def return_activity(actor, activity: Activity, reason: str) -> Activity:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Reason: say why the activity is returned."))
    refuse_own_submission(actor, activity)
    activity = _transition(
        actor,
        activity,
        [ActivityStatus.SUBMITTED],
        ActivityStatus.RETURNED,
        note=reason,
        return_reason=reason,
    )
    _tell(
        _concerned(activity),
        actor,
        NoticeKind.RETURNED,
        gettext_noop("The activity “%(title)s” was returned: %(reason)s"),
        activity,
        reason=reason,
    )
    return activity


@transaction.atomic
def verify_activity(actor, activity: Activity) -> Activity:
    refuse_own_submission(actor, activity)
    activity = _transition(
        actor,
        activity,
        [ActivityStatus.SUBMITTED],
        ActivityStatus.VERIFIED,
        verified_at=timezone.now(),
        verified_by=actor,
    )
    _move_tally(activity, +1)
    _tell(
        _concerned(activity),
        actor,
        NoticeKind.APPROVED,
        gettext_noop("The activity “%(title)s” was verified; it counts toward the quota."),
        activity,
    )
    return activity


@transaction.atomic
def unlock_activity(actor, activity: Activity, reason: str) -> Activity:
    """The office reopens a verified activity; it stops counting until verified again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Reason: say why the activity is unlocked."))
    activity = _transition(
        actor,
        activity,
        [ActivityStatus.VERIFIED],
        ActivityStatus.RETURNED,
        note=reason,
        return_reason=reason,
        verified_at=None,
        verified_by=None,
    )
    _move_tally(activity, -1)
    _tell(
        _concerned(activity),
        actor,
        NoticeKind.RETURNED,
        gettext_noop("The activity “%(title)s” was unlocked and returned: %(reason)s"),
        activity,
        reason=reason,
    )
    return activity


@transaction.atomic
def delete_activity(actor, activity: Activity) -> None:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted; this activity is %(status)s.")
            % {"status": activity.get_status_display()}
        )
    audit.record(actor, AuditAction.DELETE, activity)
    for evidence in activity.evidence.all():
        uploads.delete_after_commit(evidence)
    activity.delete()


def _numeric_totals(activity: Activity) -> dict[str, decimal.Decimal]:
    return {
        v.metric.key: v.number
        for v in activity.values.select_related("metric")
        if v.number is not None and is_numeric(v.metric)
    }


def _add_totals(
    totals: dict[str, str], numbers: dict[str, decimal.Decimal], sign: int
) -> dict[str, str]:
    """A tally's {metric key: total} (stored as strings: JSON has no decimals) with
    `numbers` added (sign +1) or taken away (-1)."""
    moved = {k: decimal.Decimal(v) for k, v in totals.items()}
    for key, number in numbers.items():
        moved[key] = moved.get(key, decimal.Decimal(0)) + sign * number
    return {k: str(v) for k, v in moved.items()}


def _move_tally(activity: Activity, sign: int) -> None:
    """Count a verified activity in (+1) or out (-1) of both roll-ups: its unit's and
    type's `Tally` and the `MonthTally` of its start month. Called inside the
    transaction that moves its status, with the activity as stored (a verified one
    cannot be edited, so what it added is what it takes away)."""
    numbers = _numeric_totals(activity)
    where = {
        "campaign_id": activity.campaign_id,
        "unit_id": activity.unit_id,
        "type_id": activity.type_id,
    }
    for model, extra in ((Tally, {}), (MonthTally, {"month": month_of(activity.start_date)})):
        row, _created = model.objects.select_for_update().get_or_create(**where, **extra)
        row.verified += sign
        row.totals = _add_totals(row.totals, numbers, sign)
        row.save(update_fields=["verified", "totals"])


class Rebuilt(NamedTuple):
    tallies: int
    month_tallies: int


@transaction.atomic
def rebuild_tallies(campaign: Campaign) -> Rebuilt:
    """Recount every roll-up of a campaign — `Tally` and `MonthTally` — from scratch,
    from its verified activities and their metric values; the rows written.

    Two GROUP BY queries do the counting: no activity is loaded into Python, only one
    row per unit, type and month. On PostgreSQL both tables are locked first, so a
    verification in the same moment waits for the rebuild and then counts itself in
    (its activity, not yet committed, was not counted); SQLite lets one writer in at a
    time anyway.
    """
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Tally, MonthTally))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    Tally.objects.filter(campaign=campaign).delete()
    MonthTally.objects.filter(campaign=campaign).delete()
    verified = Activity.objects.filter(campaign=campaign, status=ActivityStatus.VERIFIED)
    months: dict[tuple[int, int, datetime.date], MonthTally] = {}
    for unit_id, type_id, month, count in (
        verified.annotate(month=TruncMonth("start_date"))
        .values_list("unit_id", "type_id", "month")
        .annotate(count=Count("id"))
        .order_by()
    ):
        months[unit_id, type_id, month] = MonthTally(
            campaign=campaign, unit_id=unit_id, type_id=type_id, month=month, verified=count
        )
    sums = (
        MetricValue.objects.filter(
            activity__in=verified,
            number__isnull=False,
            metric__value_type__in=NUMERIC_TYPES,
        )
        .annotate(month=TruncMonth("activity__start_date"))
        .values_list("activity__unit_id", "activity__type_id", "month", "metric__key")
        .annotate(total=Sum("number"))
        .order_by()
    )
    for unit_id, type_id, month, key, total in sums:
        months[unit_id, type_id, month].totals[key] = str(total)
    tallies: dict[tuple[int, int], Tally] = {}
    for (unit_id, type_id, _month), row in months.items():
        tally = tallies.setdefault(
            (unit_id, type_id),
            Tally(campaign=campaign, unit_id=unit_id, type_id=type_id, totals={}),
        )
        tally.verified += row.verified
        tally.totals = _add_totals(
            tally.totals, {k: decimal.Decimal(v) for k, v in row.totals.items()}, +1
        )
    MonthTally.objects.bulk_create(months.values(), batch_size=1000)
    Tally.objects.bulk_create(tallies.values(), batch_size=1000)
    return Rebuilt(len(tallies), len(months))


# -- many at once: the import ------------------------------------------------------------

_WRITE_BATCH = 1000  # activities per bulk_create round


@dataclass(slots=True)
class ActivityRow:
    """One activity of an import, checked by its reader (unit among the importer's,
    type of the campaign, dates, participants, metric values). `ref` is handed back in
    the problems that name this row."""

    type_id: int
    unit_id: int
    title: str
    start_date: datetime.date
    place: str
    end_date: datetime.date | None = None
    address: str = ""
    description: str = ""
    participants: list[int] = field(default_factory=list)  # person ids
    values: list[tuple[int, decimal.Decimal | None, str]] = field(default_factory=list)
    ref: RowRef | None = None

    @property
    def duplicate_key(self) -> str:
        return duplicate_key(self.unit_id, self.type_id, self.start_date, self.place)


def existing_duplicates(keys: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(duplicate key, title) of recorded activities that have one of `keys`."""
    for chunk in chunks(sorted(keys)):
        yield from (
            Activity.objects.filter(duplicate_key__in=chunk)
            .values_list("duplicate_key", "title")
            .order_by("id")
        )


def already_recorded(title: str) -> str:
    return _(
        "The same activity (unit, type, start date and place) is already recorded: “%(title)s”."
    ) % {"title": title}


def future_row_refusal(start_date: datetime.date) -> str:
    """Why a row of an import "to submit" is refused ("" when it is not): its date is
    after today, and only what took place is submitted for checking."""
    today = clock.today()
    if start_date <= today:
        return ""
    return _(
        "%(date)s is after today (%(today)s): an activity can be submitted for checking "
        "once it has taken place. Import without submitting to keep it as a draft, or "
        "leave the row out."
    ) % {"date": start_date.isoformat(), "today": today.isoformat()}


def create_activities(
    actor,
    campaign: Campaign,
    rows: Sequence[ActivityRow],
    *,
    job: ImportJob,
    submit: bool = False,
) -> int:
    """Record every activity of an import, all or nothing, in one transaction; their
    number. Drafts, or submitted for checking with `submit` (then a row dated after
    today refuses the rows, as `submit_activity` refuses such an activity).

    What must hold at the moment of writing is kept here, under locks: one import per
    campaign at a time, then the rows' units locked in id order, as recording one
    activity locks its unit, so an activity entered on the page meanwhile is seen, or
    waits for this import. An activity recorded already (same unit, type, start date
    and place) refuses the rows with RowsRefused naming each one: importing the same
    file twice, or two uploads racing, never records anything twice.

    The rows are written with bulk_create in batches (10,000 rows in seconds), and the
    import writes ONE audit entry (AuditAction.IMPORT on `job`, with the count), not
    one per activity: 10,000 entries would double the work for no information the job
    and the activities' `created_by` do not already give.
    """
    status = ActivityStatus.SUBMITTED if submit else ActivityStatus.DRAFT
    if submit:
        # as submit_activity: an activity dated after today is not submitted
        future = [(row, refusal) for row in rows if (refusal := future_row_refusal(row.start_date))]
        if future:
            raise RowsRefused(Problem(row.ref, "start_date", refusal) for row, refusal in future)
    with transaction.atomic():
        # PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises every writer
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        unit_ids = sorted({r.unit_id for r in rows})
        list(
            OrgUnit.objects.select_for_update()
            .filter(pk__in=unit_ids)
            .order_by("pk")
            .values_list("pk")
        )
        keys = [r.duplicate_key for r in rows]
        clashes = dict(existing_duplicates(set(keys)))
        if clashes:
            raise RowsRefused(
                Problem(row.ref, None, already_recorded(clashes[key]))
                for row, key in zip(rows, keys, strict=True)
                if key in clashes
            )
        now = timezone.now()
        creator_id = getattr(actor, "pk", None)
        through = Activity.participants.through
        created = 0
        for start in range(0, len(rows), _WRITE_BATCH):
            batch = rows[start : start + _WRITE_BATCH]
            activities = Activity.objects.bulk_create(
                [
                    Activity(  # ids, not objects: 10,000 descriptor calls fewer
                        campaign_id=campaign.pk,
                        type_id=r.type_id,
                        unit_id=r.unit_id,
                        title=r.title,
                        start_date=r.start_date,
                        end_date=r.end_date,
                        place=r.place,
                        address=r.address,
                        description=r.description,
                        status=status,
                        created_by_id=creator_id,
                        submitted_at=now if submit else None,
                        # four eyes: whoever imports them "submitted" does not verify them
                        submitted_by_id=creator_id if submit else None,
                        duplicate_key=key,
                    )
                    for r, key in zip(batch, keys[start : start + _WRITE_BATCH], strict=True)
                ]
            )
            MetricValue.objects.bulk_create(
                [
                    MetricValue(activity_id=a.pk, metric_id=metric_id, number=number, text=text)
                    for a, r in zip(activities, batch, strict=True)
                    for metric_id, number, text in r.values
                ],
                batch_size=2000,
            )
            through.objects.bulk_create(
                [
                    through(activity_id=a.pk, person_id=person_id)
                    for a, r in zip(activities, batch, strict=True)
                    for person_id in dict.fromkeys(r.participants)
                ],
                batch_size=2000,
            )
            created += len(activities)
        audit.record(
            actor,
            AuditAction.IMPORT,
            job,
            changes={"activities": [None, created], "status": [None, status]},
            note=job.original_name,
        )
    return created

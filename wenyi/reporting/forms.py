"""Forms of the report pages: the text, the planned items of a plan, the progress lines
of a progress report, and the comments that go with returning or unlocking.

Every editor posts the `version` it was opened at (in ReportTextForm): the service
refuses the save when someone else saved in between.
"""

import datetime

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wenyi.activities.models import Activity
from wenyi.campaigns.models import ActivityType
from wenyi.core.forms import ModelChoiceField, ModelMultipleChoiceField
from wenyi.reporting.enums import ItemOutcome, ReportKind
from wenyi.reporting.models import PlanItem, Report


def _date_input() -> forms.DateInput:
    # <input type="date"> takes only ISO dates, whatever the page's language
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


TEXT_LABELS = {
    ReportKind.UNIT_PLAN: _("Aims, organisation and arrangements"),
    ReportKind.MONTHLY_PLAN: _("Other notes on this month's work"),
    ReportKind.MONTHLY_PROGRESS: _("Other work done this month"),
    ReportKind.SUMMARY: _("Summary text"),
}


class ReportTextForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, report: Report, **kwargs):
        kwargs.setdefault("initial", {"version": report.version, "text": report.text})
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = TEXT_LABELS.get(report.kind, _("Text"))
        if report.kind == ReportKind.SUMMARY:
            # the summary tools (character counter, draft paragraph) find it by id_text
            field.widget.attrs["rows"] = 20
        else:
            field.help_text = _("Optional.")


class PlanItemForm(forms.Form):
    type = ModelChoiceField(label=_("Activity type"), queryset=ActivityType.objects.none())
    title = forms.CharField(label=_("Activity title"), max_length=200)
    planned_date = forms.DateField(label=_("Planned date"), required=False, widget=_date_input())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, types: QuerySet[ActivityType], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types


class BasePlanItemFormSet(forms.BaseFormSet):
    def items(self) -> list[dict]:
        """The rows to keep, in page order (deleted and empty rows left out)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("title"):
                continue
            rows.append(
                {
                    "type": data["type"],
                    "title": data["title"],
                    "planned_date": data.get("planned_date"),
                    "place": data.get("place", ""),
                }
            )
        return rows


PlanItemFormSet = forms.formset_factory(
    PlanItemForm, formset=BasePlanItemFormSet, extra=1, can_delete=True, max_num=100
)


def plan_item_formset(report: Report, data=None) -> BasePlanItemFormSet:
    items = report.items.select_related("type") if report.pk else []  # not started: none
    initial = [
        {"type": i.type, "title": i.title, "planned_date": i.planned_date, "place": i.place}
        for i in items
    ]
    return PlanItemFormSet(
        data,
        initial=initial,
        prefix="items",
        form_kwargs={"types": ActivityType.objects.filter(campaign_id=report.campaign_id)},
    )


class ActivityChoices(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.title}（{obj.start_date:%Y-%m-%d}）"


class ProgressLineForm(forms.Form):
    """How one planned item turned out. No outcome yet means no line (a draft may be
    saved half done; submitting asks for every item)."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ItemOutcome.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Needed when the activity was moved or dropped."),
    )
    new_date = forms.DateField(label=_("Moved to"), required=False, widget=_date_input())
    activities = ActivityChoices(
        label=_("Activity records"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, item: PlanItem, activities: QuerySet[Activity], **kwargs):
        self.item = item
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome in (ItemOutcome.MOVED, ItemOutcome.DROPPED) and not data.get("reason"):
            self.add_error("reason", _("Say why it was moved or dropped."))
        if outcome != ItemOutcome.MOVED and data.get("new_date"):
            self.add_error("new_date", _("Only a moved activity has a new date."))
        return data

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("outcome"):
            return None
        return {
            "item": self.item,
            "outcome": data["outcome"],
            "reason": data.get("reason", ""),
            "new_date": data.get("new_date"),
            "activities": list(data.get("activities") or []),
        }


def activities_for_progress(visible: QuerySet[Activity], report: Report) -> QuerySet[Activity]:
    """The activity records a progress line may name: the unit's subtree, this campaign,
    from two weeks before the month to two weeks after it (work spills over month
    ends), plus any already linked."""
    from wenyi.reporting.deadlines import month_end

    start = report.period - datetime.timedelta(days=14)
    end = month_end(report.period) + datetime.timedelta(days=14)
    in_window = visible.filter(
        campaign_id=report.campaign_id,
        unit__path__startswith=report.unit.path,
        start_date__range=(start, end),
    )
    linked = (
        report.lines.filter(activities__isnull=False).values("activities")
        if report.pk
        else Activity.objects.none().values("pk")
    )
    return Activity.objects.filter(Q(pk__in=in_window.values("pk")) | Q(pk__in=linked)).order_by(
        "start_date", "id"
    )


def progress_line_forms(
    report: Report, plan: Report | None, activities: QuerySet[Activity], data=None
) -> list[ProgressLineForm]:
    if plan is None:
        return []
    lines = (
        {line.item_id: line for line in report.lines.prefetch_related("activities")}
        if report.pk
        else {}
    )
    # the same records are offered on every line: read them once, not once per line
    choices = None
    forms_ = []
    for item in plan.items.select_related("type"):
        line = lines.get(item.pk)
        initial = {}
        if line is not None:
            initial = {
                "outcome": line.outcome,
                "reason": line.reason,
                "new_date": line.new_date,
                "activities": list(line.activities.all()),
            }
        form = ProgressLineForm(
            data, item=item, activities=activities, initial=initial, prefix=f"line-{item.pk}"
        )
        if choices is None:
            choices = list(form.fields["activities"].choices)
        form.fields["activities"].choices = choices
        forms_.append(form)
    return forms_


# Blank comments and reasons pass the form: the service refuses them with the message
# that says what is missing (the browser asks first, through `required`).
class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        help_text=_("Say what needs changing."),
    )


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.activities.metrics import check_required, parse_metric
from wenyi.campaigns.enums import MetricType
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.core.forms import ModelChoiceField, ModelMultipleChoiceField, VersionField
from wenyi.orgs.models import OrgUnit, Person


class ActivityForm(forms.Form):
    """One activity of one type; the type's metrics from the campaign file become fields."""

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = VersionField()
    unit = ModelChoiceField(label=_("Organising unit"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Activity title"), max_length=200)
    start_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        help_text=_("Only for activities over several days."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("Enterprise or workplace, e.g. 临沂某机械厂车间"),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    participants = ModelMultipleChoiceField(
        label=_("Participating art workers"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    confirm_duplicate = forms.BooleanField(
        label=_("This is a different activity: save it anyway"), required=False
    )

    def __init__(
        self, *args, campaign: Campaign, type_: ActivityType, units, people, instance=None, **kwargs
    ):
        self.campaign, self.type, self.instance = campaign, type_, instance
        self.duplicates = []
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * (u.depth - 1)}{u.name}"
        self.fields["participants"].queryset = people
        self.fields["participants"].label_from_instance = lambda p: f"{p.name}（{p.unit.name}）"
        if not self.is_bound and instance is None:
            self.initial.setdefault("token", uuid.uuid4())
        self.metric_fields = []
        for metric in type_.metrics.all():
            name = f"m_{metric.key}"
            label = f"{metric.name}（{metric.unit}）" if metric.unit else metric.name
            common = {"label": label, "required": metric.required, "help_text": metric.help_text}
            if metric.value_type == MetricType.INTEGER:
                field = forms.IntegerField(min_value=0, **common)
            elif metric.value_type == MetricType.DECIMAL:
                field = forms.DecimalField(min_value=0, decimal_places=2, max_digits=14, **common)
            elif metric.value_type == MetricType.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "—")] + [(c, c) for c in metric.choices], **common
                )
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
            field.metric = metric
            self.fields[name] = field
            self.metric_fields.append(name)
        if instance is not None:
            for value in instance.values.all():
                name = f"m_{value.metric.key}"
                if name in self.fields:
                    self.initial[name] = value.number if value.number is not None else value.text
        self.order_fields(
            [
                "token",
                "version",
                "unit",
                "title",
                "start_date",
                "end_date",
                "place",
                "address",
                *self.metric_fields,
                "participants",
                "description",
                "confirm_duplicate",
            ]
        )

    def clean(self):
        data = super().clean()
        for name in self.metric_fields:
            metric = self.fields[name].metric
            try:
                number, text = parse_metric(metric, data.get(name))
                check_required(metric, number, text)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        if start and not (self.campaign.start <= start <= self.campaign.end):
            self.add_error(
                "start_date",
                _("The date must fall within the campaign, %(start)s to %(end)s.")
                % {"start": self.campaign.start, "end": self.campaign.end},
            )
        if data.get("unit") and start and data.get("place") and not self.errors:
            from wenyi.activities.services import find_duplicates

            self.duplicates = list(
                find_duplicates(
                    data["unit"], self.type, start, data["place"], exclude=self.instance
                )[:5]
            )
            if self.duplicates and not data.get("confirm_duplicate"):
                raise forms.ValidationError(
                    _(
                        "An activity of this type by this unit on this date at this place is "
                        "already recorded. Check it below; if this is a different activity, tick "
                        "the box to save it anyway."
                    )
                )
        return data

    def metric_values(self) -> dict:
        return {
            self.fields[name].metric.key: self.cleaned_data.get(name) for name in self.metric_fields
        }

    def activity_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "unit",
                "title",
                "start_date",
                "end_date",
                "place",
                "address",
                "description",
            )
        }

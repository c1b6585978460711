import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wenyi.activities.models import Activity
from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core.forms import ModelChoiceField, ModelMultipleChoiceField, VersionField
from wenyi.orgs.models import OrgUnit, Person
from wenyi.works import services
from wenyi.works.enums import MatchStatus, Origin

DURATION = re.compile(r"^\s*(?:(\d+)\s*[:：]\s*)?(\d+)\s*$")


def parse_duration(value: str) -> int | None:
    """ "3:25" or "205" (seconds) -> 205."""
    value = (value or "").strip()
    if not value:
        return None
    match = DURATION.match(value)
    if match is None:
        raise ValidationError(_("Duration: write minutes:seconds, e.g. 3:25."))
    minutes, seconds = match.groups()
    if minutes is not None and int(seconds) >= 60:
        raise ValidationError(_("Duration: seconds must be under 60."))
    return int(minutes or 0) * 60 + int(seconds)


def format_duration(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


class WorkForm(forms.Form):
    """One work of one art form: only the fields that art form takes (campaign file)."""

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = VersionField()
    title = forms.CharField(label=_("Title of the work"), max_length=200)
    text = forms.CharField(
        label=_("Text of the work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    video_url = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A link to the video on a video site."),
    )
    duration = forms.CharField(
        label=_("Duration (minutes:seconds)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "3:25"}),
    )
    unit = ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    authors = ModelMultipleChoiceField(
        label=_("Authors"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    new_authors = forms.CharField(
        label=_("Authors without a login"),
        required=False,
        max_length=300,
        help_text=_(
            "Names of workers not listed above, separated by commas; they are added to the unit."
        ),
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=Origin.choices,
        widget=forms.RadioSelect,
        initial=Origin.FIELD_CREATION,
    )
    activity = ModelChoiceField(
        label=_("Created on the activity"),
        queryset=Activity.objects.none(),
        required=False,
        help_text=_("The field-creation activity the work was created on, if any."),
    )
    created_on = forms.DateField(
        label=_("Date of creation"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    description = forms.CharField(
        label=_("About the work"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_portal = forms.BooleanField(
        label=_("The author agrees that the work may be shown on the public portal"),
        required=False,
    )
    consent_anthology = forms.BooleanField(
        label=_("The author agrees that the work may be printed in the anthology"),
        required=False,
    )
    consent_name = forms.CharField(
        label=_("Name of the author who agreed"), required=False, max_length=100
    )

    def __init__(
        self,
        *args,
        campaign: Campaign,
        category: WorkCategory,
        units,
        people,
        activities,
        instance=None,
        **kwargs,
    ):
        self.campaign, self.category, self.instance = campaign, category, instance
        super().__init__(*args, **kwargs)
        kinds = set(category.file_kinds or [])
        self.takes_text = FileKind.TEXT in kinds
        self.takes_link = FileKind.LINK in kinds
        self.takes_files = bool(kinds - {FileKind.TEXT, FileKind.LINK})
        if not self.takes_text:
            del self.fields["text"]
        else:
            self.fields["text"].widget.attrs.update(
                {"data-wy-count-source": "1", "aria-describedby": "wy-text-count"}
            )
        if not self.takes_link:
            del self.fields["video_url"]
        if not (self.takes_link or FileKind.VIDEO in kinds or FileKind.AUDIO in kinds):
            del self.fields["duration"]
        if instance is not None:
            for name in ("consent_portal", "consent_anthology", "consent_name"):
                del self.fields[name]
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * (u.depth - 1)}{u.name}"
        self.fields["authors"].queryset = people
        self.fields["authors"].label_from_instance = lambda p: f"{p.name}（{p.unit.name}）"
        if campaign.activity_types.filter(produces_works=True).exists():
            if instance is not None and instance.activity_id:  # keep what it names
                activities = activities | Activity.objects.filter(pk=instance.activity_id)
            self.fields["activity"].queryset = activities
            self.fields["activity"].label_from_instance = lambda a: (
                f"{a.start_date:%Y-%m-%d} {a.title}（{a.unit.name}）"
            )
        else:
            del self.fields["activity"]  # no activity of this campaign creates works
        if not self.is_bound and instance is None:
            self.initial.setdefault("token", uuid.uuid4())

    def clean_duration(self) -> int | None:
        return parse_duration(self.cleaned_data.get("duration", ""))

    def clean_new_authors(self) -> list[str]:
        raw = self.cleaned_data.get("new_authors", "")
        names = [n.strip() for n in re.split(r"[,，、;；\n]", raw) if n.strip()]
        for name in names:
            if len(name) > 60:
                raise ValidationError(_("Authors: a name has at most 60 characters."))
        return list(dict.fromkeys(names))

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "")
        if text:
            services.check_category_rules(self.category, text)
        return text

    def clean(self):
        data = super().clean()
        if not data.get("authors") and not data.get("new_authors") and not self.errors:
            self.add_error("authors", _("Authors: name at least one author."))
        activity, unit = data.get("activity"), data.get("unit")
        if (
            activity
            and unit
            and not (
                unit.path.startswith(activity.unit.path) or activity.unit.path.startswith(unit.path)
            )
        ):
            self.add_error(
                "activity",
                _("The activity must be one of this unit or of a unit above or below it."),
            )
        if (data.get("consent_portal") or data.get("consent_anthology")) and not (
            data.get("consent_name") or ""
        ).strip():
            self.add_error("consent_name", _("Consent: name the author who agreed."))
        return data

    def work_fields(self) -> dict:
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "unit": data["unit"],
            "origin": data["origin"],
            "created_on": data.get("created_on"),
            "description": data.get("description", ""),
        }
        if "activity" in self.fields:
            values["activity"] = data.get("activity")
        if self.takes_text:
            values["text"] = data.get("text", "")
        if self.takes_link:
            values["video_url"] = data.get("video_url", "")
        if "duration" in self.fields:
            values["duration_seconds"] = data.get("duration")
        return values


class ConsentForm(forms.Form):
    portal = forms.BooleanField(
        label=_("The author agrees that the work may be shown on the public portal"),
        required=False,
    )
    anthology = forms.BooleanField(
        label=_("The author agrees that the work may be printed in the anthology"),
        required=False,
    )
    name = forms.CharField(label=_("Name of the author who agreed"), required=False, max_length=100)


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (MatchStatus.CLEARED, _("Cleared: not a copy")),
            (MatchStatus.DISQUALIFIED, _("Disqualified: a copy")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

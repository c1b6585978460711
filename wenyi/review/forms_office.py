"""Forms of the office's review pages (views_office): the committee, declared relations,
a round's definition and criteria, entries, their eligibility and conflicts.

A round's form names its fields as the campaign file does (`[[review_rounds]]`), so
what `rounds.create_round` / `update_round` refuse comes back on the field it names.
Lists of people and units offer a page's worth (`limit`): a bound form checks the
choice against the whole set, so a person found by the search is accepted.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wenyi.campaigns.enums import TIE_BREAKS
from wenyi.campaigns.models import Campaign
from wenyi.core.forms import ModelChoiceField, ModelMultipleChoiceField, VersionField
from wenyi.review.enums import (
    AdvanceRule,
    AggregationMethod,
    IneligibleReason,
    RelationKind,
    RoundKind,
    RoundSubject,
)
from wenyi.review.models import (
    FALLBACKS,
    CommitteeMember,
    Conflict,
    Criterion,
    Entry,
    Relation,
    Round,
)

# at most this many people or units in a drop-down; the search narrows them
CHOICES_SHOWN = 200


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


def _person_label(person) -> str:
    return f"{person.name}（{person.unit.name}）"


def _choose(field: ModelChoiceField, queryset: QuerySet, bound: bool, limit=None) -> None:
    """All of `queryset` to check a sent choice; only `limit` (or the first
    CHOICES_SHOWN) to show."""
    if bound:
        field.queryset = queryset
    else:
        field.queryset = limit if limit is not None else queryset[:CHOICES_SHOWN]


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Name of the committee"), max_length=200)


class ExpertForm(forms.Form):
    person = ModelChoiceField(
        label=_label(CommitteeMember, "person"),
        queryset=None,
        help_text=_("People whose login holds the expert role in the campaign's units."),
    )

    def __init__(self, *args, people: QuerySet, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        _choose(field, people, self.is_bound, limit)
        field.label_from_instance = _person_label


class RelationForm(forms.Form):
    person = ModelChoiceField(label=_label(Relation, "person"), queryset=None)
    kind = forms.ChoiceField(label=_label(Relation, "kind"), choices=RelationKind.choices)
    other_person = ModelChoiceField(
        label=_label(Relation, "other_person"), queryset=None, required=False
    )
    other_unit = ModelChoiceField(
        label=_label(Relation, "other_unit"), queryset=None, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “other relation”."),
    )

    def __init__(self, *args, people: QuerySet, units: QuerySet, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("person", "other_person"):
            _choose(self.fields[name], people, self.is_bound, limit)
            self.fields[name].label_from_instance = _person_label
        self.fields["other_unit"].queryset = units

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("other_person")) == bool(data.get("other_unit")):
            self.add_error(
                "other_person", _("Name either a person or a unit the relation is with.")
            )
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# -- a round's definition ---------------------------------------------------------------


def _r(name: str):
    return _label(Round, name)


def _c(name: str):
    return _label(Criterion, name)


class TieBreakField(forms.CharField):
    """The tie-break keys, first to last, separated by commas or spaces."""

    def to_python(self, value):
        value = super().to_python(value)
        return [part for part in value.replace("，", ",").replace(",", " ").split() if part]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    """A round's definition, by the campaign file's names. Left empty, an optional value
    takes the file's default."""

    version = VersionField()
    key = forms.SlugField(
        label=_r("key"),
        max_length=60,
        help_text=_("Letters, digits, hyphens and underscores, e.g. chuping."),
    )
    name = forms.CharField(label=_("Name of the round"), max_length=100)
    description = forms.CharField(
        label=_r("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    subject = forms.ChoiceField(label=_r("subject"), choices=RoundSubject.choices)
    art_forms = forms.MultipleChoiceField(
        label=_r("art_forms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Works rounds only; none chosen: every art form."),
    )
    opens = forms.DateField(label=_r("opens"), widget=DATE)
    closes = forms.DateField(label=_r("closes"), widget=DATE)
    blind = forms.BooleanField(label=_r("blind"), required=False)
    kind = forms.ChoiceField(label=_r("kind"), choices=RoundKind.choices)
    pass_with = forms.IntegerField(
        label=_r("pass_with"),
        required=False,
        min_value=1,
        help_text=_("Approval rounds only."),
    )
    second_look = forms.BooleanField(label=_r("second_look"), required=False)
    reviewers_per_item = forms.IntegerField(label=_r("reviewers_per_item"), min_value=1)
    method = forms.ChoiceField(
        label=_r("method"), choices=AggregationMethod.choices, initial=AggregationMethod.TRIMMED
    )
    trim_min = forms.IntegerField(label=_r("trim_min"), required=False, min_value=0)
    fallback = forms.ChoiceField(label=_r("fallback"), choices=FALLBACKS, initial="mean")
    zscore_min = forms.IntegerField(label=_r("zscore_min"), required=False, min_value=0)
    decimals = forms.IntegerField(label=_r("decimals"), required=False, min_value=0)
    tie_break = TieBreakField(
        label=_r("tie_break"),
        required=False,
        help_text=format_lazy(
            _("Keys separated by commas, first to last, from: {keys}."), keys=", ".join(TIE_BREAKS)
        ),
    )
    flag_sd = forms.DecimalField(label=_r("flag_sd"), required=False, decimal_places=3)
    flag_range = forms.DecimalField(label=_r("flag_range"), required=False, decimal_places=3)
    consistency_share = forms.DecimalField(
        label=_r("consistency_share"),
        required=False,
        decimal_places=3,
        help_text=_("A share between 0 and 1, e.g. 0.1; empty: no second panel."),
    )
    source = forms.ChoiceField(label=_r("source"), required=False)
    advance = forms.ChoiceField(
        label=_r("advance"),
        required=False,
        choices=[("", "—"), *AdvanceRule.choices],
    )
    advance_top_k = forms.IntegerField(label=_r("advance_top_k"), required=False, min_value=1)
    advance_above = forms.DecimalField(label=_r("advance_above"), required=False, decimal_places=3)

    def __init__(self, *args, campaign: Campaign, round_: Round | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["art_forms"].choices = [
            (c.key, f"　{c.name}" if c.parent_id else c.name)
            for c in campaign.work_categories.order_by("position", "id")
        ]
        earlier = campaign.review_rounds.order_by("position", "id")
        if round_ is not None:
            earlier = earlier.filter(position__lt=round_.position)
            if round_.from_file:
                # the campaign file names the round
                self.fields["key"].disabled = True
        self.fields["source"].choices = [("", "—")] + [(r.key, r.name) for r in earlier]

    def values(self) -> dict:
        """The definition as rounds.create_round / update_round take it."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and name in self.fields and not self.fields[name].disabled
        }


class FormulaForm(forms.Form):
    """A units round's starting formula (评分公式): one weight per indicator of the
    campaign (dossiers.available_indicators), blank for an indicator not used."""

    prefix = "formula"

    def __init__(self, *args, indicators: dict[str, str], initial=None, **kwargs):
        initial = {key: weight for key, weight in (initial or {}).items()}
        super().__init__(*args, initial=initial, **kwargs)
        self.unknown = [key for key in initial if key not in indicators]
        for key, label in indicators.items():
            self.fields[key] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=9,
                decimal_places=3,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def weights(self) -> dict:
        """{key: weight} of the indicators given a weight (blank or 0: not used), as
        the campaign file writes them."""
        return {
            key: int(value) if value == value.to_integral_value() else float(value)
            for key, value in self.cleaned_data.items()
            if value
        }


class CriterionForm(forms.Form):
    key = forms.SlugField(label=_c("key"), max_length=60, required=False)
    name = forms.CharField(label=_("Name of the criterion"), max_length=100, required=False)
    description = forms.CharField(label=_c("description"), required=False)
    weight = forms.DecimalField(label=_c("weight"), required=False, decimal_places=3)
    maximum = forms.DecimalField(label=_c("maximum"), required=False, decimal_places=3)
    art_form = forms.ChoiceField(label=_c("art_form"), required=False)

    def __init__(self, *args, art_forms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["art_form"].choices = [("", "—"), *art_forms]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("key") or data.get("name") or data.get("maximum"))


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True, max_num=50)


def criteria_formset(campaign: Campaign, data=None, initial=None):
    art_forms = [(c.key, c.name) for c in campaign.work_categories.order_by("position", "id")]
    return CriterionFormSet(
        data, prefix="criteria", initial=initial, form_kwargs={"art_forms": art_forms}
    )


# -- entries and conflicts -------------------------------------------------------------


class CheckForm(forms.Form):
    """The eligibility check of one entry: eligible, or not with a reason."""

    eligible = forms.TypedChoiceField(
        label=_label(Entry, "eligibility"),
        choices=[("1", _("eligible")), ("0", _("not eligible"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.ChoiceField(
        label=_label(Entry, "ineligible_reason"),
        required=False,
        choices=[("", "—"), *IneligibleReason.choices],
    )
    note = forms.CharField(
        label=_label(Entry, "eligibility_note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EntryAddForm(forms.Form):
    """One item added by hand: the field the round's subject takes."""

    item = ModelChoiceField(label=_("Item"), queryset=None)

    def __init__(self, *args, items: QuerySet, label, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        _choose(field, items, self.is_bound)
        field.label = label


class ConflictForm(forms.Form):
    """The office records a conflict of an expert with an entry, named by its number."""

    code = forms.CharField(label=_label(Entry, "code"), max_length=12)
    expert = ModelChoiceField(label=_label(Conflict, "expert"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, entries: QuerySet, experts: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.fields["expert"].queryset = experts
        self.fields["expert"].label_from_instance = _person_label

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        self.entry = self.entries.filter(code=code).first()
        if self.entry is None:
            raise forms.ValidationError(
                _("No entry of this round has the number %(code)s."), params={"code": code}
            )
        return code


class CheckersForm(forms.Form):
    users = ModelMultipleChoiceField(
        label=_label(Round, "checkers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, users: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = users
        self.fields["users"].label_from_instance = lambda u: (
            f"{u.person.name}（{u.person.unit.name}）" if getattr(u, "person", None) else u.username
        )

"""The forms an expert fills in: a score (vote, values or place, and a comment), a
conflict they notice, a relation they declare or withdraw.

The forms read what was typed and hand it to the services (wenyi.review.scoring,
wenyi.review.services), which check it again and refuse with the reason; a refusal is
shown on the form (`core.versioning.show_refusal`) with the input kept.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wenyi.core.forms import ModelChoiceField
from wenyi.orgs.models import OrgUnit, Person
from wenyi.review.enums import RelationKind, RoundKind, Vote
from wenyi.review.models import Criterion

# the buttons of the scoring form: name "action"
DRAFT, SUBMIT, NEXT = "draft", "submit", "next"


def criterion_field(criterion: Criterion) -> str:
    return f"c_{criterion.key}"


class ScoreForm(forms.Form):
    """One entry's score: the fields depend on the round's kind (approval: a vote;
    scoring: a value per criterion that applies; ranking: a place) and a comment."""

    # 0 before the first save (Score's own version after), see wenyi.review.scoring
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, kind: str, criteria: list[Criterion], places: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.criteria = kind, criteria
        fields: dict[str, forms.Field] = {}
        if kind == RoundKind.APPROVAL:
            fields["vote"] = forms.ChoiceField(
                label=_("Your vote"),
                choices=Vote.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
        elif kind == RoundKind.SCORING:
            for criterion in criteria:
                # 30, not 30.000 or 3E+1, in the input's max
                maximum = Decimal(format(criterion.maximum.normalize(), "f"))
                fields[criterion_field(criterion)] = forms.DecimalField(
                    label=criterion.name,
                    required=False,
                    min_value=0,
                    max_value=maximum,
                    decimal_places=3,
                    help_text=criterion.description,
                    widget=forms.NumberInput(
                        attrs={
                            "min": "0",
                            "step": "any",
                            "inputmode": "decimal",
                            "autocomplete": "off",
                            "class": "form-control-lg",
                            # for the running total review-score.js shows
                            "data-wy-weight": format(criterion.weight.normalize(), "f"),
                        }
                    ),
                )
        else:
            fields["rank"] = forms.IntegerField(
                label=_("Place given"),
                required=False,
                min_value=1,
                max_value=max(places, 1),
                widget=forms.NumberInput(
                    attrs={
                        "min": "1",
                        "max": str(max(places, 1)),
                        "step": "1",
                        "inputmode": "numeric",
                        "class": "form-control-lg",
                    }
                ),
            )
        # the judgement first, the comment last
        comment = self.fields.pop("comment")
        self.fields.update(fields)
        self.fields["comment"] = comment

    def criterion_fields(self) -> list[tuple[Criterion, forms.BoundField]]:
        return [(c, self[criterion_field(c)]) for c in self.criteria if self.kind == "scoring"]

    def engine_kwargs(self) -> dict:
        """What scoring.save_draft / submit_score take, from the cleaned data."""
        data = self.cleaned_data
        kwargs = {"version": data["version"], "comment": data.get("comment", "")}
        if self.kind == RoundKind.APPROVAL:
            kwargs["vote"] = data.get("vote") or ""
        elif self.kind == RoundKind.SCORING:
            kwargs["values"] = {
                c.key: data.get(criterion_field(c))
                for c in self.criteria
                if data.get(criterion_field(c)) is not None
            }
        else:
            kwargs["rank"] = data.get("rank")
        return kwargs


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you should stay away from this entry"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Reason: say why you have a conflict of interest.")},
    )


class _UnitChoice(ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "　" * max(obj.depth - 1, 0) + obj.name


class RelationForm(forms.Form):
    """A relation of the expert to a unit of the campaign, or to a person of that unit
    (named: people are many, a list of them all would be of no use)."""

    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    unit = _UnitChoice(label=_("Unit"), queryset=OrgUnit.objects.none())
    person_name = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=60,
        help_text=_(
            "The full name of the person at this unit (or below it). Leave empty for a "
            "relation with the unit itself."
        ),
    )
    reason = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for another relation: say what it is."),
    )

    def __init__(self, *args, units, me: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.me = me
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        unit, name = data.get("unit"), (data.get("person_name") or "").strip()
        data["other_person"] = data["other_unit"] = None
        if unit is None:
            return data
        if not name:
            data["other_unit"] = unit
            return data
        found = list(
            Person.objects.filter(name=name, unit__path__startswith=unit.path)
            .exclude(pk=self.me.pk)
            .select_related("unit")[:2]
        )
        if not found:
            raise ValidationError(
                {
                    "person_name": _("Person: nobody called %(name)s at %(unit)s or below it.")
                    % {"name": name, "unit": unit.name}
                }
            )
        if len(found) > 1:
            raise ValidationError(
                {
                    "person_name": _(
                        "Person: more than one %(name)s at %(unit)s or below it; choose "
                        "their own unit."
                    )
                    % {"name": name, "unit": unit.name}
                }
            )
        data["other_person"] = found[0]
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you withdraw it"),
        max_length=1000,
        error_messages={"required": _("Reason: say why you withdraw the relation.")},
    )

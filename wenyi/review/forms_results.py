"""Forms of the assignment, scores, results and tiers pages (views_results)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.core.forms import ModelChoiceField
from wenyi.review.enums import TierBasis


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ManualAssignForm(forms.Form):
    """Give an entry to an expert by hand."""

    entry = ModelChoiceField(label=_("Entry"), queryset=None, to_field_name="code")
    expert = ModelChoiceField(label=_("Expert"), queryset=None)
    panel = forms.TypedChoiceField(
        label=_("Panel"),
        choices=[(1, _("panel 1")), (2, _("panel 2"))],
        coerce=int,
        initial=1,
        required=False,
        empty_value=1,
    )

    def __init__(self, *args, entries, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries
        self.fields["entry"].label_from_instance = lambda e: f"{e.code} {e.subject}"
        self.fields["expert"].queryset = experts
        self.fields["expert"].label_from_instance = lambda p: p.name


class UnassignForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class ReturnScoreForm(forms.Form):
    score = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


def _plain(value) -> str:
    """A decimal as people write it: 50, not 5E+1 or 50.00."""
    return format(value.normalize(), "f")


BASIS_CHOICES = [("", _("not awarded")), *TierBasis.choices]


class TierRulesForm(forms.Form):
    """One row per tier of the award kind: counted by number or by share, the number or
    percent, and an optional lowest score."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, tiers, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = list(tiers)
        for tier in self.tiers:
            rule = rules.get(tier.pk)
            self.fields[f"by_{tier.pk}"] = forms.ChoiceField(
                label=_("%(tier)s: counted") % {"tier": tier.name},
                choices=BASIS_CHOICES,
                required=False,
                initial=rule.by if rule else "",
            )
            self.fields[f"value_{tier.pk}"] = forms.DecimalField(
                label=_("%(tier)s: number or percent") % {"tier": tier.name},
                required=False,
                min_value=0,
                max_digits=7,
                decimal_places=2,
                initial=_plain(rule.value) if rule else None,
            )
            self.fields[f"min_{tier.pk}"] = forms.DecimalField(
                label=_("%(tier)s: lowest score") % {"tier": tier.name},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=3,
                initial=_plain(rule.min_score) if rule and rule.min_score is not None else None,
            )

    def rows(self):
        """(tier, by field, value field, lowest score field) for the template."""
        return [
            (t, self[f"by_{t.pk}"], self[f"value_{t.pk}"], self[f"min_{t.pk}"]) for t in self.tiers
        ]

    def clean(self):
        data = super().clean()
        for tier in self.tiers:
            by = data.get(f"by_{tier.pk}")
            if by and data.get(f"value_{tier.pk}") is None:
                self.add_error(f"value_{tier.pk}", _("Give the number or the percent."))
        return data

    def rules(self) -> list:
        from wenyi.review.tiers import Rule

        return [
            Rule(
                tier=tier,
                by=self.cleaned_data[f"by_{tier.pk}"],
                value=self.cleaned_data[f"value_{tier.pk}"],
                min_score=self.cleaned_data.get(f"min_{tier.pk}"),
            )
            for tier in self.tiers
            if self.cleaned_data.get(f"by_{tier.pk}")
        ]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AdjustForm(forms.Form):
    """Move a placement to another tier (or none), with a reason. `tiers`: the award
    kind's tiers, read once for every form of the page."""

    placement = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args, tiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = {str(t.pk): t for t in tiers}
        self.fields["tier"].choices = [("", _("no award"))] + [
            (key, t.name) for key, t in self.tiers.items()
        ]

    def clean_tier(self):
        return self.tiers.get(self.cleaned_data.get("tier") or "")

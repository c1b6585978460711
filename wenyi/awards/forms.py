"""Forms of the results pages (views_office) and the public objection form
(views_public). The rules themselves — a real name, the window, a unit's seal — are
the services' (wenyi.awards.services, wenyi.awards.objections), so every way in gets
the same refusals; the forms read the input and show the refusals on their fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.awards.enums import ObjectorKind
from wenyi.awards.services import describe


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NoticeForm(forms.Form):
    """The public notice: its first day (the window follows from the campaign's rule),
    title and text."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    starts_on = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The first day of the notice; the window is counted from it by the campaign's "
            "rule (a day off moves the start to the next working day)."
        ),
        error_messages={
            "required": _("Start date: give the first day of the notice."),
            "invalid": _("Start date: give a date as YYYY-MM-DD."),
        },
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text of the notice"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
    )


class InvestigateForm(forms.Form):
    note = forms.CharField(
        label=_("What will be looked into"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )


OUTCOMES = [
    ("dismissed", _("Dismiss: the result stands")),
    ("upheld", _("Uphold: the result is withdrawn, with this decision as the reason")),
]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the objection"),
        choices=OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Outcome of the objection: uphold or dismiss it.")},
    )
    decision = forms.CharField(
        label=_("Written decision"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        required=False,
        help_text=_(
            "Published on the public notice page under the objection's reference number, "
            "without the objector's name."
        ),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ObjectionForm(forms.Form):
    """The public objection form; `token` makes sending it twice harmless. The view
    reads the files (`seal`, several `evidence`) from the request and hands them to the
    service, which checks them: the form's file fields render the inputs and carry the
    service's refusals, and are not bound to the uploads themselves."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    objector_kind = forms.ChoiceField(
        label=_("I object as"),
        choices=ObjectorKind.choices,
        widget=forms.RadioSelect,
        initial=ObjectorKind.PERSON,
        required=False,
    )
    name = forms.CharField(
        label=_("Real name"),
        max_length=100,
        required=False,
        help_text=_("For a unit: the person who speaks for it."),
    )
    unit_name = forms.CharField(
        label=_("Name of the unit"),
        max_length=200,
        required=False,
        help_text=_("Only when you object as a unit."),
    )
    seal = forms.FileField(
        label=_("Scan of the unit's seal"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}),
        help_text=_(
            "Only when you object as a unit: a photo or PDF of the objection bearing the "
            "unit's seal."
        ),
    )
    phone = forms.CharField(
        label=_("Telephone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
        help_text=_("The decision is sent there too."),
    )
    address = forms.CharField(label=_("Postal address (optional)"), max_length=200, required=False)
    award = forms.ChoiceField(
        label=_("Result objected to"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Result objected to: choose one of the results on this notice (a withdrawn "
                "result takes no objection)."
            )
        },
    )
    grounds = forms.CharField(
        label=_("Grounds"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        required=False,
        help_text=_("What is wrong with the result, and why; name your evidence."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf,.pdf,.doc,.docx"}),
    )

    def __init__(self, *args, awards, evidence_max: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "Pictures, PDF or Word documents; at most %(n)s files."
        ) % {"n": evidence_max}
        groups: dict[str, list] = {}
        for award in awards:
            groups.setdefault(award.award_kind.name, []).append((str(award.pk), describe(award)))
        self.fields["award"].choices = [("", _("— choose the result —"))] + list(groups.items())
        for name in ("name", "unit_name", "phone", "email", "address"):
            self.fields[name].widget.attrs.setdefault("maxlength", self.fields[name].max_length)

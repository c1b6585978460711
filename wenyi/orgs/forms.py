import re

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.core.forms import ModelChoiceField, VersionField
from wenyi.orgs.enums import Role, UnitBody, UnitKind
from wenyi.orgs.models import OrgUnit, Person

MOBILE_RE = re.compile(r"^1\d{10}$")


def split_list(text: str) -> list[str]:
    """'文学、摄影, 书法' -> ['文学', '摄影', '书法']"""
    return [part.strip() for part in re.split(r"[、，,;；\s]+", text or "") if part.strip()]


class UnitForm(forms.Form):
    version = VersionField()
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Unit name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    bodies = forms.MultipleChoiceField(
        label=_("Bodies at this unit"),
        choices=UnitBody.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args, unit: OrgUnit | None = None, **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        from wenyi.orgs.units import code_problem

        code = self.cleaned_data["code"].strip()
        problem = code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        others = OrgUnit.objects.filter(code=code)
        if self.unit is not None:
            others = others.exclude(pk=self.unit.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Another unit already has the code %(code)s."), params={"code": code}
            )
        return code


def indented(unit: OrgUnit) -> str:
    """A unit in a select drawn as the tree: indented by its level, with its code."""
    return f"{'　' * (unit.depth - 1)}{unit.name}（{unit.code}）"


class MoveUnitForm(forms.Form):
    """Where a unit goes: a unit in use in the mover's area, not the unit or one below it."""

    version = VersionField()
    parent = ModelChoiceField(
        label=_("New parent unit"),
        queryset=OrgUnit.objects.none(),
        help_text=_("The unit moves with every unit below it; codes and records stay."),
    )

    def __init__(self, *args, unit: OrgUnit, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["parent"].queryset = parents.exclude(path__startswith=unit.path)
        self.fields["parent"].label_from_instance = indented
        self.fields["version"].initial = unit.version


class PersonForm(forms.ModelForm):
    version = VersionField()
    art_forms_text = forms.CharField(
        label=_("Art forms"),
        required=False,
        help_text=_("Separate several with 、 or a comma, e.g. 摄影、书法"),
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "unit",
            "mobile",
            "email",
            "job_title",
            "associations",
            "titles",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"inputmode": "email"}),
        }

    def __init__(self, *args, units=None, own_profile=False, identity=True, **kwargs):
        """own_profile: a person editing themselves without managing their unit (no unit,
        no office notes); identity: whether mobile and e-mail may change (the rule
        orgs.change_identity), else they are shown but cannot be changed."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * (u.depth - 1)}{u.name}"
        if own_profile:
            del self.fields["unit"]
            del self.fields["notes"]
        if not identity:
            for name in ("mobile", "email"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Only the person, or someone who may manage every role they hold, changes this."
                )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["art_forms_text"].initial = "、".join(self.instance.art_forms)
        field_order = [
            "name",
            "gender",
            "unit",
            "mobile",
            "email",
            "job_title",
            "art_forms_text",
            "associations",
            "titles",
            "notes",
        ]
        self.order_fields(field_order)

    def clean_mobile(self) -> str:
        from wenyi.orgs.services import check_mobile

        mobile = re.sub(r"[\s-]", "", self.cleaned_data.get("mobile") or "")
        if mobile and not MOBILE_RE.match(mobile):
            raise forms.ValidationError(_("A mobile number has 11 digits and starts with 1."))
        if mobile != (self.initial.get("mobile") or ""):
            check_mobile(mobile, self.instance if self.instance.pk else None)
        return mobile

    def person_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        values["art_forms"] = split_list(self.cleaned_data.get("art_forms_text", ""))
        return values


class NewLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        required=False,
        help_text=_("Leave empty for a person without a login (for example a worker author)."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    password = forms.CharField(
        label=_("First password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to let the person set one through 'Forgot your password?'."),
    )

    def __init__(self, *args, person=None, **kwargs):
        self.person = person  # the person the login is for, None for one being added
        super().__init__(*args, **kwargs)

    def clean_username(self) -> str:
        from wenyi.orgs.services import check_login_name

        username = self.cleaned_data["username"].strip()
        if username:
            check_login_name(username, self.person)
        return username

    def clean(self):
        data = super().clean()
        if data.get("role") and not data.get("username"):
            self.add_error("username", _("A role needs a login name."))
        if data.get("password"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(data["password"])
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class RoleForm(forms.Form):
    unit = ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()

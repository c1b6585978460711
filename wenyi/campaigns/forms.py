"""Forms of the campaign pages: a unit's leading group (R2) and its members."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.campaigns.enums import GroupRole
from wenyi.core.forms import VersionField


class LeadingGroupForm(forms.Form):
    # empty while the unit has no group: if one appears meanwhile, that is a conflict too
    version = VersionField()
    name = forms.CharField(label=_("Name of the leading group"), max_length=200)
    office_location = forms.CharField(
        label=_("The office is at"), max_length=200, help_text=_("For example 市总工会宣传教育部")
    )
    office_phone = forms.CharField(label=_("Office phone"), max_length=40, required=False)
    office_email = forms.EmailField(label=_("Office e-mail"), required=False)


class GroupMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role in group"), choices=GroupRole.choices, initial=GroupRole.MEMBER
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


GroupMemberFormSet = forms.formset_factory(GroupMemberForm, extra=2, max_num=40)

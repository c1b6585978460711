"""The public vote's forms on the portal: a phone number, the code sent to it, the
answer to a challenge (wenyi.portal.views_vote). Each field is checked by the service
(wenyi.review.votes), which names the field in its refusal."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"}
        ),
        help_text=_("A 6-digit code is sent to it by text message. The number is not stored."),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}
        ),
    )


class ChallengeForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)

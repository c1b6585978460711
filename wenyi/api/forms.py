from django import forms
from django.utils.translation import gettext_lazy as _

VALIDITY = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("one year")),
    ("", _("until revoked")),
]


class TokenForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("e.g. 县总工会微信公众号, 省平台数据同步"),
    )
    valid_days = forms.ChoiceField(
        label=_("Valid for"), choices=VALIDITY, initial="90", required=False
    )

    def days(self) -> int | None:
        value = self.cleaned_data.get("valid_days")
        return int(value) if value else None

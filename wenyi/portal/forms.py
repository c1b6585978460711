"""The office's forms: a news item (versioned) with its photos, and the publishing
page's filters."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.core.forms import VersionField
from wenyi.portal.enums import NewsKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class NewsForm(forms.Form):
    """A news item. The photos are read from the request by the view and checked by the
    service (`services.prepare_photos`): the field renders the input and carries the
    refusals."""

    kind = forms.ChoiceField(label=_("kind of news"), choices=NewsKind.choices)
    title = forms.CharField(label=_("headline"), max_length=120)
    dated = forms.DateField(
        label=_("date of the news"), widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(
        label=_("short summary"),
        max_length=200,
        required=False,
        help_text=_("Shown in lists and when the page is shared; the text's start if empty."),
    )
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text=_("Plain text: one paragraph per line."),
    )
    photos = forms.FileField(
        label=_("photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_(
            "Photos (JPEG, PNG …); the first photo of the item is its cover. The public sees "
            "a copy without location data."
        ),
    )
    caption = forms.CharField(label=_("caption of the new photos"), max_length=200, required=False)
    version = VersionField()
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4()

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("kind", "title", "dated", "summary", "body")}

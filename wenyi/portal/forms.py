"""The office's forms: a news item (versioned) with its photos, the publishing
page's filters, and the anthology's details and moves."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from wenyi.core.forms import VersionField
from wenyi.portal.enums import NewsKind, PageSize


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


class AnthologyForm(forms.Form):
    """The anthology's details (versioned). The cover is read from the request by the
    view and checked by `anthology.prepare_cover`: the field renders the input and
    carries the refusal."""

    title = forms.CharField(label=_("title of the book"), max_length=120)
    subtitle = forms.CharField(label=_("subtitle"), max_length=120, required=False)
    editor = forms.CharField(
        label=_("compiled by"),
        max_length=120,
        required=False,
        help_text=_("Printed on the cover and the title page; the campaign's organiser if empty."),
    )
    page_size = forms.ChoiceField(label=_("page size"), choices=PageSize.choices)
    preface = forms.CharField(
        label=_("preface"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
        help_text=_("Plain text: one paragraph per line."),
    )
    editor_note = forms.CharField(
        label=_("editor's note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        required=False,
        help_text=_(
            "The afterword (编后记), printed at the end of the book; one paragraph per line."
        ),
    )
    cover = forms.FileField(
        label=_("cover picture"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_(
            "A photo or painting (JPEG, PNG …); the book prints a copy without location data."
        ),
    )
    remove_cover = forms.BooleanField(label=_("remove the cover picture"), required=False)
    version = VersionField()
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, has_cover: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "token" not in self.initial:
            self.initial["token"] = uuid.uuid4()
        if not has_cover:
            del self.fields["remove_cover"]

    def values(self) -> dict:
        return {
            k: self.cleaned_data[k]
            for k in ("title", "subtitle", "editor", "preface", "editor_note", "page_size")
        }


class MoveForm(forms.Form):
    """Where a work goes in its section (from 1), and the version the page showed."""

    to = forms.IntegerField(label=_("place in the book"), min_value=1, max_value=100_000)
    version = VersionField()

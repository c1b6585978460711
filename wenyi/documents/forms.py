"""The office's form of a campaign's document settings (views: documents:settings).

Its fields are named as the campaign file's `[documents]` names them (and the model),
the layout's as `[documents.layout]` does: what `loading.save_settings` refuses comes
back on the field it names. The layout's fields are optional; one left empty keeps
the standard's value (shown as the field's placeholder).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenyi.core.docx import GBT9704, LAYOUT_LIMITS, Profile, layout_problems
from wenyi.core.forms import VersionField
from wenyi.documents.commendation import template_problems
from wenyi.documents.loading import FIELDS, layout_values
from wenyi.documents.models import DocumentSettings

LAYOUT_LABELS = {
    "margin_top_mm": _("Top margin (mm)"),
    "margin_bottom_mm": _("Bottom margin (mm)"),
    "margin_left_mm": _("Left margin (mm)"),
    "margin_right_mm": _("Right margin (mm)"),
    "lines": _("Lines a page"),
    "chars": _("Characters a line"),
    "body_pt": _("Size of the text (pt)"),
    "title_pt": _("Size of the title (pt)"),
    "issuer_mark_pt": _("Size of the issuer mark (pt)"),
    "small_pt": _("Size of the end block and page numbers (pt)"),
    "font_body": _("Font of the text"),
    "font_title": _("Font of the title and issuer mark"),
    "font_heading1": _("Font of headings 一、"),
    "font_heading2": _("Font of headings （一）"),
    "font_page_number": _("Font of the page numbers"),
}
CODE_BAD = re.compile(r"[0-9〔〕\[\]【】()（）号]")


def _label(name: str):
    return capfirst(DocumentSettings._meta.get_field(name).verbose_name)


def _help(name: str):
    return DocumentSettings._meta.get_field(name).help_text


def _layout_field(name: str) -> forms.Field:
    kind, low, high = LAYOUT_LIMITS[name]
    standard = getattr(GBT9704, name)
    attrs = {"placeholder": f"{standard:g}" if kind != "text" else standard}
    if kind == "text":
        return forms.CharField(
            label=LAYOUT_LABELS[name],
            required=False,
            max_length=int(high),
            widget=forms.TextInput(attrs=attrs),
        )
    if kind == "int":
        return forms.IntegerField(
            label=LAYOUT_LABELS[name],
            required=False,
            min_value=int(low),
            max_value=int(high),
            widget=forms.NumberInput(attrs=attrs),
        )
    return forms.DecimalField(
        label=LAYOUT_LABELS[name],
        required=False,
        min_value=low,
        max_value=high,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**attrs, "step": "0.5"}),
    )


class SettingsForm(forms.Form):
    version = VersionField()
    issuer_mark = forms.CharField(label=_label("issuer_mark"), max_length=100)
    issuer = forms.CharField(label=_label("issuer"), max_length=200, help_text=_help("issuer"))
    code = forms.CharField(label=_label("code"), max_length=20, help_text=_help("code"))
    commendation_number = forms.IntegerField(
        label=_label("commendation_number"),
        required=False,
        min_value=1,
        help_text=_("Its number in the year: 58 gives 临工发〔2014〕58号."),
    )
    commendation_date = forms.DateField(
        label=_label("commendation_date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Its year goes into the number."),
    )
    commendation_title = forms.CharField(
        label=_label("commendation_title"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Start a new line where the title should break; otherwise it is broken into "
            "lines of about equal length."
        ),
    )
    addressees = forms.CharField(label=_label("addressees"), max_length=300)
    commendation_body = forms.CharField(
        label=_label("commendation_body"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_help("commendation_body"),
    )
    copies_to = forms.CharField(
        label=_label("copies_to"),
        max_length=300,
        required=False,
        help_text=_("Names separated by commas (，)."),
    )
    printed_by = forms.CharField(
        label=_label("printed_by"),
        max_length=200,
        required=False,
        help_text=_("Left empty, the documents have no end block."),
    )
    notice_addressees = forms.CharField(
        label=_label("notice_addressees"),
        max_length=300,
        required=False,
        help_text=_("Left empty, the notice is addressed to the assisting organisers."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in LAYOUT_LIMITS:
            self.fields[name] = _layout_field(name)

    @property
    def layout_fields(self) -> list:
        return [self[name] for name in LAYOUT_LIMITS]

    @property
    def settings_fields(self) -> list:
        return [self[name] for name in self.fields if name not in LAYOUT_LIMITS]

    @staticmethod
    def initial_from(settings: DocumentSettings) -> dict[str, Any]:
        initial = {name: getattr(settings, name) for name in FIELDS}
        initial |= dict(settings.layout or {})
        initial["version"] = settings.version
        return initial

    def clean_commendation_title(self) -> str:
        return self.cleaned_data["commendation_title"].replace("\r\n", "\n").replace("\r", "\n")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if CODE_BAD.search(code):
            raise forms.ValidationError(
                gettext(
                    "Only the letters of the code (such as 临工发): the year and the number "
                    "are laid out by the system."
                )
            )
        return code

    def clean_commendation_body(self) -> str:
        body = self.cleaned_data["commendation_body"].replace("\r\n", "\n")
        found = template_problems(body)
        if found:
            raise forms.ValidationError(found)
        return body

    def layout(self) -> dict[str, Any]:
        """The layout overrides given: only the values that differ from GB/T 9704."""
        return layout_values({name: self.cleaned_data.get(name) for name in LAYOUT_LIMITS})

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.errors for name in LAYOUT_LIMITS):
            for name, message in layout_problems(Profile.from_layout(self.layout())):
                self.add_error(name, message)
        return cleaned

    def values(self) -> dict[str, Any]:
        """The settings the form gives, for loading.save_settings."""
        values = {name: self.cleaned_data[name] for name in FIELDS}
        values["layout"] = self.layout()
        return values

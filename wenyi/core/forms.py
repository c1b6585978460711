import uuid

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wenyi.core.sheets import XLSX_CONTENT_TYPE, check_xlsx


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Login name or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "The login name or mobile number and the password do not match. "
            "Passwords are case-sensitive."
        ),
        "inactive": _("This login is switched off. Ask your campaign office."),
    }


class ResetForm(PasswordResetForm):
    """Password reset that also reaches logins created without a password.

    Imported and newly added people get a login with no usable password; this
    e-mail is how they set their first one. Django's own form skips them.
    """

    def get_users(self, email):
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email
        )


class VersionField(forms.IntegerField):
    """The version of the record an edit form was opened at (see core.versioning);
    empty on a form that creates."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, min_value=1, required=False, **kwargs)


class ListedChoices(forms.models.ModelChoiceIterator):
    """A select's choices read with one plain query. Django's own iterator reads them
    through `QuerySet.iterator()`, which on PostgreSQL opens a server-side cursor
    (DECLARE, FETCH, CLOSE; outside a transaction WITH HOLD, which copies the result
    first): several round trips for a list of a few dozen units or people, on every
    form page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, with its choices read in one query (`ListedChoices`)."""

    iterator = ListedChoices


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with its choices read in one query (`ListedChoices`)."""

    iterator = ListedChoices


class ImportUploadForm(forms.Form):
    """An .xlsx file for an import job (core.imports), checked by size and by content
    here, so a renamed .xls, .docx or text file is refused on the form.

    One token per form: a double click or a resent form finds the job the first made
    (a form without one, say from an old page, still works, unprotected).
    """

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
        error_messages={
            "required": _("Choose the .xlsx file to import."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.WENYI_UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                gettext("The file is larger than %(max)s MB; split it into several files.")
                % {"max": settings.WENYI_UPLOAD_MAX_MB}
            )
        check_xlsx(upload)
        return upload

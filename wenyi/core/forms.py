from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


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

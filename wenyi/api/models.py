"""Per-user API tokens, kept as hashes only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.core import clock
from wenyi.core.models import actor_field


class ApiToken(models.Model):
    """A login's key to the API. Only the token's SHA-256 is stored: the token itself is
    shown once, when it is made; `prefix` (its first characters) tells tokens apart in
    lists. A token acts as its login, with the login's roles as they are at each request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = actor_field(_("revoked by"))
    # the create form's one-time token (wenyi.core.tokens): a second click makes no second
    form_token = models.UUIDField(
        _("form token"), null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < clock.today()

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and not self.expired

    def audit_unit(self):
        person = getattr(self.user, "person", None)
        return getattr(person, "unit", None)

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, ngettext

from wenyi.api import services
from wenyi.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every login's tokens, for a superuser who must stop one (a leaked token, a login
    that left): read-only, revoked through the service (audited, its login told). Tokens
    are made by their own logins only, on their API 令牌 page."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_on",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username", "user__person__name"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "digest"]
    exclude = ["digest"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.revoke_token(request.user, token)
            except ValidationError:
                continue  # revoked meanwhile
            done += 1
        text = ngettext(
            "%(n)s token revoked: it no longer works.",
            "%(n)s tokens revoked: they no longer work.",
            done,
        )
        self.message_user(request, text % {"n": done}, messages.SUCCESS)

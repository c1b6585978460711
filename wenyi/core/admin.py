from django.contrib import admin

from wenyi.core.models import AuditEntry, ImportJob, Notification


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the services, never by hand."""

    list_display = ["at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "note"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
    list_filter = ["read_at"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """For inspection; jobs are made by the upload pages and `wenyi import-…`."""

    list_display = ["created_at", "kind", "created_by", "original_name", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name"]
    readonly_fields = ["kind", "created_by", "file", "status", "errors", "token", "options"]

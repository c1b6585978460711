from django.contrib import admin

from wenyi.reporting import models


@admin.register(models.Report)
class ReportAdmin(admin.ModelAdmin):
    """For inspection; states change through the app's pages (audited services)."""

    list_display = ["unit", "kind", "period", "due", "status", "on_time"]
    list_filter = ["kind", "status", "on_time"]
    list_select_related = ["unit"]
    readonly_fields = ["status", "first_submitted_at", "on_time", "approved_by", "version"]


admin.site.register(models.Reminder)

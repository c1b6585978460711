from django.contrib import admin

from wenyi.activities import models


class MetricValueInline(admin.TabularInline):
    model = models.MetricValue
    extra = 0


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    """For inspection; states change through the app's pages (audited services)."""

    list_display = ["title", "unit", "type", "start_date", "status"]
    list_filter = ["status", "type"]
    search_fields = ["title", "place"]
    list_select_related = ["unit", "type"]
    readonly_fields = ["status", "verified_at", "verified_by", "submitted_at"]
    inlines = [MetricValueInline]

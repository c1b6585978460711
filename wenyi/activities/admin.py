from django.contrib import admin

from wenyi.activities import models
from wenyi.activities.enums import ActivityStatus


class MetricValueInline(admin.TabularInline):
    model = models.MetricValue
    extra = 0

    # a verified activity's values are counted in the roll-ups: changed only after the
    # office unlocks it (services.unlock_activity counts it out)
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_locked)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked)


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    """For inspection; states change through the app's pages (audited services). A
    verified activity is read-only here and only a draft can be deleted, as in the
    services: what a verified one counts in the roll-ups (`Tally`, `MonthTally`) must
    not change behind their back."""

    list_display = ["title", "unit", "type", "start_date", "status"]
    list_filter = ["status", "type"]
    search_fields = ["title", "place"]
    list_select_related = ["unit", "type"]
    readonly_fields = ["status", "verified_at", "verified_by", "submitted_at"]
    inlines = [MetricValueInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == ActivityStatus.DRAFT)

    def get_actions(self, request):
        # "delete selected" asks no question per activity: a verified one would go too
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

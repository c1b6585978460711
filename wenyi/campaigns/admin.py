from django.contrib import admin

from wenyi.campaigns import models


class StageInline(admin.TabularInline):
    model = models.Stage
    extra = 0


class ActivityTypeInline(admin.TabularInline):
    model = models.ActivityType
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns come from their TOML files (`wenyi load-campaign`); admin is for looking."""

    list_display = ["title", "slug", "year", "doc_number", "start", "end"]
    inlines = [StageInline, ActivityTypeInline]
    readonly_fields = ["source_file", "source_sha256"]


admin.site.register(models.Metric)
admin.site.register(models.WorkCategory)
admin.site.register(models.AwardKind)


class LeadingGroupMemberInline(admin.TabularInline):
    model = models.LeadingGroupMember
    extra = 0


@admin.register(models.LeadingGroup)
class LeadingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "campaign"]
    inlines = [LeadingGroupMemberInline]

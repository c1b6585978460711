from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from wenyi.orgs import models


@admin.register(models.OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(models.OrgUnit)
    list_display = ["name", "code", "kind"]
    search_fields = ["name", "code"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "mobile", "user"]
    search_fields = ["name", "mobile", "email"]
    list_select_related = ["unit", "user"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]

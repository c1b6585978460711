"""The review in the admin: for looking only. Every change goes through
wenyi.review.services (audited, with notices, four eyes), so the admin adds, changes and
deletes nothing here."""

from django.contrib import admin

from wenyi.review import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CommitteeMemberInline(ReadOnlyInline):
    model = models.CommitteeMember


@admin.register(models.Committee)
class CommitteeAdmin(ReadOnly):
    list_display = ["name", "campaign"]
    inlines = [CommitteeMemberInline]


@admin.register(models.Relation)
class RelationAdmin(ReadOnly):
    list_display = ["person", "other_person", "other_unit", "kind", "declared_by"]
    list_filter = ["kind"]


class CriterionInline(ReadOnlyInline):
    model = models.Criterion


class RoundCheckerInline(ReadOnlyInline):
    model = models.RoundChecker


@admin.register(models.Round)
class RoundAdmin(ReadOnly):
    list_display = ["name", "campaign", "key", "subject", "kind", "opens", "closes", "status"]
    list_filter = ["status", "kind", "subject"]
    inlines = [CriterionInline, RoundCheckerInline]


@admin.register(models.Entry)
class EntryAdmin(ReadOnly):
    list_display = ["code", "round", "work", "unit", "person", "eligibility"]
    list_filter = ["eligibility"]
    list_select_related = ["round", "work", "unit", "person"]


@admin.register(models.Conflict)
class ConflictAdmin(ReadOnly):
    list_display = ["entry", "expert", "source", "dismissed_at"]
    list_filter = ["source"]
    list_select_related = ["entry", "expert"]


@admin.register(models.Assignment)
class AssignmentAdmin(ReadOnly):
    list_display = ["entry", "expert", "source", "panel", "created_by"]
    list_select_related = ["entry", "expert", "created_by"]


@admin.register(models.Score)
class ScoreAdmin(ReadOnly):
    list_display = ["assignment", "status", "vote", "total", "rank", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["assignment__entry", "assignment__expert"]


@admin.register(models.RoundResult)
class RoundResultAdmin(ReadOnly):
    list_display = ["entry", "round", "final", "rank", "n", "flagged", "passed"]
    list_select_related = ["entry", "round"]


@admin.register(models.PublicVote)
class PublicVoteAdmin(ReadOnly):
    list_display = ["campaign", "round", "starts", "ends", "weight_experts", "weight_online"]
    list_select_related = ["campaign", "round"]


@admin.register(models.Ballot)
class BallotAdmin(ReadOnly):
    # the voter is a login's id or a phone number's keyed hash: never a number
    list_display = ["work", "status", "held_reason", "address", "cast_at"]
    list_filter = ["status", "held_reason"]
    list_select_related = ["work"]


@admin.register(models.OnsiteCount)
class OnsiteCountAdmin(ReadOnly):
    list_display = ["work", "count", "entered_by", "entered_at"]
    list_select_related = ["work", "entered_by"]

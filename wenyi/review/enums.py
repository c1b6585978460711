"""The states and choices of the experts' review. What a campaign file declares about a
round (its subject, kind, aggregation method, advance rule) is in campaigns.enums:
the file's check reads it there, below this app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.campaigns.enums import AdvanceRule, AggregationMethod, RoundKind, RoundSubject

__all__ = [
    "AdvanceRule",
    "AggregationMethod",
    "AssignmentSource",
    "ConflictSource",
    "Eligibility",
    "IneligibleReason",
    "RelationKind",
    "RoundKind",
    "RoundStatus",
    "RoundSubject",
    "ScoreStatus",
    "TierBasis",
    "TieringStatus",
    "Vote",
]


class RoundStatus(models.TextChoices):
    """draft → open → closed (→ reopened → closed). A round's definition is frozen once
    it opens; the experts score while it is open or reopened."""

    DRAFT = "draft", _("being prepared")
    OPEN = "open", _("open for review")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")


# the states in which experts score and the office assigns
ACTIVE = (RoundStatus.OPEN, RoundStatus.REOPENED)


class RelationKind(models.TextChoices):
    RELATIVE = "relative", _("relative")
    TEACHER_OR_STUDENT = "teacher", _("teacher or student")
    COLLEAGUE = "colleague", _("colleague")
    SAME_RECOMMENDING_UNIT = "same_unit", _("recommended by the same unit")
    OTHER = "other", _("other relation")


class Eligibility(models.TextChoices):
    """The eligibility check (审读) of an entry."""

    PENDING = "pending", _("not checked yet")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("not eligible")


class IneligibleReason(models.TextChoices):
    WRONG_ART_FORM = "art_form", _("wrong art form")
    OVER_LENGTH = "length", _("over the length limit")
    MISSING_CONSENT = "consent", _("rights consent missing")
    COPIED = "copied", _("copied or disqualified")
    OTHER = "other", _("other reason")


class ConflictSource(models.TextChoices):
    """Where a conflict of interest (回避) comes from."""

    UNIT = "unit", _("same unit, or one unit within the other")
    RELATION = "relation", _("declared relation")
    DECLARED = "declared", _("declared during the review")


class AssignmentSource(models.TextChoices):
    AUTO = "auto", _("assigned automatically")
    MANUAL = "manual", _("assigned by hand")


class ScoreStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Vote(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")


class TierBasis(models.TextChoices):
    """How a tier's places are counted: a number of places, or a share (percent) of the
    round's ranked entries."""

    COUNT = "count", _("by number of places")
    SHARE = "share", _("by share of the ranked entries")


class TieringStatus(models.TextChoices):
    """An award kind's tiers in a round: worked on as a draft, then approved (final)."""

    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


class BallotStatus(models.TextChoices):
    """A public vote's ballot (wenyi.review.votes): counted at once, or held for the
    office, who counts or rejects it."""

    COUNTED = "counted", _("counted")
    HELD = "held", _("held for the office")
    REJECTED = "rejected", _("rejected")


class HeldReason(models.TextChoices):
    """Why a ballot was held (wenyi.review.votes.friction)."""

    ADDRESS = "address", _("many votes from one network address")
    BURST = "burst", _("a burst of votes from one network address")

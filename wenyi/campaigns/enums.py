from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganiserRole(models.TextChoices):
    LEAD = "lead", _("lead organiser")
    ASSIST = "assist", _("assisting body")


class MetricType(models.TextChoices):
    INTEGER = "integer", _("whole number")
    DECIMAL = "decimal", _("decimal number")
    TEXT = "text", _("text")
    CHOICE = "choice", _("choice")


class AwardSubject(models.TextChoices):
    UNIT = "unit", _("organising unit")
    INDIVIDUAL = "individual", _("individual")
    ARTIST = "artist", _("art worker")
    WORK = "work", _("work")


class FileKind(models.TextChoices):
    TEXT = "text", _("text typed in")
    DOCUMENT = "document", _("document (PDF, Word)")
    IMAGE = "image", _("image")
    AUDIO = "audio", _("audio")
    VIDEO = "video", _("video file")
    LINK = "link", _("video link")


class GroupRole(models.TextChoices):
    LEADER = "leader", _("group leader")
    DEPUTY = "deputy", _("deputy leader")
    MEMBER = "member", _("member")
    LIAISON = "liaison", _("liaison")


class NoticeCount(models.TextChoices):
    """How the days of a public notice (公示) are counted (`[public_notice] count`)."""

    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


# -- review rounds (`[[review_rounds]]` of the campaign file; wenyi.review runs them) ----


class RoundSubject(models.TextChoices):
    """What a review round looks at."""

    WORKS = "works", _("works")
    UNITS = "units", _("organising units")
    INDIVIDUALS = "individuals", _("individuals")
    ARTISTS = "artists", _("art workers")


class RoundKind(models.TextChoices):
    """How the experts judge each item of a round."""

    APPROVAL = "approval", _("approval (yes or no)")
    SCORING = "scoring", _("scoring by criteria")
    RANKING = "ranking", _("ranking")


class AggregationMethod(models.TextChoices):
    """How one item's scores from several experts make its result."""

    MEAN = "mean", _("mean")
    MEDIAN = "median", _("median")
    TRIMMED = "trimmed", _("trimmed mean (highest and lowest left out)")
    ZSCORE = "zscore", _("standardised per expert (z-score)")


class AdvanceRule(models.TextChoices):
    """Which items of the source round go on to a later round."""

    TOP_K = "top_k", _("the first N by rank")
    ABOVE = "above", _("a final score of at least X")
    PASSED = "passed", _("those that passed")


# the keys a round's ranking may be ordered by, first to last (`tie_break`): as
# wenyi.review.aggregate.TIE_BREAK_KEYS names them (a test keeps the two the same);
# higher first, but "sd_low" and "range_low" (more agreement first)
TIE_BREAKS = (
    "final",
    "value",
    "raw_mean",
    "normalised",
    "median",
    "n",
    "min",
    "max",
    "sd_low",
    "range_low",
)

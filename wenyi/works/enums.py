from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Origin(models.TextChoices):
    FIELD_CREATION = "field", _("created on a field-creation activity")
    COLLECTED = "collected", _("a worker's work collected for exhibition")
    OTHER = "other", _("other")


class FileRole(models.TextChoices):
    DOCUMENT = "document", _("manuscript (PDF, Word)")
    SCORE = "score", _("score (PDF)")
    AUDIO = "audio", _("audio")
    IMAGE = "image", _("image")
    VIDEO = "video", _("video file")


class MatchKind(models.TextChoices):
    TEXT = "text", _("text")
    IMAGE = "image", _("image")


class MatchStatus(models.TextChoices):
    OPEN = "open", _("to be checked")
    CLEARED = "cleared", _("cleared")
    DISQUALIFIED = "disqualified", _("disqualified")

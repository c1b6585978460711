from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    VERIFIED = "verified", _("verified")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    DOCUMENT = "document", _("PDF document")
    VIDEO = "video", _("video file")
    LINK = "link", _("video link")


class QuotaStatus(models.TextChoices):
    MET = "met", _("met")
    ON_TRACK = "on_track", _("on track")
    BEHIND = "behind", _("behind")

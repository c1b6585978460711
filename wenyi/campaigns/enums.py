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

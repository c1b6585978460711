from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    TRANSITION = "transition", _("state changed")
    IMPORT = "import", _("imported")


class ImportKind(models.TextChoices):
    """What an ImportJob imports; each kind's app registers its import (core.imports)."""

    PEOPLE = "people", _("people")
    ACTIVITIES = "activities", _("activities")
    UNITS = "units", _("units")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    FAILED = "failed", _("failed")
    DONE = "done", _("done")


class NoticeKind(models.TextChoices):
    """What a notice is about; each person may turn the e-mail of a kind off."""

    REMINDER = "reminder", _("reminders of reports due")
    RETURNED = "returned", _("something of yours returned or unlocked")
    APPROVED = "approved", _("something of yours verified or approved")
    WAITING = "waiting", _("something waiting for your decision")
    HANDED_IN = "handed_in", _("works handed in to your unit")
    COPY_DECIDED = "copy_decided", _("decisions on possible copies")
    ROLE = "role", _("roles given or taken away")
    UNITS = "units", _("units of your tree created, moved or retired")
    ACCOUNT = "account", _("your login (e-mail, mobile, lockout)")
    REVIEW = (
        "review",
        _("the expert review: work given to you, rounds opened and closed, conflicts"),
    )

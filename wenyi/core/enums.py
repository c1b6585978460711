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


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    FAILED = "failed", _("failed")
    DONE = "done", _("done")

"""The kinds of documents the system generates and keeps in the archive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    COMMENDATION = "commendation", _("commendation decision")
    NOTICE = "notice", _("campaign notice")
    CERTIFICATES = "certificates", _("certificates")
    ANTHOLOGY = "anthology", _("anthology")


class DocumentFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    PDF = "pdf", _("PDF")
    EPUB = "epub", _("e-book (EPUB)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being made")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


RUNNING = (JobStatus.QUEUED, JobStatus.RUNNING)

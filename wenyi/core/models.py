from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from wenyi.core.enums import AuditAction, ImportKind, ImportStatus, NoticeKind


def actor_field(verbose_name, related_name: str = "+") -> models.ForeignKey:
    """The login that did something to a record (approved it, decided it, made it): kept
    when the login is deleted as empty, never deleting the record."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who did what to which object, when, with the old and new values.

    Written only by `wenyi.core.audit.record`, which every service function calls.
    `unit_pk` is the unit the record belongs to (an id, not a path: paths shift when
    units are added or moved): an office sees the entries filed under its own subtree,
    never another county's.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    # orgs.OrgUnit's id; no foreign key, core sits below orgs (see DESIGN.md)
    unit_pk = models.BigIntegerField(_("unit id"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"


class Notification(models.Model):
    """An in-app notice to one login (a reminder, a returned report); shown in the navbar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("login"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.RETURNED
    )
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class NoticeSetting(models.Model):
    """A login's choice not to be e-mailed notices of one kind (the notice in the app
    stays). No row: e-mail on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_settings",
        verbose_name=_("login"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        verbose_name = _("notice setting")
        verbose_name_plural = _("notice settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_setting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


class ImportJob(TimeStampedModel):
    """One uploaded spreadsheet, imported by a background task (`wenyi.core.imports`);
    the upload page follows its progress and then shows the counts or every problem.

    `options` holds what the kind needs besides the file and the login, such as the
    activities' campaign id and whether to submit them (`{"campaign": 3, "submit": true}`).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # stored under a random name (the path never shows the uploader's file name) and
    # deleted when the job ends: the imported records, or the problems, are what is kept
    file = models.FileField(_("file"), upload_to="imports/", blank=True, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("total rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("records added"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    # [{"sheet", "row", "column", "message"}, …] (core.sheets.SheetError.as_dict)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    message = models.TextField(_("result message"), blank=True)
    # one token per upload form: a double click or a resent form finds the first job
    token = models.UUIDField(_("form token"), null=True, unique=True, editable=False)
    options = models.JSONField(_("import options"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_by"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        """Queued or running: the page keeps asking for its progress."""
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def lists_sheets(self) -> bool:
        """Whether the problems name sheets (a workbook of several sheets)."""
        return any(error.get("sheet") for error in self.errors)

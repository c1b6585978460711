from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsKind(models.TextChoices):
    REPORT = "report", _("activity report")
    EXAMPLE = "example", _("typical example")


class PageSize(models.TextChoices):
    """The anthology's printed page (the EPUB reflows and has none)."""

    A5 = "a5", _("A5 (148 × 210 mm, a book)")
    A4 = "a4", _("A4 (210 × 297 mm)")

from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsKind(models.TextChoices):
    REPORT = "report", _("activity report")
    EXAMPLE = "example", _("typical example")

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    NATION = "nation", _("nation")
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    DISTRICT = "district", _("district")
    DEVZONE = "devzone", _("development zone")
    ENTERPRISE = "enterprise", _("enterprise")
    OTHER = "other", _("other")


class UnitBody(models.TextChoices):
    UNION = "union", _("federation of trade unions")
    CULTURE = "culture", _("culture, radio, film and press bureau")
    ARTS = "arts", _("federation of literary and art circles")


class Role(models.TextChoices):
    OFFICE = "office", _("campaign office")
    COORDINATOR = "coordinator", _("coordinator")
    ARTIST = "artist", _("art worker")
    EXPERT = "expert", _("expert")
    # reads the whole review (assignments, conflicts, scores after close) and changes
    # nothing (wenyi.review.rules)
    SUPERVISOR = "supervisor", _("supervisor")


class Gender(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")

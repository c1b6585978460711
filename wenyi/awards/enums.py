"""The states of a campaign's results, their public notice (公示) and objections (异议)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultsStatus(models.TextChoices):
    """draft (drawn from the review's approved tiers, the office checks them) → approved
    (provisional: may go on public notice) → on notice → final (every objection decided,
    the office declared them final). Only final results are commended."""

    DRAFT = "draft", _("being drawn up")
    APPROVED = "approved", _("provisional, approved")
    NOTICE = "notice", _("on public notice")
    FINAL = "final", _("final")


class AwardStatus(models.TextChoices):
    """A result line stands, or was withdrawn by an upheld objection (with the decision)."""

    STANDING = "standing", _("stands")
    # (not "withdrawn": that word is a work's or an assignment's elsewhere)
    WITHDRAWN = "withdrawn", _("revoked")


class ObjectorKind(models.TextChoices):
    PERSON = "person", _("a person, under their real name")
    UNIT = "unit", _("a unit, under its seal")


class ObjectionStatus(models.TextChoices):
    """received → under investigation → upheld or dismissed (with a written decision)."""

    RECEIVED = "received", _("received")
    INVESTIGATING = "investigating", _("under investigation")
    UPHELD = "upheld", _("upheld")
    DISMISSED = "dismissed", _("not upheld")


DECIDED = (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED)


class ObjectionFileKind(models.TextChoices):
    SEAL = "seal", _("scan of the unit's seal")
    EVIDENCE = "evidence", _("evidence")

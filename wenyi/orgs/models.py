"""Org units (a tree of any depth), people, their roles, and leading groups."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from wenyi.core.models import TimeStampedModel
from wenyi.core.sorting import SortKeyed, SortKeyField
from wenyi.core.versioning import Versioned
from wenyi.orgs.enums import Gender, Role, UnitKind


class OrgUnit(SortKeyed, Versioned, MP_Node):
    """A unit in the tree: province → city → county/district/zone → enterprise.

    `path` (from treebeard's materialised path) makes "this unit and everything
    below it" one indexed prefix query: `path__startswith=unit.path`. Lists drawn as
    the tree order by `path`; flat lists and a unit's children by `name_sort` (pinyin,
    see `core.sorting` and `orgs.queries.units_flat`).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_sort = SortKeyField(_("sort key of the name"), source="name")
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    bodies = models.JSONField(_("bodies"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # A retired unit keeps its records and history but takes part in no campaign from
    # that day on, is offered in no choice and owes nothing (orgs.services.retire_unit).
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [models.Index(fields=["name_sort"], name="orgunit_name_sort")]

    @classmethod
    def child_path(cls, parent: "OrgUnit", position: int) -> str:
        """The path of `parent`'s `position`-th child (from 1), for writing a subtree in
        bulk (treebeard's own step, which its add_child takes one node at a time)."""
        return cls._get_path(parent.path, parent.depth + 1, position)

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> int:
        return self.depth

    def audit_unit(self) -> "OrgUnit":
        return self

    def retired_by(self, today=None) -> bool:
        """Retired as of `today` (default: today, the pretended day in a demo): from its
        `retired_on` on, as `orgs.queries.in_use` counts it in a query."""
        from wenyi.core import clock

        return self.retired_on is not None and self.retired_on <= (today or clock.today())

    @property
    def is_retired(self) -> bool:
        return self.retired_by()

    def subtree(self):
        return OrgUnit.objects.filter(path__startswith=self.path)

    def contains(self, other: "OrgUnit") -> bool:
        return other.path.startswith(self.path)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every unit above it."""
        step = self.steplen
        return [self.path[: i * step] for i in range(1, self.depth + 1)]

    def get_bodies_display(self) -> list[str]:
        from wenyi.orgs.enums import UnitBody

        labels = dict(UnitBody.choices)
        return [str(labels.get(b, b)) for b in self.bodies]


# treebeard's MP_Node declares these without a verbose name; redeclaring them here would
# copy its definitions (length, uniqueness, default), so only their labels are set
OrgUnit._meta.get_field("path").verbose_name = _("tree path")
OrgUnit._meta.get_field("depth").verbose_name = _("level in the tree")
OrgUnit._meta.get_field("numchild").verbose_name = _("number of units directly below")


class Person(SortKeyed, Versioned, TimeStampedModel):
    """Anyone the campaign knows: art workers, workers (who may have no login), staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("login"),
    )
    name = models.CharField(_("full name"), max_length=60)
    name_sort = SortKeyField(_("sort key of the full name"), source="name", person=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit")
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    job_title = models.CharField(_("position"), max_length=100, blank=True)
    art_forms = models.JSONField(_("art forms"), default=list, blank=True)
    associations = models.CharField(_("associations"), max_length=300, blank=True)
    titles = models.CharField(_("titles and honours"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name_sort", "name", "id"]
        indexes = [models.Index(fields=["name_sort", "name"], name="person_name_sort")]
        constraints = [
            # a mobile number identifies one person (it is also a login name)
            models.UniqueConstraint(
                fields=["mobile"], condition=~models.Q(mobile=""), name="person_mobile_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self) -> OrgUnit:
        return self.unit


class Membership(TimeStampedModel):
    """A role a login holds at a unit; it reaches the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("login"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def audit_unit(self) -> OrgUnit:
        return self.unit

"""The experts' review (R10): committee, declared relations, rounds and their criteria,
the entries of a round with their eligibility check (审读), conflicts of interest
(回避), assignments, scores and votes, and each round's frozen results.

Every change goes through wenyi.review.services (audited, with notices); who may do what
is declared in wenyi.review.rules. A round's definition is what the campaign file's
`[[review_rounds]]` or the office says, frozen once the round opens.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wenyi.core.models import TimeStampedModel, actor_field
from wenyi.core.versioning import Versioned
from wenyi.review.enums import (
    AdvanceRule,
    AggregationMethod,
    AssignmentSource,
    BallotStatus,
    ConflictSource,
    Eligibility,
    HeldReason,
    IneligibleReason,
    RelationKind,
    RoundKind,
    RoundStatus,
    RoundSubject,
    ScoreStatus,
    TierBasis,
    TieringStatus,
    Vote,
)

# scores, weights and results: exact decimals, as committees write them
NUMBER = {"max_digits": 12, "decimal_places": 3}
RESULT = {"max_digits": 14, "decimal_places": 6}
# a public vote's weights: percents, as the campaign file writes them (60, 62.5)
WEIGHT = {"max_digits": 5, "decimal_places": 2}
FALLBACKS = [(m.value, m.label) for m in (AggregationMethod.MEAN, AggregationMethod.MEDIAN)]


class Committee(TimeStampedModel):
    """The campaign's expert committee (评审委员会). Its members are people whose login
    holds the expert role; their art forms (`Person.art_forms`) and unit
    (`Person.unit`) decide what they may be given and what they must stay away from."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="committee",
        verbose_name=_("campaign"),
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        "orgs.Person",
        through="CommitteeMember",
        through_fields=("committee", "person"),
        related_name="committees",
        verbose_name=_("experts"),
    )

    class Meta:
        verbose_name = _("review committee")
        verbose_name_plural = _("review committees")

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.campaign.owner_unit()


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        Committee,
        on_delete=models.CASCADE,
        related_name="member_links",
        verbose_name=_("review committee"),
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("expert")
    )
    added_by = actor_field(_("added by"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="committee_member_unique")
        ]

    def __str__(self) -> str:
        return str(self.person)

    def audit_unit(self):
        return self.committee.campaign.owner_unit()


class Relation(TimeStampedModel):
    """A declared relation of a person (an expert, or an author) to another person or to a
    unit: a relative, a teacher or student (师承), a colleague, recommended by the same
    unit, or another relation (then with its reason). An expert is kept away from every
    entry such a relation touches (wenyi.review.conflicts)."""

    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.CASCADE,
        related_name="review_relations",
        verbose_name=_("person"),
    )
    other_person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("related person"),
    )
    other_unit = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("related unit"),
    )
    kind = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    declared_by = actor_field(_("declared by"))

    class Meta:
        verbose_name = _("declared relation")
        verbose_name_plural = _("declared relations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_person__isnull=False, other_unit__isnull=True)
                | Q(other_person__isnull=True, other_unit__isnull=False),
                name="relation_one_other",
            ),
            models.CheckConstraint(
                condition=Q(other_person__isnull=True) | ~Q(other_person=F("person")),
                name="relation_not_to_self",
            ),
            models.UniqueConstraint(
                fields=["person", "other_person", "kind"],
                condition=Q(other_person__isnull=False),
                name="relation_person_unique",
            ),
            models.UniqueConstraint(
                fields=["person", "other_unit", "kind"],
                condition=Q(other_unit__isnull=False),
                name="relation_unit_unique",
            ),
        ]

    def __str__(self) -> str:
        other = self.other_person if self.other_person_id else self.other_unit
        return f"{self.person} — {other}（{self.get_kind_display()}）"

    def audit_unit(self):
        return self.person.unit


class Round(Versioned, TimeStampedModel):
    """One round of the review (初评, 复评, 终评 …): what it looks at, how the experts
    judge, how their judgements make a result, and which items it takes from an earlier
    round. Declared in the campaign file (`from_file`: the loader keeps it as the file
    says while it is a draft) or by the office; frozen once it opens."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="review_rounds",
        verbose_name=_("campaign"),
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    subject = models.CharField(_("reviews"), max_length=12, choices=RoundSubject.choices)
    # WorkCategory keys (a form includes the forms below it); empty: every form
    art_forms = models.JSONField(_("art forms"), default=list, blank=True)
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))
    blind = models.BooleanField(_("blind (experts see no names)"), default=False)
    kind = models.CharField(_("kind of round"), max_length=10, choices=RoundKind.choices)
    # approval rounds
    pass_with = models.PositiveSmallIntegerField(_("yes votes needed to pass"), default=1)
    second_look = models.BooleanField(_("a second group looks at the rejected"), default=False)
    reviewers_per_item = models.PositiveSmallIntegerField(_("experts per item"), default=3)
    # how the scores make a result (wenyi.review.aggregate.Rule)
    method = models.CharField(
        _("aggregation"),
        max_length=10,
        choices=AggregationMethod.choices,
        default=AggregationMethod.TRIMMED,
    )
    trim_min = models.PositiveSmallIntegerField(_("scores needed to trim"), default=5)
    fallback = models.CharField(
        _("fallback with fewer scores"),
        max_length=10,
        choices=FALLBACKS,
        default=AggregationMethod.MEAN,
    )
    zscore_min = models.PositiveSmallIntegerField(_("scores needed to standardise"), default=5)
    decimals = models.PositiveSmallIntegerField(_("decimals of the result"), default=2)
    tie_break = models.JSONField(_("tie-break order"), default=list, blank=True)
    flag_sd = models.DecimalField(
        _("flag above this standard deviation"), null=True, blank=True, **NUMBER
    )
    flag_range = models.DecimalField(
        _("flag above this spread of scores"), null=True, blank=True, **NUMBER
    )
    consistency_share = models.DecimalField(
        _("share checked by a second panel"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
    )
    # a later round takes its items from the source round's results
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
        verbose_name=_("source round"),
    )
    advance = models.CharField(
        _("who goes on"), max_length=10, choices=AdvanceRule.choices, blank=True
    )
    advance_top_k = models.PositiveIntegerField(_("the first N go on"), null=True, blank=True)
    advance_above = models.DecimalField(
        _("scores of at least this go on"), null=True, blank=True, **NUMBER
    )
    # organising-unit rounds: the starting score's formula, indicator key → weight
    # (wenyi.review.formula; the keys are wenyi.review.dossiers.available_indicators)
    formula = models.JSONField(_("starting formula (indicator → weight)"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.DRAFT,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    from_file = models.BooleanField(_("declared in the campaign file"), default=False)
    created_by = actor_field(_("created by"))
    checkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="RoundChecker",
        through_fields=("round", "user"),
        related_name="+",
        verbose_name=_("eligibility checkers"),
    )

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        # by the column: "campaign" would follow Campaign's ordering, a join in every
        # query of rounds and of the entries, assignments and scores ordered by round
        ordering = ["campaign_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="review_round_key_unique"),
            models.CheckConstraint(
                condition=Q(pass_with__gte=1) & Q(reviewers_per_item__gte=1),
                name="review_round_counts",
            ),
            models.CheckConstraint(condition=Q(closes__gte=F("opens")), name="review_round_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.campaign.owner_unit()

    @property
    def is_active(self) -> bool:
        """Open or reopened: experts score and the office assigns."""
        return self.status in (RoundStatus.OPEN, RoundStatus.REOPENED)


class Criterion(models.Model):
    """A scoring criterion: a value from 0 to `maximum` counts `weight` times in the
    total (Σ weight × value). With `art_form`, only for works of that form (or below)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("review round")
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), default=1, **NUMBER)
    maximum = models.DecimalField(_("highest value"), **NUMBER)
    art_form = models.CharField(_("only for the art form"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="criterion_key_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(maximum__gt=0), name="criterion_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_unit(self):
        return self.round.campaign.owner_unit()


class RoundChecker(models.Model):
    """A login named to check the eligibility of a round's entries (besides the office)."""

    round = models.ForeignKey(
        Round,
        on_delete=models.CASCADE,
        related_name="checker_links",
        verbose_name=_("review round"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("eligibility checker"),
    )
    added_by = actor_field(_("added by"))

    class Meta:
        verbose_name = _("eligibility checker")
        verbose_name_plural = _("eligibility checkers")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="round_checker_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)

    def audit_unit(self):
        return self.round.campaign.owner_unit()


class Entry(TimeStampedModel):
    """One item of a round: a work, a unit or a person (exactly one of them), with its
    eligibility check. `code` stands for it where names must not show (blind rounds)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="entries", verbose_name=_("review round")
    )
    work = models.ForeignKey(
        "works.Work",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_entries",
        verbose_name=_("work"),
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_entries",
        verbose_name=_("unit"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_entries",
        verbose_name=_("person"),
    )
    code = models.CharField(_("entry number"), max_length=12)
    source_entry = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entry of the source round"),
    )
    eligibility = models.CharField(
        _("eligibility"),
        max_length=10,
        choices=Eligibility.choices,
        default=Eligibility.PENDING,
        db_index=True,
    )
    ineligible_reason = models.CharField(
        _("why not eligible"), max_length=10, choices=IneligibleReason.choices, blank=True
    )
    eligibility_note = models.TextField(_("eligibility note"), blank=True)
    checked_by = actor_field(_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    added_by = actor_field(_("added by"))

    class Meta:
        verbose_name = _("review entry")
        verbose_name_plural = _("review entries")
        ordering = ["round_id", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(work__isnull=False, unit__isnull=True, person__isnull=True)
                | Q(work__isnull=True, unit__isnull=False, person__isnull=True)
                | Q(work__isnull=True, unit__isnull=True, person__isnull=False),
                name="entry_one_subject",
            ),
            # NULLs are distinct on SQLite and PostgreSQL alike: one row per work etc.
            models.UniqueConstraint(fields=["round", "work"], name="entry_work_unique"),
            models.UniqueConstraint(fields=["round", "unit"], name="entry_unit_unique"),
            models.UniqueConstraint(fields=["round", "person"], name="entry_person_unique"),
            models.UniqueConstraint(fields=["round", "code"], name="entry_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    def audit_unit(self):
        return self.round.campaign.owner_unit()

    @property
    def subject(self):
        """The work, unit or person under review."""
        return self.work or self.unit or self.person

    @property
    def subject_unit(self):
        """The unit the item belongs to: the work's unit, the unit, the person's unit."""
        if self.work_id:
            return self.work.unit
        if self.unit_id:
            return self.unit
        return self.person.unit


class Conflict(TimeStampedModel):
    """A conflict of interest (回避) between an expert and an entry: computed from the
    units and the declared relations (wenyi.review.conflicts), or declared by the expert
    during the review. It keeps the expert away from the entry unless the office
    dismissed it, with a reason."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("review entry")
    )
    expert = models.ForeignKey(
        "orgs.Person",
        on_delete=models.CASCADE,
        related_name="review_conflicts",
        verbose_name=_("expert"),
    )
    source = models.CharField(_("found by"), max_length=10, choices=ConflictSource.choices)
    relation = models.ForeignKey(
        Relation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("declared relation"),
    )
    reason = models.TextField(_("reason"), blank=True)
    declared_by = actor_field(_("declared by"))
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = actor_field(_("dismissed by"))
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["entry__code", "entry_id", "expert__name_sort", "expert_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "expert", "source"],
                condition=Q(relation__isnull=True),
                name="conflict_unique",
            ),
            models.UniqueConstraint(
                fields=["entry", "expert", "relation"],
                condition=Q(relation__isnull=False),
                name="conflict_relation_unique",
            ),
        ]
        indexes = [models.Index(fields=["expert", "dismissed_at"])]

    def __str__(self) -> str:
        return f"{self.expert} × {self.entry.code}（{self.get_source_display()}）"

    def audit_unit(self):
        return self.entry.round.campaign.owner_unit()

    @property
    def blocks(self) -> bool:
        return self.dismissed_at is None


class Assignment(TimeStampedModel):
    """An entry given to an expert. Panel 1 makes the result; panel 2 is the second
    look at an approval round's rejected entries, or the consistency check's second
    panel (its scores are compared with panel 1's, not added to them)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("review entry")
    )
    expert = models.ForeignKey(
        "orgs.Person",
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("expert"),
    )
    source = models.CharField(
        _("assigned"), max_length=10, choices=AssignmentSource.choices, default="manual"
    )
    panel = models.PositiveSmallIntegerField(_("panel"), default=1)
    created_by = actor_field(_("assigned by"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["entry__code", "entry_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "expert"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry.code} → {self.expert}"

    def audit_unit(self):
        return self.entry.round.campaign.owner_unit()


class Score(Versioned, TimeStampedModel):
    """An expert's judgement of an assigned entry: a vote (approval rounds), a value per
    criterion and their weighted total (scoring rounds) or a place (ranking rounds), and
    a comment. One per assignment; saved as a draft until submitted."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="score", verbose_name=_("assignment")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ScoreStatus.choices, default=ScoreStatus.DRAFT
    )
    vote = models.CharField(_("vote"), max_length=3, choices=Vote.choices, blank=True)
    # {criterion key: value} as decimal strings
    values = models.JSONField(_("values by criterion"), default=dict, blank=True)
    total = models.DecimalField(_("total"), null=True, blank=True, **NUMBER)
    rank = models.PositiveIntegerField(_("place given"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # why the office returned the score (scoring.return_score); cleared on the next submit
    returned_reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assignment__entry__code", "assignment__entry_id", "assignment_id", "id"]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_status_display()}"

    def audit_unit(self):
        return self.assignment.entry.round.campaign.owner_unit()


class RoundResult(models.Model):
    """An entry's result, computed and frozen when its round closes
    (wenyi.review.aggregate): the final score and what it is made of, its rank, and for
    approval rounds the votes and whether it passed.

    In a round a public vote feeds (PublicVote, wenyi.review.vote_results), `final` is the
    weighted sum of the experts' score (`expert`), the online vote's score (`online`,
    from `online_votes` counted ballots) and the on-site vote's (`onsite`, from
    `onsite_votes`); without a vote those five stay empty and `final` is the experts'."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="results", verbose_name=_("review round")
    )
    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, related_name="result", verbose_name=_("review entry")
    )
    final = models.DecimalField(_("final score"), null=True, blank=True, **RESULT)
    raw = models.DecimalField(_("mean of the scores"), null=True, blank=True, **RESULT)
    normalised = models.DecimalField(
        _("mean of the standardised scores"), null=True, blank=True, **RESULT
    )
    n = models.PositiveIntegerField(_("number of scores"), default=0)
    sd = models.DecimalField(_("standard deviation"), null=True, blank=True, **RESULT)
    minimum = models.DecimalField(_("lowest score"), null=True, blank=True, **RESULT)
    maximum = models.DecimalField(_("highest score"), null=True, blank=True, **RESULT)
    flagged = models.BooleanField(_("experts disagree"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    yes_votes = models.PositiveIntegerField(_("yes votes"), null=True, blank=True)
    no_votes = models.PositiveIntegerField(_("no votes"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # the public vote's parts (wenyi.review.vote_results); empty without a vote
    expert = models.DecimalField(_("experts' score"), null=True, blank=True, **RESULT)
    online_votes = models.PositiveIntegerField(_("online votes"), null=True, blank=True)
    online = models.DecimalField(_("online vote score"), null=True, blank=True, **RESULT)
    onsite_votes = models.PositiveIntegerField(_("on-site votes"), null=True, blank=True)
    onsite = models.DecimalField(_("on-site vote score"), null=True, blank=True, **RESULT)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        ordering = ["round_id", "rank", "entry__code", "entry_id"]

    def __str__(self) -> str:
        return f"{self.entry.code}: {self.final}"

    def audit_unit(self):
        return self.round.campaign.owner_unit()


class Tiering(Versioned, TimeStampedModel):
    """The tiers (等次) of one award kind drawn from a closed round's ranking: its rules
    (`TierRule`, one per tier), the placements they give (`Placement`, one per entry)
    and the office's adjustments. Worked on as a draft, then approved
    (wenyi.review.tiers). Every edit names the version its form was opened at."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="tierings", verbose_name=_("review round")
    )
    award_kind = models.ForeignKey(
        "campaigns.AwardKind",
        on_delete=models.CASCADE,
        related_name="tierings",
        verbose_name=_("award kind"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TieringStatus.choices, default=TieringStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    computed_by = actor_field(_("placed by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = actor_field(_("approved by"))

    class Meta:
        verbose_name = _("award tiers of a round")
        verbose_name_plural = _("award tiers of rounds")
        ordering = ["round_id", "award_kind__position", "award_kind_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "award_kind"], name="tiering_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.award_kind}"

    def audit_unit(self):
        return self.round.campaign.owner_unit()


class TierRule(models.Model):
    """How many entries one tier takes: a number of places or a share (percent) of the
    round's ranked entries, capped by the tier's `max_count`; with `min_score`, no
    entry below it (a tier whose best candidate is below stays vacant, 空缺)."""

    tiering = models.ForeignKey(
        Tiering, on_delete=models.CASCADE, related_name="rules", verbose_name=_("award tiers")
    )
    tier = models.ForeignKey(
        "campaigns.AwardTier", on_delete=models.CASCADE, related_name="+", verbose_name=_("tier")
    )
    by = models.CharField(_("counted"), max_length=10, choices=TierBasis.choices)
    # a number of places (whole) or a percent
    value = models.DecimalField(_("number or percent"), max_digits=7, decimal_places=2)
    min_score = models.DecimalField(_("lowest score"), null=True, blank=True, **NUMBER)

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        ordering = ["tier__position", "tier_id"]
        constraints = [
            models.UniqueConstraint(fields=["tiering", "tier"], name="tier_rule_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="tier_rule_value"),
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.get_by_display()} {self.amount}"

    @property
    def amount(self) -> str:
        """The number, or the percent with its sign: "3", "12.5%"."""
        plain = format(self.value.normalize(), "f")
        return f"{plain}%" if self.by == TierBasis.SHARE else plain

    def audit_unit(self):
        return self.tiering.round.campaign.owner_unit()


class Placement(models.Model):
    """An entry's tier in a tiering: what the rules gave it (`computed_tier`) and what
    it has (`tier`, empty: no award). An office adjustment sets `adjusted`, with its
    reason, who and when (and an audit entry)."""

    tiering = models.ForeignKey(
        Tiering, on_delete=models.CASCADE, related_name="placements", verbose_name=_("award tiers")
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="placements", verbose_name=_("review entry")
    )
    tier = models.ForeignKey(
        "campaigns.AwardTier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tier"),
    )
    computed_tier = models.ForeignKey(
        "campaigns.AwardTier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tier by the rules"),
    )
    adjusted = models.BooleanField(_("adjusted by the office"), default=False)
    reason = models.TextField(_("reason for the adjustment"), blank=True)
    adjusted_by = actor_field(_("adjusted by"))
    adjusted_at = models.DateTimeField(_("adjusted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["tiering_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tiering", "entry"], name="placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry.code}: {self.tier or '—'}"

    def audit_unit(self):
        return self.tiering.round.campaign.owner_unit()


# -- the public vote (wenyi.review.votes) ---------------------------------------------


class PublicVote(TimeStampedModel):
    """A campaign's public vote, as its file's `[public_vote]` declares it: the window,
    the works round whose final score it feeds, the weights (percent) of the experts'
    score, the online vote and the on-site vote in that score, and the graded friction
    per network address (votes in the last hour before a challenge, before a login;
    votes in a minute that count as a burst)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="public_vote",
        verbose_name=_("campaign"),
    )
    # deleting the round deletes the vote: the loader refuses that while ballots exist
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="public_votes", verbose_name=_("review round")
    )
    starts = models.DateTimeField(_("voting starts"))
    ends = models.DateTimeField(_("voting ends"))
    weight_experts = models.DecimalField(_("weight of the experts' score (%)"), **WEIGHT)
    weight_online = models.DecimalField(_("weight of the online vote (%)"), **WEIGHT)
    weight_onsite = models.DecimalField(_("weight of the on-site vote (%)"), default=0, **WEIGHT)
    challenge_after = models.PositiveIntegerField(
        _("votes per hour from one address before a challenge"), default=20
    )
    login_after = models.PositiveIntegerField(
        _("votes per hour from one address before a login is needed"), default=100
    )
    burst_per_minute = models.PositiveIntegerField(
        _("votes per minute from one address that make a burst"), default=10
    )
    description = models.TextField(_("what the public is told"), blank=True)

    class Meta:
        verbose_name = _("public vote")
        verbose_name_plural = _("public votes")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="public_vote_window"),
        ]

    def __str__(self) -> str:
        return str(self.campaign)

    def audit_unit(self):
        return self.campaign.owner_unit()


class Ballot(models.Model):
    """One voter's vote for one work (one per voter and work: a second click or a retry
    adds nothing). The voter is a login (``u:<id>``) or a verified phone number kept
    only as a keyed hash (``p:<hex>``): the office never sees a phone of the public."""

    vote = models.ForeignKey(
        PublicVote, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("public vote")
    )
    work = models.ForeignKey(
        "works.Work", on_delete=models.PROTECT, related_name="+", verbose_name=_("work")
    )
    voter = models.CharField(_("voter (a login, or a phone number's keyed hash)"), max_length=80)
    user = actor_field(_("login of the voter"))
    address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BallotStatus.choices, default=BallotStatus.COUNTED
    )
    held_reason = models.CharField(
        _("why held"), max_length=10, choices=HeldReason.choices, blank=True
    )
    challenged = models.BooleanField(_("answered a challenge"), default=False)
    cast_at = models.DateTimeField(_("cast at"))
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "work", "voter"], name="ballot_one_per_voter")
        ]
        indexes = [
            models.Index(fields=["vote", "address", "cast_at"], name="ballot_address_time"),
            models.Index(fields=["vote", "status", "work"], name="ballot_status_work"),
        ]

    def __str__(self) -> str:
        return f"{self.work_id} · {self.get_status_display()}"

    def audit_unit(self):
        return self.vote.campaign.owner_unit()


class OnsiteCount(models.Model):
    """The on-site votes (现场投票) of one work, as the office entered them."""

    vote = models.ForeignKey(
        PublicVote,
        on_delete=models.CASCADE,
        related_name="onsite_counts",
        verbose_name=_("public vote"),
    )
    work = models.ForeignKey(
        "works.Work", on_delete=models.PROTECT, related_name="+", verbose_name=_("work")
    )
    count = models.PositiveIntegerField(_("on-site votes"), default=0)
    entered_by = actor_field(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("on-site vote count")
        verbose_name_plural = _("on-site vote counts")
        ordering = ["vote", "work"]
        constraints = [models.UniqueConstraint(fields=["vote", "work"], name="onsite_count_unique")]

    def __str__(self) -> str:
        return f"{self.work_id}: {self.count}"

    def audit_unit(self):
        return self.vote.campaign.owner_unit()


class PhoneCode(models.Model):
    """A code sent to a phone to verify a voter: the phone and the code kept as keyed
    hashes only, valid for 10 minutes and a few tries, used once."""

    vote = models.ForeignKey(
        PublicVote,
        on_delete=models.CASCADE,
        related_name="phone_codes",
        verbose_name=_("public vote"),
    )
    phone = models.CharField(_("phone number (keyed hash)"), max_length=80)
    code = models.CharField(_("code (keyed hash)"), max_length=64)
    address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone verification code")
        verbose_name_plural = _("phone verification codes")
        ordering = ["vote", "sent_at", "id"]
        indexes = [
            models.Index(fields=["vote", "phone", "sent_at"], name="phone_code_phone_time"),
            models.Index(fields=["vote", "address", "sent_at"], name="phone_code_address_time"),
        ]

    def __str__(self) -> str:
        return f"{self.phone[:10]}… {self.sent_at:%Y-%m-%d %H:%M}"

    def audit_unit(self):
        return self.vote.campaign.owner_unit()


class RoundTally(models.Model):
    """A round's progress in three numbers, kept by `review.tallies` in the transactions
    that add and remove entries, submit and return scores and compute results, so the
    dashboards read one row per round instead of counting entries and scores."""

    round = models.OneToOneField(
        Round,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
        verbose_name=_("review round"),
    )
    entries = models.PositiveIntegerField(_("entries"), default=0)
    scored = models.PositiveIntegerField(
        _("entries scored"), default=0, help_text=_("Entries with at least one submitted score.")
    )
    results = models.PositiveIntegerField(_("results"), default=0)

    class Meta:
        verbose_name = _("round progress")
        verbose_name_plural = _("round progress")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entries} / {self.scored} / {self.results}"

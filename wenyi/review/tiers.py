"""Award tiers (等次) from a closed round's ranking (issue 12, point 9).

For each award kind of the campaign (优秀文艺作品: 一等奖, 二等奖 …) the office sets a
rule per tier — a number of places or a share of the round's ranked entries, with an
optional lowest score — and the ranking is cut into tiers, best tier first:

- **Candidates** are the round's results in rank order (`RoundResult.rank`, competition
  ranking: tied entries share a rank). An entry without a result score is never placed.
  In an approval round (no scores) the candidates are the entries that passed, ordered
  by their yes votes (equal votes tie); a lowest score makes no sense there and is
  refused.
- **Places.** A tier by number takes that many; by share, `share` % of the candidates,
  rounded down (a share is a ceiling, as 获奖比例不超过 … is meant). The tier's
  `max_count` from the campaign file caps both.
- **Ties at the boundary go together.** When the last place falls inside a group of
  tied entries, the whole group is taken (the tier then has more than its number) —
  unless that would exceed the tier's `max_count`, the campaign's hard cap: then the
  whole group is left for the next tier. A tie is never cut at random.
- **Lowest score.** Candidates are taken while their final score is at least the
  tier's `min_score`; the first below it ends the tier. A tier whose best remaining
  candidate is below it stays **vacant (空缺)**, and the candidates go on to the next
  tier (whose lowest score may be lower).
- A tier without a rule takes nobody. Whoever no tier takes gets a placement without
  a tier (no award).

The office may move an entry to another tier (or out of every tier) with a reason; the
adjustment is kept beside what the rules gave (`computed_tier`) and audited. Computing
again replaces every placement, adjustments included (their audit entries remain, and
the computation's entry says how many were dropped). Once approved, a tiering is
final. Every change names the version its form was opened at (core.versioning): a
second click or an old tab changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyi.campaigns.enums import AwardSubject, RoundSubject
from wenyi.campaigns.models import AwardKind, AwardTier
from wenyi.core import audit, versioning
from wenyi.core.enums import AuditAction
from wenyi.core.transitions import move_status
from wenyi.review.enums import RoundKind, RoundStatus, TierBasis, TieringStatus
from wenyi.review.models import Placement, Round, RoundResult, Tiering, TierRule
from wenyi.review.services import login_of, require_reason

# which round subject each award subject is drawn from
SUBJECTS = {
    AwardSubject.UNIT: RoundSubject.UNITS,
    AwardSubject.INDIVIDUAL: RoundSubject.INDIVIDUALS,
    AwardSubject.ARTIST: RoundSubject.ARTISTS,
    AwardSubject.WORK: RoundSubject.WORKS,
}


@dataclass(frozen=True)
class Rule:
    """One tier's rule as the office gives it (before it is checked)."""

    tier: AwardTier
    by: str
    value: Any
    min_score: Any = None


def kinds_for(round_: Round) -> list[AwardKind]:
    """The campaign's award kinds a round's ranking may give: those of its subject."""
    return [
        kind
        for kind in AwardKind.objects.filter(campaign_id=round_.campaign_id)
        if SUBJECTS.get(kind.subject) == round_.subject
    ]


def _decimal(raw: Any, label: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or isinstance(raw, bool):
        raise ValidationError({"rules": _("%(tier)s: give a number.") % {"tier": label}})
    return value


def _check(round_: Round, kind: AwardKind, rules: list[Rule]) -> list[dict[str, Any]]:
    if kind.campaign_id != round_.campaign_id:
        raise ValidationError({"award_kind": _("Award kind: not one of this campaign's.")})
    if SUBJECTS.get(kind.subject) != round_.subject:
        raise ValidationError(
            {
                "award_kind": _(
                    "Award kind: %(kind)s is for %(subject)s; this round reviews %(round)s."
                )
                % {
                    "kind": kind.name,
                    "subject": kind.get_subject_display(),
                    "round": round_.get_subject_display(),
                }
            }
        )
    tiers = {t.pk for t in kind.tiers.all()}
    checked, seen, errors = [], set(), []
    for rule in rules:
        name = rule.tier.name
        if rule.tier.pk not in tiers:
            errors.append(
                _("%(tier)s is not a tier of %(kind)s.") % {"tier": name, "kind": kind.name}
            )
            continue
        if rule.tier.pk in seen:
            errors.append(_("%(tier)s: one rule per tier.") % {"tier": name})
            continue
        seen.add(rule.tier.pk)
        if rule.by not in TierBasis.values:
            errors.append(_("%(tier)s: count by number or by share.") % {"tier": name})
            continue
        value = _decimal(rule.value, name)
        if rule.by == TierBasis.COUNT and (value < 0 or value != value.to_integral_value()):
            errors.append(
                _("%(tier)s: the number of places is a whole number, 0 or more.") % {"tier": name}
            )
        if rule.by == TierBasis.SHARE and not 0 <= value <= 100:
            errors.append(_("%(tier)s: the share is a percent from 0 to 100.") % {"tier": name})
        minimum = None
        if rule.min_score not in (None, ""):
            if round_.kind == RoundKind.APPROVAL:
                errors.append(
                    _("%(tier)s: an approval round has no scores; leave the lowest score empty.")
                    % {"tier": name}
                )
            minimum = _decimal(rule.min_score, name)
            if minimum < 0:
                errors.append(_("%(tier)s: the lowest score is 0 or more.") % {"tier": name})
        checked.append({"tier": rule.tier, "by": rule.by, "value": value, "min_score": minimum})
    if errors:
        raise ValidationError({"rules": errors})
    return checked


def _editable(tiering: Tiering) -> None:
    if tiering.status == TieringStatus.APPROVED:
        raise ValidationError(_("These tiers are approved already and no longer change."))


def _closed(round_: Round) -> None:
    if round_.status != RoundStatus.CLOSED:
        raise ValidationError(
            _("%(round)s is %(status)s: tiers are drawn from the results of a closed round.")
            % {"round": round_.name, "status": round_.get_status_display()}
        )


def _locked(tiering: Tiering) -> Tiering:
    return (
        Tiering.objects.select_for_update(of=("self",))
        .select_related("round__campaign", "award_kind")
        .get(pk=tiering.pk)
    )


@transaction.atomic
def set_rules(
    actor, round_: Round, award_kind: AwardKind, rules: list[Rule], *, version: int | None
) -> Tiering:
    """Set the rules of an award kind's tiers in a round (all of them at once: a tier not
    named has no rule). `version`: the tiering's version the form was opened at, 0
    before there was one. Placements computed before stay until computed again; the
    page says they are out of date."""
    round_ = Round.objects.select_related("campaign").get(pk=round_.pk)
    _closed(round_)
    checked = _check(round_, award_kind, rules)
    tiering = Tiering.objects.filter(round=round_, award_kind=award_kind).first()
    if tiering is None:
        if version != 0:
            raise ValidationError(_("The form is missing its version; reload the page."))
        try:
            with transaction.atomic():
                tiering = Tiering.objects.create(round=round_, award_kind=award_kind)
        except IntegrityError:
            # a colleague's first save won: an edit over theirs
            raise versioning.EditConflict(
                Tiering.objects.get(round=round_, award_kind=award_kind), 0
            ) from None
        audit.record(actor, AuditAction.CREATE, tiering)
    else:
        tiering = _locked(tiering)
        _editable(tiering)
        versioning.claim(tiering, version)
    before = {
        str(r.tier_id): [r.by, str(r.value), str(r.min_score) if r.min_score is not None else None]
        for r in tiering.rules.all()
    }
    tiering.rules.all().delete()
    TierRule.objects.bulk_create(TierRule(tiering=tiering, **rule) for rule in checked)
    after = {
        str(r["tier"].pk): [
            r["by"],
            str(r["value"]),
            str(r["min_score"]) if r["min_score"] is not None else None,
        ]
        for r in checked
    }
    if before != after:
        tiering.computed_at = None  # the placements no longer follow the rules
    tiering.save(update_fields=["computed_at", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        tiering,
        changes={"rules": [before, after], "version": [tiering.version - 1, tiering.version]},
    )
    return tiering


def candidates_of(round_: Round) -> list[tuple[RoundResult, int]]:
    """The results that may be placed, best first, each with its rank (equal ranks tie)."""
    results = list(RoundResult.objects.filter(round=round_).select_related("entry"))
    if round_.kind == RoundKind.APPROVAL:
        passed = sorted(
            (r for r in results if r.passed),
            key=lambda r: (-(r.yes_votes or 0), r.entry.code, r.entry_id),
        )
        ranked, previous, place = [], None, 0
        for index, result in enumerate(passed, start=1):
            if result.yes_votes != previous:
                place, previous = index, result.yes_votes
            ranked.append((result, place))
        return ranked
    scored = [r for r in results if r.rank is not None and r.final is not None]
    scored.sort(key=lambda r: (r.rank, r.entry.code, r.entry_id))
    return [(r, r.rank) for r in scored]


def places_of(rule: TierRule, tier: AwardTier, total: int) -> int:
    """How many places a tier's rule gives among `total` ranked candidates: the number,
    or the share rounded down; never more than the tier's `max_count`."""
    if rule.by == TierBasis.COUNT:
        wanted = int(rule.value)
    else:
        wanted = math.floor(Decimal(rule.value) * total / 100)
    return wanted if tier.max_count is None else min(wanted, tier.max_count)


def place(
    candidates: list[tuple[Any, int, Decimal | None]],
    tiers: list[AwardTier],
    rules: dict[int, TierRule],
) -> tuple[dict[Any, AwardTier | None], dict[int, int]]:
    """Cut ranked candidates [(id, rank, score)], best first, into `tiers` (best first)
    by their `rules` (by tier id). Returns each candidate's tier (None: none) and each
    tier's number of places (what the rule and the cap allow)."""
    total = len(candidates)
    given: dict[Any, AwardTier | None] = {c[0]: None for c in candidates}
    places: dict[int, int] = {}
    # groups of tied candidates, in order
    groups: list[list[tuple[Any, int, Decimal | None]]] = []
    for candidate in candidates:
        if groups and groups[-1][0][1] == candidate[1]:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    at = 0
    for tier in tiers:
        rule = rules.get(tier.pk)
        if rule is None:
            continue
        wanted = places[tier.pk] = places_of(rule, tier, total)
        cap = tier.max_count
        taken = 0
        while at < len(groups) and taken < wanted:
            group = groups[at]
            score = group[0][2]
            if rule.min_score is not None and (score is None or score < rule.min_score):
                break
            if cap is not None and taken + len(group) > cap:
                break  # the tie would exceed the campaign's cap: the group goes on
            for candidate in group:
                given[candidate[0]] = tier
            taken += len(group)
            at += 1
    return given, places


@transaction.atomic
def compute_tiers(actor, tiering: Tiering, *, version: int | None) -> Tiering:
    """Place the round's ranked entries into the award kind's tiers by the rules (see
    the module's notes), replacing every placement made before."""
    tiering = _locked(tiering)
    round_ = tiering.round
    _closed(round_)
    _editable(tiering)
    versioning.claim(tiering, version)
    rules = {r.tier_id: r for r in tiering.rules.all()}
    if not rules:
        raise ValidationError(_("Set the rules of the tiers first."))
    tiers = list(tiering.award_kind.tiers.order_by("position", "id"))
    candidates = candidates_of(round_)
    given, _places = place(
        [(result.entry_id, rank, result.final) for result, rank in candidates], tiers, rules
    )
    dropped = tiering.placements.filter(adjusted=True).count()
    tiering.placements.all().delete()
    Placement.objects.bulk_create(
        Placement(tiering=tiering, entry_id=entry_id, tier=tier, computed_tier=tier)
        for entry_id, tier in given.items()
    )
    before = audit.snapshot(tiering)
    tiering.computed_at = timezone.now()
    tiering.computed_by = login_of(actor)
    tiering.save(update_fields=["computed_at", "computed_by", "updated_at"])
    counts = {t.name: sum(1 for x in given.values() if x == t) for t in tiers if t.pk in rules}
    note = "；".join(f"{name} {n}" for name, n in counts.items())
    if dropped:
        note += "；" + _("%(n)s adjustments replaced") % {"n": dropped}
    changes = audit.diff(before, audit.snapshot(tiering))
    changes["version"] = [tiering.version - 1, tiering.version]
    audit.record(actor, AuditAction.UPDATE, tiering, changes=changes, note=note)
    return tiering


@transaction.atomic
def adjust(
    actor, placement: Placement, tier: AwardTier | None, *, reason: str, version: int | None
) -> Placement:
    """Move an entry to another tier of the award kind, or out of every tier (`tier`
    None), with a reason; audited. `version`: the tiering's."""
    reason = require_reason(reason)
    placement = Placement.objects.select_related("entry", "tier").get(pk=placement.pk)
    tiering = _locked(placement.tiering)
    _closed(tiering.round)
    _editable(tiering)
    if tier is not None and tier.kind_id != tiering.award_kind_id:
        raise ValidationError(
            {
                "tier": _("Tier: %(tier)s is not a tier of %(kind)s.")
                % {"tier": tier.name, "kind": tiering.award_kind.name}
            }
        )
    if placement.tier_id == (tier.pk if tier else None):
        raise ValidationError(
            _("Entry %(code)s is in that tier already.") % {"code": placement.entry.code}
        )
    versioning.claim(tiering, version)
    before = audit.snapshot(placement)
    placement.tier = tier
    placement.adjusted = placement.tier_id != placement.computed_tier_id
    placement.reason = reason
    placement.adjusted_by = login_of(actor)
    placement.adjusted_at = timezone.now()
    placement.save()
    audit.record(actor, AuditAction.UPDATE, placement, before=before, note=reason)
    Tiering.objects.filter(pk=tiering.pk).update(updated_at=timezone.now())
    return placement


def placed_by(actor, tiering: Tiering) -> bool:
    """Whether `actor` computed the placements or adjusted one: then someone else
    approves them (four eyes)."""
    login = login_of(actor)
    if login is None:
        return False
    return (
        tiering.computed_by_id == login.pk
        or tiering.placements.filter(adjusted=True, adjusted_by=login).exists()
    )


@transaction.atomic
def approve(actor, tiering: Tiering, *, version: int | None) -> Tiering:
    """Approve the placements as they stand: final from then on. Refused before they
    are computed, when the rules changed since, or to whoever placed or adjusted them."""
    tiering = _locked(tiering)
    _closed(tiering.round)
    if tiering.status == TieringStatus.DRAFT:
        if tiering.computed_at is None:
            raise ValidationError(_("Compute the placements by the current rules first."))
        if placed_by(actor, tiering):
            raise ValidationError(
                _(
                    "You placed or adjusted these tiers yourself: another member of the "
                    "office approves them."
                )
            )
        if version != tiering.version:
            # an old tab: the tiers changed after it was opened, approve what is seen
            raise versioning.EditConflict(tiering, version or 0)
    return move_status(
        actor,
        tiering,
        [TieringStatus.DRAFT],
        TieringStatus.APPROVED,
        refused=_("These tiers are %(status)s already."),
        approved_at=timezone.now(),
        approved_by=login_of(actor),
    )

"""A unit round's starting score: a declared formula over the dossiers' indicators.

`formula_scores` scores a whole round, each indicator divided by its highest value in
the round, and keeps every term so that the page shows how each score was made
(`indicator_score`); nothing of the score is hidden. The indicators are the dossiers'
(`wenyi.review.dossiers.INDICATORS` and `available_indicators`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenyi.review.dossiers import UnitDossier


@dataclass(frozen=True)
class Term:
    """One indicator's part of a formula score, every step shown:
    contribution = weight × value / maximum (0 when the maximum is 0)."""

    key: str
    label: str
    value: Decimal | None  # the unit's figure (None: does not apply, counted as 0)
    maximum: Decimal  # the highest figure among the round's units
    normalised: Decimal  # value / maximum, from 0 to 1
    weight: Decimal
    contribution: Decimal  # rounded to the formula's decimals

    def as_tuple(self) -> tuple[str, Decimal | None, Decimal, Decimal]:
        """(label, value, weight, contribution)."""
        return self.label, self.value, self.weight, self.contribution


def check_formula(formula: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Decimal]:
    """{key: weight} of a formula whose keys are all among `labels` (a dossier's
    `indicator_labels`, or `available_indicators(campaign)`) and whose weights are
    numbers of 0 or more, not all 0. Raises ValidationError naming the problem."""
    if not isinstance(formula, Mapping) or not formula:
        raise ValidationError(_("The formula must name at least one indicator with its weight."))
    unknown = [key for key in formula if key not in labels]
    comma = pgettext("list separator", ", ")
    if unknown:
        raise ValidationError(
            _("Unknown indicator in the formula: %(keys)s. Indicators: %(known)s.")
            % {"keys": comma.join(map(str, unknown)), "known": comma.join(labels)}
        )
    weights = {}
    for key, weight in formula.items():
        try:
            if isinstance(weight, bool):
                raise TypeError
            number = Decimal(str(weight))
        except (InvalidOperation, TypeError, ValueError):
            number = Decimal("NaN")
        if not number.is_finite() or number < 0:
            raise ValidationError(
                _("%(indicator)s: the weight must be a number of 0 or more.")
                % {"indicator": labels[key]}
            )
        weights[key] = number
    if not any(weights.values()):
        raise ValidationError(_("At least one weight of the formula must be more than 0."))
    return weights


def _maxima(dossiers: Iterable[UnitDossier], keys: Iterable[str]) -> dict[str, Decimal]:
    dossiers = list(dossiers)
    return {
        key: max((d.indicators.get(key) or Decimal(0) for d in dossiers), default=Decimal(0))
        for key in keys
    }


def indicator_score(
    dossier: UnitDossier,
    formula: Mapping[str, Any],
    *,
    maxima: Mapping[str, Decimal] | None = None,
    decimals: int = 2,
) -> tuple[Decimal, list[Term]]:
    """(score, terms) of one unit: score = Σ weight × value / maximum, each term
    rounded half up to `decimals` and the score their sum, so the shown terms add up
    to the shown score. `maxima`: the highest value of each indicator among the
    round's units (`formula_scores` passes them); without it the unit is scored as a
    round of its own. A value that does not apply (None) counts as 0."""
    weights = check_formula(formula, dossier.indicator_labels)
    if maxima is None:
        maxima = _maxima([dossier], weights)
    step = Decimal(1).scaleb(-decimals)
    terms = []
    for key, weight in weights.items():
        value = dossier.indicators.get(key)
        maximum = Decimal(maxima.get(key) or 0)
        normalised = (value or Decimal(0)) / maximum if maximum > 0 else Decimal(0)
        terms.append(
            Term(
                key=key,
                label=dossier.indicator_labels[key],
                value=value,
                maximum=maximum,
                normalised=normalised,
                weight=weight,
                contribution=(weight * normalised).quantize(step, rounding=ROUND_HALF_UP),
            )
        )
    return sum((t.contribution for t in terms), Decimal(0)).quantize(step), terms


def formula_scores(
    dossiers: Mapping[int, UnitDossier] | Iterable[UnitDossier],
    formula: Mapping[str, Any],
    *,
    decimals: int = 2,
) -> dict[int, tuple[Decimal, list[Term]]]:
    """{unit id: (score, terms)} of a unit round's units under `formula`, each
    indicator normalised by its highest value among them (max-normalisation: the
    round's best unit gets the indicator's whole weight, a unit with half its figure
    half of it, a unit with nothing 0)."""
    listed = list(dossiers.values() if isinstance(dossiers, Mapping) else dossiers)
    if not listed:
        return {}
    weights = check_formula(formula, listed[0].indicator_labels)
    maxima = _maxima(listed, weights)
    return {
        d.unit_id: indicator_score(d, formula, maxima=maxima, decimals=decimals) for d in listed
    }

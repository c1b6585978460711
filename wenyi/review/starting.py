"""A unit round's starting score (起评分): its declared formula over the dossiers of all
the round's units, shown with every term on the office's entries page and on the
expert's scoring page (docs/review-dossiers.md, "Indicators and the formula").

The maxima are round-wide: every unit entry of the round is scored together
(`formula.formula_scores`), however many of them a page shows. The dossiers are built
in one batch (`dossiers.unit_dossiers`: a fixed number of queries), once per round and
request (`starting` caches on the round object).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from wenyi.orgs.models import OrgUnit
from wenyi.review.dossiers import UnitDossier, available_indicators, unit_dossiers
from wenyi.review.enums import RoundSubject
from wenyi.review.formula import Term, check_formula, formula_scores
from wenyi.review.models import Round

Scores = dict[int, tuple[Decimal, list[Term]]]


def has_formula(round_: Round) -> bool:
    return round_.subject == RoundSubject.UNITS and bool(round_.formula)


def ordered_formula(round_: Round, labels: dict[str, str]) -> dict[str, object]:
    """The round's formula in the order the indicators are listed (`labels`: a dossier's
    `indicator_labels`), whatever order the database kept its keys in."""
    formula = round_.formula or {}
    return {key: formula[key] for key in [*labels, *formula] if key in formula}


def round_dossiers(round_: Round) -> dict[int, UnitDossier]:
    """{unit id: dossier} of every unit entry of the round (eligibility aside: the maxima
    are the same for the office and the experts). A fixed number of queries; cached on
    `round_`."""
    cached = getattr(round_, "_unit_dossiers", None)
    if cached is None:
        ids = round_.entries.filter(unit__isnull=False).values("unit_id")
        units = list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))
        cached = round_._unit_dossiers = unit_dossiers(round_.campaign, units)
    return cached


@dataclass
class Starting:
    """A round's formula as shown: (key, label, weight) in the indicators' order, the
    scores by unit id, and the problem when the formula no longer fits the campaign
    (an indicator gone from its file): then no score is shown, and the page says why."""

    formula: list[tuple[str, str, Decimal]] = field(default_factory=list)
    scores: Scores = field(default_factory=dict)
    problem: str = ""

    def __bool__(self) -> bool:
        return bool(self.formula or self.problem)


def starting(round_: Round) -> Starting:
    """The round's starting scores: empty (false) when the round is not a units round
    or has no formula. Cached on `round_`."""
    cached = getattr(round_, "_starting", None)
    if cached is not None:
        return cached
    result = Starting()
    if has_formula(round_):
        found = round_dossiers(round_)
        labels = (
            next(iter(found.values())).indicator_labels
            if found
            else available_indicators(round_.campaign)
        )
        formula = ordered_formula(round_, labels)
        try:
            weights = check_formula(formula, labels)
            result.scores = formula_scores(found, formula) if found else {}
        except ValidationError as exc:
            result.problem = " ".join(exc.messages)
            result.formula = [(k, labels.get(k, k), Decimal(str(w))) for k, w in formula.items()]
        else:
            result.formula = [(k, labels[k], w) for k, w in weights.items()]
    round_._starting = result
    return result


def starting_scores(round_: Round) -> Scores:
    """{unit id: (score, terms)} of the round's unit entries under its formula; {} when
    the round is not a units round, has no formula, or its formula no longer fits."""
    return starting(round_).scores

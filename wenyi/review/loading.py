"""The campaign file's `[[review_rounds]]`, loaded as draft rounds.

Registered with the campaign loader (wenyi.campaigns.loader.register_section) in
ReviewConfig.ready(), so the loader, below this app, never imports it. Rounds are
matched by key and written through the loader's Writer, like every other part of the
file: a reload of the same file changes nothing, a changed file updates a draft round
in place (its criteria matched by key), and a draft round gone from the file is deleted
unless other data refers to it (its entries).

A round that has opened is never changed by a reload (its definition is frozen) nor
deleted; neither is a round the office made in the application under the same key.
The load then says so in a note.

A round's `formula` (units rounds) is checked for its shape by the campaign file's
check; its indicator keys are checked here, against the campaign's indicators
(dossiers.available_indicators) once its activity types are loaded: a key the campaign
has no indicator for refuses the whole file, naming the round's field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from wenyi.campaigns.campaign_file import CRITERION, REVIEW_ROUND, CampaignFileError, Item
from wenyi.campaigns.loader import Deletion, Writer
from wenyi.campaigns.models import Campaign
from wenyi.core import versioning
from wenyi.review.dossiers import available_indicators
from wenyi.review.enums import RoundStatus
from wenyi.review.formula import check_formula
from wenyi.review.models import Criterion, Round

SECTION = "review_rounds"
ROUND_FIELDS = tuple(spec for spec in REVIEW_ROUND if spec.name != "source")


def round_values(item: Item) -> dict[str, Any]:
    """A checked round's values by model attribute (its source left out)."""
    return {spec.model_attr: item[spec.name] for spec in ROUND_FIELDS}


def criterion_values(item: Item) -> dict[str, Any]:
    return {spec.model_attr: item[spec.name] for spec in CRITERION}


def _differs(current: Round, values: dict[str, Any], criteria: list[Item]) -> bool:
    if any(getattr(current, attr) != value for attr, value in values.items()):
        return True
    stored = {c.key: c for c in current.criteria.all()}
    if list(stored) != [c["key"] for c in criteria]:
        return True
    return any(
        getattr(stored[c["key"]], attr) != value
        for c in criteria
        for attr, value in criterion_values(c).items()
    )


def formula_problems(campaign: Campaign, items: list[Item]) -> list[str]:
    """`<file>: review_rounds[n].formula: <message>` for each round whose formula names an
    indicator the campaign does not have (formula.check_formula's messages)."""
    formulas = [item for item in items if item.get("formula")]
    if not formulas:
        return []
    labels = available_indicators(campaign)
    file = Path(campaign.source_file).name if campaign.source_file else "campaign"
    problems = []
    for item in formulas:
        try:
            check_formula(item["formula"], labels)
        except ValidationError as exc:
            problems += [f"{file}: {item['_path']}.formula: {m}" for m in exc.messages]
    return problems


def sync_rounds(
    w: Writer, campaign: Campaign, items: list[Item]
) -> tuple[list[Deletion], list[str]]:
    """Create and update the file's rounds (drafts only); the rows to delete, and notes.
    Raises CampaignFileError (the load rolls back) when a formula names an unknown
    indicator."""
    problems = formula_problems(campaign, items)
    if problems:
        raise CampaignFileError(problems)
    existing = {r.key: r for r in Round.objects.filter(campaign=campaign)}
    keys_by_id = {r.pk: r.key for r in existing.values()}
    saved: dict[str, Round] = {}
    deletions: list[Deletion] = []
    notes: list[str] = []
    for position, item in enumerate(items):
        key = item["key"]
        label = f"{SECTION}.{key}"
        current = existing.pop(key, None)
        source = saved.get(item["source"]) if item["source"] else None
        values = round_values(item) | {
            "source_id": source.pk if source else None,
            "position": position,
        }
        if current is not None and not current.from_file:
            if _differs(current, values, item["criteria"]):
                notes.append(f"{label}: 系统中已有在系统里建立的同 key 轮次，未按文件修改")
            saved[key] = current
            continue
        if current is not None and current.status != RoundStatus.DRAFT:
            if _differs(current, values, item["criteria"]):
                notes.append(f"{label}: 已开始评审，轮次定义已冻结，文件中的修改未载入")
            saved[key] = current
            continue
        before = len(w.changes)
        round_ = w.upsert(
            Round,
            current,
            values,
            label=label,
            fixed={"campaign": campaign, "from_file": True},
            names={"source_id": f"{label}.source"},
            display={"source_id": lambda pk: keys_by_id.get(pk, "（无）")},
        )
        keys_by_id[round_.pk] = key
        deletions += _sync_criteria(w, round_, item["criteria"], label)
        if current is not None and len(w.changes) > before:
            # an office form opened on the draft before the reload must see the change
            versioning.bump(Round, round_.pk)
        saved[key] = round_
    # later rounds first: a round is deleted before the round it takes its items from
    for key, round_ in sorted(existing.items(), key=lambda pair: -pair[1].position):
        if not round_.from_file:
            continue  # the office's own round is not the file's business
        if round_.status != RoundStatus.DRAFT:
            notes.append(f"{SECTION}.{key}: 已开始评审，文件中已没有这一轮，仍保留")
            continue
        parts = [*round_.criteria.all(), *round_.checker_links.all()]
        deletions.append((round_, f"{SECTION}.{key}", parts))
    return deletions, notes


def _sync_criteria(w: Writer, round_: Round, items: list[Item], label: str) -> list[Deletion]:
    existing = {c.key: c for c in round_.criteria.all()}
    for position, item in enumerate(items):
        values = criterion_values(item) | {"position": position}
        w.upsert(
            Criterion,
            existing.pop(item["key"], None),
            values,
            label=f"{label}.criteria.{item['key']}",
            fixed={"round": round_},
        )
    return [(c, f"{label}.criteria.{key}", []) for key, c in existing.items()]

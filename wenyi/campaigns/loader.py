"""Load a campaign definition file (TOML) into the campaign tables.

A file is first checked whole (`wenyi.campaigns.campaign_file`); nothing is written
unless it passes. It is then applied in one transaction: the campaign is found by
slug and its parts by (campaign, key), values are compared and only rows that differ
are saved (so a second load of the same file changes no row and writes no audit
entry), and parts no longer in the file are deleted. A part is not deleted while
rows of any model the loader does not own still refer to it (see `_dependents`):
the whole load is rolled back and the problem names the part and what depends on
it. Changes are reported by key (``stages.tuijin.end``) because keys are stable.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

from wenyi.campaigns.campaign_file import (
    ACTIVITY_TYPE,
    AWARD_KIND,
    AWARD_TIER,
    CAMPAIGN,
    CONTACT,
    GROUP_MEMBER,
    LEADING_GROUP,
    METRIC,
    ORGANISER,
    PUBLIC_NOTICE,
    REPORTING,
    SCHEMA,
    STAGE,
    WORK_CATEGORY,
    CampaignFileError,
    CheckedFile,
    F,
    Item,
    check_campaign_file,
)
from wenyi.campaigns.models import (
    ActivityType,
    AwardKind,
    AwardTier,
    Campaign,
    Contact,
    LeadingGroup,
    LeadingGroupMember,
    Metric,
    Organiser,
    Stage,
    WorkCategory,
)
from wenyi.core import audit
from wenyi.core.enums import AuditAction

__all__ = [
    "CampaignFileError",
    "CheckedFile",
    "LoadResult",
    "LoadStatus",
    "apply_checked",
    "campaign_files",
    "check_campaign_file",
    "load_all",
    "load_campaign_file",
    "shared_slugs",
]

# Rows the loader creates, updates and deletes itself. A reference from any other
# model to a row about to be deleted is data the file does not own: it blocks the
# deletion.
OWN_MODELS: frozenset[type[models.Model]] = frozenset(
    {Campaign, Organiser, Contact, Stage, ActivityType, Metric, WorkCategory, AwardKind, AwardTier}
)


Deletion = tuple[models.Model, str, list[models.Model]]  # row, label, its own rows going too


@dataclass(frozen=True)
class SectionLoader:
    """A table of the file whose rows belong to an app above campaigns (the review's
    `[[review_rounds]]`). That app registers it in its `AppConfig.ready()`, so the
    loader never imports it (the layers of DESIGN.md), as core.imports does for imports.

    `apply(writer, campaign, items)` creates and updates the rows from the checked
    items through `writer` and returns (the rows no longer in the file, to delete as
    the loader deletes its own: refused while other data refers to them; notes);
    `models` are the models whose rows it writes (they do not block a deletion)."""

    name: str
    apply: Callable[[Writer, Campaign, list[Item]], tuple[list[Deletion], list[str]]]
    models: frozenset[type[models.Model]]


_SECTIONS: dict[str, SectionLoader] = {}


def register_section(
    name: str,
    apply: Callable[[Writer, Campaign, list[Item]], tuple[list[Deletion], list[str]]],
    models: Iterable[type[models.Model]],
) -> None:
    """Let an app above campaigns load the file's table `name` (its AppConfig.ready())."""
    _SECTIONS[name] = SectionLoader(name, apply, frozenset(models))


def own_models() -> frozenset[type[models.Model]]:
    """Models whose rows the loader writes: its own and those of registered sections."""
    return OWN_MODELS.union(*(section.models for section in _SECTIONS.values()))


class LoadStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class LoadResult:
    """What loading one file did. `changes` are short lines such as
    ``stages.tuijin.end: 2014-10-31 → 2014-11-15``; `notes` say what was skipped."""

    campaign: Campaign
    status: LoadStatus
    source: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        slug = self.campaign.slug
        if self.status == LoadStatus.CREATED:
            return f"已新建活动 {slug}「{self.campaign.title}」：{self.changes[0]}（{self.source}）"
        if self.status == LoadStatus.UPDATED:
            return f"已更新活动 {slug}：{len(self.changes)} 处变化（{self.source}）"
        return f"活动 {slug} 没有变化（{self.source}）"


def _show(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 30 else text[:29] + "…"


def _model_values(item: Item, fields: tuple[F, ...]) -> dict[str, Any]:
    return {spec.model_attr: item[spec.name] for spec in fields}


class Writer:
    """Saves rows only when a value differs, and audits and describes every change.
    Sections registered by an app above campaigns (`register_section`) write through it
    too, so their rows are compared, audited and reported like the loader's own."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.changes: list[str] = []

    def upsert(
        self,
        model: type[models.Model],
        current: models.Model | None,
        values: dict[str, Any],
        *,
        label: str,
        fixed: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        display: dict[str, Callable[[Any], str]] | None = None,
        order_field: str = "position",
    ) -> models.Model:
        if current is None:
            obj = model(**(fixed or {}), **values)
            obj.save()
            audit.record(self.actor, AuditAction.CREATE, obj, after=audit.snapshot(obj))
            self.changes.append(f"{label}: 新增")
            return obj
        changed = [attr for attr, value in values.items() if getattr(current, attr) != value]
        if not changed:
            return current
        before = audit.snapshot(current)
        for attr in changed:
            old, new = getattr(current, attr), values[attr]
            setattr(current, attr, new)
            if attr == order_field:
                # where the row sits in its list: one insertion shifts every later
                # item, so this is said once per list
                line = f"{label.rsplit('.', 1)[0]}: 顺序有变化"
                if line not in self.changes:
                    self.changes.append(line)
                continue
            show = (display or {}).get(attr, _show)
            name = (names or {}).get(attr, f"{label}.{attr}")
            self.changes.append(f"{name}: {show(old)} → {show(new)}")
        update_fields = list(changed)
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.append("updated_at")
        current.save(update_fields=update_fields)
        audit.record(
            self.actor, AuditAction.UPDATE, current, before=before, after=audit.snapshot(current)
        )
        return current

    def delete(self, obj: models.Model, label: str, parts: Iterable[models.Model] = ()) -> None:
        """Delete `obj`; `parts` are its own rows that cascade with it (audited too)."""
        for part in parts:
            audit.record(self.actor, AuditAction.DELETE, part)
        audit.record(self.actor, AuditAction.DELETE, obj)
        obj.delete()
        self.changes.append(f"{label}: 删除")


def _dependents(obj: models.Model) -> Counter[type[models.Model]]:
    """Rows of models the loader does not own that refer to `obj`, directly or
    through a row of its own that would be deleted with it (a type's metrics, a
    kind's tiers, a category's subcategories), counted by model.

    Every reverse relation counts whatever its on_delete: CASCADE would silently
    delete that data, SET_NULL would orphan it, PROTECT and RESTRICT would fail.
    The relations are the ones Django's deletion collector follows (hidden ones
    included, many-to-many through their link rows).
    """
    counts: Counter[type[models.Model]] = Counter()
    owned = own_models()
    for relation in get_candidate_relations_to_delete(obj._meta):
        related = relation.related_model
        rows = related._base_manager.filter(**{relation.field.name: obj})
        if related in owned:
            if relation.on_delete is models.CASCADE:
                for child in rows:
                    counts.update(_dependents(child))
            continue
        count = rows.count()
        if count:
            # a link row of a many-to-many field counts as the model that has the field
            counts[related._meta.auto_created or related] += count
    return counts


def _dependents_message(counts: Counter[type[models.Model]]) -> str:
    parts = [f"{n} 条{model._meta.verbose_name}" for model, n in counts.items()]
    return f"不能删除：已有 {'、'.join(parts)}引用它"


def _apply(checked: CheckedFile, actor: Any) -> LoadResult:
    """Write a checked file to the database; run inside a transaction."""
    d = checked.definition
    w = Writer(actor)
    notes: list[str] = []
    deletions: list[Deletion] = []

    campaign, created = _sync_campaign(w, checked)
    deletions += _sync_list(
        w, campaign, Organiser, d["organisers"], ORGANISER, "organisers", "name"
    )
    deletions += _sync_list(w, campaign, Contact, d["contacts"], CONTACT, "contacts", "name")
    deletions += _sync_list(w, campaign, Stage, d["stages"], STAGE, "stages", "key")
    deletions += _sync_activity_types(w, campaign, d["activity_types"])
    deletions += _sync_work_categories(w, campaign, d["work_categories"])
    deletions += _sync_award_kinds(w, campaign, d["award_kinds"])
    for name in (table.name for table in SCHEMA if table.loaded_by):
        section = _SECTIONS.get(name)
        if section is None:
            if d[name]:
                notes.append(f"{name}: 本系统未启用这一部分，未载入")
            continue
        gone, section_notes = section.apply(w, campaign, d[name])
        deletions += gone
        notes += section_notes
    # Removals are checked after the updates: a subcategory moved to a new parent
    # must no longer count as part of the parent being removed.
    _delete(w, deletions, checked.label)
    if d["leading_group"] is not None:
        note = _sync_leading_group(w, campaign, d["leading_group"])
        if note:
            notes.append(note)

    if created:
        summary = (
            f"{len(d['stages'])} 个阶段、{len(d['activity_types'])} 种活动类型、"
            f"{sum(len(t['metrics']) for t in d['activity_types'])} 项指标、"
            f"{len(d['work_categories'])} 个作品类别、{len(d['award_kinds'])} 种奖项"
        )
        if d["review_rounds"]:
            summary += f"、{len(d['review_rounds'])} 个评审轮次"
        return LoadResult(campaign, LoadStatus.CREATED, checked.source, [summary], notes)
    status = LoadStatus.UPDATED if w.changes else LoadStatus.UNCHANGED
    return LoadResult(campaign, status, checked.source, w.changes, notes)


def _sync_campaign(w: Writer, checked: CheckedFile) -> tuple[Campaign, bool]:
    d = checked.definition
    values = _model_values(d["campaign"], CAMPAIGN) | _model_values(d["reporting"], REPORTING)
    notice = _model_values(d["public_notice"], PUBLIC_NOTICE)
    # a JSON list: stored as ISO dates, so a reload compares equal values
    notice["notice_closed_days"] = [day.isoformat() for day in notice["notice_closed_days"]]
    values |= notice | {"source_file": checked.source, "source_sha256": checked.sha256}
    names = {spec.model_attr: f"campaign.{spec.name}" for spec in CAMPAIGN}
    names |= {spec.model_attr: f"reporting.{spec.name}" for spec in REPORTING}
    names |= {spec.model_attr: f"public_notice.{spec.name}" for spec in PUBLIC_NOTICE}
    names |= {"source_file": "文件位置", "source_sha256": "文件内容"}
    current = Campaign.objects.filter(slug=values["slug"]).first()
    campaign = w.upsert(
        Campaign,
        current,
        values,
        label="campaign",
        names=names,
        display={"source_sha256": lambda v: (v or "")[:12] or "（空）"},
    )
    return campaign, current is None


def _sync_list(
    w: Writer,
    campaign: Campaign,
    model: type[models.Model],
    items: list[Item],
    fields: tuple[F, ...],
    section: str,
    match: str,
) -> list[Deletion]:
    """Rows of one flat list, matched by `match` (a key or a name)."""
    existing = {getattr(o, match): o for o in model.objects.filter(campaign=campaign)}
    for position, item in enumerate(items):
        key = item[match]
        w.upsert(
            model,
            existing.pop(key, None),
            _model_values(item, fields) | {"position": position},
            label=f"{section}.{key}",
            fixed={"campaign": campaign},
        )
    return [(obj, f"{section}.{key}", []) for key, obj in existing.items()]


def _sync_activity_types(w: Writer, campaign: Campaign, items: list[Item]) -> list[Deletion]:
    deletions: list[Deletion] = []
    existing_types = {t.key: t for t in ActivityType.objects.filter(campaign=campaign)}
    for position, item in enumerate(items):
        label = f"activity_types.{item['key']}"
        activity_type = w.upsert(
            ActivityType,
            existing_types.pop(item["key"], None),
            _model_values(item, ACTIVITY_TYPE) | {"position": position},
            label=label,
            fixed={"campaign": campaign},
        )
        existing_metrics = {m.key: m for m in activity_type.metrics.all()}
        for metric_position, metric in enumerate(item["metrics"]):
            metric_label = f"{label}.metrics.{metric['key']}"
            w.upsert(
                Metric,
                existing_metrics.pop(metric["key"], None),
                _model_values(metric, METRIC) | {"position": metric_position},
                label=metric_label,
                fixed={"activity_type": activity_type},
                names={"value_type": f"{metric_label}.type", "help_text": f"{metric_label}.help"},
            )
        deletions += [(m, f"{label}.metrics.{key}", []) for key, m in existing_metrics.items()]
    deletions += [
        (t, f"activity_types.{key}", list(t.metrics.all())) for key, t in existing_types.items()
    ]
    return deletions


def _sync_work_categories(w: Writer, campaign: Campaign, items: list[Item]) -> list[Deletion]:
    existing = {c.key: c for c in WorkCategory.objects.filter(campaign=campaign)}
    by_key = {item["key"]: item for item in items}
    positions = {item["key"]: n for n, item in enumerate(items)}
    keys_by_id = {c.pk: c.key for c in existing.values()}
    fields = tuple(spec for spec in WORK_CATEGORY if spec.name != "parent")
    saved: dict[str, WorkCategory] = {}

    def depth(item: Item) -> int:
        return 0 if not item["parent"] else 1 + depth(by_key[item["parent"]])

    # parents before children, so a parent row always exists first
    for item in sorted(items, key=depth):
        key = item["key"]
        parent = saved[item["parent"]] if item["parent"] else None
        obj = w.upsert(
            WorkCategory,
            existing.pop(key, None),
            _model_values(item, fields)
            | {"parent_id": parent.pk if parent else None, "position": positions[key]},
            label=f"work_categories.{key}",
            fixed={"campaign": campaign},
            names={"parent_id": f"work_categories.{key}.parent"},
            display={"parent_id": lambda pk: keys_by_id.get(pk, "（无）")},
        )
        saved[key] = obj
        keys_by_id[obj.pk] = key

    def stored_depth(obj: WorkCategory) -> int:
        return 0 if obj.parent_id is None else 1 + stored_depth(obj.parent)

    # deepest first: a removed subcategory is deleted (and audited) before its parent
    removed = sorted(existing.items(), key=lambda pair: -stored_depth(pair[1]))
    return [(obj, f"work_categories.{key}", []) for key, obj in removed]


def _sync_award_kinds(w: Writer, campaign: Campaign, items: list[Item]) -> list[Deletion]:
    deletions: list[Deletion] = []
    existing_kinds = {k.key: k for k in AwardKind.objects.filter(campaign=campaign)}
    for position, item in enumerate(items):
        label = f"award_kinds.{item['key']}"
        kind = w.upsert(
            AwardKind,
            existing_kinds.pop(item["key"], None),
            _model_values(item, AWARD_KIND) | {"position": position},
            label=label,
            fixed={"campaign": campaign},
        )
        existing_tiers = {t.key: t for t in kind.tiers.all()}
        for tier_position, tier in enumerate(item["tiers"]):
            w.upsert(
                AwardTier,
                existing_tiers.pop(tier["key"], None),
                _model_values(tier, AWARD_TIER) | {"position": tier_position},
                label=f"{label}.tiers.{tier['key']}",
                fixed={"kind": kind},
            )
        deletions += [(t, f"{label}.tiers.{key}", []) for key, t in existing_tiers.items()]
    deletions += [
        (k, f"award_kinds.{key}", list(k.tiers.all())) for key, k in existing_kinds.items()
    ]
    return deletions


def _delete(w: Writer, deletions: list[Deletion], file_label: str) -> None:
    """Delete rows no longer in the file, or refuse (every blocked row listed) if
    other data depends on any of them. Raising leaves the caller's transaction, so
    the whole load rolls back."""
    blocked = []
    for obj, label, _parts in deletions:
        counts = _dependents(obj)
        if counts:
            blocked.append(f"{file_label}: {label}: {_dependents_message(counts)}")
    if blocked:
        raise CampaignFileError(blocked)
    for obj, label, parts in deletions:
        try:
            w.delete(obj, label, parts)
        except (models.ProtectedError, models.RestrictedError) as exc:
            # a backstop: _dependents follows the same relations as the collector
            found = getattr(exc, "protected_objects", None) or exc.restricted_objects
            counts = Counter(type(o) for o in found)
            raise CampaignFileError(
                [f"{file_label}: {label}: {_dependents_message(counts)}"]
            ) from None


def _sync_leading_group(w: Writer, campaign: Campaign, group: Item) -> str:
    """Create or update the owner unit's leading group (R2), if the unit exists.

    Members are matched by name, so a member's link to a Person made in the
    application survives a reload. Returns a note when the unit does not exist yet.
    """
    unit = campaign.owner_unit()
    if unit is None:
        code = campaign.owner_unit_code
        return f"领导小组：单位 {code} 尚未建立，暂未保存（建好单位后再载入一次）"
    values = _model_values(group, LEADING_GROUP)
    names = {spec.model_attr: f"leading_group.{spec.name}" for spec in LEADING_GROUP}
    lead = w.upsert(
        LeadingGroup,
        LeadingGroup.objects.filter(campaign=campaign, unit=unit).first(),
        values,
        label="leading_group",
        fixed={"campaign": campaign, "unit": unit},
        names=names,
    )
    existing = {m.name: m for m in lead.members.all()}
    for order, member in enumerate(group["members"]):
        w.upsert(
            LeadingGroupMember,
            existing.pop(member["name"], None),
            _model_values(member, GROUP_MEMBER) | {"order": order},
            label=f"leading_group.members.{member['name']}",
            fixed={"group": lead},
            order_field="order",
        )
    for name, member in existing.items():
        w.delete(member, f"leading_group.members.{name}")
    return ""


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def load_campaign_file(path: str | Path, *, actor: Any = None) -> LoadResult:
    """Check and load one campaign file, all or nothing.

    Raises CampaignFileError listing every problem; then nothing was written.
    """
    return apply_checked(check_campaign_file(path), actor=actor)


def apply_checked(checked: CheckedFile, *, actor: Any = None) -> LoadResult:
    """Load a file that passed `check_campaign_file`, in one transaction."""
    with transaction.atomic():
        return _apply(checked, actor)


def campaign_files(directory: str | Path) -> list[Path]:
    """The *.toml files directly in `directory` (not in subfolders), by name."""
    return sorted(p for p in Path(directory).glob("*.toml") if p.is_file())


def shared_slugs(checked: list[CheckedFile]) -> dict[Path, list[str]]:
    """The files among `checked` whose slug another of them has too, each with its
    problem line naming the other file(s).

    The slug inside a file is the campaign's identity, whatever the file is called:
    two files with one slug would overwrite each other's campaign in turn, and which
    one is right cannot be told, so neither is loaded.
    """
    by_slug: dict[str, list[CheckedFile]] = {}
    for item in checked:
        by_slug.setdefault(item.definition["campaign"]["slug"], []).append(item)
    problems: dict[Path, list[str]] = {}
    for slug, items in by_slug.items():
        if len(items) < 2:
            continue
        for item in items:
            others = "、".join(other.source for other in items if other is not item)
            problems.setdefault(item.path, []).append(
                f"{item.label}: campaign.slug: slug「{slug}」与 {others} 相同："
                "一个活动只能有一个定义文件"
            )
    return problems


def load_all(directory: str | Path, *, actor: Any = None) -> list[LoadResult]:
    """Load every *.toml directly in `directory` (used by `wenyi setup`).

    Every file is checked first; if any has a problem, or two files have one slug,
    nothing is loaded and CampaignFileError lists the problems of all files. Then each
    file is loaded in its own transaction; a file refused at that stage (a removal
    blocked by data that depends on it) is rolled back, the others stay loaded, and
    CampaignFileError lists what was refused.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise CampaignFileError([f"{directory}: 目录: 不存在或不是目录"])
    checked: list[CheckedFile] = []
    problems: list[str] = []
    for path in campaign_files(directory):
        try:
            checked.append(check_campaign_file(path))
        except CampaignFileError as exc:
            problems.extend(exc.problems)
    for lines in shared_slugs(checked).values():
        problems.extend(lines)
    if problems:
        raise CampaignFileError(problems)
    results = []
    for item in checked:
        try:
            results.append(apply_checked(item, actor=actor))
        except CampaignFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CampaignFileError(problems, loaded=results)
    return results

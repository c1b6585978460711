"""The campaign definition file (TOML): its schema and the check phase.

`check_campaign_file` reads a file and checks every table, key and value against
the schema below without touching the database. Every problem is collected, each
as one line ``<file>: <field.path>: <what is wrong>``; if there is any,
`CampaignFileError` lists them all. `wenyi.campaigns.loader` applies a checked file.
The format is documented field by field in docs/campaign-format.md, and
tests/campaigns/test_format_docs.py fails when that page and SCHEMA below disagree.

List items are numbered from 1 in problem paths (``stages[2].end`` is the second
``[[stages]]`` table), because that is how a person counts them in the file.
"""

from __future__ import annotations

import datetime
import decimal
import difflib
import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import translation

from wenyi.campaigns.enums import (
    TIE_BREAKS,
    AdvanceRule,
    AggregationMethod,
    AwardSubject,
    FileKind,
    MetricType,
    NoticeCount,
    OrganiserRole,
    RoundKind,
    RoundSubject,
)
from wenyi.core.docx import LAYOUT_LIMITS, Profile, layout_problems

if TYPE_CHECKING:
    from wenyi.campaigns.loader import LoadResult


# Leading-group roles, as orgs.enums.GroupRole; kept here as plain values so the
# check phase needs no import from an app to the right of campaigns.
GROUP_ROLES = ("leader", "deputy", "member", "liaison")

KEY_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
# an indicator of a formula: "works", "peixun.trainees" (wenyi.review.dossiers)
WEIGHT_KEY_RE = re.compile(r"^[-a-zA-Z0-9_]+(\.[-a-zA-Z0-9_]+)?$")
SMALL = 32767  # PositiveSmallIntegerField
LARGE = 2147483647  # PositiveIntegerField


class CampaignFileError(Exception):
    """A campaign file that cannot be loaded; `problems` has one line per problem."""

    def __init__(self, problems: list[str], loaded: list[LoadResult] | None = None) -> None:
        self.problems = list(problems)
        # files that did load when several were loaded together (see load_all)
        self.loaded = list(loaded or [])
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class F:
    """One key of a TOML table: its kind, whether it is required, its default,
    its bounds (of each item, for a list of ints), and the model attribute it is stored
    in (when not the same name)."""

    name: str
    # text | key | int | number | bool | date | email | choice | texts | choices | ints | dates
    # | weights (a table of key = number, such as a round's formula)
    # | moment (a date, or a date with a time of day: the public vote's window)
    kind: str
    required: bool = False
    default: Any = None
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    attr: str | None = None
    # a number's bound that the value must exceed (weights and maxima: more than 0)
    above: int | None = None
    # how a `weights` table is written, for the message when it is not a table
    example: str = ""

    @property
    def model_attr(self) -> str:
        return self.attr or self.name


def _values(enum: type[models.TextChoices]) -> tuple[str, ...]:
    return tuple(enum.values)


CAMPAIGN = (
    F("slug", "key", required=True, max_length=60),
    F("title", "text", required=True, max_length=200),
    F("doc_number", "text", default="", max_length=60),
    F("issuer", "text", required=True, max_length=200),
    F("year", "int", required=True, low=1990, high=2100),
    F("start", "date", required=True),
    F("end", "date", required=True),
    F("level", "text", default="", max_length=20),
    F("aims", "text", default="", attr="summary"),
    F("owner_unit", "text", required=True, max_length=40, attr="owner_unit_code"),
    F("participant_depth", "int", default=1, low=1, high=10),
    # levels below the owner, each 1..participant_depth; not given: [participant_depth]
    F("minimum_levels", "ints", low=1, high=10),
)
REPORTING = (
    F("implementation_stage", "key", default="", max_length=40, attr="implementation_stage_key"),
    F("unit_plan_due", "date"),
    F("plan_due_day", "int", default=5, low=1, high=28),
    F("progress_due_days_before_month_end", "int", default=0, low=0, high=27),
    # a day of the month instead of the rule above (not both)
    F("progress_due_day", "int", low=1, high=31),
    F("summary_due", "date"),
    F("summary_target_chars", "int", default=0, low=0, high=LARGE),
    F("summary_tolerance_pct", "int", default=20, low=0, high=100),
    F("reminder_days_before", "int", default=3, low=0, high=30),
    # levels below the owner, each 1..participant_depth; not given: [participant_depth]
    F("report_levels", "ints", low=1, high=10),
)
ORGANISER = (
    F("name", "text", required=True, max_length=200),
    F("role", "choice", required=True, choices=_values(OrganiserRole)),
)
CONTACT = (
    F("name", "text", required=True, max_length=60),
    F("phone", "text", default="", max_length=40),
    F("email", "email", default="", max_length=254),
)
LEADING_GROUP = (
    F("name", "text", required=True, max_length=200),
    F("office", "text", required=True, max_length=200, attr="office_location"),
    F("office_phone", "text", default="", max_length=40),
    F("office_email", "email", default="", max_length=254),
)
GROUP_MEMBER = (
    F("name", "text", required=True, max_length=60),
    F("position", "text", default="", max_length=200),
    F("role", "choice", required=True, choices=GROUP_ROLES),
    F("phone", "text", default="", max_length=40),
)
STAGE = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=200),
    F("start", "date", required=True),
    F("end", "date", required=True),
    F("description", "text", default=""),
)
ACTIVITY_TYPE = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=200),
    F("min_per_year", "int", default=0, low=0, high=SMALL),
    F("description", "text", default=""),
    F("produces_works", "bool", default=False),
)
METRIC = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=100),
    F("unit", "text", default="", max_length=20),
    F("type", "choice", required=True, choices=_values(MetricType), attr="value_type"),
    F("required", "bool", default=False),
    F("choices", "texts", default=()),
    F("help", "text", default="", max_length=300, attr="help_text"),
)
WORK_CATEGORY = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=200),
    F("parent", "key", default="", max_length=60),
    F("file_kinds", "choices", default=(), choices=_values(FileKind)),
    F("text_min_chars", "int", low=0, high=LARGE),
    F("text_max_chars", "int", low=1, high=LARGE),
    F("max_file_mb", "int", low=1, high=LARGE),
)
AWARD_KIND = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=200),
    F("subject", "choice", required=True, choices=_values(AwardSubject)),
)
AWARD_TIER = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=100),
    F("max_count", "int", low=1, high=LARGE),
)
# the rounds of the experts' review (wenyi.review.Round), loaded as drafts
REVIEW_ROUND = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=100),
    F("description", "text", default=""),
    F("subject", "choice", required=True, choices=_values(RoundSubject)),
    F("art_forms", "texts", default=()),
    F("opens", "date", required=True),
    F("closes", "date", required=True),
    F("blind", "bool", default=False),
    F("kind", "choice", required=True, choices=_values(RoundKind)),
    F("pass_with", "int", default=1, low=1, high=99),
    F("second_look", "bool", default=False),
    F("reviewers_per_item", "int", default=3, low=1, high=99),
    F("method", "choice", default=AggregationMethod.TRIMMED, choices=_values(AggregationMethod)),
    F("trim_min", "int", default=5, low=3, high=999),
    F("fallback", "choice", default=AggregationMethod.MEAN, choices=("mean", "median")),
    F("zscore_min", "int", default=5, low=2, high=999),
    F("decimals", "int", default=2, low=0, high=6),
    F("tie_break", "texts", default=()),
    F("flag_sd", "number", low=0, high=99999),
    F("flag_range", "number", low=0, high=99999),
    F("consistency_share", "number", above=0, high=1),
    F("source", "key", default="", max_length=60),
    F("advance", "choice", default="", choices=_values(AdvanceRule)),
    F("advance_top_k", "int", low=1, high=LARGE),
    F("advance_above", "number", low=0, high=99999),
    # units rounds: the starting score's formula, indicator key = weight (the keys are
    # checked against the campaign's indicators by wenyi.review when it loads)
    F("formula", "weights", default={}, above=0, high=1000),
)
CRITERION = (
    F("key", "key", required=True, max_length=60),
    F("name", "text", required=True, max_length=100),
    F("description", "text", default=""),
    F("weight", "number", default=decimal.Decimal(1), above=0, high=1000),
    F("maximum", "number", required=True, above=0, high=10000),
    F("art_form", "key", default="", max_length=60),
)
# the public notice (公示) of results and its objection window: how its days are counted
# (wenyi.core.workdays)
PUBLIC_NOTICE = (
    F("days", "int", default=5, low=1, high=60, attr="notice_days"),
    F(
        "count",
        "choice",
        default=NoticeCount.WORKING,
        choices=_values(NoticeCount),
        attr="notice_count",
    ),
    # days the office is closed besides the statutory holidays (a local holiday)
    F("closed_days", "dates", default=(), attr="notice_closed_days"),
)

# the public vote (wenyi.review.votes): its window, the works round it feeds, the weights
# of the experts' score and of the votes in that round's final score, and the graded
# friction per network address
PUBLIC_VOTE = (
    F("round", "key", required=True, max_length=60, attr="round_key"),
    F("starts", "moment", required=True),
    F("ends", "moment", required=True),
    F(
        "weights",
        "weights",
        required=True,
        above=0,
        high=100,
        example="{ experts = 60, online = 30, onsite = 10 }",
    ),
    F("challenge_after", "int", default=20, low=1, high=LARGE),
    F("login_after", "int", default=100, low=1, high=LARGE),
    F("burst_per_minute", "int", default=10, low=1, high=LARGE),
    F("description", "text", default=""),
)
# the parts of the public vote's weights: the experts' score, the online vote, the
# on-site vote (optional)
VOTE_WEIGHTS = ("experts", "online", "onsite")

# how the campaign's documents are headed, numbered and addressed, and the text of the
# commendation decision (wenyi.documents, DocumentSettings)
DOCUMENTS = (
    F("issuer_mark", "text", required=True, max_length=100),
    F("issuer", "text", required=True, max_length=200),
    F("code", "text", required=True, max_length=20),
    F("commendation_number", "int", low=1, high=LARGE),
    F("commendation_title", "text", required=True, max_length=200),
    F("addressees", "text", required=True, max_length=300),
    F("commendation_body", "text", required=True),
    F("commendation_date", "date"),
    F("copies_to", "text", default="", max_length=300),
    F("printed_by", "text", default="", max_length=200),
    F("notice_addressees", "text", default="", max_length=300),
)
# an organisation's house rules over GB/T 9704 (core.docx.Profile), each within bounds
LAYOUT = tuple(
    F(name, kind, max_length=int(high))
    if kind == "text"
    else F(name, kind, low=int(low), high=int(high))
    for name, (kind, low, high) in LAYOUT_LIMITS.items()
)


@dataclass(frozen=True)
class Section:
    """One table of the file: `[name]` or, when `many`, an array `[[name]]`; its keys
    (`fields`), the key unique among its items, and its own arrays of tables (`parts`,
    such as an activity type's `[[activity_types.metrics]]`).

    Every table is read the same way from its Section: unknown keys, required keys,
    defaults, value kinds and bounds, duplicate items. A later capability adds its
    table here (and its field table to docs/campaign-format.md, which a test compares
    with this schema); rules across fields are written in `_check`.
    """

    name: str
    fields: tuple[F, ...]
    many: bool = False
    required: bool = False
    unique: str | None = None
    parts: tuple[Section, ...] = ()
    # the problem when a required array is written out empty (`stages = []`)
    empty: str = ""
    # a table left out is read as written empty: every default applies
    defaults: bool = False
    # the app above campaigns whose rows the table becomes (loader.register_section)
    loaded_by: str = ""


SCHEMA: tuple[Section, ...] = (
    Section("campaign", CAMPAIGN, required=True),
    Section("reporting", REPORTING, defaults=True),
    Section("organisers", ORGANISER, many=True, required=True, unique="name"),
    Section("contacts", CONTACT, many=True, unique="name"),
    Section(
        "leading_group",
        LEADING_GROUP,
        parts=(Section("members", GROUP_MEMBER, many=True, unique="name"),),
    ),
    Section("stages", STAGE, many=True, required=True, unique="key", empty="至少要有一个阶段"),
    Section(
        "activity_types",
        ACTIVITY_TYPE,
        many=True,
        unique="key",
        parts=(Section("metrics", METRIC, many=True, unique="key"),),
    ),
    Section("work_categories", WORK_CATEGORY, many=True, unique="key"),
    Section(
        "award_kinds",
        AWARD_KIND,
        many=True,
        unique="key",
        parts=(Section("tiers", AWARD_TIER, many=True, unique="key"),),
    ),
    Section(
        "review_rounds",
        REVIEW_ROUND,
        many=True,
        unique="key",
        loaded_by="review",
        parts=(Section("criteria", CRITERION, many=True, unique="key"),),
    ),
    Section("public_vote", PUBLIC_VOTE, loaded_by="review"),
    Section("public_notice", PUBLIC_NOTICE, defaults=True),
    Section(
        "documents",
        DOCUMENTS,
        loaded_by="documents",
        parts=(Section("layout", LAYOUT),),
    ),
)
TOP_LEVEL = tuple(section.name for section in SCHEMA)


def schema_tables() -> dict[str, Section]:
    """Every table by its dotted name (``activity_types.metrics``), parents first."""
    found: dict[str, Section] = {}

    def walk(section: Section, prefix: str) -> None:
        found[prefix + section.name] = section
        for part in section.parts:
            walk(part, f"{prefix}{section.name}.")

    for section in SCHEMA:
        walk(section, "")
    return found


# ---------------------------------------------------------------------------
# Phase 1: check
# ---------------------------------------------------------------------------


Item = dict[str, Any]  # checked values by TOML name, plus "_path" and nested lists


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _unknown(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f"未知字段（是否应为 {close[0]}？）" if close else "未知字段"


def _one_of(choices: Iterable[str]) -> str:
    return "应为 " + "、".join(choices) + " 之一"


def _range_message(spec: F, value: int) -> str | None:
    if spec.low is not None and value < spec.low:
        if spec.low == 0:
            return "不能为负数"
        if spec.high is not None and spec.high < SMALL:
            return f"应在 {spec.low} 到 {spec.high} 之间"
        return f"不能小于 {spec.low}"
    if spec.high is not None and value > spec.high:
        if spec.low is not None and spec.high < SMALL:
            return f"应在 {spec.low} 到 {spec.high} 之间"
        return f"不能大于 {spec.high}"
    return None


class _Checker:
    def __init__(self, label: str):
        self.label = label
        self.problems: list[str] = []
        self.found: list[tuple[str, str]] = []  # the same, as (path, message)

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.label}: {path}: {message}")
        self.found.append((path, message))

    # -- structure ---------------------------------------------------------

    def table(
        self, raw: Any, path: str, fields: tuple[F, ...], nested: tuple[str, ...] = ()
    ) -> Item | None:
        """The checked values of one table; missing optional keys get their default."""
        if not isinstance(raw, dict):
            self.problem(path, f"应为表（[{path}] 或 {{ ... }}）")
            return None
        known = [f.name for f in fields] + list(nested)
        for key in raw:
            if key not in known:
                self.problem(_join(path, key), _unknown(key, known))
        out: Item = {"_path": path}
        for spec in fields:
            where = _join(path, spec.name)
            if spec.name not in raw:
                if spec.required:
                    self.problem(where, "缺少必填项")
                else:
                    default = spec.default
                    if isinstance(default, tuple):
                        default = list(default)
                    elif isinstance(default, dict):
                        default = dict(default)
                    out[spec.name] = default
                continue
            ok, value = self.value(raw[spec.name], where, spec)
            if ok:
                out[spec.name] = value
        return out

    def array(
        self,
        raw: Any,
        path: str,
        fields: tuple[F, ...],
        nested: tuple[str, ...] = (),
    ) -> list[Item]:
        """The checked tables of an array of tables (``[[path]]``)."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, f"应为表数组（[[{path.split('[')[0]}]]）")
            return []
        items = []
        for number, element in enumerate(raw, 1):
            item = self.table(element, f"{path}[{number}]", fields, nested)
            if item is not None:
                items.append(item)
        return items

    # -- values ------------------------------------------------------------

    def value(self, raw: Any, path: str, spec: F) -> tuple[bool, Any]:
        if spec.kind == "weights":
            return self.weights(raw, path, spec)
        check = getattr(self, f"_value_{spec.kind}")
        message, value = check(raw, spec)
        if message:
            self.problem(path, message)
            return False, None
        if spec.kind in ("texts", "choices", "ints", "dates"):
            seen: set[str] = set()
            for number, element in enumerate(value, 1):
                if element in seen:
                    self.problem(f"{path}[{number}]", f"重复的值「{element}」")
                seen.add(element)
            if len(seen) != len(value):
                return False, None
        return True, value

    def weights(self, raw: Any, path: str, spec: F) -> tuple[bool, Any]:
        """A table of key = number (a round's formula): each number as `number` checks
        it, kept as a JSON number (an int when whole). Every bad key named by its path."""
        if not isinstance(raw, dict):
            example = spec.example or "{ quota_completion = 40, works = 20 }"
            self.problem(path, f"应为表（如 {example}）")
            return False, None
        number = F(spec.name, "number", above=spec.above, low=spec.low, high=spec.high)
        out: dict[str, int | float] = {}
        ok = True
        for key, weight in raw.items():
            where = f"{path}.{key}" if WEIGHT_KEY_RE.match(key) else f'{path}."{key}"'
            if isinstance(weight, dict):
                inner = next(iter(weight), "")
                message = f'指标名中有点号时要加引号，如 "{key}.{inner}" = 20'
                self.problem(where, message)
                ok = False
                continue
            if not WEIGHT_KEY_RE.match(key):
                self.problem(where, "指标名只能用英文字母、数字、连字符、下划线和点号")
                ok = False
                continue
            message, value = self._value_number(weight, number)
            if message:
                self.problem(where, message)
                ok = False
                continue
            out[key] = int(value) if value == value.to_integral_value() else float(value)
        return ok, out if ok else None

    def _value_text(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, str):
            return "应为文字（加引号）", None
        value = raw.strip()
        if spec.required and not value:
            return "不能为空", None
        if spec.max_length and len(value) > spec.max_length:
            return f"太长：{len(value)} 个字符，最多 {spec.max_length} 个", None
        return None, value

    def _value_key(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        message, value = self._value_text(raw, spec)
        if message:
            return message, None
        if value and not KEY_RE.match(value):
            return "只能用英文字母、数字、连字符和下划线", None
        return None, value

    def _value_email(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        message, value = self._value_text(raw, spec)
        if message:
            return message, None
        if value:
            try:
                validate_email(value)
            except ValidationError:
                return f"不是有效的电子邮箱地址：{value}", None
        return None, value

    def _value_int(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        # bool is a subclass of int in Python; true/false is not a number here
        if not isinstance(raw, int) or isinstance(raw, bool):
            return "应为整数（不加引号）", None
        return _range_message(spec, raw), raw

    def _value_number(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        # a Decimal: a value given by the application (wenyi.review.services), not a file
        if not isinstance(raw, int | float | decimal.Decimal) or isinstance(raw, bool):
            return "应为数字（如 10 或 0.5，不加引号）", None
        if not math.isfinite(raw):
            return "应为有限的数字", None
        if spec.above is not None and raw <= spec.above:
            return f"应大于 {spec.above}", None
        if spec.low is not None and raw < spec.low:
            return "不能为负数" if spec.low == 0 else f"不能小于 {spec.low}", None
        if spec.high is not None and raw > spec.high:
            return f"不能大于 {spec.high}", None
        # kept as the decimal the file wrote (0.1, not 0.1000000000000000055…)
        return None, decimal.Decimal(str(raw))

    def _value_bool(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, bool):
            return "应为 true 或 false", None
        return None, raw

    def _value_date(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if isinstance(raw, datetime.datetime) or isinstance(raw, datetime.time):
            return "应为日期，不带时间（如 2014-07-01）", None
        if not isinstance(raw, datetime.date):
            return "应为日期（如 2014-07-01，不加引号）", None
        return None, raw

    def _value_moment(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        # a date (the whole day) or a date-time; a time of day alone names no moment
        if not isinstance(raw, datetime.date):
            return "应为日期或日期时间（如 2014-11-01 或 2014-11-01T08:00:00，不加引号）", None
        return None, raw

    def _value_choice(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, str) or raw not in spec.choices:
            return _one_of(spec.choices), None
        return None, raw

    def _value_texts(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
            return '应为文字列表（如 ["甲", "乙"]），每项不能为空', None
        return None, [v.strip() for v in raw]

    def _value_choices(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, list):
            return f"应为列表，每项{_one_of(spec.choices)}", None
        bad = [v for v in raw if not isinstance(v, str) or v not in spec.choices]
        if bad:
            return f"{'、'.join(map(str, bad))} 无效，每项{_one_of(spec.choices)}", None
        return None, list(raw)

    def _value_ints(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        if not isinstance(raw, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in raw
        ):
            return "应为整数列表（如 [1, 2]，不加引号）", None
        if not raw:
            return "不能为空（不写此项即为默认值）", None
        bad = [v for v in raw if _range_message(spec, v)]
        if bad:
            return f"{'、'.join(map(str, bad))} 无效，每项应在 {spec.low} 到 {spec.high} 之间", None
        return None, list(raw)

    def _value_dates(self, raw: Any, spec: F) -> tuple[str | None, Any]:
        # a datetime is a date too in Python; a time of day is not a day here
        if not isinstance(raw, list) or not all(
            isinstance(v, datetime.date) and not isinstance(v, datetime.datetime) for v in raw
        ):
            return "应为日期列表（如 [2015-12-04, 2015-12-07]，日期不加引号、不带时间）", None
        return None, list(raw)

    # -- rules across fields -------------------------------------------------

    def unique(self, items: list[Item], name: str) -> None:
        seen: dict[Any, str] = {}
        for item in items:
            value = item.get(name)
            if value is None:
                continue
            if value in seen:
                self.problem(
                    _join(item["_path"], name), f"重复的 {name}「{value}」（与 {seen[value]} 相同）"
                )
            else:
                seen[value] = item["_path"]

    def period(self, item: Item, within: tuple[datetime.date, datetime.date] | None) -> None:
        start, end = item.get("start"), item.get("end")
        if start and end and end < start:
            self.problem(_join(item["_path"], "end"), "结束日期早于开始日期")
        if within is None:
            return
        if start and start < within[0]:
            self.problem(_join(item["_path"], "start"), f"早于活动开始日期 {within[0]}")
        if start and start > within[1]:
            self.problem(_join(item["_path"], "start"), f"晚于活动结束日期 {within[1]}")
        if end and end > within[1]:
            self.problem(_join(item["_path"], "end"), f"晚于活动结束日期 {within[1]}")
        if end and end < within[0]:
            self.problem(_join(item["_path"], "end"), f"早于活动开始日期 {within[0]}")


def _read(c: _Checker, data: dict[str, Any], section: Section, path: str) -> Any:
    """One section of `data` as its Section declares it: an Item, a list of Items (an
    array of tables), or None for an optional table that is not there."""
    nested = tuple(part.name for part in section.parts)
    if section.name not in data and not section.defaults:
        if section.required:
            c.problem(path, "缺少必填项")
        return [] if section.many else None
    raw = data.get(section.name, {})
    if section.many:
        items = c.array(raw, path, section.fields, nested)
        if section.empty and raw == []:
            c.problem(path, section.empty)
        if section.unique:
            c.unique(items, section.unique)
        pairs = zip(items, [e for e in raw if isinstance(e, dict)], strict=True) if items else ()
    else:
        item = c.table(raw, path, section.fields, nested)
        items = item
        pairs = [(item, raw)] if item is not None else []
    for item, raw_item in pairs:
        for part in section.parts:
            item[part.name] = _read(c, raw_item, part, f"{item['_path']}.{part.name}")
    return items


def _check(data: dict[str, Any], label: str) -> tuple[dict[str, Any], list[str]]:
    """Check a parsed file; return the checked definition and the problems found.

    Each section is read as SCHEMA declares it and then its rules across fields run
    (`_RULES`), so problems are listed section by section in the schema's order."""
    c = _Checker(label)
    for key in data:
        if key not in TOP_LEVEL:
            c.problem(key, _unknown(key, TOP_LEVEL))
    spec: dict[str, Any] = {"_period": None}
    for section in SCHEMA:
        spec[section.name] = _read(c, data, section, section.name)
        rule = _RULES.get(section.name)
        if rule is not None:
            rule(c, spec, data)
    _check_due_dates(c, spec)
    del spec["_period"]
    return spec, c.problems


def _campaign_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    campaign = spec["campaign"] = spec["campaign"] or {"_path": "campaign"}
    if campaign.get("start") and campaign.get("end"):
        c.period(campaign, None)
        if campaign["end"] >= campaign["start"]:
            spec["_period"] = (campaign["start"], campaign["end"])
    period, year = spec["_period"], campaign.get("year")
    if year and period and not (period[0].year <= year <= period[1].year):
        years = f"{period[0].year}–{period[1].year}"
        c.problem("campaign.year", f"应在开始和结束日期的年份之间（{years}）")
    _check_levels(c, campaign, "minimum_levels", campaign)


def _reporting_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    reporting = spec["reporting"] = spec["reporting"] or {"_path": "reporting"}
    _check_levels(c, reporting, "report_levels", spec["campaign"])
    raw = data.get("reporting")
    if (
        isinstance(raw, dict)
        and "progress_due_day" in raw
        and "progress_due_days_before_month_end" in raw
    ):
        c.problem(
            "reporting.progress_due_day",
            "不能与 progress_due_days_before_month_end 同时设置（两种截止方式只能选一种）",
        )


def _organiser_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    if "organisers" in data and not any(
        o.get("role") == OrganiserRole.LEAD for o in spec["organisers"]
    ):
        c.problem("organisers", '至少要有一个 role = "lead" 的牵头单位')


def _stage_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    for stage in spec["stages"]:
        c.period(stage, spec["_period"])


def _metric_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    for activity_type in spec["activity_types"]:
        for metric in activity_type["metrics"]:
            kind, choices = metric.get("type"), metric.get("choices")
            where = _join(metric["_path"], "choices")
            if kind == MetricType.CHOICE and choices == []:
                c.problem(where, "choice 类型的指标必须列出非空的 choices")
            elif kind and kind != MetricType.CHOICE and choices:
                c.problem(where, "只有 choice 类型的指标才能设置 choices")


def _category_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    _check_category_tree(c, spec["work_categories"])


def _check_due_dates(c: _Checker, spec: dict[str, Any]) -> None:
    """The reporting rules that name a stage or a date: checked once the stages are read."""
    reporting, period = spec["reporting"], spec["_period"]
    stage_key = reporting.get("implementation_stage")
    if stage_key and stage_key not in {s.get("key") for s in spec["stages"]}:
        c.problem("reporting.implementation_stage", f"没有 key 为「{stage_key}」的阶段")
    for name in ("unit_plan_due", "summary_due"):
        due = reporting.get(name)
        if due and period and not (period[0] <= due <= period[1]):
            c.problem(f"reporting.{name}", f"应在活动期间 {period[0]} 至 {period[1]} 之内")


def _check_levels(c: _Checker, item: Item, name: str, campaign: Item) -> None:
    """Levels count below the owner: each within 1..participant_depth. Not given: the
    bottom level, written out so the stored campaign says what applies."""
    depth = campaign.get("participant_depth")
    if depth is None or name not in item:
        return  # participant_depth or the levels themselves are wrong: said already
    levels = item[name]
    if levels is None:
        item[name] = [depth]
        return
    bad = [level for level in levels if level > depth]
    if bad:
        c.problem(
            _join(item["_path"], name),
            f"{'、'.join(map(str, bad))} 超出参与层级：participant_depth = {depth}，"
            f"每项应在 1 到 {depth} 之间",
        )


def _check_category_tree(c: _Checker, categories: list[Item]) -> None:
    by_key = {item["key"]: item for item in categories if item.get("key")}
    has_children = {item.get("parent") for item in categories}
    for item in categories:
        path, parent = item["_path"], item.get("parent")
        if parent:
            if parent == item.get("key"):
                c.problem(_join(path, "parent"), "不能以自己为上级分类")
            elif parent not in by_key:
                c.problem(_join(path, "parent"), f"没有 key 为「{parent}」的作品类别")
            else:
                chain, seen = [item["key"]], {item["key"]}
                current = parent
                while current in by_key and current not in seen:
                    chain.append(current)
                    seen.add(current)
                    current = by_key[current].get("parent")
                if current == item["key"]:
                    cycle = " → ".join([*chain, current])
                    c.problem(_join(path, "parent"), f"上级分类形成循环：{cycle}")
        low, high = item.get("text_min_chars"), item.get("text_max_chars")
        if low is not None and high is not None and low > high:
            c.problem(_join(path, "text_min_chars"), f"大于 text_max_chars（{low} > {high}）")
        if item.get("file_kinds") == [] and item.get("key") and item["key"] not in has_children:
            c.problem(_join(path, "file_kinds"), "没有下级分类的类别至少要接受一种文件")


def review_stage_of(stages: list[Item], implementation_stage: str) -> Item | None:
    """The stage of the experts' review: the one after the implementation stage in the
    file's order (as `Campaign.review_stage`), or None."""
    keys = [stage.get("key") for stage in stages]
    if implementation_stage in keys[:-1]:
        return stages[keys.index(implementation_stage) + 1]
    return None


def _under(key: str, ancestor: str, categories: dict[str, str]) -> bool:
    """Whether category `key` is `ancestor` or lies below it (`categories`: key → parent)."""
    seen: set[str] = set()
    while key and key not in seen:
        if key == ancestor:
            return True
        seen.add(key)
        key = categories.get(key, "")
    return False


def round_problems(
    item: Item,
    *,
    period: tuple[datetime.date, datetime.date] | None,
    stage: Item | None,
    categories: dict[str, str],
    earlier: dict[str, Item],
    later: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """What is wrong with one review round, as (field path within the round, message).

    The rules across a round's fields, shared by the campaign file's check and the
    review's services (wenyi.review.services.create_round / update_round), so a round
    made in the application obeys exactly what a file's round does. `item` holds the
    round's values by their file names with its `criteria` (each an Item with `_path`
    relative to the round, as ``criteria[1]``); `period` is the campaign's start and
    end, `stage` the review stage (its `name`, `start`, `end`), `categories` the work
    categories (key → parent key), `earlier` the rounds before this one by key and
    `later` the keys of those after it."""
    found: list[tuple[str, str]] = []
    opens, closes = item.get("opens"), item.get("closes")
    if opens and closes and closes < opens:
        found.append(("closes", "截止日期早于开始日期"))
    # a stage whose own dates are wrong is reported there; the campaign's then apply
    if (
        stage is not None
        and stage.get("start")
        and stage.get("end")
        and stage["start"] <= stage["end"]
    ):
        name = stage.get("name") or stage.get("key")
        if opens and not stage["start"] <= opens <= stage["end"]:
            found.append(
                ("opens", f"应在评审阶段「{name}」（{stage['start']} 至 {stage['end']}）之内")
            )
        if closes and not stage["start"] <= closes <= stage["end"]:
            found.append(
                ("closes", f"应在评审阶段「{name}」（{stage['start']} 至 {stage['end']}）之内")
            )
    elif period is not None:
        for name, day in (("opens", opens), ("closes", closes)):
            if day and not period[0] <= day <= period[1]:
                found.append((name, f"应在活动期间 {period[0]} 至 {period[1]} 之内"))

    subject, kind = item.get("subject"), item.get("kind")
    forms = item.get("art_forms") or []
    if forms and subject and subject != RoundSubject.WORKS:
        found.append(("art_forms", '只有 subject = "works" 的轮次才能选择作品类别'))
    for number, key in enumerate(forms, 1):
        if key not in categories:
            found.append((f"art_forms[{number}]", f"没有 key 为「{key}」的作品类别"))

    if item.get("formula") and subject and subject != RoundSubject.UNITS:
        found.append(("formula", '只有 subject = "units" 的轮次才能设置评分公式（formula）'))

    criteria = item.get("criteria") or []
    if kind and kind != RoundKind.SCORING and criteria:
        found.append(("criteria", '只有 kind = "scoring" 的轮次才有评分标准'))
    if kind == RoundKind.SCORING and not criteria:
        found.append(("criteria", "评分轮次至少要有一项评分标准（[[review_rounds.criteria]]）"))
    if kind and kind != RoundKind.APPROVAL:
        if item.get("pass_with") not in (None, 1):
            found.append(("pass_with", '只适用于 kind = "approval" 的轮次'))
        if item.get("second_look"):
            found.append(("second_look", '只适用于 kind = "approval" 的轮次'))
    pass_with, reviewers = item.get("pass_with"), item.get("reviewers_per_item")
    if kind == RoundKind.APPROVAL and pass_with and reviewers and pass_with > reviewers:
        found.append(
            ("pass_with", f"大于每件的评审人数 reviewers_per_item（{pass_with} > {reviewers}）")
        )
    for number, key in enumerate(item.get("tie_break") or [], 1):
        if key not in TIE_BREAKS:
            found.append((f"tie_break[{number}]", _one_of(TIE_BREAKS)))
        elif key == "normalised" and item.get("method") not in (None, "zscore"):
            found.append((f"tie_break[{number}]", '"normalised" 只适用于 method = "zscore"'))
    for criterion in criteria:
        form = criterion.get("art_form")
        if not form:
            continue
        where = _join(criterion["_path"], "art_form")
        if subject and subject != RoundSubject.WORKS:
            found.append((where, "只有作品轮次的评分标准才能限定作品类别"))
        elif form not in categories:
            found.append((where, f"没有 key 为「{form}」的作品类别"))
        elif forms and not any(_under(form, chosen, categories) for chosen in forms):
            found.append((where, f"「{form}」不在本轮的作品类别 art_forms 之内"))

    found += _advance_problems(item, earlier, later)
    return found


def _advance_problems(item: Item, earlier: dict[str, Item], later: Iterable[str]):
    found: list[tuple[str, str]] = []
    source_key, advance = item.get("source"), item.get("advance")
    source = None
    if source_key:
        if source_key == item.get("key"):
            found.append(("source", "不能以本轮为来源轮次"))
        elif source_key in earlier:
            source = earlier[source_key]
        elif source_key in set(later):
            found.append(("source", f"来源轮次「{source_key}」应写在本轮之前"))
        else:
            found.append(("source", f"没有 key 为「{source_key}」的评审轮次"))
        if not advance:
            found.append(("advance", "有来源轮次（source）时必须写明晋级规则"))
    elif advance:
        found.append(("advance", "只有写了来源轮次（source）的轮次才有晋级规则"))
    if advance != AdvanceRule.TOP_K and item.get("advance_top_k") is not None:
        found.append(("advance_top_k", '只在 advance = "top_k" 时使用'))
    if advance != AdvanceRule.ABOVE and item.get("advance_above") is not None:
        found.append(("advance_above", '只在 advance = "above" 时使用'))
    if advance == AdvanceRule.TOP_K and item.get("advance_top_k") is None:
        found.append(("advance_top_k", 'advance = "top_k" 时必填'))
    if advance == AdvanceRule.ABOVE and item.get("advance_above") is None:
        found.append(("advance_above", 'advance = "above" 时必填'))
    if source is None:
        return found
    if item.get("subject") and source.get("subject") and item["subject"] != source["subject"]:
        found.append(("subject", f"与来源轮次「{source_key}」的对象不同（{source['subject']}）"))
    if item.get("opens") and source.get("closes") and item["opens"] < source["closes"]:
        found.append(("opens", f"早于来源轮次「{source_key}」的截止日期 {source['closes']}"))
    kind = source.get("kind")
    if advance == AdvanceRule.PASSED and kind and kind != RoundKind.APPROVAL:
        found.append(("advance", '"passed" 只适用于 kind = "approval" 的来源轮次'))
    if advance == AdvanceRule.TOP_K and kind == RoundKind.APPROVAL:
        found.append(("advance", 'approval 轮次不排名次，应为 "passed"'))
    if advance == AdvanceRule.ABOVE and kind and kind != RoundKind.SCORING:
        found.append(("advance", '"above" 只适用于 kind = "scoring" 的来源轮次'))
    return found


def check_round(
    raw: dict[str, Any],
    *,
    period: tuple[datetime.date, datetime.date] | None,
    stage: Item | None,
    categories: dict[str, str],
    earlier: dict[str, Item],
    later: Iterable[str] = (),
) -> tuple[Item | None, list[tuple[str, str]]]:
    """One review round given as a file gives it (values by the file's names, its
    criteria as a list of tables): (the checked round, []) or (None, every problem as
    (field path, message)). Everything `[[review_rounds]]` is checked for, for a round
    made or changed in the application (wenyi.review.services)."""
    c = _Checker("")
    section = schema_tables()["review_rounds"]
    item = c.table(raw, "", section.fields, tuple(part.name for part in section.parts))
    if item is None:
        return None, c.found
    part = section.parts[0]
    item[part.name] = c.array(raw.get(part.name), part.name, part.fields)
    c.unique(item[part.name], part.unique or "key")
    found = c.found + round_problems(
        item, period=period, stage=stage, categories=categories, earlier=earlier, later=later
    )
    return (None, found) if found else (item, [])


def _review_round_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    rounds = spec["review_rounds"]
    stage = review_stage_of(spec["stages"], spec["reporting"].get("implementation_stage") or "")
    categories = {
        item["key"]: item.get("parent") or "" for item in spec["work_categories"] if item.get("key")
    }
    keys = [item.get("key") for item in rounds]
    earlier: dict[str, Item] = {}
    for number, item in enumerate(rounds):
        later = [k for k in keys[number + 1 :] if k]
        problems = round_problems(
            item,
            period=spec["_period"],
            stage=stage,
            categories=categories,
            earlier=earlier,
            later=later,
        )
        for where, message in problems:
            path = where if where.startswith(item["_path"]) else _join(item["_path"], where)
            c.problem(path, message)
        if item.get("key") and item["key"] not in earlier:
            earlier[item["key"]] = item


def vote_moment(value: datetime.date, *, end: bool = False) -> datetime.datetime:
    """A `moment` of the public vote as a local date-time without a zone: a date is its
    first moment (`starts`) or its last (`ends`: the whole day counts); a date-time with
    an offset is put in the site's time zone."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            from zoneinfo import ZoneInfo

            value = value.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return value
    return datetime.datetime.combine(value, datetime.time.max if end else datetime.time.min)


def _day(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def public_vote_problems(
    item: Item, *, period: tuple[datetime.date, datetime.date] | None, rounds: dict[str, Item]
) -> list[tuple[str, str]]:
    """What is wrong across the fields of `[public_vote]`, as (field, message): the
    window, the weights' parts and their sum, the thresholds' order, and the round it
    feeds (`rounds`: the file's rounds by key) — a works round with scores, closing no
    earlier than the vote ends."""
    found: list[tuple[str, str]] = []
    starts, ends = item.get("starts"), item.get("ends")
    if starts and ends and vote_moment(ends, end=True) <= vote_moment(starts):
        found.append(("ends", "投票结束时间应晚于开始时间 starts"))
    if period is not None:
        for name, value in (("starts", starts), ("ends", ends)):
            if value and not period[0] <= _day(value) <= period[1]:
                found.append((name, f"应在活动期间 {period[0]} 至 {period[1]} 之内"))
    weights = item.get("weights")
    if weights is not None:
        for key in weights:
            if key not in VOTE_WEIGHTS:
                found.append((f"weights.{key}", _unknown(key, VOTE_WEIGHTS)))
        for key, meaning in (("experts", "专家评分"), ("online", "网络投票")):
            if key not in weights:
                found.append(("weights", f"缺少 {key}（{meaning}的权重）"))
        total = sum(decimal.Decimal(str(v)) for v in weights.values())
        if total != 100:
            found.append(("weights", f"各项权重之和应为 100（现为 {total.normalize():f}）"))
    low, high = item.get("challenge_after"), item.get("login_after")
    if low and high and high < low:
        found.append(("login_after", f"不能小于 challenge_after（{low}）"))
    key = item.get("round")
    if key:
        round_ = rounds.get(key)
        if round_ is None:
            found.append(("round", f"没有 key 为「{key}」的评审轮次"))
        else:
            name = round_.get("name") or key
            if round_.get("subject") and round_["subject"] != RoundSubject.WORKS:
                message = f'「{name}」不是作品轮次：只能计入 subject = "works" 的轮次'
                found.append(("round", message))
            if round_.get("kind") == RoundKind.APPROVAL:
                message = f'「{name}」只投通过与否、没有分数：应为 kind = "scoring" 或 "ranking"'
                found.append(("round", message))
            closes = round_.get("closes")
            if ends and closes and _day(ends) > closes:
                found.append(("ends", f"晚于所计入轮次「{name}」的截止日期 {closes}"))
    return found


def _public_vote_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    vote = spec["public_vote"]
    if not vote:
        return
    rounds = {item["key"]: item for item in spec["review_rounds"] if item.get("key")}
    for where, message in public_vote_problems(vote, period=spec["_period"], rounds=rounds):
        c.problem(f"public_vote.{where}", message)


def _public_notice_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    notice = spec["public_notice"] = spec["public_notice"] or {"_path": "public_notice"}
    if notice.get("count") == NoticeCount.CALENDAR and notice.get("closed_days"):
        c.problem(
            "public_notice.closed_days",
            '只在 count = "working" 时使用（按自然日计算时每一天都算，休息日不影响公示期）',
        )


def _documents_rules(c: _Checker, spec: dict[str, Any], data: dict[str, Any]) -> None:
    documents = spec["documents"]
    if not documents:
        return
    code = documents.get("code")
    if code and re.search(r"[0-9〔〕\[\]【】()（）号]", code):
        c.problem("documents.code", "只写机关代字（如“临工发”），年份和序号由系统编排")
    day, period = documents.get("commendation_date"), spec["_period"]
    if day and period and day < period[0]:
        c.problem("documents.commendation_date", f"早于活动开始日期 {period[0]}")
    layout = documents.get("layout")
    if layout:
        given = {
            key: float(value) if isinstance(value, decimal.Decimal) else value
            for key, value in layout.items()
            if key in LAYOUT_LIMITS and value is not None
        }
        with translation.override("zh-hans"):
            found = layout_problems(Profile.from_layout(given))
        for field, message in found:
            c.problem(f"documents.layout.{field}", message)


# rules across fields, run right after their section is read (see `_check`)
_RULES: dict[str, Callable[[_Checker, dict[str, Any], dict[str, Any]], None]] = {
    "campaign": _campaign_rules,
    "reporting": _reporting_rules,
    "organisers": _organiser_rules,
    "stages": _stage_rules,
    "activity_types": _metric_rules,
    "work_categories": _category_rules,
    "review_rounds": _review_round_rules,
    "public_vote": _public_vote_rules,
    "public_notice": _public_notice_rules,
    "documents": _documents_rules,
}


@dataclass
class CheckedFile:
    """A campaign file that passed every check, ready to apply."""

    path: Path
    label: str
    source: str
    sha256: str
    definition: dict[str, Any]


def _source_name(path: Path) -> str:
    """The path as stored and shown: relative to the project when inside it."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(settings.PROJECT_DIR))
    except (ValueError, AttributeError):
        return str(resolved)


def check_campaign_file(path: str | Path) -> CheckedFile:
    """Read and check one campaign file without touching the database.

    Raises CampaignFileError listing every problem.
    """
    path = Path(path)
    label = path.name
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CampaignFileError([f"{label}: 文件: 无法读取（{exc.strerror or exc}）"]) from None
    try:
        # utf-8-sig: Windows editors often save a byte-order mark
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CampaignFileError(
            [f"{label}: 文件: 不是 UTF-8 编码（请在编辑器中另存为 UTF-8）"]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignFileError([_syntax_problem(label, exc)]) from None
    definition, problems = _check(data, label)
    if problems:
        raise CampaignFileError(problems)
    return CheckedFile(
        path=path,
        label=label,
        source=_source_name(path),
        sha256=hashlib.sha256(content).hexdigest(),
        definition=definition,
    )


def _syntax_problem(label: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        where = f"第 {match[1]} 行"
        message = f"{message[: match.start()]}（第 {match[2]} 列）"
    else:
        where = "文件"
    return f"{label}: {where}: TOML 语法错误：{message}"

import datetime
import hashlib

import pytest
from django.conf import settings
from django.db import models

from tests.campaigns.conftest import JINAN, LINYI, edited
from tests.factories import OrgUnitFactory
from wenyi.campaigns.loader import (
    CampaignFileError,
    LoadStatus,
    load_all,
    load_campaign_file,
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
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.documents.models import DocumentSettings
from wenyi.orgs.enums import UnitKind
from wenyi.review.models import Criterion, Round

pytestmark = pytest.mark.django_db

CAMPAIGN_MODELS = [
    Campaign,
    Organiser,
    Contact,
    Stage,
    ActivityType,
    Metric,
    WorkCategory,
    AwardKind,
    AwardTier,
    LeadingGroup,
    LeadingGroupMember,
    # the file's [[review_rounds]], written by the review app through the loader
    Round,
    Criterion,
    # the file's [documents], written by the documents app through the loader
    DocumentSettings,
]


def all_rows() -> dict[str, list[dict]]:
    """Every value of every row the loader writes, updated_at included."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in CAMPAIGN_MODELS}


def without(text: str, start: str, end: str) -> str:
    """`text` with the part from `start` (included) to `end` (excluded) cut out."""
    assert text.count(start) == 1 and text.count(end) == 1
    return text[: text.index(start)] + text[text.index(end) :]


CAIFENG = '[[activity_types]]\nkey = "caifeng"'
PEIXUN = '[[activity_types]]\nkey = "peixun"'
ZHANSHI = '[[activity_types]]\nkey = "zhanshi"'
CATEGORIES = (
    "# ---------------------------------------------------------------------------\n# 作品类别"
)


# -- the 2014 notice ---------------------------------------------------------


def test_linyi_file_loads_identity_and_reporting_rules():
    result = load_campaign_file(LINYI)

    campaign = Campaign.objects.get()
    assert result.status == LoadStatus.CREATED
    assert result.campaign == campaign
    assert (campaign.slug, campaign.title, campaign.doc_number, campaign.issuer) == (
        "linyi-2014",
        "2014年文艺工作者深入职工创作实践活动",
        "临会办〔2014〕46号",
        "临沂市总工会办公室",
    )
    assert (campaign.year, campaign.start, campaign.end) == (
        2014,
        datetime.date(2014, 7, 1),
        datetime.date(2014, 12, 31),
    )
    assert (campaign.owner_unit_code, campaign.participant_depth) == ("371300", 1)
    assert campaign.implementation_stage_key == "tuijin"
    assert campaign.unit_plan_due == datetime.date(2014, 7, 31)
    assert campaign.plan_due_day == 5
    assert campaign.progress_due_days_before_month_end == 0
    assert campaign.summary_due == datetime.date(2014, 10, 15)
    assert (campaign.summary_target_chars, campaign.summary_tolerance_pct) == (3000, 20)
    assert campaign.summary.startswith("通过创作实践活动")


def test_linyi_file_loads_organisers_contacts_and_stages():
    load_campaign_file(LINYI)

    campaign = Campaign.objects.get()
    assert [o.name for o in campaign.lead_organisers] == [
        "临沂市总工会",
        "临沂市文化广电新闻出版局",
        "临沂市文学艺术界联合会",
    ]
    assert [o.name for o in campaign.assisting_bodies] == [
        "各县区总工会",
        "各县区文广新局",
        "各县区文联",
    ]
    assert [(c.name, c.phone, c.email) for c in campaign.contacts.all()] == [
        ("刘洁", "0539-8726723", "lyxjb@126.com"),
        ("杨春松", "0539-8726723", "lyxjb@126.com"),
    ]
    d = datetime.date
    assert [(s.key, s.name, s.start, s.end) for s in campaign.stages.all()] == [
        ("zuzhi", "组织发动", d(2014, 7, 1), d(2014, 7, 31)),
        ("tuijin", "推进落实", d(2014, 7, 1), d(2014, 10, 31)),
        ("pingshen", "推荐评审", d(2014, 10, 1), d(2014, 11, 30)),
        ("biaozhang", "总结表彰", d(2014, 12, 1), d(2014, 12, 31)),
    ]


def test_linyi_file_loads_four_activity_types_with_their_metrics():
    load_campaign_file(LINYI)

    types = ActivityType.objects.filter(campaign__slug="linyi-2014")
    assert [(t.key, t.name, t.min_per_year) for t in types] == [
        ("caifeng", "采风创作", 4),
        ("peixun", "培训辅导", 4),
        ("weiwen", "慰问演出", 4),
        ("zhanshi", "展示展演", 4),
    ]
    metrics = {
        t.key: [(m.key, m.name, m.unit, m.value_type, m.required) for m in t.metrics.all()]
        for t in types
    }
    assert metrics == {
        "caifeng": [
            ("artists", "参与文艺工作者", "人", "integer", True),
            ("works", "创作作品", "件", "integer", False),
            ("effect", "活动效果", "", "text", False),
        ],
        "peixun": [
            ("trainees", "培训辅导人次", "人次", "integer", True),
            ("sessions", "培训场次", "场", "integer", False),
            ("effect", "培训效果", "", "text", False),
        ],
        "weiwen": [
            ("shows", "演出场次", "场", "integer", True),
            ("audience", "受众人数", "人次", "integer", True),
            ("effect", "演出效果", "", "text", False),
        ],
        "zhanshi": [
            ("events", "展示展演场次", "场", "integer", True),
            ("works_shown", "展出作品", "件", "integer", False),
            ("audience", "观众人数", "人次", "integer", False),
            ("effect", "活动效果", "", "text", False),
            ("influence", "社会影响", "", "text", False),
        ],
    }


def test_linyi_file_loads_every_art_form_the_notice_names():
    load_campaign_file(LINYI)

    categories = WorkCategory.objects.select_related("parent")
    tree = {c.name: (c.parent.name if c.parent else None) for c in categories}
    assert tree == {
        "文学": None,
        "小说": "文学",
        "诗词（诗歌）": "文学",
        "散文": "文学",
        "报告文学": "文学",
        "音乐": None,
        "歌曲": "音乐",
        "舞蹈": None,
        "戏剧曲艺": None,
        "小品": "戏剧曲艺",
        "书法": None,
        "美术": None,
        "摄影": None,
        "影视": None,
        "微影像": "影视",
    }
    weiyingxiang = WorkCategory.objects.get(key="weiyingxiang")
    assert weiyingxiang.file_kinds == ["video", "link"]
    xiaoshuo = WorkCategory.objects.get(key="xiaoshuo")
    assert (xiaoshuo.file_kinds, xiaoshuo.text_min_chars, xiaoshuo.text_max_chars) == (
        ["text", "document"],
        1000,
        30000,
    )
    assert WorkCategory.objects.get(key="wenxue").file_kinds == []


def test_linyi_file_loads_four_award_kinds_with_tiers():
    load_campaign_file(LINYI)

    kinds = AwardKind.objects.prefetch_related("tiers")
    assert [(k.name, k.subject, [(t.name, t.max_count) for t in k.tiers.all()]) for k in kinds] == [
        ("优秀组织单位", "unit", [("优秀组织单位", None)]),
        ("优秀个人", "individual", [("优秀个人", None)]),
        ("优秀文艺工作者", "artist", [("优秀文艺工作者", None)]),
        ("优秀文艺作品", "work", [("一等奖", 5), ("二等奖", 10), ("三等奖", 20), ("优秀奖", 30)]),
    ]


def test_load_records_source_file_and_checksum():
    load_campaign_file(LINYI)

    campaign = Campaign.objects.get()
    assert campaign.source_file == "campaigns/linyi-2014.toml"
    assert campaign.source_sha256 == hashlib.sha256(LINYI.read_bytes()).hexdigest()


def test_load_writes_one_audit_entry_per_row_created():
    load_campaign_file(LINYI)

    rows = sum(m.objects.count() for m in CAMPAIGN_MODELS)
    assert rows == 71  # 5 review rounds with 8 criteria among them, the [documents]
    assert AuditEntry.objects.count() == rows
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {AuditAction.CREATE}


# -- leading group -------------------------------------------------------------


def test_leading_group_saved_for_existing_owner_unit(city):
    result = load_campaign_file(LINYI)

    group = LeadingGroup.objects.get()
    assert (group.unit, group.campaign) == (city, result.campaign)
    assert (group.name, group.office_location, group.office_email) == (
        "临沂市文艺工作者深入职工创作实践活动领导小组",
        "市总工会宣传教育部",
        "lyxjb@126.com",
    )
    assert [(m.name, m.role, m.order) for m in group.members.all()] == [
        ("王向群", "leader", 0),
        ("薛岩", "deputy", 1),
        ("张世勤", "deputy", 2),
    ]
    assert result.notes == []


def test_leading_group_skipped_without_owner_unit():
    result = load_campaign_file(LINYI)

    assert LeadingGroup.objects.count() == 0
    assert result.notes == ["领导小组：单位 371300 尚未建立，暂未保存（建好单位后再载入一次）"]


def test_leading_group_members_updated_by_name(city, linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    xue = LeadingGroupMember.objects.get(name="薛岩")
    text = edited(
        linyi_text,
        ('position = "市文广新局副调研员"', 'position = "市文广新局调研员"'),
        ('name = "张世勤"', 'name = "张新勤"'),
    )

    result = load_campaign_file(write_file(text))

    assert LeadingGroupMember.objects.get(name="薛岩").pk == xue.pk
    assert [m.name for m in LeadingGroup.objects.get().members.all()] == [
        "王向群",
        "薛岩",
        "张新勤",
    ]
    assert result.changes[1:] == [
        "leading_group.members.薛岩.position: 市文广新局副调研员 → 市文广新局调研员",
        "leading_group.members.张新勤: 新增",
        "leading_group.members.张世勤: 删除",
    ]


# -- idempotence and updates ---------------------------------------------------


def test_reload_of_same_file_changes_no_row_and_writes_no_audit(city):
    load_campaign_file(LINYI)
    before, entries = all_rows(), AuditEntry.objects.count()

    result = load_campaign_file(LINYI)

    assert result.status == LoadStatus.UNCHANGED
    assert result.changes == []
    assert all_rows() == before  # updated_at of the campaign and its group included
    assert AuditEntry.objects.count() == entries


def test_changed_file_updates_rows_in_place(linyi_text, write_file):
    first = load_campaign_file(write_file(linyi_text))
    stage = Stage.objects.get(key="tuijin")
    peixun = ActivityType.objects.get(key="peixun")
    updated_at = first.campaign.updated_at
    entries = AuditEntry.objects.count()
    text = edited(
        linyi_text,
        ('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = 6'),
        ("start = 2014-07-01\nend = 2014-10-31", "start = 2014-07-01\nend = 2014-11-15"),
    )

    result = load_campaign_file(write_file(text))

    old_sha, new_sha = first.campaign.source_sha256, hashlib.sha256(text.encode()).hexdigest()
    assert result.status == LoadStatus.UPDATED
    assert result.changes == [
        f"文件内容: {old_sha[:12]} → {new_sha[:12]}",
        "stages.tuijin.end: 2014-10-31 → 2014-11-15",
        "activity_types.peixun.min_per_year: 4 → 6",
    ]
    assert Stage.objects.get(key="tuijin").pk == stage.pk
    assert Stage.objects.get(key="tuijin").end == datetime.date(2014, 11, 15)
    assert ActivityType.objects.get(key="peixun").pk == peixun.pk
    assert ActivityType.objects.get(key="peixun").min_per_year == 6
    assert Campaign.objects.get().updated_at > updated_at
    new_entries = AuditEntry.objects.order_by("id")[entries:]
    assert [(e.action, e.object_repr, e.changes) for e in new_entries] == [
        (AuditAction.UPDATE, first.campaign.title, {"source_sha256": [old_sha, new_sha]}),
        (AuditAction.UPDATE, "推进落实", {"end": ["2014-10-31", "2014-11-15"]}),
        (AuditAction.UPDATE, "培训辅导", {"min_per_year": [4, 6]}),
    ]


def test_changed_file_adds_and_removes_parts_without_dependents(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    zhanshi = ActivityType.objects.get(key="zhanshi")
    metric_ids = list(zhanshi.metrics.values_list("pk", flat=True))
    last_entry = AuditEntry.objects.order_by("id").last().id
    text = without(linyi_text, ZHANSHI, CATEGORIES)
    text = edited(
        text,
        (
            '[[work_categories]]\nkey = "wudao"',
            '[[work_categories]]\nkey = "quyi"\nname = "曲艺"\nfile_kinds = ["video"]\n\n'
            '[[work_categories]]\nkey = "wudao"',
        ),
    )

    result = load_campaign_file(write_file(text))

    assert list(ActivityType.objects.values_list("key", flat=True)) == [
        "caifeng",
        "peixun",
        "weiwen",
    ]
    assert Metric.objects.filter(pk__in=metric_ids).count() == 0
    assert "quyi" in WorkCategory.objects.values_list("key", flat=True)
    assert result.changes[1:] == [
        "work_categories.quyi: 新增",
        "work_categories: 顺序有变化",
        "activity_types.zhanshi: 删除",
    ]
    deletes = AuditEntry.objects.filter(id__gt=last_entry, action=AuditAction.DELETE).order_by("id")
    assert [e.object_repr for e in deletes] == [
        "展示展演场次",
        "展出作品",
        "观众人数",
        "活动效果",
        "社会影响",
        "展示展演",
    ]


def test_reload_after_change_back_restores_values_in_place(linyi_text, write_file):
    path = write_file(linyi_text)
    load_campaign_file(path)
    pks = all_rows()
    text = edited(
        linyi_text,
        (
            'type = "integer"\nrequired = true\nhelp = "同一人',
            'type = "decimal"\nrequired = true\nhelp = "同一人',
        ),
    )
    load_campaign_file(write_file(text))

    result = load_campaign_file(write_file(linyi_text))

    assert result.status == LoadStatus.UPDATED
    assert Metric.objects.get(key="trainees").value_type == "integer"
    rows = all_rows()
    for name in ("Stage", "ActivityType", "Metric", "WorkCategory", "AwardKind", "AwardTier"):
        assert rows[name] == pks[name]


# -- bad files -------------------------------------------------------------------


BAD_EDITS = [
    pytest.param(
        [("doc_number = ", 'colour = "红"\ndoc_number = ')],
        ["campaign.colour: 未知字段"],
        id="unknown-key",
    ),
    pytest.param(
        [("plan_due_day = 5", "plan_due_dya = 5")],
        ["reporting.plan_due_dya: 未知字段（是否应为 plan_due_day？）"],
        id="misspelt-key",
    ),
    pytest.param(
        [
            (
                'name = "各县区文联"\nrole = "assist"',
                'name = "各县区文联"\nrole = "assist"\nrank = 1',
            )
        ],
        ["organisers[6].rank: 未知字段"],
        id="unknown-key-in-list",
    ),
    pytest.param(
        [('issuer = "临沂市总工会办公室"', "")],
        ["campaign.issuer: 缺少必填项"],
        id="missing-field",
    ),
    pytest.param(
        [
            (
                'key = "shows"\nname = "演出场次"\nunit = "场"\ntype = "integer"\n',
                'key = "shows"\nname = "演出场次"\nunit = "场"\n',
            )
        ],
        ["activity_types[3].metrics[1].type: 缺少必填项"],
        id="missing-metric-type",
    ),
    pytest.param(
        [("start = 2014-10-01\nend = 2014-11-30", "start = 2014-10-01\nend = 2014-09-30")],
        ["stages[3].end: 结束日期早于开始日期"],
        id="stage-ends-before-start",
    ),
    pytest.param(
        [("start = 2014-12-01\nend = 2014-12-31", "start = 2014-12-01\nend = 2015-01-15")],
        ["stages[4].end: 晚于活动结束日期 2014-12-31"],
        id="stage-outside-campaign",
    ),
    pytest.param(
        [("start = 2014-07-01\nend = 2014-07-31", 'start = "2014-07-01"\nend = 2014-07-31')],
        ["stages[1].start: 应为日期（如 2014-07-01，不加引号）"],
        id="date-in-quotes",
    ),
    pytest.param(
        [("end = 2014-12-31                         #", "end = 2014-06-30 #")],
        ["campaign.end: 结束日期早于开始日期"],
        id="campaign-ends-before-start",
    ),
    pytest.param(
        [('key = "pingshen"', 'key = "tuijin"')],
        ["stages[3].key: 重复的 key「tuijin」（与 stages[2] 相同）"],
        id="duplicate-stage-key",
    ),
    pytest.param(
        [('key = "sessions"', 'key = "trainees"')],
        [
            "activity_types[2].metrics[2].key: "
            "重复的 key「trainees」（与 activity_types[2].metrics[1] 相同）"
        ],
        id="duplicate-metric-key",
    ),
    pytest.param(
        [('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = -1')],
        ["activity_types[2].min_per_year: 不能为负数"],
        id="negative-minimum",
    ),
    pytest.param(
        [('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = "4"')],
        ["activity_types[2].min_per_year: 应为整数（不加引号）"],
        id="minimum-in-quotes",
    ),
    pytest.param(
        [
            (
                'name = "培训场次"\nunit = "场"\ntype = "integer"',
                'name = "培训场次"\nunit = "场"\ntype = "number"',
            )
        ],
        ["activity_types[2].metrics[2].type: 应为 integer、decimal、text、choice 之一"],
        id="unknown-metric-type",
    ),
    pytest.param(
        [('name = "演出效果"\ntype = "text"', 'name = "演出效果"\ntype = "choice"')],
        ["activity_types[3].metrics[3].choices: choice 类型的指标必须列出非空的 choices"],
        id="choice-without-choices",
    ),
    pytest.param(
        [
            (
                'name = "演出效果"\ntype = "text"',
                'name = "演出效果"\ntype = "text"\nchoices = ["好"]',
            )
        ],
        ["activity_types[3].metrics[3].choices: 只有 choice 类型的指标才能设置 choices"],
        id="choices-on-text-metric",
    ),
    pytest.param(
        [('parent = "yingshi"', 'parent = "dianying"')],
        ["work_categories[15].parent: 没有 key 为「dianying」的作品类别"],
        id="unknown-parent",
    ),
    pytest.param(
        [('key = "wenxue"\nname = "文学"', 'key = "wenxue"\nname = "文学"\nparent = "xiaoshuo"')],
        [
            "work_categories[1].parent: 上级分类形成循环：wenxue → xiaoshuo → wenxue",
            "work_categories[2].parent: 上级分类形成循环：xiaoshuo → wenxue → xiaoshuo",
        ],
        id="parent-cycle",
    ),
    pytest.param(
        [('name = "书法"\nfile_kinds = ["image"]', 'name = "书法"\nfile_kinds = ["image", "pdf"]')],
        [
            "work_categories[11].file_kinds: "
            "pdf 无效，每项应为 text、document、image、audio、video、link 之一"
        ],
        id="unknown-file-kind",
    ),
    pytest.param(
        [('name = "摄影"\nfile_kinds = ["image"]', 'name = "摄影"')],
        ["work_categories[13].file_kinds: 没有下级分类的类别至少要接受一种文件"],
        id="leaf-category-without-file-kinds",
    ),
    pytest.param(
        [
            (
                "text_min_chars = 500\ntext_max_chars = 10000",
                "text_min_chars = 20000\ntext_max_chars = 10000",
            )
        ],
        ["work_categories[4].text_min_chars: 大于 text_max_chars（20000 > 10000）"],
        id="text-min-above-max",
    ),
    pytest.param(
        [('subject = "artist"', 'subject = "painter"')],
        ["award_kinds[3].subject: 应为 unit、individual、artist、work 之一"],
        id="unknown-award-subject",
    ),
    pytest.param(
        [("plan_due_day = 5", "plan_due_day = 31")],
        ["reporting.plan_due_day: 应在 1 到 28 之间"],
        id="plan-due-day-out-of-range",
    ),
    pytest.param(
        [("summary_tolerance_pct = 20", "summary_tolerance_pct = 120")],
        ["reporting.summary_tolerance_pct: 应在 0 到 100 之间"],
        id="tolerance-out-of-range",
    ),
    pytest.param(
        [('implementation_stage = "tuijin"', 'implementation_stage = "shishi"')],
        ["reporting.implementation_stage: 没有 key 为「shishi」的阶段"],
        id="unknown-implementation-stage",
    ),
    pytest.param(
        [("summary_due = 2014-10-15", "summary_due = 2015-10-15")],
        ["reporting.summary_due: 应在活动期间 2014-07-01 至 2014-12-31 之内"],
        id="summary-due-outside-campaign",
    ),
    pytest.param(
        [("participant_depth = 1 ", "participant_depth = 1\nminimum_levels = [2] ")],
        ["campaign.minimum_levels: 2 超出参与层级：participant_depth = 1，每项应在 1 到 1 之间"],
        id="minimum-level-below-participants",
    ),
    pytest.param(
        [("participant_depth = 1 ", "participant_depth = 1\nminimum_levels = [] ")],
        ["campaign.minimum_levels: 不能为空（不写此项即为默认值）"],
        id="minimum-levels-empty",
    ),
    pytest.param(
        [("participant_depth = 1 ", 'participant_depth = 1\nminimum_levels = ["1"] ')],
        ["campaign.minimum_levels: 应为整数列表（如 [1, 2]，不加引号）"],
        id="minimum-levels-in-quotes",
    ),
    pytest.param(
        [("participant_depth = 1 ", "participant_depth = 2\nminimum_levels = [1, 1] ")],
        ["campaign.minimum_levels[2]: 重复的值「1」"],
        id="minimum-levels-duplicate",
    ),
    pytest.param(
        [("reminder_days_before = 3 ", "reminder_days_before = 3\nreport_levels = [0, 3] ")],
        ["reporting.report_levels: 0 无效，每项应在 1 到 10 之间"],
        id="report-level-zero",
    ),
    pytest.param(
        [("reminder_days_before = 3 ", "reminder_days_before = 3\nreport_levels = [1, 2] ")],
        ["reporting.report_levels: 2 超出参与层级：participant_depth = 1，每项应在 1 到 1 之间"],
        id="report-level-below-participants",
    ),
    pytest.param(
        [("plan_due_day = 5 ", "plan_due_day = 5\nprogress_due_day = 28 ")],
        [
            "reporting.progress_due_day: "
            "不能与 progress_due_days_before_month_end 同时设置（两种截止方式只能选一种）"
        ],
        id="progress-due-day-and-days-before-both-set",
    ),
    pytest.param(
        [
            ("progress_due_days_before_month_end = 0 ", "progress_due_day = 32 "),
        ],
        ["reporting.progress_due_day: 应在 1 到 31 之间"],
        id="progress-due-day-out-of-range",
    ),
    pytest.param(
        [
            ("progress_due_days_before_month_end = 0 ", "progress_due_day = 0 "),
        ],
        ["reporting.progress_due_day: 应在 1 到 31 之间"],
        id="progress-due-day-zero",
    ),
    pytest.param(
        [
            ("progress_due_days_before_month_end = 0 ", 'progress_due_day = "28" '),
        ],
        ["reporting.progress_due_day: 应为整数（不加引号）"],
        id="progress-due-day-in-quotes",
    ),
    pytest.param(
        [
            (
                'name = "杨春松"\nphone = "0539-8726723"\nemail = "lyxjb@126.com"',
                'name = "杨春松"\nphone = "0539-8726723"\nemail = "lyxjb at 126"',
            )
        ],
        ["contacts[2].email: 不是有效的电子邮箱地址：lyxjb at 126"],
        id="bad-email",
    ),
    pytest.param(
        [
            ('name = "临沂市总工会"\nrole = "lead"', 'name = "临沂市总工会"\nrole = "assist"'),
            ('# 简称“市文广新局”\nrole = "lead"', '\nrole = "assist"'),
            ('# 简称“市文联”\nrole = "lead"', '\nrole = "assist"'),
        ],
        ['organisers: 至少要有一个 role = "lead" 的牵头单位'],
        id="no-lead-organiser",
    ),
    pytest.param(
        [
            (
                'name = "薛岩"\nposition = "市文广新局副调研员"\nrole = "deputy"',
                'name = "王向群"\nposition = "市文广新局副调研员"\nrole = "secretary"',
            )
        ],
        [
            "leading_group.members[2].role: 应为 leader、deputy、member、liaison 之一",
            "leading_group.members[2].name: "
            "重复的 name「王向群」（与 leading_group.members[1] 相同）",
        ],
        id="bad-leading-group-member",
    ),
    pytest.param(
        [
            (
                'key = "yideng"\nname = "一等奖"\nmax_count = 5',
                'key = "yideng"\nname = "一等奖"\nmax_count = 0',
            )
        ],
        ["award_kinds[4].tiers[1].max_count: 不能小于 1"],
        id="tier-count-zero",
    ),
]


@pytest.mark.parametrize(("replacements", "expected"), BAD_EDITS)
def test_bad_file_refused_whole_with_every_problem(linyi_text, write_file, replacements, expected):
    text = linyi_text
    for old, new in replacements:
        text = edited(text, (old, new))

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(text))

    assert error.value.problems == [f"linyi-2014.toml: {line}" for line in expected]
    assert Campaign.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_bad_file_with_several_problems_lists_them_all(linyi_text, write_file):
    text = edited(
        linyi_text,
        ("doc_number = ", 'colour = "红"\ndoc_number = '),
        ("start = 2014-10-01\nend = 2014-11-30", "start = 2014-10-01\nend = 2014-09-30"),
        ('key = "sessions"', 'key = "trainees"'),
        ('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = -1'),
        ('parent = "yingshi"', 'parent = "dianying"'),
        ("plan_due_day = 5", "plan_due_day = 0"),
    )

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(text))

    assert error.value.problems == [
        "linyi-2014.toml: campaign.colour: 未知字段",
        "linyi-2014.toml: reporting.plan_due_day: 应在 1 到 28 之间",
        "linyi-2014.toml: stages[3].end: 结束日期早于开始日期",
        "linyi-2014.toml: activity_types[2].min_per_year: 不能为负数",
        "linyi-2014.toml: activity_types[2].metrics[2].key: "
        "重复的 key「trainees」（与 activity_types[2].metrics[1] 相同）",
        "linyi-2014.toml: work_categories[15].parent: 没有 key 为「dianying」的作品类别",
    ]
    assert Campaign.objects.count() == 0


def test_bad_file_leaves_loaded_campaign_untouched(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    before, entries = all_rows(), AuditEntry.objects.count()
    text = edited(
        linyi_text,
        ('title = "2014年', 'title = "新的2014年'),
        ('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = -4'),
    )

    with pytest.raises(CampaignFileError):
        load_campaign_file(write_file(text))

    assert all_rows() == before
    assert AuditEntry.objects.count() == entries


def test_malformed_toml_refused_with_line_number(write_file):
    path = write_file('[campaign]\nslug = "linyi-2014"\ntitle = \n')

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(path)

    assert error.value.problems == [
        "linyi-2014.toml: 第 3 行: TOML 语法错误：Invalid value（第 9 列）"
    ]
    assert Campaign.objects.count() == 0


def test_empty_file_lists_required_sections(write_file):
    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file("# nothing yet\n"))

    assert error.value.problems == [
        "linyi-2014.toml: campaign: 缺少必填项",
        "linyi-2014.toml: organisers: 缺少必填项",
        "linyi-2014.toml: stages: 缺少必填项",
    ]


def test_file_not_in_utf8_refused(linyi_text, tmp_path):
    path = tmp_path / "linyi-2014.toml"
    path.write_bytes(linyi_text.encode("gb18030"))

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(path)

    assert error.value.problems == [
        "linyi-2014.toml: 文件: 不是 UTF-8 编码（请在编辑器中另存为 UTF-8）"
    ]


def test_file_with_byte_order_mark_loads(linyi_text, tmp_path):
    path = tmp_path / "linyi-2014.toml"
    path.write_bytes(linyi_text.encode("utf-8-sig"))

    assert load_campaign_file(path).status == LoadStatus.CREATED


def test_missing_file_refused(tmp_path):
    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(tmp_path / "nope.toml")

    assert error.value.problems == ["nope.toml: 文件: 无法读取（No such file or directory）"]


# -- removing parts that other data depends on -------------------------------------


@pytest.mark.django_db(transaction=True)
def test_removing_activity_type_with_dependents_is_refused(dependent_model, linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    activity = dependent_model(ActivityType, models.PROTECT, "测试活动记录")
    caifeng = ActivityType.objects.get(key="caifeng")
    activity.objects.create(target=caifeng)
    activity.objects.create(target=caifeng)
    before, entries = all_rows(), AuditEntry.objects.count()
    text = without(edited(linyi_text, ('title = "2014年', 'title = "新2014年')), CAIFENG, PEIXUN)

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(text))

    assert error.value.problems == [
        "linyi-2014.toml: activity_types.caifeng: 不能删除：已有 2 条测试活动记录引用它"
    ]
    assert all_rows() == before  # the new title was rolled back too
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db(transaction=True)
def test_removing_metric_with_cascading_dependents_is_refused(
    dependent_model, linyi_text, write_file
):
    load_campaign_file(write_file(linyi_text))
    value = dependent_model(Metric, models.CASCADE, "测试指标数值")
    artists = Metric.objects.get(activity_type__key="caifeng", key="artists")
    for _ in range(3):
        value.objects.create(target=artists)
    metric_removed = edited(
        linyi_text,
        (
            'key = "artists"\nname = "参与文艺工作者"\nunit = "人"\ntype = "integer"\n'
            "required = true\n\n[[activity_types.metrics]]\n",
            "",
        ),
    )
    type_removed = without(linyi_text, CAIFENG, PEIXUN)

    with pytest.raises(CampaignFileError) as metric_error:
        load_campaign_file(write_file(metric_removed))
    with pytest.raises(CampaignFileError) as type_error:
        load_campaign_file(write_file(type_removed))

    assert metric_error.value.problems == [
        "linyi-2014.toml: activity_types.caifeng.metrics.artists: "
        "不能删除：已有 3 条测试指标数值引用它"
    ]
    assert type_error.value.problems == [
        "linyi-2014.toml: activity_types.caifeng: 不能删除：已有 3 条测试指标数值引用它"
    ]
    assert value.objects.count() == 3
    assert Metric.objects.filter(pk=artists.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_removing_several_parts_with_dependents_lists_every_refusal(
    dependent_model, linyi_text, write_file
):
    load_campaign_file(write_file(linyi_text))
    activity = dependent_model(ActivityType, models.SET_NULL, "测试活动记录")
    report = dependent_model(Stage, models.PROTECT, "测试月报")
    activity.objects.create(target=ActivityType.objects.get(key="zhanshi"))
    report.objects.create(target=Stage.objects.get(key="biaozhang"))
    text = without(linyi_text, ZHANSHI, CATEGORIES)
    text = without(
        text,
        '[[stages]]\nkey = "biaozhang"',
        "# ---------------------------------------------------------------------------\n# 四类活动",
    )

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(text))

    assert error.value.problems == [
        "linyi-2014.toml: stages.biaozhang: 不能删除：已有 1 条测试月报引用它",
        "linyi-2014.toml: activity_types.zhanshi: 不能删除：已有 1 条测试活动记录引用它",
    ]


@pytest.mark.django_db(transaction=True)
def test_removing_parent_category_after_moving_its_subcategories_is_allowed(
    dependent_model, linyi_text, write_file
):
    load_campaign_file(write_file(linyi_text))
    work = dependent_model(WorkCategory, models.PROTECT, "测试作品")
    xiaoshuo = WorkCategory.objects.get(key="xiaoshuo")
    work.objects.create(target=xiaoshuo)
    text = linyi_text.replace('parent = "wenxue"', 'parent = "wenzi"')
    text = edited(text, ('key = "wenxue"\nname = "文学"', 'key = "wenzi"\nname = "文字作品"'))

    result = load_campaign_file(write_file(text))

    assert WorkCategory.objects.get(key="xiaoshuo").pk == xiaoshuo.pk
    assert WorkCategory.objects.get(key="xiaoshuo").parent.key == "wenzi"
    assert not WorkCategory.objects.filter(key="wenxue").exists()
    assert "work_categories.xiaoshuo.parent: wenxue → wenzi" in result.changes
    assert result.changes[-1] == "work_categories.wenxue: 删除"


# -- another campaign, and loading a directory ------------------------------------


def test_second_campaign_loads_without_code_change(db):
    city = OrgUnitFactory(code="370100", name="济南市", kind=UnitKind.CITY)
    district = OrgUnitFactory(parent=city, code="370102", name="历下区", kind=UnitKind.DISTRICT)
    OrgUnitFactory(parent=district, code="370102001", name="某街道", kind=UnitKind.OTHER)
    load_campaign_file(LINYI)

    result = load_campaign_file(JINAN)

    jinan = result.campaign
    assert result.status == LoadStatus.CREATED
    assert (jinan.year, jinan.owner_unit_code, jinan.participant_depth) == (2016, "370100", 2)
    assert {t.key: t.min_per_year for t in jinan.activity_types.all()} == {
        "caifeng": 2,
        "peixun": 6,
        "yanchu": 3,
        "zhanlan": 2,
        "bisai": 1,
    }
    venue = Metric.objects.get(activity_type__campaign=jinan, key="venue")
    assert (venue.value_type, venue.choices) == (
        "choice",
        ["企业车间", "街道社区", "工人文化宫", "其他"],
    )
    assert Metric.objects.get(activity_type__campaign=jinan, key="hours").value_type == "decimal"
    guti = WorkCategory.objects.get(campaign=jinan, key="guti")
    assert (guti.parent.key, guti.parent.parent.key) == ("shige", "wenxue")
    assert LeadingGroup.objects.get(campaign=jinan).unit == city
    assert Campaign.objects.count() == 2
    assert Stage.objects.filter(campaign__slug="linyi-2014").count() == 4


def test_load_all_loads_every_toml_directly_in_the_folder(tmp_path, linyi_text):
    (tmp_path / "linyi-2014.toml").write_text(linyi_text, encoding="utf-8")
    (tmp_path / "jinan-2016.toml").write_bytes(JINAN.read_bytes())
    (tmp_path / "README.txt").write_text("not a campaign", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "broken.toml").write_text("[campaign", encoding="utf-8")

    results = load_all(tmp_path)

    assert [(r.campaign.slug, r.status) for r in results] == [
        ("jinan-2016", LoadStatus.CREATED),
        ("linyi-2014", LoadStatus.CREATED),
    ]
    assert [r.status for r in load_all(tmp_path)] == [LoadStatus.UNCHANGED] * 2


def test_load_all_loads_nothing_when_a_file_is_bad(tmp_path, linyi_text):
    (tmp_path / "linyi-2014.toml").write_text(linyi_text, encoding="utf-8")
    (tmp_path / "other.toml").write_text("[campaign]\n", encoding="utf-8")

    with pytest.raises(CampaignFileError) as error:
        load_all(tmp_path)

    assert error.value.problems[0] == "other.toml: campaign.slug: 缺少必填项"
    assert Campaign.objects.count() == 0


def test_load_all_loads_the_shipped_campaigns():
    results = load_all(settings.CAMPAIGNS_DIR)

    assert [r.campaign.slug for r in results] == ["linyi-2014"]


def test_load_all_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CampaignFileError) as error:
        load_all(tmp_path / "campaigns")

    assert error.value.problems == [f"{tmp_path / 'campaigns'}: 目录: 不存在或不是目录"]

"""Dossiers of units and people for the unit and person rounds, and the declared
formula over a unit's indicators (issue 12, point 8).

The 2014 campaign on 16 September 2014 (two months of the July–October implementation
stage complete, two to go: a minimum of 4 is on track from 2 verified activities):

    county_a (兰山区)   caifeng 4 verified · peixun 2 verified, 1 submitted, 1 draft ·
    └ enterprise_a      weiwen 1 verified at county_a and 1 at enterprise_a · zhanshi none
    county_b (罗庄区)   weiwen 1 verified · zhanshi 1 verified

Every expected figure below is worked out by hand from that data.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import OrgUnitFactory, PersonFactory
from wenyi.campaigns import services as campaign_services
from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import UnitKind
from wenyi.reporting import deadlines
from wenyi.reporting import services as report_services
from wenyi.reporting.enums import ItemOutcome, ReportKind
from wenyi.reporting.models import Report
from wenyi.review.dossiers import INDICATORS, available_indicators, person_dossiers, unit_dossiers
from wenyi.review.formula import formula_scores, indicator_score
from wenyi.works import services as work_services
from wenyi.works.models import Match, Work

D = datetime.date
TODAY = D(2014, 9, 16)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
JULY, AUGUST = D(2014, 7, 1), D(2014, 8, 1)
POEM = "车间里的灯火彻夜通明，机床的歌声唱响黎明。工友们的汗水浇灌钢铁。"
FORMULA = {"quota_completion": 40, "report_timeliness": 20, "works": 20, "audience": 20}


@pytest.fixture(autouse=True)
def _today(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.WENYI_TODAY = TODAY


# -- building the campaign's data through the services ----------------------------------------


def send(actor, campaign, unit, kind, period, day: datetime.date) -> Report:
    """A report filled in and submitted, then dated `day` at 10:00 (the services stamp
    the clock; timeliness is read from the stored first submission)."""
    report = report_services.open_report(actor, campaign, unit, kind, period)
    items = lines = None
    if kind in (ReportKind.UNIT_PLAN, ReportKind.MONTHLY_PLAN):
        items = [{"type": campaign.activity_types.first(), "title": "采风", "place": "某厂"}]
    elif kind == ReportKind.MONTHLY_PROGRESS:
        plan = report_services.plan_for(report)
        lines = [{"item": i, "outcome": ItemOutcome.DONE} for i in plan.items.all()]
    text = "总结：全年开展活动八次。" if kind == ReportKind.SUMMARY else "情况"
    report = report_services.save_report(
        actor, report, version=report.version, text=text, items=items, lines=lines
    )
    report = report_services.submit_report(actor, report)
    at = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    Report.objects.filter(pk=report.pk).update(
        first_submitted_at=at, on_time=deadlines.is_on_time(report.due, at)
    )
    return report


def work(campaign, actor, unit, author, key, *, status="submitted") -> Work:
    made = work_services.create_work(
        actor,
        campaign=campaign,
        category=campaign.work_categories.get(key=key),
        unit=unit,
        title=f"{key}-{author.name}-{Work.objects.count()}",
        authors=[author],
        text=POEM if key == "shici" else "",
    )
    Work.objects.filter(pk=made.pk).update(status=status)
    return made


@pytest.fixture
def zhao(artist):
    return artist.person  # 赵文艺 at county_a


@pytest.fixture
def qian(county_b):
    return PersonFactory(unit=county_b, name="钱师傅")


@pytest.fixture
def data(
    linyi,
    record,
    office,
    coordinator_a,
    coordinator_b,
    county_a,
    county_b,
    enterprise_a,
    zhao,
    qian,
):
    """The campaign's data as the module docstring draws it."""
    a, b = coordinator_a, coordinator_b
    caifeng = [
        record(a, county_a, "caifeng", status="verified", values={"artists": 3, "works": 2})
        for _n in range(4)
    ]
    caifeng[0].participants.add(qian)
    record(
        a,
        county_a,
        "peixun",
        status="verified",
        values={"trainees": 30, "sessions": 1},
        participants=[zhao, qian],
    )
    record(
        a,
        county_a,
        "peixun",
        status="verified",
        values={"trainees": 50, "sessions": 2},
        participants=[zhao],
    )
    # not verified: counted nowhere
    record(
        a, county_a, "peixun", status="submitted", values={"trainees": 1000}, participants=[zhao]
    )
    record(a, county_a, "peixun", values={"trainees": 500}, participants=[zhao])
    record(a, county_a, "weiwen", status="verified", values={"shows": 3, "audience": 500})
    record(a, enterprise_a, "weiwen", status="verified", values={"shows": 1, "audience": 100})
    record(
        b,
        county_b,
        "weiwen",
        status="verified",
        values={"shows": 2, "audience": 1200},
        participants=[zhao],
    )
    record(b, county_b, "zhanshi", status="verified", values={"events": 2, "audience": 300})

    # monthly reports due by 16 September: July's plan and progress, August's plan and
    # progress, September's plan. county_a: 2 on time, 1 late, 2 missing; county_b: 1
    # on time, 4 missing. county_a's late campaign plan is no monthly report.
    send(a, linyi, county_a, ReportKind.MONTHLY_PLAN, JULY, D(2014, 7, 3))
    send(a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, JULY, D(2014, 8, 2))
    send(a, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST, D(2014, 8, 4))
    send(a, linyi, county_a, ReportKind.UNIT_PLAN, JULY, D(2014, 8, 10))
    send(b, linyi, county_b, ReportKind.MONTHLY_PLAN, JULY, D(2014, 7, 5))
    send(a, linyi, county_a, ReportKind.SUMMARY, D(2014, 10, 1), D(2014, 9, 16))

    campaign_services.save_leading_group(
        a,
        linyi,
        county_a,
        version=None,
        name="兰山区活动领导小组",
        office_location="兰山区总工会",
        members=[
            {"name": "甲组长", "role": "leader"},
            {"name": "乙副组长", "role": "deputy"},
            {"name": "丙成员", "role": "member"},
        ],
    )

    # county_a's subtree: 2 poems and a photograph eligible; a draft and a disqualified
    # poem not. county_b: a photograph eligible, a withdrawn one not.
    first = work(linyi, a, county_a, zhao, "shici")
    work(linyi, a, enterprise_a, PersonFactory(unit=enterprise_a), "shici")
    work(linyi, a, county_a, PersonFactory(unit=county_a), "sheying")
    work(linyi, a, county_a, zhao, "shici", status="draft")
    copied = work(linyi, a, county_a, zhao, "shici")
    Match.objects.create(work=copied, other=first, kind="text", status="disqualified")
    work(linyi, b, county_b, qian, "sheying")
    work(linyi, b, county_b, qian, "sheying", status="withdrawn")
    return linyi


# -- a unit's dossier ----------------------------------------------------------------------------


def test_unit_dossier_quota_counts_verified_activities_of_the_subtree(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    a = dossiers[county_a.pk]
    got = [(q.type_key, q.verified, q.minimum, q.status, q.completion) for q in a.quota]
    assert got == [
        ("caifeng", 4, 4, "met", Decimal(1)),
        ("peixun", 2, 4, "on_track", Decimal("0.5")),
        ("weiwen", 2, 4, "on_track", Decimal("0.5")),  # one of them at enterprise_a
        ("zhanshi", 0, 4, "behind", Decimal(0)),
    ]
    assert [q.status_label for q in a.quota] == ["已达标", "进度正常", "进度正常", "进度落后"]
    assert [q.percent for q in a.quota] == [100, 50, 50, 0]
    b = dossiers[county_b.pk]
    assert [(q.verified, q.status) for q in b.quota] == [
        (0, "behind"),
        (0, "behind"),
        (1, "behind"),
        (1, "behind"),
    ]


def test_unit_dossier_status_is_the_quota_page_s(data, county_a, county_b):
    from wenyi.activities.queries import quota_matrix

    rows = quota_matrix(data, [county_a, county_b], TODAY)
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    for row in rows:
        lines = dossiers[row.unit.pk].quota
        assert [q.status for q in lines] == [c.status for c in row.cells]
        assert [q.verified for q in lines] == [c.count for c in row.cells]


def test_unit_dossier_sums_every_numeric_metric_with_the_file_s_names(data, county_a, county_b):
    a = unit_dossiers(data, [county_a], TODAY)[county_a.pk]
    got = {(m.type_key, m.metric_key): (m.metric_name, m.unit, m.total) for m in a.metrics}
    assert got == {
        ("caifeng", "artists"): ("参与文艺工作者", "人", Decimal(12)),
        ("caifeng", "works"): ("创作作品", "件", Decimal(8)),
        ("peixun", "trainees"): ("培训辅导人次", "人次", Decimal(80)),  # not 1000 nor 500
        ("peixun", "sessions"): ("培训场次", "场", Decimal(3)),
        ("weiwen", "shows"): ("演出场次", "场", Decimal(4)),
        ("weiwen", "audience"): ("受众人数", "人次", Decimal(600)),
        ("zhanshi", "events"): ("展示展演场次", "场", Decimal(0)),
        ("zhanshi", "works_shown"): ("展出作品", "件", Decimal(0)),
        ("zhanshi", "audience"): ("观众人数", "人次", Decimal(0)),
    }
    assert [str(m.total) for m in a.metrics][:3] == ["12", "8", "80"]  # not "12.00"
    # text metrics (活动效果, 社会影响) are no totals
    assert "effect" not in {m.metric_key for m in a.metrics}


def test_unit_dossier_counts_eligible_works_of_the_subtree_per_art_form(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    a, b = dossiers[county_a.pk], dossiers[county_b.pk]
    assert [(w.key, w.name, w.count) for w in a.works] == [
        ("shici", "文学 · 诗词（诗歌）", 2),
        ("sheying", "摄影", 1),
    ]
    assert a.works_total == 3  # not the draft, not the disqualified poem
    assert [(w.key, w.count) for w in b.works] == [("sheying", 1)]  # not the withdrawn
    assert b.works_total == 1


def test_unit_dossier_monthly_report_timeliness(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    a = dossiers[county_a.pk].monthly_reports
    assert (a.expected, a.submitted, a.on_time, a.late, a.missing) == (5, 3, 2, 1, 2)
    assert (a.completeness, a.timeliness) == (Decimal("0.6"), Decimal("0.4"))
    b = dossiers[county_b.pk].monthly_reports
    assert (b.expected, b.submitted, b.on_time, b.late, b.missing) == (5, 1, 1, 0, 4)


def test_unit_dossier_summary_report(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    summary = dossiers[county_a.pk].summary
    report = Report.objects.get(unit=county_a, kind=ReportKind.SUMMARY)
    assert summary.report_id == report.pk
    assert summary.url == f"/reports/{report.pk}/"
    assert (summary.status, summary.status_label) == ("submitted", "已提交")
    assert (summary.submitted, summary.on_time, summary.due) == (True, True, D(2014, 10, 15))
    # 总结 全年开展活动八次: 10 characters, punctuation not counted; 3,000 asked for
    assert (summary.chars, summary.target, summary.length_status) == (10, 3000, "short")
    none = dossiers[county_b.pk].summary
    assert (none.report_id, none.url, none.status, none.submitted) == (None, "", "", False)
    assert none.chars == 0


def test_unit_dossier_leading_group(data, county_a, county_b, city):
    dossiers = unit_dossiers(data, [city, county_a, county_b], TODAY)
    group = dossiers[county_a.pk].leading_group
    assert (group.registered, group.name, group.members, group.leaders) == (
        True,
        "兰山区活动领导小组",
        3,
        ["甲组长"],
    )
    assert dossiers[county_b.pk].leading_group.registered is False
    assert dossiers[county_b.pk].leading_group.members == 0
    # the city's group comes from the campaign file: 王向群 leads, two deputies
    assert dossiers[city.pk].leading_group.members == 3
    assert dossiers[city.pk].leading_group.leaders == ["王向群"]


def test_unit_dossier_of_a_unit_above_others_counts_them_all(data, city, county_a, county_b):
    dossiers = unit_dossiers(data, [city, county_a, county_b], TODAY)
    above = dossiers[city.pk]
    assert [q.verified for q in above.quota] == [4, 2, 3, 1]
    # judged by its counties: the share of them that met each minimum
    assert [q.completion for q in above.quota] == [Decimal("0.5"), 0, 0, 0]
    assert [q.status for q in above.quota] == ["behind"] * 4
    assert above.works_total == 4
    assert {m.key: m.total for m in above.metrics}["weiwen.audience"] == 1800
    reports = above.monthly_reports
    assert (reports.expected, reports.submitted, reports.on_time) == (10, 4, 3)
    assert above.summary.report_id is None  # the city writes no summary of its own


def test_unit_dossier_indicators(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    a, b = dossiers[county_a.pk].indicators, dossiers[county_b.pk].indicators
    assert a["quota_completion"] == Decimal("0.5")  # (1 + 0.5 + 0.5 + 0) / 4
    assert b["quota_completion"] == Decimal("0.125")  # (0 + 0 + 0.25 + 0.25) / 4
    assert (a["activities"], b["activities"]) == (8, 2)
    assert (a["report_timeliness"], b["report_timeliness"]) == (Decimal("0.4"), Decimal("0.2"))
    assert (a["report_completeness"], b["report_completeness"]) == (
        Decimal("0.6"),
        Decimal("0.2"),
    )
    assert (a["works"], b["works"]) == (3, 1)
    assert (a["peixun"], a["weiwen"]) == (2, 2)
    assert a["peixun.trainees"] == 80
    # "audience": 慰问演出 受众人数 + 展示展演 观众人数
    assert (a["audience"], b["audience"]) == (600, 1500)


def test_available_indicators_come_from_the_file(linyi):
    with translation.override("en"):
        labels = available_indicators(linyi)
    assert list(labels)[: len(INDICATORS)] == list(INDICATORS)
    assert labels["quota_completion"] == "Quota completion"
    assert labels["peixun"] == "培训辅导: verified activities"
    assert labels["peixun.trainees"] == "培训辅导: 培训辅导人次 (人次)"
    assert labels["trainees"] == "培训辅导: 培训辅导人次 (人次)"
    assert labels["audience"] == "受众人数 + 观众人数, all activity types"
    # the fixed "works" (eligible works) wins over 采风创作's metric "works"
    assert labels["works"] == "Eligible works"
    assert labels["caifeng.works"] == "采风创作: 创作作品 (件)"
    assert "effect" not in labels and "caifeng.effect" not in labels
    assert list(labels)[len(INDICATORS) : len(INDICATORS) + 4] == [
        "caifeng",
        "peixun",
        "weiwen",
        "zhanshi",
    ]


def test_unit_dossier_is_plain_values(data, county_a):
    exported = unit_dossiers(data, [county_a], TODAY)[county_a.pk].as_dict()
    assert exported["name"] == "兰山区"
    assert exported["leading_group"]["members"] == 3
    assert exported["quota"][0]["type_name"] == "采风创作"


# -- a person's dossier --------------------------------------------------------------------------


def test_person_dossier_activities_joined(data, zhao, qian):
    dossiers = person_dossiers(data, [zhao, qian])
    mine = dossiers[zhao.pk]
    # verified only: not the submitted nor the draft training
    assert sorted(line.type_key for line in mine.activities) == ["peixun", "peixun", "weiwen"]
    assert {line.unit_name for line in mine.activities} == {"兰山区", "罗庄区"}
    assert [(t.type_key, t.count) for t in mine.activities_by_type] == [
        ("caifeng", 0),
        ("peixun", 2),
        ("weiwen", 1),
        ("zhanshi", 0),
    ]
    assert [(t.type_key, t.count) for t in dossiers[qian.pk].activities_by_type] == [
        ("caifeng", 1),
        ("peixun", 1),
        ("weiwen", 0),
        ("zhanshi", 0),
    ]


def test_person_dossier_trainees_and_other_metrics(data, zhao, qian):
    dossiers = person_dossiers(data, [zhao, qian])
    mine = {m.key: m.total for m in dossiers[zhao.pk].metrics if m.total}
    # 30 + 50 trainees coached; the shared training counts whole for each participant
    assert mine == {
        "peixun.trainees": 80,
        "peixun.sessions": 3,
        "weiwen.shows": 2,
        "weiwen.audience": 1200,
    }
    theirs = {m.key: m.total for m in dossiers[qian.pk].metrics if m.total}
    assert theirs == {
        "caifeng.artists": 3,
        "caifeng.works": 2,
        "peixun.trainees": 30,
        "peixun.sessions": 1,
    }
    trainees = next(m for m in dossiers[zhao.pk].metrics if m.key == "peixun.trainees")
    assert (trainees.metric_name, trainees.unit) == ("培训辅导人次", "人次")


def test_person_dossier_works_by_art_form_and_status(data, zhao, qian):
    dossiers = person_dossiers(data, [zhao.pk, qian.pk])
    mine = dossiers[zhao.pk]
    assert sorted((w.status, w.eligible) for w in mine.works) == [
        ("draft", False),
        ("submitted", False),  # disqualified as a copy
        ("submitted", True),
    ]
    assert {w.art_form for w in mine.works} == {"文学 · 诗词（诗歌）"}
    assert [(w.name, w.count) for w in mine.works_by_art_form] == [("文学 · 诗词（诗歌）", 1)]
    assert mine.eligible_works == 1
    assert [(s.status, s.label, s.count) for s in mine.works_by_status] == [
        ("draft", "草稿", 1),
        ("submitted", "已提交", 2),
        ("withdrawn", "已撤回", 0),
    ]
    theirs = dossiers[qian.pk]
    assert [(s.status, s.count) for s in theirs.works_by_status] == [
        ("draft", 0),
        ("submitted", 1),
        ("withdrawn", 1),
    ]
    assert [(w.name, w.count) for w in theirs.works_by_art_form] == [("摄影", 1)]


def test_person_dossier_of_someone_with_nothing(data, county_b):
    nobody = PersonFactory(unit=county_b, name="孙无事")
    dossier = person_dossiers(data, [nobody])[nobody.pk]
    assert (dossier.name, dossier.unit_name) == ("孙无事", "罗庄区")
    assert dossier.activities == [] and dossier.works == []
    assert all(m.total == 0 for m in dossier.metrics)
    assert all(t.count == 0 for t in dossier.activities_by_type)


# -- a constant number of queries ----------------------------------------------------------------


def _fresh(campaign) -> Campaign:
    """The campaign read again: nothing cached on it (its owner unit)."""
    return Campaign.objects.get(pk=campaign.pk)


def test_unit_dossiers_take_the_same_queries_for_2_and_10_units(
    linyi, record, office, city, django_assert_num_queries
):
    units = [
        OrgUnitFactory(parent=city, code=f"3713{n + 20}", kind=UnitKind.COUNTY) for n in range(10)
    ]
    for n, unit in enumerate(units):
        record(office, unit, "weiwen", status="verified", values={"shows": 1, "audience": n})
        send(office, linyi, unit, ReportKind.MONTHLY_PLAN, JULY, D(2014, 7, 3))
        send(office, linyi, unit, ReportKind.SUMMARY, D(2014, 10, 1), D(2014, 9, 1))
        work(linyi, office, unit, PersonFactory(unit=unit), "sheying")
        campaign_services.save_leading_group(
            office,
            linyi,
            unit,
            version=None,
            name=f"领导小组{n}",
            office_location="总工会",
            members=[{"name": f"组长{n}", "role": "leader"}],
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = _fresh(linyi)
    with CaptureQueriesContext(connection) as two:
        unit_dossiers(campaign, units[:2], TODAY)
    campaign = _fresh(linyi)
    with django_assert_num_queries(len(two.captured_queries)):
        dossiers = unit_dossiers(campaign, units, TODAY)
    assert len(dossiers) == 10
    assert [d.works_total for d in dossiers.values()] == [1] * 10
    assert [d.leading_group.members for d in dossiers.values()] == [1] * 10


def test_person_dossiers_take_the_same_queries_for_2_and_10_people(
    linyi, record, office, county_a, django_assert_num_queries
):
    people = [PersonFactory(unit=county_a) for _n in range(10)]
    for person in people:
        record(office, county_a, "peixun", status="verified", participants=[person])
        work(linyi, office, county_a, person, "sheying")
    campaign = _fresh(linyi)
    with django_assert_num_queries(7):
        person_dossiers(campaign, people[:2])
    campaign = _fresh(linyi)
    with django_assert_num_queries(7):
        dossiers = person_dossiers(campaign, people)
    assert [d.activities_by_type[1].count for d in dossiers.values()] == [1] * 10
    assert [len(d.works) for d in dossiers.values()] == [1] * 10


# -- the formula ---------------------------------------------------------------------------------


def test_formula_scores_are_max_normalised_by_hand(data, county_a, county_b):
    scores = formula_scores(unit_dossiers(data, [county_a, county_b], TODAY), FORMULA)
    # quota completion 0.5 | 0.125 (max 0.5); timeliness 0.4 | 0.2 (max 0.4);
    # works 3 | 1 (max 3); audience 600 | 1500 (max 1500)
    a_score, a_terms = scores[county_a.pk]
    labels = available_indicators(data)
    assert [t.as_tuple() for t in a_terms] == [
        (labels["quota_completion"], Decimal("0.5"), 40, Decimal("40.00")),
        (labels["report_timeliness"], Decimal("0.4"), 20, Decimal("20.00")),
        (labels["works"], 3, 20, Decimal("20.00")),
        (labels["audience"], 600, 20, Decimal("8.00")),
    ]
    assert a_score == Decimal("88.00")
    b_score, b_terms = scores[county_b.pk]
    assert [t.contribution for t in b_terms] == [
        Decimal("10.00"),  # 40 × 0.125 / 0.5
        Decimal("10.00"),  # 20 × 0.2 / 0.4
        Decimal("6.67"),  # 20 × 1 / 3
        Decimal("20.00"),
    ]
    assert b_score == Decimal("46.67")
    works = b_terms[2]
    assert (works.key, works.value, works.maximum, works.weight) == ("works", 1, 3, 20)
    assert works.normalised * 3 == pytest.approx(1)


def test_indicator_score_alone_is_a_round_of_one(data, county_b):
    dossier = unit_dossiers(data, [county_b], TODAY)[county_b.pk]
    score, terms = indicator_score(dossier, {"works": 10, "caifeng": 5})
    # its own works are the round's maximum; it has no 采风创作 at all
    assert [t.contribution for t in terms] == [Decimal("10.00"), Decimal("0.00")]
    assert score == Decimal("10.00")


def test_unknown_formula_key_is_refused(data, county_a, county_b):
    dossiers = unit_dossiers(data, [county_a, county_b], TODAY)
    with pytest.raises(ValidationError) as refused:
        formula_scores(dossiers, {"quota_completion": 50, "popularity": 50})
    message = refused.value.messages[0]
    assert "popularity" in message
    assert "quota_completion" in message  # the known keys are listed


@pytest.mark.parametrize(
    "formula",
    [{}, {"works": -1}, {"works": "many"}, {"works": True}, {"works": 0, "audience": 0}],
)
def test_bad_formula_is_refused(data, county_a, formula):
    dossiers = unit_dossiers(data, [county_a], TODAY)
    with pytest.raises(ValidationError):
        formula_scores(dossiers, formula)

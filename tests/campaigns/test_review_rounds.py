"""The campaign file's `[[review_rounds]]`: checked with the rest of the file (every
problem named by its path, in Chinese), loaded as draft rounds through the review app's
registered section, idempotent on reload, and never changing a round that has opened."""

import datetime

import pytest

from tests.campaigns.conftest import FULL, LINYI, edited
from wenyi.campaigns.campaign_file import TOP_LEVEL, check_campaign_file
from wenyi.campaigns.enums import TIE_BREAKS, AggregationMethod
from wenyi.campaigns.loader import CampaignFileError, LoadStatus, load_campaign_file
from wenyi.core.models import AuditEntry
from wenyi.review import aggregate
from wenyi.review.models import Criterion, Entry, Round

pytestmark = pytest.mark.django_db

ZHUANXIANG = """
[[review_rounds]]
key = "zhuanxiang"
name = "摄影专项"
subject = "works"
art_forms = ["sheying"]
opens = 2014-11-01
closes = 2014-11-20
kind = "scoring"

[[review_rounds.criteria]]
key = "goutu"
name = "构图"
maximum = 50
"""


def _problems(write_file, text):
    with pytest.raises(CampaignFileError) as error:
        check_campaign_file(write_file(text))
    return error.value.problems


def test_the_file_vocabulary_is_the_aggregation_engines():
    assert set(TIE_BREAKS) == set(aggregate.TIE_BREAK_KEYS)
    assert tuple(AggregationMethod.values) == aggregate.METHODS
    assert "review_rounds" in TOP_LEVEL


def test_linyi_and_full_example_rounds_pass_the_check():
    linyi = check_campaign_file(LINYI).definition["review_rounds"]
    full = check_campaign_file(FULL).definition["review_rounds"]

    assert [r["key"] for r in linyi] == ["chuping", "fuping", "danwei", "geren", "wenyigongzuozhe"]
    assert [(r["key"], r["source"], r["advance"]) for r in full if r["source"]] == [
        ("fushen", "chushen", "passed"),
        ("zhongshen", "fushen", "top_k"),
        ("yinyue_juping", "yinyue", "above"),
    ]


def test_bad_rounds_are_named_by_their_path(linyi_text, write_file):
    text = linyi_text + ZHUANXIANG.replace(
        'art_forms = ["sheying"]', 'art_forms = ["dianying"]\npass_with = 2'
    ).replace("maximum = 50", 'maximum = 0\nweight = -1\nart_form = "shici"')
    text = edited(
        text,
        ('kind = "approval"                        # 通过 / 不通过', 'kind = "vote"'),
        (
            "opens = 2014-11-12\ncloses = 2014-11-25\nblind = true",
            "opens = 2014-11-12\ncloses = 2014-12-05\nblind = true",
        ),
        ('source = "chuping"', 'source = "zhongping"'),
    )

    assert _problems(write_file, text) == [
        "linyi-2014.toml: review_rounds[1].kind: 应为 approval、scoring、ranking 之一",
        "linyi-2014.toml: review_rounds[6].criteria[1].weight: 应大于 0",
        "linyi-2014.toml: review_rounds[6].criteria[1].maximum: 应大于 0",
        "linyi-2014.toml: review_rounds[2].closes: "
        "应在评审阶段「推荐评审」（2014-10-01 至 2014-11-30）之内",
        "linyi-2014.toml: review_rounds[2].source: 没有 key 为「zhongping」的评审轮次",
        "linyi-2014.toml: review_rounds[6].art_forms[1]: 没有 key 为「dianying」的作品类别",
        'linyi-2014.toml: review_rounds[6].pass_with: 只适用于 kind = "approval" 的轮次',
        "linyi-2014.toml: review_rounds[6].criteria[1].art_form: 「shici」不在本轮的作品类别 "
        "art_forms 之内",
    ]


@pytest.mark.parametrize(
    ("replace", "problem"),
    [
        (
            ('advance = "passed"                       # 初评通过的作品进入复评\n', ""),
            "review_rounds[2].advance: 有来源轮次（source）时必须写明晋级规则",
        ),
        (
            ('advance = "passed"', 'advance = "top_k"'),
            'review_rounds[2].advance: approval 轮次不排名次，应为 "passed"',
        ),
        (
            ('advance = "passed"', 'advance = "above"'),
            'review_rounds[2].advance_above: advance = "above" 时必填',
        ),
        (
            (
                "opens = 2014-11-12\ncloses = 2014-11-25\nblind = true",
                "opens = 2014-11-05\ncloses = 2014-11-25\nblind = true",
            ),
            "review_rounds[2].opens: 早于来源轮次「chuping」的截止日期 2014-11-10",
        ),
        (
            (
                "pass_with = 2                            # 3 位专家中 2 位同意即通过（暂定）",
                "pass_with = 4",
            ),
            "review_rounds[1].pass_with: 大于每件的评审人数 reviewers_per_item（4 > 3）",
        ),
        (
            ('kind = "ranking"', 'kind = "scoring"'),
            "review_rounds[5].criteria: 评分轮次至少要有一项评分标准（[[review_rounds.criteria]]）",
        ),
        (
            ('method = "median"', 'method = "median"\ntie_break = ["normalised"]'),
            'review_rounds[5].tie_break[1]: "normalised" 只适用于 method = "zscore"',
        ),
        (
            ('method = "median"', 'method = "median"\nconsistency_share = 1.5'),
            "review_rounds[5].consistency_share: 不能大于 1",
        ),
        (
            (
                'key = "danwei"\nname = "优秀组织单位评审"',
                'key = "fuping"\nname = "优秀组织单位评审"',
            ),
            "review_rounds[3].key: 重复的 key「fuping」（与 review_rounds[2] 相同）",
        ),
    ],
    ids=[
        "source-without-advance",
        "top-k-after-approval",
        "above-without-score",
        "opens-before-source-closes",
        "k-above-r",
        "scoring-without-criteria",
        "normalised-without-zscore",
        "share-above-one",
        "duplicate-key",
    ],
)
def test_bad_round_rules(linyi_text, write_file, replace, problem):
    problems = _problems(write_file, edited(linyi_text, replace))

    assert f"linyi-2014.toml: {problem}" in problems


def test_a_source_round_must_come_first(linyi_text, write_file):
    text = edited(linyi_text, ('source = "chuping"', 'source = "danwei"'))

    assert _problems(write_file, text) == [
        "linyi-2014.toml: review_rounds[2].source: 来源轮次「danwei」应写在本轮之前"
    ]


# -- loading ---------------------------------------------------------------------------


def _rows():
    return (
        list(Round.objects.order_by("pk").values()),
        list(Criterion.objects.order_by("pk").values()),
    )


def test_reload_changes_no_round_and_writes_no_audit(linyi_text, write_file):
    path = write_file(linyi_text)
    load_campaign_file(path)
    before, entries = _rows(), AuditEntry.objects.count()

    result = load_campaign_file(path)

    assert result.status == LoadStatus.UNCHANGED
    assert _rows() == before
    assert AuditEntry.objects.count() == entries


def test_a_draft_round_is_updated_in_place(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    fuping = Round.objects.get(key="fuping")
    text = edited(
        linyi_text,
        (
            'reviewers_per_item = 5\nmethod = "trimmed"',
            'reviewers_per_item = 7\nmethod = "trimmed"',
        ),
        ('name = "职工特色"', 'name = "职工特色与生活气息"'),
    )

    result = load_campaign_file(write_file(text))

    assert result.changes[1:] == [
        "review_rounds.fuping.reviewers_per_item: 5 → 7",
        "review_rounds.fuping.criteria.tese.name: 职工特色 → 职工特色与生活气息",
    ]
    fuping.refresh_from_db()
    assert (fuping.pk, fuping.reviewers_per_item, fuping.version) == (fuping.pk, 7, 2)


def test_an_opened_round_is_never_changed_by_a_reload(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    Round.objects.filter(key="chuping").update(status="open")
    before = Round.objects.filter(key="chuping").values().get()
    text = edited(
        linyi_text,
        (
            "pass_with = 2                            # 3 位专家中 2 位同意即通过（暂定）",
            "pass_with = 1",
        ),
    )

    result = load_campaign_file(write_file(text))

    assert Round.objects.filter(key="chuping").values().get() == before
    assert "review_rounds.chuping: 已开始评审，轮次定义已冻结，文件中的修改未载入" in result.notes
    assert not any("chuping" in line for line in result.changes)


def test_a_round_gone_from_the_file_is_deleted_while_a_draft(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    start = linyi_text.index('[[review_rounds]]\nkey = "wenyigongzuozhe"')

    result = load_campaign_file(write_file(linyi_text[:start]))

    assert "review_rounds.wenyigongzuozhe: 删除" in result.changes
    assert not Round.objects.filter(key="wenyigongzuozhe").exists()


def test_a_round_with_entries_is_not_deleted(linyi_text, write_file, city, county_a):
    load_campaign_file(write_file(linyi_text))
    Entry.objects.create(round=Round.objects.get(key="danwei"), unit=county_a, code="0001")
    start = linyi_text.index('[[review_rounds]]\nkey = "danwei"')
    end = linyi_text.index('[[review_rounds]]\nkey = "geren"')

    with pytest.raises(CampaignFileError) as error:
        load_campaign_file(write_file(linyi_text[:start] + linyi_text[end:]))

    (problem,) = error.value.problems  # "… 不能删除：已有 1 条评审条目引用它"
    assert problem.startswith("linyi-2014.toml: review_rounds.danwei: 不能删除：已有 1 条")
    assert Round.objects.filter(key="danwei").exists()


def test_an_opened_round_gone_from_the_file_stays(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    Round.objects.filter(key="wenyigongzuozhe").update(status="closed")
    start = linyi_text.index('[[review_rounds]]\nkey = "wenyigongzuozhe"')

    result = load_campaign_file(write_file(linyi_text[:start]))

    assert Round.objects.filter(key="wenyigongzuozhe").exists()
    assert "review_rounds.wenyigongzuozhe: 已开始评审，文件中已没有这一轮，仍保留" in result.notes


def test_a_round_made_in_the_application_is_left_alone(linyi_text, write_file):
    first = load_campaign_file(write_file(linyi_text))
    Round.objects.create(
        campaign=first.campaign,
        key="zhuanxiang",
        name="办公室建立的专项",
        subject="works",
        kind="approval",
        opens=datetime.date(2014, 11, 1),
        closes=datetime.date(2014, 11, 5),
    )

    again = load_campaign_file(write_file(linyi_text + ZHUANXIANG))
    load_campaign_file(write_file(linyi_text))

    round_ = Round.objects.get(key="zhuanxiang")
    assert (round_.name, round_.from_file) == ("办公室建立的专项", False)
    assert (
        "review_rounds.zhuanxiang: 系统中已有在系统里建立的同 key 轮次，未按文件修改" in again.notes
    )


def test_a_new_round_is_added_with_its_source(linyi_text, write_file):
    load_campaign_file(write_file(linyi_text))
    text = linyi_text + ZHUANXIANG.replace(
        'kind = "scoring"',
        'kind = "scoring"\nsource = "fuping"\nadvance = "top_k"\nadvance_top_k = 10',
    ).replace("opens = 2014-11-01", "opens = 2014-11-26").replace(
        "closes = 2014-11-20", "closes = 2014-11-30"
    )

    result = load_campaign_file(write_file(text))

    added = Round.objects.get(key="zhuanxiang")
    assert (added.source.key, added.advance_top_k, added.status) == ("fuping", 10, "draft")
    assert "review_rounds.zhuanxiang: 新增" in result.changes

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.campaigns.conftest import FULL, JINAN, LINYI, edited
from wenyi.campaigns.models import ActivityType, Campaign

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_campaign", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_campaign_command_reports_created_then_unchanged(city):
    out, err = run(str(LINYI))
    again, _ = run(str(LINYI))

    assert out == (
        "已新建活动 linyi-2014「2014年文艺工作者深入职工创作实践活动」："
        "4 个阶段、4 种活动类型、14 项指标、15 个作品类别、4 种奖项、5 个评审轮次"
        "（campaigns/linyi-2014.toml）\n"
    )
    assert err == ""
    assert again == "活动 linyi-2014 没有变化（campaigns/linyi-2014.toml）\n"


def test_load_campaign_command_lists_changes_and_notes(linyi_text, write_file):
    path = write_file(linyi_text)
    run(str(path))
    text = edited(
        linyi_text, ('name = "慰问演出"\nmin_per_year = 4', 'name = "慰问演出"\nmin_per_year = 5')
    )

    out, _ = run(str(write_file(text)))

    lines = out.splitlines()
    assert lines[0].startswith("已更新活动 linyi-2014：2 处变化（")
    assert lines[1].startswith("  文件内容: ")
    assert lines[2:] == [
        "  activity_types.weiwen.min_per_year: 4 → 5",
        "  注意：领导小组：单位 371300 尚未建立，暂未保存（建好单位后再载入一次）",
    ]
    assert ActivityType.objects.get(key="weiwen").min_per_year == 5


def test_load_campaign_command_loads_several_paths_and_folders(tmp_path):
    (tmp_path / "jinan-2016.toml").write_bytes(JINAN.read_bytes())

    out, _ = run(str(LINYI), str(tmp_path))

    assert [line.split("「")[0] for line in out.splitlines() if not line.startswith(" ")] == [
        "已新建活动 linyi-2014",
        "已新建活动 jinan-2016",
    ]
    assert Campaign.objects.count() == 2


def test_load_campaign_command_bad_file_prints_problems_and_exits_1(linyi_text, write_file):
    text = edited(
        linyi_text,
        ('name = "培训辅导"\nmin_per_year = 4', 'name = "培训辅导"\nmin_per_year = -4'),
        ('subject = "artist"', 'subject = "painter"'),
    )
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("load_campaign", str(write_file(text)), stdout=StringIO(), stderr=err)

    assert error.value.returncode == 1
    assert str(error.value) == "1 个文件有问题，未载入（其余文件不受影响）"
    assert err.getvalue().splitlines() == [
        "linyi-2014.toml: activity_types[2].min_per_year: 不能为负数",
        "linyi-2014.toml: award_kinds[3].subject: 应为 unit、individual、artist、work 之一",
    ]
    assert Campaign.objects.count() == 0


def test_load_campaign_command_loads_good_files_beside_a_bad_one(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("load_campaign", str(bad), str(LINYI), stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith("bad.toml: 第 1 行: TOML 语法错误：")
    assert list(Campaign.objects.values_list("slug", flat=True)) == ["linyi-2014"]


def test_load_campaign_command_check_writes_nothing():
    out, err = run("--check", str(LINYI), str(JINAN))

    assert out.splitlines() == [
        "campaigns/linyi-2014.toml：检查通过",
        "docs/examples/jinan-2016.toml：检查通过",
    ]
    assert Campaign.objects.count() == 0


def test_load_campaign_command_empty_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path))

    assert str(error.value) == "没有找到活动定义文件（*.toml）"
    assert error.value.returncode == 1


# -- the slug inside a file is the campaign's identity (issue 11) ----------------------


def _shandong(folder, name="shandong-2015.toml"):
    """The full example under another name; its slug stays sd-2015."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(FULL.read_bytes())
    return path


def test_load_campaign_command_loads_a_file_named_otherwise_than_its_slug(tmp_path):
    out, err = run(str(_shandong(tmp_path / "campaigns")))

    assert out.startswith("已新建活动 sd-2015「2015年齐鲁职工文化创作实践活动」：")
    assert err == ""
    assert list(Campaign.objects.values_list("slug", flat=True)) == ["sd-2015"]


def test_load_campaign_command_refuses_both_files_of_one_slug(tmp_path):
    first = _shandong(tmp_path / "campaigns")
    second = _shandong(tmp_path / "copies", "sd-copy.toml")
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "load_campaign", str(first), str(LINYI), str(second), stdout=StringIO(), stderr=err
        )

    assert error.value.returncode == 1
    assert str(error.value) == "2 个文件有问题，未载入（其余文件不受影响）"
    assert err.getvalue().splitlines() == [
        f"shandong-2015.toml: campaign.slug: slug「sd-2015」与 {second} 相同："
        "一个活动只能有一个定义文件",
        f"sd-copy.toml: campaign.slug: slug「sd-2015」与 {first} 相同：一个活动只能有一个定义文件",
    ]
    assert list(Campaign.objects.values_list("slug", flat=True)) == ["linyi-2014"]


def test_setup_loads_a_campaign_file_named_otherwise_than_its_slug(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.CAMPAIGNS_DIR = tmp_path / "campaigns"
    _shandong(settings.CAMPAIGNS_DIR)
    (settings.CAMPAIGNS_DIR / "linyi-2014.toml").write_bytes(LINYI.read_bytes())
    out = StringIO()

    call_command("setup", stdout=out)

    assert sorted(Campaign.objects.values_list("slug", flat=True)) == ["linyi-2014", "sd-2015"]
    assert "已新建活动 sd-2015「" in out.getvalue()


def test_setup_refuses_two_campaign_files_with_one_slug(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.CAMPAIGNS_DIR = tmp_path / "campaigns"
    first = _shandong(settings.CAMPAIGNS_DIR)
    second = _shandong(settings.CAMPAIGNS_DIR, "sd-2015.toml")
    (settings.CAMPAIGNS_DIR / "linyi-2014.toml").write_bytes(LINYI.read_bytes())
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("setup", stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        f"sd-2015.toml: campaign.slug: slug「sd-2015」与 {first} 相同：一个活动只能有一个定义文件",
        f"shandong-2015.toml: campaign.slug: slug「sd-2015」与 {second} 相同："
        "一个活动只能有一个定义文件",
    ]
    assert Campaign.objects.count() == 0

"""Works sorted by the pinyin of their titles (issue 10), on SQLite and PostgreSQL alike,
through a stored key (core.sorting)."""

from tests.factories import PersonFactory
from wenyi.works import services
from wenyi.works.models import Work
from wenyi.works.queries import authors_for_entry, by_title

POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。"
)
TITLES = ["张家界", "李白故里", "王者之歌", "阿里山", "赵州桥"]
IN_PINYIN_ORDER = ["阿里山", "李白故里", "王者之歌", "张家界", "赵州桥"]


def enter(campaign, unit, author, title) -> Work:
    return services.create_work(
        None,
        campaign=campaign,
        category=campaign.work_categories.get(key="shici"),
        unit=unit,
        title=title,
        authors=[author],
        text=POEM,
    )


def titles(works) -> list[str]:
    return [w.title for w in works]


def test_works_by_title_are_in_pinyin_order(linyi, county_a, artist):
    for title in TITLES:
        enter(linyi, county_a, artist.person, title)

    assert titles(by_title(Work.objects.filter(campaign=linyi))) == IN_PINYIN_ORDER
    assert Work.objects.get(title="赵州桥").title_sort == "zhao zhou qiao"


def test_retitled_work_moves(linyi, county_a, artist):
    works = [enter(linyi, county_a, artist.person, title) for title in TITLES]
    arishan = works[TITLES.index("阿里山")]

    services.update_work(None, arishan, version=arishan.version, title="周庄")

    arishan.refresh_from_db()
    assert arishan.title_sort == "zhou zhuang"
    assert titles(by_title(Work.objects.filter(campaign=linyi))) == [
        "李白故里",
        "王者之歌",
        "张家界",
        "赵州桥",
        "周庄",
    ]


def test_author_choices_are_in_pinyin_order(coordinator_a, county_a, enterprise_a):
    # people of several units in one list, by name (the choice shows the unit beside it)
    for i, name in enumerate(["张三", "李四", "王五", "阿明", "赵六"]):
        PersonFactory(name=name, unit=county_a if i % 2 else enterprise_a)

    names = [p.name for p in authors_for_entry(coordinator_a)]

    assert [n for n in names if len(n) == 2] == ["阿明", "李四", "王五", "张三", "赵六"]

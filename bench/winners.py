"""Final results of N winners for the benchmarks of documents and certificates: the 2014
campaign file loaded, 20 county units as the outstanding units, people as outstanding
individuals and art workers, the rest works spread over the work tiers — names drawn
with rare characters (𠮷, 喆, 堃) on purpose. Call it with Django set up, on an empty
database."""

import random
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕欧阳司马"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂玉萍红玲芬燕彬翀喆堃赟玥昇𠮷"
WORDS = "钢铁脊梁车间灯火劳动者之歌黎明工匠精神岁月长河山海情怀春风故乡炉火新城远方"


def final_results(count: int, *, seed: int, people_share: float):
    """The campaign, its results final with `count` award lines; `people_share` of
    those beyond the units are people."""
    from django.db import transaction

    from wenyi.awards.enums import ResultsStatus
    from wenyi.awards.models import Award, Results
    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import UnitKind
    from wenyi.orgs.models import Person
    from wenyi.works.models import Work

    rng = random.Random(seed)
    city = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    units = [
        org_services.create_unit(
            None, city, code=f"37{i:05d}", name=f"临沂市第{i + 1}区总工会", kind=UnitKind.COUNTY
        )
        for i in range(20)
    ]
    load_campaign_file(PROJECT_DIR / "campaigns" / "linyi-2014.toml")
    campaign = Campaign.objects.get(slug="linyi-2014")
    kinds = {kind.key: kind for kind in campaign.award_kinds.all()}
    tiers = {key: list(kind.tiers.all()) for key, kind in kinds.items()}
    category = campaign.work_categories.get(key="shici")

    def name() -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))

    rest = count - len(units)
    with transaction.atomic():
        results = Results.objects.create(campaign=campaign, status=ResultsStatus.FINAL)
        awards = [
            Award(
                results=results,
                award_kind=kinds["unit"],
                tier=tiers["unit"][0],
                unit=unit,
                holder=unit.name,
                position=n,
            )
            for n, unit in enumerate(units)
        ]
        people = Person.objects.bulk_create(
            [Person(unit=rng.choice(units), name=name()) for _ in range(int(rest * people_share))]
        )
        for n, person in enumerate(people):
            key = "individual" if n % 2 else "artist"
            awards.append(
                Award(
                    results=results,
                    award_kind=kinds[key],
                    tier=tiers[key][0],
                    person=person,
                    holder=person.name,
                    unit_name=person.unit.name,
                    position=n,
                )
            )
        titles = [
            "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
            for _ in range(rest - len(people))
        ]
        works = Work.objects.bulk_create(
            [
                Work(campaign=campaign, category=category, unit=rng.choice(units), title=title)
                for title in titles
            ]
        )
        for n, work in enumerate(works):
            awards.append(
                Award(
                    results=results,
                    award_kind=kinds["work"],
                    tier=tiers["work"][min(n * len(tiers["work"]) // len(works), 3)],
                    work=work,
                    holder="、".join(name() for _ in range(rng.randint(1, 2))),
                    unit_name=work.unit.name,
                    title=work.title,
                    position=n,
                )
            )
        Award.objects.bulk_create(awards)
    return campaign

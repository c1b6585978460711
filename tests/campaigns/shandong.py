"""The full example campaign (sd-2015) on a province tree, and units outside it (issue 11).

    山东省 370000        the owner (office: sd_office)
    ├── 济南市 370100      level 1: reports monthly (report_levels = [1])
    │   ├── 历下区 370102    level 2: carries the minimums (minimum_levels = [2])
    │   │   └── 某街道 370102001   level 3: deeper than participant_depth = 2
    │   └── 市中区 370103    level 2, retired on RETIRED
    └── 青岛市 370200      level 1, retired on RETIRED

    临沂市 371300 and its counties: the 2014 campaign's tree, another tree

Every unit has a coordinator (`coordinators[code]`). Today is TODAY: the caller sets
settings.WENYI_TODAY. Activities are recorded, submitted and verified through the
services, as people would.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.activities import services as activity_services
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import OrgUnit

FULL = Path(settings.PROJECT_DIR) / "docs" / "examples" / "shandong-2015.toml"
TODAY = datetime.date(2015, 8, 15)
RETIRED = datetime.date(2015, 6, 30)


@dataclass
class Shandong:
    campaign: Campaign
    province: OrgUnit
    jinan: OrgUnit
    lixia: OrgUnit
    street: OrgUnit
    shizhong: OrgUnit
    qingdao: OrgUnit
    office: object
    coordinators: dict = field(default_factory=dict)
    recorded: int = 0

    @property
    def outside(self) -> list[OrgUnit]:
        """The units of this tree that take no part: deeper, or retired."""
        return [self.street, self.shizhong, self.qingdao]

    def record(self, unit, type_key="weiwen", *, day=datetime.date(2015, 6, 10), verify=True):
        """An activity of the unit, submitted by its coordinator and verified by the office."""
        type_ = self.campaign.activity_types.get(key=type_key)
        values = {
            m.key: (m.choices[0] if m.choices else 10) for m in type_.metrics.all() if m.required
        }
        coordinator = self.coordinators[unit.code]
        self.recorded += 1
        activity = activity_services.create_activity(
            coordinator,
            campaign=self.campaign,
            unit=unit,
            type=type_,
            title=f"{unit.name}{type_.name}{self.recorded}",
            start_date=day,
            place=f"某企业车间{self.recorded}",
            values=values,
        )
        activity_services.submit_activity(coordinator, activity)
        if verify:
            activity_services.verify_activity(self.office, activity)
        return activity


def _person(username: str, unit: OrgUnit, role: str):
    user = UserFactory(username=username)
    PersonFactory(user=user, unit=unit, name=f"{unit.name}{role}")
    membership(user, unit, role)
    return user


def build(path: Path = FULL) -> Shandong:
    """The tree, its people, and the campaign loaded from `path` (the full example)."""
    province = OrgUnitFactory(code="370000", name="山东省", kind=UnitKind.PROVINCE)
    jinan = OrgUnitFactory(parent=province, code="370100", name="济南市", kind=UnitKind.CITY)
    lixia = OrgUnitFactory(parent=jinan, code="370102", name="历下区", kind=UnitKind.DISTRICT)
    street = OrgUnitFactory(parent=lixia, code="370102001", name="某街道", kind=UnitKind.OTHER)
    shizhong = OrgUnitFactory(parent=jinan, code="370103", name="市中区", kind=UnitKind.DISTRICT)
    qingdao = OrgUnitFactory(parent=province, code="370200", name="青岛市", kind=UnitKind.CITY)
    office = _person("sd_office", province, Role.OFFICE)
    coordinators = {
        unit.code: _person(f"sd_{unit.code}", unit, Role.COORDINATOR)
        for unit in (jinan, lixia, street, shizhong, qingdao)
    }
    campaign = load_campaign_file(path).campaign
    tree = Shandong(campaign, province, jinan, lixia, street, shizhong, qingdao, office)
    tree.coordinators = coordinators
    return tree


def retire(*units: OrgUnit, on: datetime.date = RETIRED) -> None:
    """Retire the units (orgs' own service for it is not ours to call here: the date is
    what participation reads)."""
    OrgUnit.objects.filter(pk__in=[u.pk for u in units]).update(retired_on=on)
    for unit in units:
        unit.retired_on = on

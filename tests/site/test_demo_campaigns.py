"""The demo writes into its own campaign only, and a second run adds nothing (issue 11).

Another campaign is loaded first: Jinan's, with a unit tree of its own that shares no
unit with Linyi's (an office, coordinators, people: everything the demo's parts would
need to fill it), or Linyi's next year, on the demo's own units. The demo then runs
twice.
"""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.activities.models import Activity
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign, LeadingGroup
from wenyi.orgs.enums import Role, UnitKind
from wenyi.reporting.models import Report
from wenyi.site import demo
from wenyi.works.models import Work

JINAN = Path(settings.BASE_DIR).parent / "docs" / "examples" / "jinan-2016.toml"
LINYI = Path(settings.BASE_DIR).parent / "campaigns" / "linyi-2014.toml"


def _jinan_tree() -> None:
    """济南市 with two districts, an enterprise each, an office and coordinators."""
    city = OrgUnitFactory(code="370100", name="济南市", kind=UnitKind.CITY)
    office = UserFactory(username="jinan_office")
    PersonFactory(user=office, unit=city, name="济南办公室")
    membership(office, city, Role.OFFICE)
    for code, name in (("370102", "历下区"), ("370103", "市中区")):
        district = OrgUnitFactory(parent=city, code=code, name=name, kind=UnitKind.DISTRICT)
        OrgUnitFactory(parent=district, code=f"{code}001", name=f"{name}某厂")
        coordinator = UserFactory(username=f"jinan_{code}")
        PersonFactory(user=coordinator, unit=district, name=f"{name}联络员")
        membership(coordinator, district, Role.COORDINATOR)
        for n in range(3):
            PersonFactory(unit=district, name=f"{name}作者{n}")


def _as_2014(tmp_path: Path) -> Path:
    """The Jinan example moved into 2014 (with a poem form keyed as Linyi's), so the
    demo's today falls inside it: a demo that picked it would find room for activities,
    reports and works there too."""
    text = JINAN.read_text(encoding="utf-8").replace("2016", "2014")
    path = tmp_path / "jinan-2014.toml"
    path.write_text(text.replace('key = "xinshi"', 'key = "shici"'), encoding="utf-8")
    return path


def _linyi_2015(tmp_path: Path) -> Path:
    """The next year's Linyi campaign: the demo's own units, another campaign."""
    path = tmp_path / "linyi-2015.toml"
    path.write_text(LINYI.read_text(encoding="utf-8").replace("2014", "2015"), encoding="utf-8")
    return path


OTHER = {
    "jinan-2016": (lambda tmp_path: JINAN, "370100"),
    "jinan-2014": (_as_2014, "370100"),
    "linyi-2015": (_linyi_2015, "371300"),
}


def _rows() -> dict[str, int]:
    """Rows of every model of the app, and the logins."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("wenyi.")
    }
    counts["auth.User"] = get_user_model().objects.count()
    return counts


def _demo() -> None:
    call_command("setup", demo=True, stdout=StringIO())


@pytest.mark.parametrize("other_file", list(OTHER))
def test_demo_writes_only_into_its_own_campaign_and_twice_adds_nothing(
    db, settings, tmp_path, other_file
):
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)
    _jinan_tree()
    make_file, other_owner = OTHER[other_file]
    other = load_campaign_file(make_file(tmp_path))
    other = Campaign.objects.get(pk=other.campaign.pk)

    _demo()
    first = _rows()
    _demo()

    own = Campaign.objects.get(slug=demo.DEMO_CAMPAIGN)
    # the other campaign keeps only the leading group its own file defines
    assert list(
        LeadingGroup.objects.filter(campaign=other).values_list("unit__code", flat=True)
    ) in ([other_owner], [])
    assert Activity.objects.filter(campaign=other).count() == 0
    assert Report.objects.filter(campaign=other).count() == 0
    assert Work.objects.filter(campaign=other).count() == 0
    # … while the demo's own campaign is filled
    assert LeadingGroup.objects.filter(campaign=own).exclude(unit__code="371300").count() == 9
    assert Activity.objects.filter(campaign=own).exists()
    assert Report.objects.filter(campaign=own).exists()
    assert Work.objects.filter(campaign=own).exists()
    # nothing in the other tree's units either
    assert not Activity.objects.filter(unit__code__startswith="3701").exists()
    assert not Work.objects.filter(unit__code__startswith="3701").exists()
    assert _rows() == first


def test_demo_without_its_campaign_fills_no_other(db, settings, tmp_path):
    """Its file missing from campaigns/, the demo makes units, people and logins and
    writes nothing into the campaign that is there."""
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)
    settings.CAMPAIGNS_DIR = tmp_path / "campaigns"
    settings.CAMPAIGNS_DIR.mkdir()
    other_path = _as_2014(tmp_path)
    other_path.rename(settings.CAMPAIGNS_DIR / other_path.name)
    _jinan_tree()

    _demo()
    first = _rows()
    _demo()

    other = Campaign.objects.get(slug="jinan-2014")
    assert not Campaign.objects.filter(slug=demo.DEMO_CAMPAIGN).exists()
    assert LeadingGroup.objects.filter(campaign=other).exclude(unit__code="370100").count() == 0
    assert (Activity.objects.count(), Report.objects.count(), Work.objects.count()) == (0, 0, 0)
    assert get_user_model().objects.filter(username="office").exists()
    assert _rows() == first

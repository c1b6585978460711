from io import StringIO

from django.core.management import call_command

from wenyi.campaigns.models import Campaign, LeadingGroup
from wenyi.orgs.models import OrgUnit, Person
from wenyi.site.demo import DEMO_PASSWORD


def test_setup_demo_loads_campaign_units_people_and_prints_logins(db, client):
    out = StringIO()
    call_command("setup", demo=True, stdout=out)
    text = out.getvalue()
    assert Campaign.objects.filter(slug="linyi-2014").exists()
    assert OrgUnit.objects.filter(code="371300").exists()
    assert OrgUnit.objects.filter(name="兰陵县").exists()
    assert OrgUnit.objects.filter(name="临沂经济技术开发区").exists()
    for username in ["office", "lanshan", "artist", "expert", "admin"]:
        assert username in text
    assert DEMO_PASSWORD in text
    assert client.login(username="lanshan", password=DEMO_PASSWORD)
    # some counties have registered their leading group, some have not
    assert 0 < LeadingGroup.objects.exclude(unit__code="371300").count() < 15


def test_setup_demo_twice_changes_nothing(db):
    call_command("setup", demo=True, stdout=StringIO())
    counts = (OrgUnit.objects.count(), Person.objects.count(), LeadingGroup.objects.count())
    call_command("setup", demo=True, stdout=StringIO())
    assert (OrgUnit.objects.count(), Person.objects.count(), LeadingGroup.objects.count()) == counts

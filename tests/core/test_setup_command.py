from io import StringIO

import pytest
from django.core.management import call_command

from wenyi.campaigns.models import Campaign, LeadingGroup
from wenyi.orgs.models import OrgUnit, Person
from wenyi.site.demo import DEMO_PASSWORD


def test_setup_demo_loads_campaign_units_people_and_prints_logins_and_twice_changes_nothing(
    db, client
):
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

    # a second run (one demo build is ~10 s of the suite: the two checks share it)
    counts = (OrgUnit.objects.count(), Person.objects.count(), LeadingGroup.objects.count())
    call_command("setup", demo=True, stdout=StringIO())
    assert (OrgUnit.objects.count(), Person.objects.count(), LeadingGroup.objects.count()) == counts


# --- a fresh install's top unit and first office login, without the admin ----------------

FLAGS = {
    "top_unit_code": "370000",
    "top_unit_name": "山东省",
    "top_unit_kind": "province",
    "office_login": "sdoffice",
    "office_password": "a-long-first-password",
}


def _state():
    from django.contrib.auth import get_user_model

    from wenyi.core.models import AuditEntry
    from wenyi.orgs.models import Membership

    return (
        list(OrgUnit.objects.values_list("code", "name", "kind", "path", "version")),
        list(get_user_model().objects.values_list("username", "password")),
        list(Membership.objects.values_list("user__username", "unit__code", "role")),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )


def test_setup_flags_make_the_top_unit_and_an_office_login(db, client):
    from wenyi.orgs.enums import Role
    from wenyi.orgs.models import Membership

    out = StringIO()
    call_command("setup", stdout=out, **FLAGS)

    top = OrgUnit.objects.get(code="370000")
    assert (top.name, top.kind, top.depth) == ("山东省", "province", 1)
    membership = Membership.objects.get(user__username="sdoffice")
    assert (membership.unit, membership.role) == (top, Role.OFFICE)
    assert membership.user.person.unit == top
    assert client.login(username="sdoffice", password="a-long-first-password")
    # the office manages its tree from the app: the units page offers its import
    assert "/units/import/" in client.get("/units/").content.decode()


def test_setup_twice_with_the_same_flags_changes_nothing(db):
    call_command("setup", stdout=StringIO(), **FLAGS)
    before = _state()

    out = StringIO()
    call_command("setup", stdout=out, **FLAGS)

    assert _state() == before
    assert "未改动" in out.getvalue()


def test_setup_reads_the_password_from_a_file(db, client, tmp_path):
    secret = tmp_path / "office-password"
    secret.write_text("from-a-file-password\n", encoding="utf-8")
    flags = {k: v for k, v in FLAGS.items() if k != "office_password"}

    call_command("setup", stdout=StringIO(), office_password_file=str(secret), **flags)

    assert client.login(username="sdoffice", password="from-a-file-password")


def test_setup_takes_the_kind_by_its_chinese_name(db):
    call_command("setup", stdout=StringIO(), **{**FLAGS, "top_unit_kind": "市"})

    assert OrgUnit.objects.get(code="370000").kind == "city"


def test_setup_refuses_a_new_login_without_a_password_and_a_weak_one(db):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError

    flags = {k: v for k, v in FLAGS.items() if k != "office_password"}
    with pytest.raises(CommandError):
        call_command("setup", stdout=StringIO(), interactive=False, **flags)
    with pytest.raises(CommandError):
        call_command("setup", stdout=StringIO(), **{**FLAGS, "office_password": "123"})

    assert not get_user_model().objects.filter(username="sdoffice").exists()


def test_setup_refuses_to_rename_a_unit_of_that_code(db):
    from django.core.management import CommandError

    call_command("setup", stdout=StringIO(), **FLAGS)

    with pytest.raises(CommandError):
        call_command("setup", stdout=StringIO(), **{**FLAGS, "top_unit_name": "江苏省"})

    assert OrgUnit.objects.get(code="370000").name == "山东省"


def test_setup_asks_at_a_terminal_when_there_is_no_unit(db, client, monkeypatch):
    import getpass
    import sys

    answers = iter(["370000", "山东省", "", "sdoffice"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "typed-first-password")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    call_command("setup", stdout=StringIO())

    top = OrgUnit.objects.get(code="370000")
    assert (top.name, top.kind) == ("山东省", "province")  # 省, the default
    assert client.login(username="sdoffice", password="typed-first-password")


def test_setup_without_a_terminal_asks_nothing(db, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked"))

    out = StringIO()
    call_command("setup", stdout=out, interactive=False)

    assert not OrgUnit.objects.exists()
    assert "--top-unit-code" in out.getvalue()

"""Managing units from the app: the units page, adding, renaming, moving, retiring and
restoring units (each audited, the offices told, stale forms refused), who may, and
retired units offered in no choice."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.core import clock
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.orgs import units as unit_services
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import people_managed_by, units_managed_by


@pytest.fixture
def office_a(county_a):
    """An office at a county: told of what the city's office does to its units."""
    user = UserFactory(username="office_a")
    PersonFactory(user=user, unit=county_a, name="兰山办")
    membership(user, county_a, Role.OFFICE)
    return user


@pytest.fixture
def other_tree_office(db):
    """The office of another tree (another province)."""
    top = OrgUnitFactory(code="320000", name="江苏省", kind=UnitKind.PROVINCE)
    user = UserFactory(username="jiangsu")
    PersonFactory(user=user, unit=top, name="苏办")
    membership(user, top, Role.OFFICE)
    return user


@pytest.fixture
def retired(county_b):
    return OrgUnitFactory(
        parent=county_b,
        code="371311009",
        name="罗庄区旧厂",
        kind=UnitKind.ENTERPRISE,
        retired_on=datetime.date(2014, 9, 1),
    )


def entries(unit, action=AuditAction.UPDATE):
    return AuditEntry.objects.filter(object_id=str(unit.pk), action=action)


def notices(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def fresh(unit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


# --- create, rename ------------------------------------------------------------------------


def test_office_creates_a_unit_audited_and_the_units_office_told(login, office, office_a, county_a):
    response = login(office).post(
        reverse("orgs:unit_add", args=[county_a.code]),
        {"code": "371302050", "name": "兰山区新厂", "kind": "enterprise"},
    )

    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="371302050")
    assert OrgUnit.objects.get_parent(unit) == county_a
    assert entries(unit, AuditAction.CREATE).get().actor == office
    assert any("兰山区新厂" in n for n in notices(office_a))
    assert notices(office) == []


def test_a_bad_code_is_refused_naming_the_field(login, office, county_a):
    response = login(office).post(
        reverse("orgs:unit_add", args=[county_a.code]),
        {"code": "37/13", "name": "斜杠厂", "kind": "enterprise"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"code"}
    assert not OrgUnit.objects.filter(name="斜杠厂").exists()


def test_office_renames_a_unit_audited_and_told(login, office, office_a, county_a):
    response = login(office).post(
        reverse("orgs:unit_edit", args=[county_a.code]),
        {
            "version": county_a.version,
            "code": county_a.code,
            "name": "兰山区（新）",
            "kind": "district",
        },
    )

    assert response.status_code == 302
    assert fresh(county_a).name == "兰山区（新）"
    assert entries(county_a).get().changes["name"] == ["兰山区", "兰山区（新）"]
    assert any("兰山区（新）" in n for n in notices(office_a))


def test_a_stale_edit_is_refused(login, office, county_a):
    client = login(office)
    opened = county_a.version
    unit_services.update_unit(office, county_a, version=opened, address="新址")

    response = client.post(
        reverse("orgs:unit_edit", args=[county_a.code]),
        {"version": opened, "code": county_a.code, "name": "旧页面的名字", "kind": "district"},
    )

    assert response.status_code == 200
    assert fresh(county_a).name == "兰山区"


def test_superuser_adds_the_top_unit_of_a_new_tree(login, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = login(root)
    assert client.get(reverse("orgs:unit_add_top")).status_code == 200

    client.post(
        reverse("orgs:unit_add_top"), {"code": "370000", "name": "山东省", "kind": "province"}
    )

    assert OrgUnit.objects.get(code="370000").depth == 1


def test_an_office_may_not_add_a_top_unit(login, office):
    assert login(office).get(reverse("orgs:unit_add_top")).status_code == 403


# --- move -----------------------------------------------------------------------------------


def test_office_moves_a_unit_with_its_subtree(
    login, office, office_a, county_a, county_b, enterprise_a, coordinator_a, coordinator_b
):
    below = OrgUnitFactory(parent=enterprise_a, code="371302001001", name="车间")
    worker = PersonFactory(unit=below, name="周职工")

    response = login(office).post(
        reverse("orgs:unit_move", args=[enterprise_a.code]),
        {"version": enterprise_a.version, "parent": county_b.pk},
    )

    assert response.status_code == 302
    moved, county_b = fresh(enterprise_a), fresh(county_b)
    assert OrgUnit.objects.get_parent(moved) == county_b
    # treebeard rewrote the paths of the whole subtree: path queries follow
    assert fresh(below).path.startswith(moved.path)
    assert set(county_b.subtree().values_list("code", flat=True)) == {
        "371311",
        "371302001",
        "371302001001",
    }
    assert worker in people_managed_by(coordinator_b)
    assert worker not in people_managed_by(coordinator_a)
    entry = entries(enterprise_a).get()
    assert entry.actor == office
    assert "罗庄区" in entry.note
    # the office where it was hears of it
    assert any("兰山区某机械厂" in n for n in notices(office_a))


def test_a_unit_cannot_move_below_itself(login, office, county_a, enterprise_a):
    response = login(office).post(
        reverse("orgs:unit_move", args=[county_a.code]),
        {"version": county_a.version, "parent": enterprise_a.pk},
    )

    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert OrgUnit.objects.get_parent(fresh(county_a)).code == "371300"


def test_a_unit_cannot_move_out_of_the_movers_area(
    login, office_a, county_a, county_b, enterprise_a
):
    response = login(office_a).post(
        reverse("orgs:unit_move", args=[enterprise_a.code]),
        {"version": enterprise_a.version, "parent": county_b.pk},
    )

    assert response.status_code == 200
    assert OrgUnit.objects.get_parent(fresh(enterprise_a)) == county_a


def test_a_stale_move_is_refused(login, office, county_a, county_b, enterprise_a):
    opened = enterprise_a.version
    unit_services.update_unit(office, enterprise_a, version=opened, phone="0539-1")

    response = login(office).post(
        reverse("orgs:unit_move", args=[enterprise_a.code]),
        {"version": opened, "parent": county_b.pk},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert OrgUnit.objects.get_parent(fresh(enterprise_a)) == county_a


def test_move_choices_are_units_in_use_in_the_area_not_below_the_unit(
    login, office, city, county_a, county_b, enterprise_a, retired
):
    response = login(office).get(reverse("orgs:unit_move", args=[county_a.code]))

    choices = set(response.context["form"].fields["parent"].queryset)
    assert choices == {city, county_b}


# --- retire, restore --------------------------------------------------------------------------


def test_office_retires_a_unit_today_audited_and_told(login, office, office_a, enterprise_a):
    response = login(office).post(
        reverse("orgs:unit_retire", args=[enterprise_a.code]), {"version": enterprise_a.version}
    )

    assert response.status_code == 302
    assert fresh(enterprise_a).retired_on == clock.today()
    entry = entries(enterprise_a).get()
    assert entry.changes["retired_on"] == [None, clock.today().isoformat()]
    assert any("兰山区某机械厂" in n for n in notices(office_a))


def test_a_unit_with_active_units_below_is_not_retired(login, office, county_a, enterprise_a):
    response = login(office).post(
        reverse("orgs:unit_retire", args=[county_a.code]),
        {"version": county_a.version},
        follow=True,
    )

    assert fresh(county_a).retired_on is None
    shown = [str(m) for m in response.context["messages"]]
    assert any("兰山区某机械厂" in m for m in shown)
    assert not entries(county_a).exists()


def test_a_stale_retire_is_refused(login, office, enterprise_a):
    opened = enterprise_a.version
    unit_services.update_unit(office, enterprise_a, version=opened, phone="0539-2")

    login(office).post(reverse("orgs:unit_retire", args=[enterprise_a.code]), {"version": opened})

    assert fresh(enterprise_a).retired_on is None


def test_office_restores_a_retired_unit(login, office, retired):
    response = login(office).post(
        reverse("orgs:unit_restore", args=[retired.code]), {"version": retired.version}
    )

    assert response.status_code == 302
    assert fresh(retired).retired_on is None
    assert entries(retired).get().changes["retired_on"] == ["2014-09-01", None]


def test_a_unit_below_a_retired_one_is_not_restored(office, county_b, retired):
    below = OrgUnitFactory(
        parent=retired, code="371311009001", retired_on=datetime.date(2014, 9, 1)
    )

    with pytest.raises(Exception) as refused:
        unit_services.restore_unit(office, below, version=below.version)

    assert "罗庄区旧厂" in " ".join(refused.value.messages)
    assert fresh(below).retired_on is not None


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["unit_move", "unit_edit", "unit_add"])
def test_another_county_and_another_tree_get_404(
    login, name, coordinator_b, other_tree_office, county_a
):
    url = reverse(f"orgs:{name}", args=[county_a.code])
    assert login(coordinator_b).get(url).status_code == 404
    assert login(other_tree_office).get(url).status_code == 404


@pytest.mark.parametrize("name", ["unit_retire", "unit_restore"])
def test_another_tree_cannot_retire_or_restore(login, name, other_tree_office, enterprise_a):
    response = login(other_tree_office).post(
        reverse(f"orgs:{name}", args=[enterprise_a.code]), {"version": enterprise_a.version}
    )

    assert response.status_code == 404
    assert fresh(enterprise_a).retired_on is None


def test_a_coordinator_cannot_manage_units(login, coordinator_a, county_a, enterprise_a):
    client = login(coordinator_a)

    assert client.get(reverse("orgs:unit_move", args=[enterprise_a.code])).status_code == 403
    assert client.get(reverse("orgs:unit_add", args=[county_a.code])).status_code == 403
    retire = client.post(
        reverse("orgs:unit_retire", args=[enterprise_a.code]), {"version": enterprise_a.version}
    )
    assert retire.status_code == 403
    assert fresh(enterprise_a).retired_on is None
    page = client.get(reverse("orgs:units")).content.decode()
    assert reverse("orgs:units_import") not in page
    assert reverse("orgs:unit_move", args=[enterprise_a.code]) not in page
    assert reverse("orgs:unit_retire", args=[enterprise_a.code]) not in page


# --- the units page ----------------------------------------------------------------------------


def test_units_page_draws_the_tree_with_actions_and_retired_marked(
    login, office, city, county_a, enterprise_a, county_b, retired
):
    response = login(office).get(reverse("orgs:units"))

    body = response.content.decode()
    rows = response.context["rows"]
    assert [r["unit"].code for r in rows] == [
        "371300",
        "371302",
        "371302001",
        "371311",
        "371311009",
    ]
    assert [r["indent"] for r in rows] == [0, 1, 2, 1, 2]
    assert body.count('data-testid="retired"') == 1
    assert reverse("orgs:unit_restore", args=[retired.code]) in body
    assert reverse("orgs:unit_retire", args=[county_a.code]) in body
    # the office's own unit is moved and retired only by an office above it
    assert reverse("orgs:unit_move", args=[city.code]) not in body
    assert reverse("orgs:units_import") in body


def test_units_page_query_count_does_not_grow(login, office, city, django_assert_max_num_queries):
    client = login(office)
    OrgUnitFactory(parent=city)
    assert client.get(reverse("orgs:units")).status_code == 200
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("orgs:units")).status_code == 200
    for n in range(3):
        OrgUnitFactory(parent=city, retired_on=datetime.date(2014, 9, n + 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("orgs:units")).status_code == 200


# --- a retired unit is offered in no choice --------------------------------------------------


def test_a_retired_unit_is_offered_in_no_choice(login, office, city, county_b, retired, artist):
    client = login(office)

    person_form = client.get(reverse("orgs:person_add")).context["form"]
    assert retired not in person_form.fields["unit"].queryset
    assert county_b in person_form.fields["unit"].queryset
    role_form = client.get(reverse("orgs:person", args=[artist.person.pk])).context["role_form"]
    assert retired not in role_form.fields["unit"].queryset
    assert retired not in client.get(reverse("orgs:people")).context["units"]
    assert client.get(reverse("orgs:unit_add", args=[retired.code])).status_code == 403
    for name in ("units_template", "people_template"):
        wb = load_workbook(io.BytesIO(client.get(reverse(f"orgs:{name}")).content))
        codes = {row[0] for row in wb["说明"].iter_rows(values_only=True)}
        assert county_b.code in codes
        assert retired.code not in codes


def test_a_person_of_a_retired_unit_can_still_be_edited(login, office, retired):
    person = PersonFactory(unit=retired, name="老职工")

    response = login(office).post(
        reverse("orgs:person_edit", args=[person.pk]),
        {"version": person.version, "name": "老职工", "unit": retired.pk},
    )

    assert response.status_code == 302


def test_people_import_refuses_a_new_person_in_a_retired_unit(office, retired):
    from tests.orgs.test_people_import import person, xlsx
    from wenyi.orgs.people_import import import_file

    result = import_file(
        xlsx([person(1, retired.code)]), actor=office, allowed_units=units_managed_by(office)
    )

    assert [(e.row, e.column) for e in result.errors] == [(2, "单位编码")]


def test_a_unit_retires_on_its_day_not_before(login, office, county_b, settings):
    later = OrgUnitFactory(parent=county_b, code="371311010", retired_on=datetime.date(2014, 10, 1))
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)

    units = login(office).get(reverse("orgs:person_add")).context["form"].fields["unit"].queryset
    assert later in units
    assert not fresh(later).is_retired

    settings.WENYI_TODAY = datetime.date(2014, 10, 1)
    assert fresh(later).is_retired
    units = login(office).get(reverse("orgs:person_add")).context["form"].fields["unit"].queryset
    assert later not in units

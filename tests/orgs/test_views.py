import pytest
from django.urls import reverse

from tests.factories import CampaignFactory, OrgUnitFactory, PersonFactory
from wenyi.campaigns.models import LeadingGroup
from wenyi.core.models import AuditEntry
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person


@pytest.fixture
def campaign(city):
    return CampaignFactory(slug="linyi-test", owner_unit_code=city.code, participant_depth=1)


# --- units -------------------------------------------------------------------


def test_unit_page_shows_to_its_coordinator(login, coordinator_a, county_a):
    response = login(coordinator_a).get(reverse("orgs:unit", args=[county_a.code]))
    assert response.status_code == 200
    assert "兰山区" in response.content.decode()


def test_unit_page_of_another_county_is_404(login, coordinator_a, county_b):
    response = login(coordinator_a).get(reverse("orgs:unit", args=[county_b.code]))
    assert response.status_code == 404


def test_unit_page_above_own_is_404_for_coordinator(login, coordinator_a, city):
    assert login(coordinator_a).get(reverse("orgs:unit", args=[city.code])).status_code == 404


def test_unit_below_own_is_visible_to_coordinator(login, coordinator_a, enterprise_a):
    response = login(coordinator_a).get(reverse("orgs:unit", args=[enterprise_a.code]))
    assert response.status_code == 200


def test_office_sees_every_unit(login, office, county_a, county_b):
    client = login(office)
    assert client.get(reverse("orgs:unit", args=[county_a.code])).status_code == 200
    assert client.get(reverse("orgs:unit", args=[county_b.code])).status_code == 200


def test_unit_edit_is_403_for_artist_of_unit(login, artist, county_a):
    client = login(artist)
    assert client.get(reverse("orgs:unit", args=[county_a.code])).status_code == 200
    assert client.get(reverse("orgs:unit_edit", args=[county_a.code])).status_code == 403


def test_unit_edit_saves_and_audits(login, coordinator_a, county_a):
    response = login(coordinator_a).post(
        reverse("orgs:unit_edit", args=[county_a.code]),
        {
            "version": county_a.version,
            "code": county_a.code,
            "name": "兰山区总工会",
            "kind": "district",
            "bodies": ["union"],
        },
    )
    assert response.status_code == 302
    county_a.refresh_from_db()
    assert county_a.name == "兰山区总工会"
    entry = AuditEntry.objects.get(object_id=str(county_a.pk), action="update")
    assert entry.changes["name"] == ["兰山区", "兰山区总工会"]
    assert entry.actor == coordinator_a


def test_unit_code_must_be_unique(login, office, county_a, county_b):
    response = login(office).post(
        reverse("orgs:unit_edit", args=[county_a.code]),
        {
            "version": county_a.version,
            "code": county_b.code,
            "name": "兰山区",
            "kind": "district",
        },
    )
    assert response.status_code == 200
    assert "371311" in response.content.decode()
    county_a.refresh_from_db()
    assert county_a.code == "371302"


def test_office_adds_unit_below(login, office, county_a):
    response = login(office).post(
        reverse("orgs:unit_add", args=[county_a.code]),
        {
            "code": "371302009",
            "name": "兰山区新厂",
            "kind": "enterprise",
            "bodies": ["union"],
        },
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="371302009")
    assert OrgUnit.objects.get_parent(unit) == county_a


def test_coordinator_may_not_add_unit(login, coordinator_a, county_a):
    response = login(coordinator_a).get(reverse("orgs:unit_add", args=[county_a.code]))
    assert response.status_code == 403


def test_unit_list_is_scoped(login, coordinator_a, county_a, county_b, enterprise_a):
    body = login(coordinator_a).get(reverse("orgs:units")).content.decode()
    assert "兰山区" in body
    assert "罗庄区" not in body


def test_unit_list_is_403_for_artist(login, artist):
    assert login(artist).get(reverse("orgs:units")).status_code == 403


def test_unit_list_query_count_does_not_grow(login, office, city, django_assert_max_num_queries):
    client = login(office)
    OrgUnitFactory(parent=city)
    assert client.get(reverse("orgs:units")).status_code == 200
    with django_assert_max_num_queries(8) as one:
        assert client.get(reverse("orgs:units")).status_code == 200
    for _ in range(3):
        OrgUnitFactory(parent=city)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("orgs:units")).status_code == 200


# --- people --------------------------------------------------------------------


def test_people_list_is_scoped_to_coordinator(login, coordinator_a, county_a, county_b):
    PersonFactory(unit=county_a, name="甲某")
    PersonFactory(unit=county_b, name="乙某")
    body = login(coordinator_a).get(reverse("orgs:people")).content.decode()
    assert "甲某" in body
    assert "乙某" not in body


def test_people_list_searches_and_pages(login, office, county_a):
    for i in range(55):
        PersonFactory(unit=county_a, name=f"测试{i:02d}")
    client = login(office)
    page1 = client.get(reverse("orgs:people")).content.decode()
    assert "第 1 页" in page1 or "1 / 2" in page1 or "Page 1" in page1
    found = client.get(reverse("orgs:people"), {"q": "测试07"}).content.decode()
    assert "测试07" in found
    assert "测试08" not in found


def test_people_list_query_count_does_not_grow(
    login, office, county_a, django_assert_max_num_queries
):
    client = login(office)
    PersonFactory(unit=county_a)
    assert client.get(reverse("orgs:people")).status_code == 200
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("orgs:people")).status_code == 200
    for _ in range(3):
        PersonFactory(unit=county_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("orgs:people")).status_code == 200


def test_person_of_another_county_is_404(login, coordinator_a, county_b):
    person = PersonFactory(unit=county_b)
    client = login(coordinator_a)
    assert client.get(reverse("orgs:person", args=[person.pk])).status_code == 404
    assert client.get(reverse("orgs:person_edit", args=[person.pk])).status_code == 404


def test_artist_edits_own_profile_but_not_unit_or_notes(login, artist, county_b):
    client = login(artist)
    person = artist.person
    assert client.get(reverse("orgs:person", args=[person.pk])).status_code == 200
    response = client.get(reverse("orgs:person_edit", args=[person.pk]))
    assert response.status_code == 200
    assert "unit" not in response.context["form"].fields
    assert "notes" not in response.context["form"].fields
    response = client.post(
        reverse("orgs:person_edit", args=[person.pk]),
        {
            "version": person.version,
            "name": person.name,
            "mobile": "13812345678",
            "unit": county_b.pk,
            "notes": "自己写的备注",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13812345678"
    assert person.unit.code == "371302"
    assert person.notes == ""


def test_artist_cannot_see_other_people(login, artist, county_a):
    other = PersonFactory(unit=county_a)
    assert login(artist).get(reverse("orgs:person", args=[other.pk])).status_code == 404


def test_coordinator_adds_person_with_login(login, coordinator_a, county_a):
    response = login(coordinator_a).post(
        reverse("orgs:person_add"),
        {
            "name": "新人",
            "unit": county_a.pk,
            "mobile": "13912345678",
            "gender": "f",
            "art_forms_text": "摄影、书法",
            "login-username": "xinren",
            "login-role": Role.ARTIST,
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="新人")
    assert person.art_forms == ["摄影", "书法"]
    assert person.user.username == "xinren"
    assert not person.user.has_usable_password()
    assert Membership.objects.filter(user=person.user, unit=county_a, role=Role.ARTIST).exists()


def test_coordinator_may_not_make_office(login, coordinator_a, county_a):
    response = login(coordinator_a).post(
        reverse("orgs:person_add"),
        {
            "name": "越权",
            "unit": county_a.pk,
            "login-username": "yuequan",
            "login-role": Role.OFFICE,
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="越权").exists()


def test_coordinator_may_not_add_person_to_other_county(login, coordinator_a, county_b):
    response = login(coordinator_a).post(
        reverse("orgs:person_add"), {"name": "外人", "unit": county_b.pk}
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="外人").exists()


def test_bad_mobile_is_refused_naming_field(login, office, county_a):
    response = login(office).post(
        reverse("orgs:person_add"), {"name": "某人", "unit": county_a.pk, "mobile": "12345"}
    )
    assert response.status_code == 200
    assert "11" in response.content.decode()
    assert not Person.objects.filter(name="某人").exists()


def test_person_edit_records_old_and_new_values(login, office, county_a):
    person = PersonFactory(unit=county_a, name="旧名", mobile="13900000001")
    response = login(office).post(
        reverse("orgs:person_edit", args=[person.pk]),
        {"version": person.version, "name": "新名", "unit": county_a.pk, "mobile": "13900000001"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(
        object_id=str(person.pk), action="update", content_type__model="person"
    )
    assert entry.changes["name"] == ["旧名", "新名"]


def test_office_grants_and_removes_role(login, office, coordinator_a, county_a):
    client = login(office)
    person = coordinator_a.person
    client.post(
        reverse("orgs:person_role_add", args=[person.pk]),
        {"unit": county_a.pk, "role": Role.EXPERT},
    )
    membership = Membership.objects.get(user=coordinator_a, role=Role.EXPERT)
    client.post(reverse("orgs:person_role_remove", args=[person.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(content_type__model="membership", action="delete").exists()


# --- leading groups -------------------------------------------------------------


def test_leading_group_registered_by_coordinator(login, coordinator_a, county_a, campaign):
    url = reverse("campaigns:leading_group", args=[campaign.slug, county_a.code])
    response = login(coordinator_a).post(
        url,
        {
            "name": "兰山区领导小组",
            "office_location": "兰山区总工会宣传教育部",
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-0-name": "张组长",
            "members-0-role": "leader",
            "members-0-position": "主席",
            "members-1-name": "李联络",
            "members-1-role": "liaison",
        },
    )
    assert response.status_code == 302
    group = LeadingGroup.objects.get(campaign=campaign, unit=county_a)
    assert [m.name for m in group.members.all()] == ["张组长", "李联络"]


def test_leading_group_needs_a_leader(login, coordinator_a, county_a, campaign):
    url = reverse("campaigns:leading_group", args=[campaign.slug, county_a.code])
    response = login(coordinator_a).post(
        url,
        {
            "name": "兰山区领导小组",
            "office_location": "兰山区总工会",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-name": "李联络",
            "members-0-role": "liaison",
        },
    )
    assert response.status_code == 200
    assert not LeadingGroup.objects.exists()


def test_leading_group_of_other_county_is_404(login, coordinator_a, county_b, campaign):
    url = reverse("campaigns:leading_group", args=[campaign.slug, county_b.code])
    assert login(coordinator_a).get(url).status_code == 404


def test_office_sees_units_without_leading_group(
    login, office, coordinator_a, county_a, county_b, enterprise_a, campaign
):
    login(coordinator_a).post(
        reverse("campaigns:leading_group", args=[campaign.slug, county_a.code]),
        {
            "name": "兰山区领导小组",
            "office_location": "兰山区总工会",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-name": "张组长",
            "members-0-role": "leader",
        },
    )
    response = login(office).get(reverse("campaigns:leading_groups", args=[campaign.slug]))
    rows = {r["unit"].code: r["group"] for r in response.context["rows"]}
    # the city and its counties take part (depth 1); the enterprise does not
    assert set(rows) == {"371300", "371302", "371311"}
    assert rows["371302"] is not None
    assert rows["371311"] is None


def test_leading_group_overview_is_403_for_coordinator(login, coordinator_a, campaign):
    url = reverse("campaigns:leading_groups", args=[campaign.slug])
    assert login(coordinator_a).get(url).status_code == 403

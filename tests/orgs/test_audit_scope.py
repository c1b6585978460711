"""The audit log shows only what the viewer's office reaches, and no page of it fails
(issue 8, finding 7)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory, membership
from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.orgs.enums import Role


@pytest.fixture
def office_b(county_b):
    """An office role held at a county (罗庄区), not at the city."""
    user = UserFactory(username="office_b")
    PersonFactory(user=user, unit=county_b, name="罗庄办公室")
    membership(user, county_b, Role.OFFICE)
    return user


@pytest.fixture
def both(office, coordinator_a, coordinator_b, county_a, county_b, record):
    return record(coordinator_a, county_a, title="兰山的活动"), record(
        coordinator_b, county_b, title="罗庄的活动"
    )


def _history(client, obj):
    ct = ContentType.objects.get_for_model(obj)
    return client.get(reverse("orgs:audit_object", args=[ct.pk, obj.pk]))


def test_county_office_sees_only_its_county(login, office_b, both):
    mine, theirs = both[1], both[0]
    client = login(office_b)
    page = client.get(reverse("orgs:audit")).content.decode()
    assert "罗庄的活动" in page and "兰山的活动" not in page
    assert _history(client, mine).status_code == 200
    assert _history(client, theirs).status_code == 404


def test_city_office_sees_every_county(login, office, both):
    client = login(office)
    page = client.get(reverse("orgs:audit")).content.decode()
    assert "罗庄的活动" in page and "兰山的活动" in page
    assert _history(client, both[0]).status_code == 200


def test_entries_are_filed_under_the_records_unit(both, county_a):
    entry = AuditEntry.objects.filter(object_repr="兰山的活动").first()
    assert entry.unit_pk == county_a.pk


def test_a_change_named_like_a_dict_method_shows(login, office, both):
    # a report's planned items were recorded as {"items": [...]}: the page used to fail
    audit.record(
        office,
        AuditAction.UPDATE,
        both[0],
        changes={"items": [[], [["培训", "2014-08-01"]]], "values": [1, 2], "keys": [0, 1]},
    )
    client = login(office)
    assert client.get(reverse("orgs:audit")).status_code == 200
    response = _history(client, both[0])
    assert response.status_code == 200
    assert "培训" in response.content.decode()


def test_every_audit_page_of_the_demo_shapes_answers(login, office, both, county_a):
    from wenyi.orgs import services

    services.update_unit(office, county_a, version=county_a.version, address="新址")
    client = login(office)
    models = {e.content_type.model for e in AuditEntry.objects.select_related("content_type")}
    for model in models:
        assert client.get(reverse("orgs:audit"), {"model": model}).status_code == 200
    for entry in AuditEntry.objects.all():
        url = reverse("orgs:audit_object", args=[entry.content_type_id, entry.object_id])
        assert client.get(url).status_code == 200


def test_version_bookkeeping_is_not_shown(login, office, county_a):
    from wenyi.orgs import services

    services.update_unit(office, county_a, version=county_a.version, address="新址")
    body = _history(login(office), county_a).content.decode()
    assert "新址" in body and "版本" not in body


def test_field_names_are_shown_in_chinese(login, office, county_a):
    from wenyi.orgs import services

    services.update_unit(office, county_a, version=county_a.version, address="新址")
    body = _history(login(office), county_a).content.decode()
    assert "地址" in body and ">address<" not in body


def test_entries_written_before_units_were_recorded_are_filed(both, county_b):
    AuditEntry.objects.update(unit_pk=None)
    filed = audit.backfill_units()
    assert filed >= 2
    assert AuditEntry.objects.get(object_repr="罗庄的活动", action="create").unit_pk == county_b.pk


def test_values_are_shown_as_a_reader_knows_them(login, office, both, county_a):
    """Choices by their label, links by the record's name, flags as 是/否 (issue 10)."""
    activity = both[0]
    audit.record(
        office,
        AuditAction.UPDATE,
        activity,
        changes={"status": ["draft", "submitted"], "unit_id": [None, county_a.pk]},
    )
    body = _history(login(office), activity).content.decode()
    assert "已提交" in body and "草稿" in body
    assert county_a.name in body
    assert ">submitted<" not in body and f">{county_a.pk}<" not in body


def test_a_new_record_shows_its_values_only(login, office, both):
    entry = AuditEntry.objects.get(object_repr="兰山的活动", action=AuditAction.CREATE)
    rows = audit.change_rows(entry)
    assert rows and all(before is None for _label, before, _after in rows)
    assert all(after is not None for _label, _before, after in rows)
    body = _history(login(office), both[0]).content.decode()
    assert "值" in body


def test_flags_read_yes_or_no(office, linyi):
    type_ = linyi.activity_types.get(key="caifeng")
    entry = audit.record(
        office, AuditAction.UPDATE, type_, changes={"produces_works": [False, True]}
    )
    rows = audit.change_rows(entry)
    assert [(before, after) for _label, before, after in rows] == [("否", "是")]

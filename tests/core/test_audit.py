from django.urls import reverse

from tests.factories import PersonFactory
from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.orgs import services


def test_update_records_only_changed_fields(office, county_a):
    person = PersonFactory(unit=county_a, name="甲", mobile="13900000009")
    services.update_person(office, person, version=person.version, name="乙", mobile="13900000009")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes == {"name": ["甲", "乙"], "version": [1, 2]}
    assert entry.actor == office


def test_update_without_change_records_nothing(office, county_a):
    person = PersonFactory(unit=county_a, name="甲")
    before = AuditEntry.objects.count()
    services.update_person(office, person, version=person.version, name="甲")
    assert AuditEntry.objects.count() == before


def test_delete_records_old_values(office, county_a, coordinator_a):
    membership = coordinator_a.memberships.get()
    services.revoke_role(office, membership)
    entry = AuditEntry.objects.get(action=AuditAction.DELETE)
    assert entry.changes["role"] == ["coordinator", None]


def test_office_browses_history_of_one_object(login, office, county_a):
    services.update_unit(office, county_a, version=county_a.version, name="兰山区（新）")
    client = login(office)
    url = audit.entries_for(county_a).first()
    response = client.get(reverse("orgs:audit_object", args=[url.content_type_id, county_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "兰山区（新）" in body
    assert "刘洁" in body or "office" in body


def test_audit_log_is_403_for_coordinator(login, coordinator_a):
    assert login(coordinator_a).get(reverse("orgs:audit")).status_code == 403


def test_audit_log_lists_and_filters(login, office, county_a):
    services.update_unit(office, county_a, version=county_a.version, name="兰山区（改）")
    response = login(office).get(reverse("orgs:audit"), {"model": "orgunit"})
    assert response.status_code == 200
    assert "兰山区（改）" in response.content.decode()


def test_audit_log_query_count_does_not_grow(
    login, office, county_a, django_assert_max_num_queries
):
    client = login(office)
    services.update_unit(office, county_a, version=county_a.version, name="一")
    assert client.get(reverse("orgs:audit")).status_code == 200
    with django_assert_max_num_queries(10) as one:
        assert client.get(reverse("orgs:audit")).status_code == 200
    for name in ["二", "三", "四"]:
        services.update_unit(office, county_a, version=county_a.version, name=name)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("orgs:audit")).status_code == 200

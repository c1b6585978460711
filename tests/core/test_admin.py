import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.parametrize(
    "model",
    [
        "orgs/orgunit",
        "orgs/person",
        "campaigns/campaign",
        "activities/activity",
        "reporting/report",
        "core/auditentry",
    ],
)
def test_superuser_opens_admin_lists(client, db, model):
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(user)
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200

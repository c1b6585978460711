import json

import pytest
from django.test import Client

from tests.awards.conftest import approved, drawn, notice, tiered  # noqa: F401
from tests.reporting.conftest import monthly_plan  # noqa: F401
from tests.review.conftest import committee, submitted_work, supervisor, worker  # noqa: F401
from tests.review.test_expert_views import fuping, scored, works  # noqa: F401
from wenyi.api import services

# the fixtures imported above build records as their apps' own tests do: the committee and
# an open blind round (scored), a unit's monthly plan, final results on public notice


class ApiClient:
    """A client sending one login's API token with every request, JSON in and out."""

    def __init__(self, raw: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def _call(self, method: str, url: str, body=None, **params):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(f"/api/v1{url}", **kwargs)

    def get(self, url, **params):
        return self._call("get", url, **params)

    def post(self, url, body=None):
        return self._call("post", url, body if body is not None else {})

    def patch(self, url, body):
        return self._call("patch", url, body)

    def put(self, url, body):
        return self._call("put", url, body)

    def delete(self, url):
        return self._call("delete", url)


# a draft activity of each county (兰山区, 罗庄区), recorded by its coordinator
@pytest.fixture
def activity_a(record, coordinator_a, county_a):
    return record(coordinator_a, county_a, "peixun", title="兰山区书法培训")


@pytest.fixture
def activity_b(record, coordinator_b, county_b):
    return record(coordinator_b, county_b, "weiwen", title="罗庄区慰问演出")


@pytest.fixture
def api():
    """api(user) -> an ApiClient with a fresh token of that login (None: no token)."""

    def _api(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _token, raw = services.create_token(user, name="tests", valid_days=None)
        return ApiClient(raw)

    return _api


def problem(response, status: int) -> dict:
    """The response's problem details, checked to be one of `status`."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body

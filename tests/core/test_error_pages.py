"""Error pages are Chinese, in the site's layout, with a way back."""

from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from wenyi.core import errors


def test_404_is_chinese_with_a_way_back(login, coordinator_a, county_b):
    response = login(coordinator_a).get(reverse("orgs:unit", args=[county_b.code]))
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "返回首页" in text and "Not Found" not in text


def test_403_is_chinese(login, artist, county_a):
    response = login(artist).get(reverse("orgs:unit_edit", args=[county_a.code]))
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()


def test_500_is_chinese_and_survives_a_broken_layout(rf: RequestFactory, monkeypatch, db):
    request = rf.get("/")
    response = errors.server_error(request)
    assert response.status_code == 500 and "出错了" in response.content.decode()

    def broken(*args, **kwargs):
        raise connection.OperationalError("database is down")

    monkeypatch.setattr(errors, "render", broken)
    plain = errors.server_error(request)
    assert plain.status_code == 500 and "出错了" in plain.content.decode()

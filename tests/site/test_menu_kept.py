"""The menu of every page is kept while nothing has been committed (site.views.navigation,
core.dbstate.kept): each login's own, and fresh after any commit — a notice written by
another worker shows on the next page.

Transactional: inside a test's transaction nothing is kept, so these commit as the
running app does (SQLite and PostgreSQL)."""

import re

import pytest
from django.urls import reverse

from tests.elsewhere import on_another_connection, queries_of_a_kept_look
from wenyi.core.enums import NoticeKind
from wenyi.core.notify import notify

pytestmark = pytest.mark.django_db(transaction=True)


def _unread(response) -> int:
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'data-testid="notifications">[^<]*(?:<span[^>]*>(\d+)</span>)?', html)
    assert found, "the menu has its notices link"
    return int(found.group(1) or 0)


def test_a_notice_from_another_worker_shows_on_the_next_page(login, coordinator_a):
    client = login(coordinator_a)
    page = reverse("core:notification_settings")
    assert _unread(client.get(page)) == 0
    assert _unread(client.get(page)) == 0
    again = queries_of_a_kept_look(lambda: client.get(page))
    assert not any("core_notification" in q["sql"] for q in again)  # the kept menu

    on_another_connection(
        lambda: notify([coordinator_a], "月度计划已退回", kind=NoticeKind.RETURNED, email=False)
    )
    assert _unread(client.get(page)) == 1


def test_each_login_has_its_own_menu(login, office, coordinator_a, linyi):
    audit = reverse("orgs:audit")
    page = login(office).get(reverse("core:notification_settings")).content.decode()
    assert f'href="{audit}"' in page and "刘洁" in _user_menu(page)
    page = login(coordinator_a).get(reverse("core:notification_settings")).content.decode()
    assert f'href="{audit}"' not in page and "王兰山" in _user_menu(page)


def _user_menu(html: str) -> str:
    return html.split('data-testid="user-menu"', 1)[1][:200]

"""The Django admin speaks Chinese too: its titles, the apps and the models (issue 10)."""

import re

from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


def test_every_admin_page_is_in_chinese(db, client):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    body = index.content.decode()
    assert "Django" not in body
    for model, _model_admin in admin.site._registry.items():
        meta = model._meta
        assert re.search(r"[\u4e00-\u9fff]", str(meta.verbose_name_plural)), meta.label
        assert re.search(r"[\u4e00-\u9fff]", str(meta.app_config.verbose_name)), meta.label
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Select " not in page.content.decode(), url

"""The people to choose as an activity's participants, by the pinyin of their names
(issue 10)."""

import re

from django.urls import reverse

from tests.factories import PersonFactory

FIVE = ["张三", "李四", "王五", "阿明", "赵六"]


def test_participant_choices_are_in_pinyin_order(
    login, coordinator_a, county_a, enterprise_a, linyi
):
    for i, name in enumerate(FIVE):
        PersonFactory(name=name, unit=county_a if i % 2 else enterprise_a)

    url = reverse("activities:add", args=[linyi.slug]) + "?type=weiwen"
    response = login(coordinator_a).get(url)

    assert response.status_code == 200
    options = re.findall(r'<option value="\d+">([^（<]+)（', response.content.decode())
    assert [n for n in options if n in FIVE] == ["阿明", "李四", "王五", "张三", "赵六"]

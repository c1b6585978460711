"""No edit is silently lost (issue 8, finding 4).

Two people open the same record's edit page; the first saves; the second's save is
refused, says who changed what, and shows the second person's input again, with the
current version so that saving once more is a deliberate choice.
"""

import pytest
from django.urls import reverse

from tests.works.test_views import make_work
from wenyi.campaigns.models import LeadingGroup


def form_data(response, form_key: str = "form") -> dict:
    """What a browser would post back from the page's form, unchanged."""
    form = response.context[form_key]
    data = {}
    for field in form:
        value = field.value()
        if field.field.disabled or value is None:
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif hasattr(value, "pk"):
            data[field.html_name] = str(value.pk)
        else:
            data[field.html_name] = str(value)
    return data


def _race(first, second, url, field, mine, theirs, form_key="form", extra=None):
    """Both open `url`; `first` saves `theirs`, then `second` saves `mine`."""
    page_1, page_2 = first.get(url), second.get(url)
    assert page_1.status_code == page_2.status_code == 200
    data_1, data_2 = form_data(page_1, form_key), form_data(page_2, form_key)
    data_1.update(extra or {})
    data_2.update(extra or {})
    data_1[field], data_2[field] = theirs, mine
    saved = first.post(url, data_1)
    assert saved.status_code == 302, saved.context and saved.context[form_key].errors
    refused = second.post(url, data_2)
    return refused, data_2


def _assert_refused(refused, who: str, label: str, mine: str, form_key="form"):
    assert refused.status_code == 200
    errors = " ".join(refused.context[form_key].non_field_errors())
    assert who in errors and label in errors, errors
    assert mine in refused.content.decode()  # the loser keeps their input


def test_activity_second_save_is_refused(login, office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a)
    url = reverse("activities:edit", args=[activity.pk])
    first, second = login(office), login(coordinator_a)
    refused, mine = _race(first, second, url, "title", "我的标题", "办公室的标题")
    _assert_refused(refused, "刘洁", "标题", "我的标题")
    activity.refresh_from_db()
    assert activity.title == "办公室的标题"
    # saving again, now knowing, replaces it
    mine["version"] = str(activity.version)
    assert second.post(url, mine).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "我的标题"


def test_activity_edit_opened_before_a_status_move_is_refused(
    login, office, coordinator_a, county_a, record
):
    from wenyi.activities import services

    activity = record(coordinator_a, county_a, status="submitted")
    services.return_activity(office, activity, "请补充照片")
    activity.refresh_from_db()
    client = login(coordinator_a)
    url = reverse("activities:edit", args=[activity.pk])
    data = form_data(client.get(url))
    services.submit_activity(coordinator_a, activity)
    services.return_activity(office, activity, "再补充")
    data["title"] = "旧页面上的修改"
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "刘洁" in " ".join(refused.context["form"].non_field_errors())


def test_work_second_save_is_refused(login, linyi, county_a, artist, coordinator_a):
    work = make_work(linyi, county_a, artist.person, title="车间之歌")
    url = reverse("works:edit", args=[work.pk])
    refused, _ = _race(
        login(coordinator_a), login(artist), url, "title", "艺术家的题目", "联络员的题目"
    )
    _assert_refused(refused, "王兰山", "作品名称", "艺术家的题目")
    work.refresh_from_db()
    assert work.title == "联络员的题目"


def test_person_second_save_is_refused(login, office, coordinator_a, artist):
    url = reverse("orgs:person_edit", args=[artist.person.pk])
    refused, _ = _race(login(office), login(coordinator_a), url, "job_title", "钳工", "车工")
    _assert_refused(refused, "刘洁", "职务", "钳工")
    artist.person.refresh_from_db()
    assert artist.person.job_title == "车工"


def test_unit_second_save_is_refused(login, office, coordinator_a, county_a):
    url = reverse("orgs:unit_edit", args=[county_a.code])
    refused, _ = _race(login(office), login(coordinator_a), url, "address", "新地址乙", "新地址甲")
    _assert_refused(refused, "刘洁", "地址", "新地址乙")
    county_a.refresh_from_db()
    assert county_a.address == "新地址甲"


@pytest.mark.parametrize("existing", [True, False])
def test_leading_group_second_save_is_refused(
    login, office, coordinator_a, county_a, linyi, existing
):
    from wenyi.campaigns import services

    if existing:
        services.save_leading_group(
            office,
            linyi,
            county_a,
            version=None,
            name="兰山区领导小组",
            office_location="兰山区总工会",
            members=[{"name": "张组长", "role": "leader"}],
        )
    url = reverse("campaigns:leading_group", args=[linyi.slug, county_a.code])
    members = {
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "1" if existing else "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "40",
        "members-0-name": "张组长",
        "members-0-role": "leader",
    }
    refused, _ = _race(
        login(office),
        login(coordinator_a),
        url,
        "office_location",
        "联络员写的地点",
        "办公室写的地点",
        extra=members,
    )
    _assert_refused(refused, "刘洁", "办公室", "联络员写的地点")
    assert LeadingGroup.objects.get(unit=county_a).office_location == "办公室写的地点"


def test_a_save_that_changes_nothing_is_no_conflict(login, office, coordinator_a, county_a):
    url = reverse("orgs:unit_edit", args=[county_a.code])
    first, second = login(office), login(coordinator_a)
    data_2 = form_data(second.get(url))
    data_1 = form_data(first.get(url))
    data_1["address"] = "甲"
    assert first.post(url, data_1).status_code == 302
    data_2["address"] = "甲"  # the same change: nothing of the first is lost
    assert second.post(url, data_2).status_code == 302

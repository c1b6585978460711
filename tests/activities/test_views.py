import datetime
import re

import pytest
from django.urls import reverse
from django.utils.translation import override, pgettext

from wenyi.activities.models import Activity


def _form(linyi, unit, **extra):
    data = {
        "unit": unit.pk,
        "title": "送文化进企业",
        "start_date": "2014-08-08",
        "place": "兰山区某机械厂",
        "m_shows": "2",
        "m_audience": "600",
        "token": "4d1f7c5e-8a0b-4a5e-9f51-2f6f1c3a9b10",
    }
    data.update(extra)
    return data


def _add_url(linyi, type_key="weiwen"):
    return reverse("activities:add", args=[linyi.slug]) + f"?type={type_key}"


def test_coordinator_records_activity(login, coordinator_a, county_a, linyi):
    response = login(coordinator_a).post(_add_url(linyi), _form(linyi, county_a))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.unit, activity.status, activity.created_by) == (
        county_a,
        "draft",
        coordinator_a,
    )


def test_save_and_submit_in_one_step(login, coordinator_a, county_a, linyi):
    login(coordinator_a).post(_add_url(linyi), _form(linyi, county_a, submit_now="1"))
    assert Activity.objects.get().status == "submitted"


def test_double_click_creates_one_activity(login, coordinator_a, county_a, linyi):
    client = login(coordinator_a)
    first = client.post(_add_url(linyi), _form(linyi, county_a))
    second = client.post(_add_url(linyi), _form(linyi, county_a))
    assert Activity.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_duplicate_is_shown_before_saving(login, coordinator_a, county_a, linyi, record):
    existing = record(
        coordinator_a,
        county_a,
        "weiwen",
        place="兰山区某机械厂",
        start_date=datetime.date(2014, 8, 8),
    )
    client = login(coordinator_a)
    response = client.post(_add_url(linyi), _form(linyi, county_a, place="兰山区 某机械厂"))
    assert response.status_code == 200
    assert existing.title in response.content.decode()
    assert Activity.objects.count() == 1
    response = client.post(_add_url(linyi), _form(linyi, county_a, confirm_duplicate="on"))
    assert response.status_code == 302
    assert Activity.objects.count() == 2


def test_missing_required_metric_names_the_field(login, coordinator_a, county_a, linyi):
    data = _form(linyi, county_a)
    del data["m_audience"]
    response = login(coordinator_a).post(_add_url(linyi), data)
    assert response.status_code == 200
    assert "受众" in response.content.decode() or "观众" in response.content.decode()
    assert Activity.objects.count() == 0


def test_coordinator_cannot_record_for_other_county(login, coordinator_a, county_b, linyi):
    response = login(coordinator_a).post(_add_url(linyi), _form(linyi, county_b))
    assert response.status_code == 200
    assert Activity.objects.count() == 0


def test_other_county_gets_404(login, coordinator_a, coordinator_b, county_a, record):
    activity = record(coordinator_a, county_a)
    client = login(coordinator_b)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 404
    response = client.post(reverse("activities:action", args=[activity.pk, "submit"]))
    assert response.status_code == 404


def test_artist_sees_activity_they_took_part_in_read_only(
    login, artist, coordinator_a, county_a, record
):
    activity = record(coordinator_a, county_a, participants=[artist.person])
    other = record(coordinator_a, county_a)
    client = login(artist)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("activities:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
    response = client.post(reverse("activities:action", args=[activity.pk, "submit"]))
    assert response.status_code == 403


def test_coordinator_cannot_verify_own_county(login, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    response = login(coordinator_a).post(reverse("activities:action", args=[activity.pk, "verify"]))
    activity.refresh_from_db()
    assert activity.status == "submitted"
    assert response.status_code in (302, 403)


def test_coordinator_verifies_enterprise_below(login, coordinator_a, enterprise_a, record):
    # the enterprise's own people submitted it; the county above checks it
    activity = record(None, enterprise_a, status="submitted")
    login(coordinator_a).post(reverse("activities:action", args=[activity.pk, "verify"]))
    activity.refresh_from_db()
    assert activity.status == "verified"


def test_nobody_verifies_or_returns_what_they_submitted(login, coordinator_a, enterprise_a, record):
    """A coordinator who recorded and submitted an activity for an enterprise under her
    county is not offered 核实 on it, and cannot verify or return it."""
    activity = record(coordinator_a, enterprise_a, status="submitted")
    client = login(coordinator_a)
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert not page.context["can"]["verify"] and not page.context["can"]["return"]
    response = client.post(reverse("activities:action", args=[activity.pk, "verify"]), follow=True)
    assert "您自己提交" in response.content.decode()
    client.post(reverse("activities:action", args=[activity.pk, "return"]), {"reason": "自己退"})
    activity.refresh_from_db()
    assert activity.status == "submitted"


def test_office_verifies_and_unlocks_with_reason(login, office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    client = login(office)
    client.post(reverse("activities:action", args=[activity.pk, "verify"]))
    activity.refresh_from_db()
    assert activity.status == "verified"
    client.post(reverse("activities:action", args=[activity.pk, "unlock"]), {"reason": ""})
    activity.refresh_from_db()
    assert activity.status == "verified"
    client.post(reverse("activities:action", args=[activity.pk, "unlock"]), {"reason": "人数填错"})
    activity.refresh_from_db()
    assert activity.status == "returned"


def test_coordinator_cannot_unlock(login, office, coordinator_a, enterprise_a, record):
    activity = record(coordinator_a, enterprise_a, status="verified")
    response = login(coordinator_a).post(
        reverse("activities:action", args=[activity.pk, "unlock"]), {"reason": "想改"}
    )
    activity.refresh_from_db()
    assert activity.status == "verified"
    assert response.status_code in (302, 403)


def test_list_is_scoped(login, coordinator_a, coordinator_b, county_a, county_b, record, linyi):
    mine = record(coordinator_a, county_a, title="兰山区的活动")
    record(coordinator_b, county_b, title="罗庄区的活动")
    body = login(coordinator_a).get(reverse("activities:list", args=[linyi.slug])).content
    assert mine.title in body.decode()
    assert "罗庄区的活动" not in body.decode()


def test_list_query_count_does_not_grow(
    login, office, coordinator_a, county_a, record, linyi, django_assert_max_num_queries
):
    client = login(office)
    url = reverse("activities:list", args=[linyi.slug])
    record(coordinator_a, county_a)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20) as one:
        assert client.get(url).status_code == 200
    for _ in range(3):
        record(coordinator_a, county_a)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_matrix_query_count_does_not_grow(
    login, office, coordinator_a, county_a, county_b, record, linyi, django_assert_max_num_queries
):
    client = login(office)
    url = reverse("activities:quota", args=[linyi.slug])
    record(coordinator_a, county_a, status="verified")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20) as one:
        assert client.get(url).status_code == 200
    for unit in (county_a, county_b, county_b):
        record(office, unit, "peixun", status="verified")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_matrix_shows_verified_counts(
    login, office, coordinator_a, county_a, county_b, record, linyi
):
    record(coordinator_a, county_a, "weiwen", status="verified")
    response = login(office).get(reverse("activities:quota", args=[linyi.slug]))
    rows = {r.unit.code: {c.type.key: c.count for c in r.cells} for r in response.context["rows"]}
    assert rows["371302"]["weiwen"] == 1
    assert rows["371311"]["weiwen"] == 0


def test_matrix_for_coordinator_shows_own_county_only(
    login, coordinator_a, county_a, county_b, linyi
):
    response = login(coordinator_a).get(reverse("activities:quota", args=[linyi.slug]))
    assert [r.unit.code for r in response.context["rows"]] == ["371302"]


def test_matrix_is_403_for_artist(login, artist, linyi):
    assert login(artist).get(reverse("activities:quota", args=[linyi.slug])).status_code == 403


def test_unit_page_shows_quota_progress(login, office, coordinator_a, county_a, record, linyi):
    record(coordinator_a, county_a, "weiwen", status="verified")
    body = login(coordinator_a).get(reverse("orgs:unit", args=[county_a.code])).content
    assert 'data-testid="unit-quota"' in body.decode()


@pytest.mark.parametrize("action", ["submit", "verify", "return", "unlock", "delete"])
def test_actions_are_post_only(login, office, coordinator_a, county_a, record, action):
    activity = record(coordinator_a, county_a)
    response = login(office).get(reverse("activities:action", args=[activity.pk, action]))
    assert response.status_code == 405


def test_edit_form_shows_dates_a_date_input_accepts(login, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, start_date=datetime.date(2014, 8, 8))
    body = login(coordinator_a).get(reverse("activities:edit", args=[activity.pk])).content
    assert 'value="2014-08-08"' in body.decode()


# -- an activity dated after today is saved as a draft (issue 10, item 11) ----------------


def test_save_and_submit_of_a_future_activity_keeps_the_draft_and_says_why(
    login, coordinator_a, county_a, linyi, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 5)
    client = login(coordinator_a)

    response = client.post(
        _add_url(linyi), _form(linyi, county_a, start_date="2014-08-08", submit_now="1")
    )

    activity = Activity.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.status == "draft"
    page = client.get(response["Location"])
    [message] = [str(m) for m in page.context["messages"]]
    assert "2014-08-08" in message and "2014-08-05" in message
    assert 'class="alert alert-warning"' in page.content.decode()


def test_submit_button_on_a_future_activity_says_why(
    login, coordinator_a, county_a, record, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 5)
    activity = record(coordinator_a, county_a, start_date=datetime.date(2014, 8, 8))
    client = login(coordinator_a)

    response = client.post(reverse("activities:action", args=[activity.pk, "submit"]), follow=True)

    [message] = [str(m) for m in response.context["messages"]]
    assert "2014-08-08" in message
    activity.refresh_from_db()
    assert activity.status == "draft"


def test_date_filter_has_visible_labels_tied_to_its_inputs(login, coordinator_a, linyi):
    page = login(coordinator_a).get(reverse("activities:list", args=[linyi.slug]))

    html = page.content.decode()
    group = re.search(r'data-testid="date-range">(.*?)</form>', html, re.S)
    assert group is not None
    labels = re.findall(r'<label class="([^"]*)" for="([^"]+)">([^<]+)</label>', group.group(1))
    with override("zh-hans"):
        expected = [
            ("f-from", pgettext("date range", "From")),
            ("f-to", pgettext("date range", "To")),
        ]
    assert [(target, text) for _css, target, text in labels] == expected
    assert all("visually-hidden" not in css for css, _target, _text in labels)
    assert 'id="f-from" type="date" name="date_from"' in group.group(1)
    assert 'id="f-to" type="date" name="date_to"' in group.group(1)

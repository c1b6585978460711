"""A work names the activity it was created on, and only activities whose type creates
works (the campaign file's `produces_works`, 采风创作 in 2014) are offered (issue 10)."""

import pytest
from django.core.exceptions import ValidationError

from tests.works.test_views import add_url, make_work, poem_post
from wenyi.works import services
from wenyi.works.models import Work


@pytest.fixture
def caifeng(record, coordinator_a, county_a):
    return record(coordinator_a, county_a, "caifeng", title="走进车间采风")


@pytest.fixture
def peixun(record, coordinator_a, county_a):
    return record(coordinator_a, county_a, "peixun", title="合唱辅导")


def test_the_form_offers_field_creation_activities_only(
    login, linyi, coordinator_a, caifeng, peixun
):
    form = login(coordinator_a).get(add_url(linyi, "shici")).context["form"]
    assert list(form.fields["activity"].queryset) == [caifeng]
    assert form.fields["activity"].label == "创作所在活动"


def test_a_work_is_saved_with_its_activity(login, linyi, county_a, coordinator_a, caifeng):
    client = login(coordinator_a)
    data = poem_post(county_a, coordinator_a.person, activity=caifeng.pk)
    assert client.post(add_url(linyi, "shici"), data).status_code == 302
    assert Work.objects.get().activity == caifeng


def test_a_training_is_refused_by_name(login, linyi, county_a, coordinator_a, peixun, caifeng):
    client = login(coordinator_a)
    data = poem_post(county_a, coordinator_a.person, activity=peixun.pk)
    response = client.post(add_url(linyi, "shici"), data)
    assert response.status_code == 200
    assert "创作所在活动" in response.content.decode()
    assert not Work.objects.exists()


def test_the_service_refuses_an_activity_that_creates_no_works(linyi, county_a, artist, peixun):
    with pytest.raises(ValidationError, match="合唱辅导"):
        make_work(linyi, county_a, artist.person, activity=peixun)
    assert not Work.objects.exists()


def test_without_such_a_type_the_field_is_not_shown(login, linyi, county_a, coordinator_a):
    linyi.activity_types.update(produces_works=False)
    client = login(coordinator_a)
    form = client.get(add_url(linyi, "shici")).context["form"]
    assert "activity" not in form.fields
    assert (
        client.post(add_url(linyi, "shici"), poem_post(county_a, coordinator_a.person)).status_code
        == 302
    )


def test_an_edit_keeps_the_activity_it_named(login, linyi, county_a, coordinator_a, caifeng):
    work = make_work(linyi, county_a, coordinator_a.person, activity=caifeng)
    linyi.activity_types.filter(key="caifeng").update(produces_works=False)
    linyi.activity_types.filter(key="peixun").update(produces_works=True)
    work = services.update_work(coordinator_a, work, version=work.version, title="新题")
    assert work.activity == caifeng

"""Who may change the fields that identify a login (issue 8, findings 1 and 2).

A coordinator could once edit the e-mail of an office login whose home unit lay in
their county and so receive its password-reset mail. Now mobile and e-mail change only
by the person or by someone who may manage every role the person holds, the old address
hears of a change, and login names and mobile numbers share one namespace.
"""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory, membership
from tests.smtp import smtp_server
from wenyi.orgs.enums import Role


def _person_with_roles(unit, *roles_at, username="held", email="held@example.org"):
    user = UserFactory(username=username, email=email)
    person = PersonFactory(user=user, unit=unit, name="王某", email=email)
    for role, at in roles_at:
        membership(user, at, role)
    return person


def _edit(client, person, **changes):
    data = {
        "version": person.version,
        "name": person.name,
        "unit": person.unit_id,
        "mobile": person.mobile,
        "email": person.email,
    }
    data.update(changes)
    return client.post(reverse("orgs:person_edit", args=[person.pk]), data)


# --- finding 1: a coordinator takes over a higher-ranked login ---------------------------


def test_coordinator_cannot_redirect_office_logins_mail(
    settings, client, login, office, coordinator_a, county_a, city
):
    held = _person_with_roles(county_a, (Role.OFFICE, city))
    response = _edit(login(coordinator_a), held, email="lanshan@example.org")
    # the form shows the address but does not take a new one
    assert response.status_code == 302
    held.refresh_from_db()
    held.user.refresh_from_db()
    assert (held.email, held.user.email) == ("held@example.org", "held@example.org")
    # and a password reset for her own address reaches nobody's login but hers
    with smtp_server(settings) as inbox:
        client.post(reverse("password_reset"), {"email": "lanshan@example.org"})
    assert inbox == []


def test_coordinator_edit_form_shows_identity_fields_read_only(
    login, coordinator_a, county_a, city
):
    held = _person_with_roles(county_a, (Role.OFFICE, city))
    form = login(coordinator_a).get(reverse("orgs:person_edit", args=[held.pk])).context["form"]
    assert form.fields["email"].disabled and form.fields["mobile"].disabled
    assert not form.fields["name"].disabled


def test_coordinator_changes_identity_of_own_art_worker(login, coordinator_a, artist):
    person = artist.person
    response = _edit(login(coordinator_a), person, email="new@example.org", mobile="13812340000")
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.email, person.mobile) == ("new@example.org", "13812340000")
    artist.refresh_from_db()
    assert artist.email == "new@example.org"


def test_office_changes_identity_of_anyone_below(login, office, county_a, city):
    held = _person_with_roles(county_a, (Role.OFFICE, city), (Role.COORDINATOR, county_a))
    assert _edit(login(office), held, email="moved@example.org").status_code == 302
    held.refresh_from_db()
    assert held.email == "moved@example.org"


def test_identity_change_is_told_to_the_old_address(
    settings, login, office, artist, django_capture_on_commit_callbacks
):
    person = artist.person
    person.email = artist.email
    person.save()
    with smtp_server(settings) as inbox, django_capture_on_commit_callbacks(execute=True):
        _edit(login(office), person, email="other@example.org", mobile="13812340001")
    assert [m["To"] for m in inbox] == [artist.email]
    text = inbox[0].get_content()
    assert "other@example.org" in text and "13812340001" in text
    assert artist.notifications.filter(message__contains="已被修改").exists()


def test_person_changes_own_identity(login, artist):
    person = artist.person
    response = _edit(login(artist), person, email="mine@example.org", unit="")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "mine@example.org"


def test_service_refuses_identity_change_without_the_rule(coordinator_a, county_a, city):
    from django.core.exceptions import PermissionDenied

    from wenyi.orgs import services

    held = _person_with_roles(county_a, (Role.OFFICE, city))
    with pytest.raises(PermissionDenied):
        services.update_person(coordinator_a, held, version=held.version, email="x@example.org")
    assert mail.outbox == []


# --- the rules table --------------------------------------------------------------------


@pytest.fixture
def cast(office, coordinator_a, coordinator_b, artist, expert, county_a, county_b, city):
    """Targets: the people whose identity fields someone might change."""
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        "office": office,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "artist": artist,
        "expert": expert,
        "target_artist": artist.person,
        "target_no_login": PersonFactory(unit=county_a, name="职工甲"),
        "target_office_home_a": _person_with_roles(county_a, (Role.OFFICE, city)),
        "target_coordinator_a2": _person_with_roles(
            county_a, (Role.COORDINATOR, county_a), username="coord2", email="c2@example.org"
        ),
        "target_artist_b": _person_with_roles(
            county_b, (Role.ARTIST, county_b), username="artist_b", email="ab@example.org"
        ),
        "target_superuser": PersonFactory(user=superuser, unit=county_a, name="管理员"),
        "target_expert_a": _person_with_roles(
            county_a, (Role.EXPERT, city), username="expert_a", email="ea@example.org"
        ),
    }


# (actor, target, may change identity)
IDENTITY_TABLE = [
    ("office", "target_artist", True),
    ("office", "target_no_login", True),
    ("office", "target_office_home_a", True),
    ("office", "target_coordinator_a2", True),
    ("office", "target_artist_b", True),
    ("office", "target_expert_a", True),
    ("office", "target_superuser", False),
    ("coordinator_a", "target_artist", True),
    ("coordinator_a", "target_no_login", True),
    ("coordinator_a", "target_office_home_a", False),
    ("coordinator_a", "target_coordinator_a2", False),
    ("coordinator_a", "target_expert_a", False),
    ("coordinator_a", "target_artist_b", False),
    ("coordinator_a", "target_superuser", False),
    ("coordinator_b", "target_artist", False),
    ("artist", "target_artist", True),  # themselves
    ("artist", "target_no_login", False),
    ("expert", "target_artist", False),
]


@pytest.mark.parametrize(("actor", "target", "allowed"), IDENTITY_TABLE)
def test_who_may_change_identity_fields(cast, actor, target, allowed):
    assert cast[actor].has_perm("orgs.change_identity", cast[target]) is allowed


@pytest.mark.parametrize(("actor", "target", "allowed"), IDENTITY_TABLE)
def test_identity_rule_holds_through_the_edit_page(cast, login, actor, target, allowed):
    person = cast[target]
    client = login(cast[actor])
    if not cast[actor].has_perm("orgs.edit_profile", person):
        status = client.get(reverse("orgs:person_edit", args=[person.pk])).status_code
        assert status in (403, 404)
        return
    _edit(client, person, email="changed@example.org")
    person.refresh_from_db()
    assert (person.email == "changed@example.org") is allowed


# --- finding 2: login names and mobile numbers share one namespace ------------------------


def test_login_name_may_not_be_someone_elses_mobile(login, coordinator_b, county_b, county_a):
    lanshan_mobile = "13905390001"
    PersonFactory(unit=county_a, name="兰山某人", mobile=lanshan_mobile)
    other = PersonFactory(unit=county_b, name="罗庄新人", mobile="")
    response = login(coordinator_b).post(
        reverse("orgs:person_login", args=[other.pk]),
        {"username": lanshan_mobile, "role": Role.ARTIST},
        follow=True,
    )
    other.refresh_from_db()
    assert other.user is None
    assert "手机号" in response.content.decode()


def test_login_name_shadowing_is_refused_when_adding_a_person(
    login, coordinator_b, county_b, coordinator_a
):
    coordinator_a.person.mobile = "13905390001"
    coordinator_a.person.save()
    response = login(coordinator_b).post(
        reverse("orgs:person_add"),
        {
            "name": "冒名",
            "unit": county_b.pk,
            "login-username": "13905390001",
            "login-role": Role.ARTIST,
        },
    )
    assert response.status_code == 200
    assert "手机号" in response.content.decode()
    # the owner of the number still signs in with it
    from django.contrib.auth import authenticate

    from tests.factories import PASSWORD

    assert authenticate(None, username="13905390001", password=PASSWORD) == coordinator_a


def test_mobile_may_not_be_someone_elses_login_name(login, office, county_a):
    UserFactory(username="13800000077")
    person = PersonFactory(unit=county_a, mobile="")
    response = _edit(login(office), person, mobile="13800000077")
    assert response.status_code == 200
    assert "登录名" in response.content.decode()
    person.refresh_from_db()
    assert person.mobile == ""


def test_own_mobile_may_be_own_login_name(login, office, county_a):
    person = PersonFactory(unit=county_a, mobile="13800000078")
    login(office).post(
        reverse("orgs:person_login", args=[person.pk]),
        {"username": "13800000078", "role": Role.ARTIST},
    )
    person.refresh_from_db()
    assert person.user.username == "13800000078"

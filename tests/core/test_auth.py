import re

from django.urls import reverse

from tests.factories import PASSWORD
from tests.smtp import smtp_server


def test_login_with_username_works(client, coordinator_a):
    response = client.post(reverse("login"), {"username": "coordinator_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("orgs:units")).status_code == 200


def test_login_with_mobile_number_works(client, coordinator_a):
    mobile = coordinator_a.person.mobile
    response = client.post(reverse("login"), {"username": mobile, "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == coordinator_a


def test_login_with_wrong_password_says_so_in_chinese(client, coordinator_a):
    response = client.post(reverse("login"), {"username": "coordinator_a", "password": "x"})
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_pages_need_login(anonymous, county_a):
    response = anonymous.get(reverse("orgs:unit", args=[county_a.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_works(login, artist):
    client = login(artist)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-mima-2014!",
            "new_password2": "Xin-mima-2014!",
        },
    )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.check_password("Xin-mima-2014!")


def test_password_reset_sends_mail_through_real_smtp(client, settings, artist):
    with smtp_server(settings) as inbox:
        response = client.post(reverse("password_reset"), {"email": artist.email})
    assert response.status_code == 302
    assert len(inbox) == 1
    body = inbox[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/reset/\S+)", body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Xin-mima-2014!", "new_password2": "Xin-mima-2014!"},
    )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.check_password("Xin-mima-2014!")


def test_admin_is_for_superusers_only(login, office):
    office.is_staff = True
    office.save()
    response = login(office).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_password_reset_reaches_login_without_password(client, settings, office, county_a):
    from wenyi.orgs import services

    person = services.create_person(
        office,
        name="新来的",
        unit=county_a,
        email="new@example.org",
        username="xinlaide",
        role="artist",
    )
    assert not person.user.has_usable_password()
    with smtp_server(settings) as inbox:
        client.post(reverse("password_reset"), {"email": "new@example.org"})
    assert len(inbox) == 1
    assert inbox[0]["To"] == "new@example.org"

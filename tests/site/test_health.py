"""`/healthz`: answers "ok" to anyone, reads nothing from the database."""

from django.urls import reverse


def test_health_answers_ok_without_a_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert client.post(reverse("health")).status_code == 405

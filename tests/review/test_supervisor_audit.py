"""A supervisor reads the review's audit — committees, rounds, entries, assignments,
conflicts — filed under the units they supervise, and nothing else of the audit: no
scores (read on the results page once a round is closed), no people, no other tree."""

from django.urls import reverse

from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.models import AuditEntry
from wenyi.orgs.queries import audit_entries_visible_to
from wenyi.review import scoring
from wenyi.review.models import Round


def _models(user) -> set[str]:
    return set(audit_entries_visible_to(user).values_list("content_type__model", flat=True))


def test_supervisor_reads_the_review_audit_but_no_scores_and_nothing_else(
    client, office, supervisor, linyi, committee, expert, county_b, worker, submitted_work
):
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, fuping)
    open_with(office, fuping, [(entry, expert.person)])
    assignment = entry.assignments.get()
    scoring.save_draft(expert, assignment, values={"sixiang": "20"}, comment="", version=0)

    seen = _models(supervisor)

    assert {"committee", "round", "entry", "assignment"} <= seen
    assert "score" not in seen
    assert AuditEntry.objects.filter(content_type__model="score").exists()
    assert not seen - {
        "committee",
        "committeemember",
        "round",
        "entry",
        "assignment",
        "conflict",
        "relation",
        "roundchecker",
        "criterion",
    }

    client.force_login(supervisor)
    page = client.get(reverse("orgs:audit"))
    assert page.status_code == 200
    assert "2014年文艺评审委员会" in page.content.decode()
    assert client.get(reverse("orgs:audit") + "?model=score").context["page"].paginator.count == 0


def test_an_expert_reads_no_audit(client, expert, committee):
    client.force_login(expert)
    assert client.get(reverse("orgs:audit")).status_code in (403, 404)
    assert not audit_entries_visible_to(expert).exists()

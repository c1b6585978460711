"""The demo at the end of 2014 (issue 13, point 8): with WENYI_TODAY=2014-12-20 a fresh
demo holds a finished review, a closed public notice with one decided objection and
final results, the certificates issued and the decision kept in the archive — all
dated by then — and the commands make the real decision, notice and certificates."""

import datetime
import subprocess
from io import StringIO

from django.core.management import call_command

from tests.site.test_demo_clock import _moments_after
from wenyi.activities.models import MonthTally, Tally
from wenyi.awards.enums import DECIDED, ResultsStatus
from wenyi.awards.models import Objection, PublicNotice, Results
from wenyi.campaigns.models import Campaign
from wenyi.dashboard import rollups
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Certificate, Document
from wenyi.review.enums import RoundStatus
from wenyi.review.models import Round, RoundTally
from wenyi.works.models import AuthorTally, WorkTally

END = datetime.date(2014, 12, 20)


def test_the_demo_ends_with_final_results_and_the_commands_make_its_documents(
    db, settings, tmp_path
):
    settings.WENYI_TODAY = END
    call_command("setup", demo=True, stdout=StringIO())

    assert set(Round.objects.values_list("status", flat=True)) == {RoundStatus.CLOSED}
    results = Results.objects.get()
    assert results.status == ResultsStatus.FINAL
    (notice,) = PublicNotice.objects.all()
    assert (notice.starts_on, notice.ends_on) == (datetime.date(2014, 12, 2), END.replace(day=8))
    assert notice.ends_on < END  # closed
    (objection,) = Objection.objects.all()
    assert objection.status in DECIDED and objection.decision
    assert notice.starts_on <= objection.received_at.astimezone().date() <= notice.ends_on
    assert objection.decided_at <= results.final_at
    assert Certificate.objects.count() == results.awards.count() > 0
    kept = Document.objects.filter(kind=DocumentKind.COMMENDATION)
    assert sorted(kept.values_list("format", flat=True)) == ["docx", "pdf"]
    assert _moments_after(END) == []

    # the commands make the real decision, notice and certificates from it
    out = tmp_path / "out"
    out.mkdir()
    call_command("document", "commendation", campaign="linyi-2014", out=str(out / "d.pdf"))
    call_command("document", "notice", campaign="linyi-2014", out=str(out / "n.docx"))
    call_command("certificates", campaign="linyi-2014", out=str(out / "c.pdf"))
    text = subprocess.run(
        ["pdftotext", str(out / "d.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    for award in Results.objects.get().awards.filter(status="standing"):
        assert award.holder.split("、")[0] in text
    assert "临工发〔2014〕58号" in text
    assert (out / "n.docx").stat().st_size > 0 and (out / "c.pdf").stat().st_size > 0

    # the roll-ups the services kept while the demo was built are what a rebuild counts
    campaign = Campaign.objects.get(slug="linyi-2014")
    counted = _rollups()
    assert counted[2] and counted[3] and counted[4]  # works, authors and rounds counted
    rollups.rebuild(campaign)
    assert _rollups() == counted

    # and the office's dashboard shows what the raw rows say
    from django.contrib.auth import get_user_model

    from wenyi.activities.models import Activity
    from wenyi.dashboard import panels
    from wenyi.review.models import Entry
    from wenyi.works.models import Work, WorkAuthor

    office = get_user_model().objects.get(username="office")
    board = panels.build(office, campaign, {})
    submitted = Work.objects.filter(campaign=campaign, status="submitted")
    assert board.works_total == submitted.count() > 0
    authors = WorkAuthor.objects.filter(work__in=submitted).values("person").distinct()
    assert board.artists == authors.count()
    verified = Activity.objects.filter(campaign=campaign, status="verified").count()
    assert sum(line.total for line in board.months) == verified > 0
    assert [r.entries for r in board.rounds] == [
        Entry.objects.filter(round=r.round).count() for r in board.rounds
    ]


def _rollups() -> list[list[tuple]]:
    """Every roll-up row that counts something, comparable across a rebuild."""
    return [
        sorted(Tally.objects.filter(verified__gt=0).values_list("unit_id", "type_id", "verified")),
        sorted(
            MonthTally.objects.filter(verified__gt=0).values_list(
                "unit_id", "type_id", "month", "verified"
            )
        ),
        sorted(
            WorkTally.objects.filter(submitted__gt=0).values_list(
                "unit_id", "category_id", "submitted"
            )
        ),
        sorted(
            AuthorTally.objects.filter(works__gt=0).values_list("unit_id", "person_id", "works")
        ),
        sorted(RoundTally.objects.values_list("round_id", "entries", "scored", "results")),
    ]

"""Each round's roll-up (`RoundTally`: entries, entries with a submitted score, results)
moves with the services that change them and equals the raw counts after every step;
a rebuild changes nothing (issue 15, point 5)."""

from django.db.models import Exists, OuterRef

from tests.review.conftest import eligible_entries, file_round, open_with
from tests.review.test_scores import FULL
from wenyi.review import rounds, scoring, tallies
from wenyi.review.models import Entry, Round, RoundResult, RoundTally, Score


def raw(round_) -> tallies.Progress:
    entries = Entry.objects.filter(round=round_)
    submitted = Score.objects.filter(assignment__entry=OuterRef("pk"), status="submitted")
    return tallies.Progress(
        entries=entries.count(),
        scored=entries.filter(Exists(submitted)).count(),
        results=RoundResult.objects.filter(round=round_).count(),
    )


def kept(round_) -> tallies.Progress:
    return tallies.progress(round_.campaign).get(round_.pk, tallies.Progress())


def test_round_progress_follows_entries_scores_and_results(
    office, linyi, committee, expert, expert_conflicted, county_b, worker, submitted_work
):
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    for _n in range(3):
        submitted_work(county_b, worker)

    def check(expected: tuple[int, int, int]) -> None:
        assert kept(fuping) == raw(fuping) == tallies.Progress(*expected)

    first, second, third = eligible_entries(office, fuping)
    check((3, 0, 0))
    rounds.remove_entry(office, third, reason="重复报送")
    check((2, 0, 0))
    open_with(
        office,
        fuping,
        [(first, expert.person), (first, expert_conflicted.person), (second, expert.person)],
    )
    a1 = first.assignments.get(expert=expert.person)
    a2 = first.assignments.get(expert=expert_conflicted.person)
    scoring.save_draft(expert, a1, version=0, values={"sixiang": 20})
    check((2, 0, 0))  # a draft is not a score yet
    s1 = scoring.submit_score(expert, a1, version=1, values=FULL)
    check((2, 1, 0))
    s2 = scoring.submit_score(expert_conflicted, a2, version=0, values=FULL)
    check((2, 1, 0))  # the same entry, scored twice, counts once
    scoring.return_score(office, s1, reason="请说明创新性")
    check((2, 1, 0))  # still scored by the other expert
    scoring.return_score(office, s2, reason="请说明创新性")
    check((2, 0, 0))
    s1.refresh_from_db()
    scoring.submit_score(expert, a1, version=s1.version, values=FULL)
    scoring.submit_score(expert, second.assignments.get(), version=0, values=FULL | {"sixiang": 20})
    check((2, 2, 0))
    rounds.close_round(office, fuping)
    check((2, 2, 2))
    rounds.reopen_round(office, fuping, "补充评分")
    rounds.close_round(office, fuping)
    check((2, 2, 2))  # computed again, replaced, not added

    RoundTally.objects.filter(round=fuping).update(entries=9, scored=0)
    assert kept(fuping) != raw(fuping)
    tallies.rebuild(linyi)
    check((2, 2, 2))
    assert (
        RoundTally.objects.filter(round__campaign=linyi).count()
        == Round.objects.filter(campaign=linyi).count()
    )

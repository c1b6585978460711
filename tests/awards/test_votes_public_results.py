"""The public results page (awards:public_results) with a public vote: each work line
shows its final score and the experts' score, the online vote and the on-site vote apart
(wenyi.review.vote_results keeps them on the round's results); without a vote the page
shows no scores, as before.

The works round's results are frozen here as the vote would leave them (the blending
itself is tested in tests/review/test_votes_results.py): 车间的早晨 95 = experts 90,
online 100, on-site 50 and so on.
"""

import datetime
from decimal import Decimal

from django.urls import reverse

from tests.review import voting as vote_fixtures
from tests.review.conftest import file_round
from wenyi.awards import services
from wenyi.awards.models import Results
from wenyi.review.models import RoundResult

voting = vote_fixtures.voting
sms_outbox = vote_fixtures.sms_outbox


def _final(settings, office):
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)
    results = Results.objects.get()
    services.declare_final(office, results, version=results.version)


def test_the_work_lines_show_the_vote_apart(settings, anonymous, office, linyi, notice, voting):
    fuping = file_round(linyi, "fuping")
    for result in RoundResult.objects.filter(round=fuping):
        result.expert = result.final - 5
        result.online_votes, result.online = 12, Decimal("100")
        result.onsite_votes, result.onsite = 3, Decimal("50")
        result.save()
    _final(settings, office)

    page = anonymous.get(reverse("awards:public_results", args=[linyi.slug])).content.decode()

    assert page.count('data-testid="vote-experts"') == 3  # the three works with an award
    assert page.count('data-testid="vote-online"') == 3
    assert page.count('data-testid="vote-onsite"') == 3
    assert '<td class="text-end" data-testid="vote-final">95</td>' in page
    assert '<td class="text-end" data-testid="vote-experts">90</td>' in page
    assert '<td class="text-end" data-testid="vote-online">100.00</td>' in page
    assert 'data-testid="vote-note"' in page
    assert "专家评分（60%）、网络投票（30%）和现场投票（10%）" in page


def test_without_a_vote_the_page_shows_no_scores(settings, anonymous, office, linyi, notice):
    _final(settings, office)

    page = anonymous.get(reverse("awards:public_results", args=[linyi.slug])).content.decode()

    assert 'data-testid="vote-experts"' not in page and 'data-testid="vote-note"' not in page
    assert page.count('data-testid="award-line"') == 5

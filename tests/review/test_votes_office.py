"""The office's page of the public vote (review:votes): the votes of each work, the held
votes by address with their counting and rejection, the on-site counts entered in one
form. The office changes, a supervisor reads (403 on a change), everyone else 404; the
page reads in a fixed number of queries."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wenyi.review import votes
from wenyi.review.enums import BallotStatus
from wenyi.review.models import Ballot, OnsiteCount

ADDRESS = "203.0.113.7"


def _url(linyi, name="votes", *args):
    return reverse(f"review:{name}", args=[linyi.slug, *args])


def _busy_address(vote, work, held=2, address=ADDRESS):
    """Three counted votes from `address`, then `held` held ones."""
    people = [votes.Voter(key=f"p:{address}:{work.pk}:{i}") for i in range(3 + held)]
    for voter in people[:3]:
        votes.cast_ballot(vote, work, voter, address)
    return [votes.cast_ballot(vote, work, v, address, challenged=True) for v in people[3:]]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("who", ["coordinator_a", "expert", "artist"])
def test_others_get_404(request, login, who, voting, linyi):
    client = login(request.getfixturevalue(who))

    assert client.get(_url(linyi)).status_code == 404
    assert client.post(_url(linyi, "votes_onsite"), {}).status_code == 404
    assert client.post(_url(linyi, "votes_held", "count"), {"address": ""}).status_code == 404


def test_a_campaign_without_a_vote_has_no_page(login, office, linyi):
    assert login(office).get(_url(linyi)).status_code == 404


def test_the_review_page_links_the_vote(login, office, voting, linyi):
    page = login(office).get(reverse("review:home", args=[linyi.slug])).content.decode()

    assert 'data-testid="public-vote"' in page and _url(linyi) in page
    assert "专家评分 60%，网络投票 30%，现场投票 10%" in page


def test_supervisor_reads_and_changes_nothing(login, supervisor, voting, linyi, public_work):
    work = public_work()
    _busy_address(voting, work)
    client = login(supervisor)

    page = client.get(_url(linyi)).content.decode()
    refused = client.post(_url(linyi, "votes_held", "count"), {"address": ADDRESS})
    onsite = client.post(_url(linyi, "votes_onsite"), {f"onsite-{work.pk}": "3"})

    assert 'data-testid="read-only"' in page and 'data-testid="count-address"' not in page
    assert refused.status_code == 403 and onsite.status_code == 403
    assert Ballot.objects.filter(status=BallotStatus.HELD).count() == 2


def test_office_sees_the_votes_of_each_work_and_no_phone(login, office, voting, linyi, public_work):
    work = public_work("车间的早晨")
    voter = votes.send_code(voting, "13812345678", "198.51.100.1")
    votes.cast_ballot(voting, work, voter, "198.51.100.1")
    _busy_address(voting, work)

    response = login(office).get(_url(linyi))

    page = response.content.decode()
    assert response.status_code == 200
    row = next(w for w in response.context["works"] if w.pk == work.pk)
    assert (row.online, row.held, row.rejected, row.onsite) == (4, 2, 0, None)
    assert page.count('data-testid="held-address"') == 1 and ADDRESS in page
    assert "13812345678" not in page and "138****" not in page
    assert "已计入 4 票，待核对 2 票，已作废 0 票，共 6 位投票人" in page


def test_office_counts_an_address_once(login, office, voting, linyi, public_work):
    work = public_work()
    _busy_address(voting, work)
    client = login(office)

    first = client.post(_url(linyi, "votes_held", "count"), {"address": ADDRESS})
    again = client.post(_url(linyi, "votes_held", "count"), {"address": ADDRESS})

    assert first.status_code == 302
    assert _messages(again) == ["已计入 2 票。", "这些投票已经处理过了。"]
    assert votes.online_counts(voting) == {work.pk: 5}


def test_office_rejects_the_ticked_votes(login, office, voting, linyi, public_work):
    work = public_work()
    held = _busy_address(voting, work)

    login(office).post(
        _url(linyi, "votes_held", "reject"), {"ballot": [str(held[0].pk)], "reason": "刷票"}
    )

    assert Ballot.objects.get(pk=held[0].pk).status == BallotStatus.REJECTED
    assert Ballot.objects.get(pk=held[1].pk).status == BallotStatus.HELD


def test_onsite_counts_are_saved_or_refused_naming_the_row(
    login, office, voting, linyi, public_work
):
    first, second = public_work("甲"), public_work("乙")
    client = login(office)

    refused = client.post(
        _url(linyi, "votes_onsite"), {f"onsite-{first.pk}": "12", f"onsite-{second.pk}": "三"}
    )
    saved = client.post(
        _url(linyi, "votes_onsite"), {f"onsite-{first.pk}": "12", f"onsite-{second.pk}": "7"}
    )

    assert refused.status_code == 400
    assert "《乙》：现场票数应为 0 到 10000000 之间的整数。" in refused.content.decode()
    assert 'value="三"' in refused.content.decode()  # the input is kept
    assert saved.status_code == 302
    assert dict(OnsiteCount.objects.values_list("work__title", "count")) == {"甲": 12, "乙": 7}


def test_the_page_reads_in_a_fixed_number_of_queries(login, office, voting, linyi, public_work):
    client = login(office)
    works = [public_work("甲")]
    _busy_address(voting, works[0])
    url = _url(linyi)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request of a client also fills caches (content types, the session)
    few = count()
    for title, address in (("乙", "198.51.100.2"), ("丙", "198.51.100.3")):
        _busy_address(voting, public_work(title), address=address)

    assert count() == few

"""The public vote (wenyi.review.votes): the campaign file's `[public_vote]` and its
errors naming the field; phone codes (sent, expired, wrong, used once, rate-limited,
numbers kept as keyed hashes); one vote per voter and work; graded friction per network
address — a challenge, held ballots, a login — and the office counting or rejecting
what was held."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.review.voting import AFTER, SECTION, codes, vote_file
from wenyi.campaigns.campaign_file import CampaignFileError, check_campaign_file
from wenyi.campaigns.loader import LoadStatus, load_campaign_file
from wenyi.core import sms
from wenyi.core.models import AuditEntry
from wenyi.review import votes
from wenyi.review.enums import BallotStatus, HeldReason
from wenyi.review.models import Ballot, OnsiteCount, PhoneCode, PublicVote

ADDRESS = "203.0.113.7"


def _problems(path) -> list[str]:
    with pytest.raises(CampaignFileError) as caught:
        check_campaign_file(path)
    return caught.value.problems


def _phone_voter(vote, number="13812345678", address=ADDRESS) -> votes.Voter:
    """A voter verified by the code sent to `number`."""
    voter = votes.send_code(vote, number, address)
    votes.verify_code(vote, voter.key, codes()[-1])
    return voter


# -- the campaign file -------------------------------------------------------------------


def test_the_file_s_vote_is_loaded(voting, linyi):
    assert voting.round.key == "fuping"
    assert (voting.weight_experts, voting.weight_online, voting.weight_onsite) == (60, 30, 10)
    assert timezone.localtime(voting.starts).isoformat() == "2014-11-01T00:00:00+08:00"
    assert timezone.localtime(voting.ends).isoformat() == "2014-11-20T20:00:00+08:00"
    assert (voting.challenge_after, voting.login_after, voting.burst_per_minute) == (3, 5, 10)
    assert voting.description == "每人每件作品限投一票。"


def test_a_reload_of_the_same_file_changes_nothing(voting, tmp_path):
    assert load_campaign_file(vote_file(tmp_path)).status == LoadStatus.UNCHANGED


def test_a_changed_weight_is_reported_by_its_field(voting, tmp_path):
    section = SECTION.replace("experts = 60, online = 30", "experts = 50, online = 40")

    result = load_campaign_file(vote_file(tmp_path, section))

    assert "public_vote.weights.experts: 60.00 → 50" in result.changes
    assert "public_vote.weights.online: 30.00 → 40" in result.changes
    voting.refresh_from_db()
    assert (voting.weight_experts, voting.weight_online) == (50, 40)


def test_without_the_table_a_campaign_has_no_vote(linyi):
    assert votes.vote_of(linyi) is None
    assert not PublicVote.objects.exists()


def test_a_table_taken_out_deletes_a_vote_nobody_voted_in(voting, tmp_path, linyi):
    result = load_campaign_file(vote_file(tmp_path, ""))

    assert "public_vote: 删除" in result.changes
    assert votes.vote_of(linyi) is None


def test_a_table_taken_out_is_refused_once_votes_are_cast(voting, tmp_path, public_work):
    votes.cast_ballot(voting, public_work(), _phone_voter(voting), ADDRESS)

    with pytest.raises(CampaignFileError) as caught:
        load_campaign_file(vote_file(tmp_path, ""))

    assert caught.value.problems == ["linyi-2014.toml: public_vote: 不能删除：已有 1 条选票引用它"]


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('round = "fuping"', 'round = "juesai"', "public_vote.round", "没有 key 为「juesai」"),
        ('round = "fuping"', 'round = "chuping"', "public_vote.round", '应为 kind = "scoring"'),
        ('round = "fuping"', 'round = "danwei"', "public_vote.round", "不是作品轮次"),
        ("ends = 2014-11-20T20:00:00", "ends = 2014-10-20", "public_vote.ends", "晚于开始时间"),
        ("ends = 2014-11-20T20:00:00", "ends = 2014-11-28", "public_vote.ends", "截止日期"),
        ("starts = 2014-11-01", "starts = 2014-06-01", "public_vote.starts", "活动期间"),
        ("starts = 2014-11-01", 'starts = "2014-11-01"', "public_vote.starts", "应为日期"),
        ("starts = 2014-11-01", "starts = 08:00:00", "public_vote.starts", "应为日期"),
        ("onsite = 10", "onsite = 20", "public_vote.weights", "之和应为 100（现为 110）"),
        ("experts = 60, ", "", "public_vote.weights", "缺少 experts"),
        ("onsite = 10", "onsite = 5, jury = 5", "public_vote.weights.jury", "未知字段"),
        ("onsite = 10", "onsite = 0", "public_vote.weights.onsite", "应大于 0"),
        ("onsite = 10", 'onsite = "10"', "public_vote.weights.onsite", "应为数字"),
        ("weights = {", 'weights = "60/30/10" #', "public_vote.weights", "experts = 60"),
        ("login_after = 5", "login_after = 2", "public_vote.login_after", "不能小于"),
        ("challenge_after = 3", "challenge_after = 0", "public_vote.challenge_after", ""),
        ("burst_per_minute = 10", "burst_per_minut = 10", "public_vote.burst_per_minut", "未知"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(city, tmp_path, old, new, where, message):
    assert SECTION.count(old) == 1
    path = vote_file(tmp_path, SECTION.replace(old, new))

    problems = [p for p in _problems(path) if f": {where}:" in p]

    assert problems and message in problems[0], _problems(path)


def test_a_missing_round_is_named(city, tmp_path):
    path = vote_file(tmp_path, SECTION.replace('round = "fuping"\n', ""))

    assert "linyi-2014.toml: public_vote.round: 缺少必填项" in _problems(path)


# -- phone codes -------------------------------------------------------------------------


def test_a_code_verifies_the_phone_and_the_number_is_kept_hashed(voting, sms_outbox):
    voter = votes.send_code(voting, " 138-1234-5678 ", ADDRESS)

    assert [m.number for m in sms_outbox] == ["13812345678"]
    assert "2014年文艺工作者深入职工创作实践活动" in sms_outbox[0].text
    assert voter.phone == "138****5678"
    assert voter.key.startswith("p:") and "13812345678" not in voter.key
    stored = PhoneCode.objects.get()
    assert "13812345678" not in stored.phone and codes()[0] not in stored.code

    votes.verify_code(voting, voter.key, codes()[0])

    assert PhoneCode.objects.get().used_at is not None


def test_the_same_number_gives_the_same_voter(voting):
    first = votes.phone_key(votes.phone_number("+86 138 1234 5678"))

    assert first == votes.phone_key(votes.phone_number("１３８１２３４５６７８"))


@pytest.mark.parametrize("raw", ["", "12345", "23812345678", "1381234567x", "138123456789"])
def test_a_bad_number_is_refused_naming_the_field(voting, raw, sms_outbox):
    with pytest.raises(ValidationError) as caught:
        votes.send_code(voting, raw, ADDRESS)

    assert list(caught.value.message_dict) == ["phone"]
    assert sms_outbox == []


def test_a_wrong_code_counts_a_try_and_says_how_many_are_left(voting):
    voter = votes.send_code(voting, "13812345678", ADDRESS)
    wrong = "000000" if codes()[0] != "000000" else "111111"

    with pytest.raises(ValidationError) as caught:
        votes.verify_code(voting, voter.key, wrong)

    assert caught.value.message_dict["code"] == ["验证码不正确，还可以再试 4 次。"]
    assert PhoneCode.objects.get().attempts == 1


def test_five_wrong_codes_use_the_code_up(voting):
    voter = votes.send_code(voting, "13812345678", ADDRESS)
    right = codes()[0]
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            votes.verify_code(voting, voter.key, wrong)

    with pytest.raises(ValidationError) as caught:
        votes.verify_code(voting, voter.key, right)

    assert caught.value.message_dict["code"] == ["错误次数太多，请重新获取验证码。"]


def test_an_expired_code_is_refused(voting):
    voter = votes.send_code(voting, "13812345678", ADDRESS)
    later = timezone.now() + datetime.timedelta(minutes=10, seconds=1)

    with pytest.raises(ValidationError) as caught:
        votes.verify_code(voting, voter.key, codes()[0], now=later)

    assert caught.value.message_dict["code"] == ["验证码已过期，请重新获取。"]


def test_a_code_is_used_once(voting):
    voter = votes.send_code(voting, "13812345678", ADDRESS)
    votes.verify_code(voting, voter.key, codes()[0])

    with pytest.raises(ValidationError) as caught:
        votes.verify_code(voting, voter.key, codes()[0])

    assert caught.value.message_dict["code"] == ["请先获取验证码。"]


def test_a_number_waits_a_minute_between_codes_and_gets_five_an_hour(voting, sms_outbox):
    now = timezone.now()

    def ask(**after):
        return votes.send_code(
            voting, "13812345678", ADDRESS, now=now + datetime.timedelta(**after)
        )

    ask(seconds=0)
    with pytest.raises(ValidationError) as soon:
        ask(seconds=20)
    for minute in range(2, 6):
        ask(minutes=minute)
    with pytest.raises(ValidationError) as often:
        ask(minutes=7)

    assert "40 秒" in soon.value.message_dict["phone"][0]
    assert "太多" in often.value.message_dict["phone"][0]
    assert len(sms_outbox) == 5


def test_a_code_that_could_not_be_sent_is_not_kept(voting, settings):
    settings.WENYI_SMS_BACKEND = "tests.review.test_votes.BrokenGateway"

    with pytest.raises(ValidationError) as caught:
        votes.send_code(voting, "13812345678", ADDRESS)

    assert caught.value.message_dict["phone"] == ["验证码发送失败，请稍后再试。"]
    assert not PhoneCode.objects.exists()


class BrokenGateway:
    def send(self, number, text):
        raise ConnectionError("gateway down")


def test_no_code_outside_the_window(voting, settings, sms_outbox):
    settings.WENYI_TODAY = AFTER

    with pytest.raises(ValidationError) as caught:
        votes.send_code(voting, "13812345678", ADDRESS)

    assert caught.value.messages == ["投票已经结束。"]
    assert sms_outbox == []


# -- one vote per voter and work -----------------------------------------------------------


def test_one_vote_per_phone_and_work(voting, public_work):
    work = public_work()
    voter = _phone_voter(voting)
    first = votes.cast_ballot(voting, work, voter, ADDRESS)

    with pytest.raises(votes.AlreadyVoted) as caught:
        votes.cast_ballot(voting, work, voter, ADDRESS)

    assert first.status == BallotStatus.COUNTED
    assert caught.value.messages == ["你已投过这件作品。"]
    assert Ballot.objects.count() == 1
    assert votes.online_counts(voting) == {work.pk: 1}


def test_one_vote_per_login_and_work(voting, public_work, artist):
    work = public_work()
    votes.cast_ballot(voting, work, votes.login_voter(artist), ADDRESS)

    with pytest.raises(votes.AlreadyVoted):
        votes.cast_ballot(voting, work, votes.login_voter(artist), "198.51.100.1")

    assert Ballot.objects.get().user == artist


def test_a_voter_votes_for_each_work_once(voting, public_work):
    works = [public_work(f"作品甲{n}") for n in range(2)]
    voter = _phone_voter(voting)

    for work in works:
        votes.cast_ballot(voting, work, voter, ADDRESS)

    assert votes.online_counts(voting) == {works[0].pk: 1, works[1].pk: 1}


def test_the_database_keeps_one_ballot_per_voter_and_work(voting, public_work):
    """What decides a race between two inserts (cast_ballot answers it as 已投过)."""
    work = public_work()
    Ballot.objects.create(vote=voting, work=work, voter="p:x", cast_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(vote=voting, work=work, voter="p:x", cast_at=timezone.now())


def test_no_vote_before_or_after_the_window(voting, public_work, settings, artist):
    work = public_work()
    settings.WENYI_TODAY = datetime.date(2014, 10, 31)

    with pytest.raises(votes.VoteClosed) as early:
        votes.cast_ballot(voting, work, votes.login_voter(artist), ADDRESS)
    settings.WENYI_TODAY = AFTER
    with pytest.raises(votes.VoteClosed) as late:
        votes.cast_ballot(voting, work, votes.login_voter(artist), ADDRESS)

    assert early.value.messages == ["投票将于 2014-11-01 00:00 开始。"]
    assert late.value.messages == ["投票已经结束。"]
    assert not Ballot.objects.exists()


# -- graded friction -------------------------------------------------------------------------


def _voters(vote, n):
    return [
        votes.Voter(key=votes.phone_key(f"1391234{i:04d}"), phone=f"139****{i:04d}")
        for i in range(n)
    ]


def test_friction_grows_with_the_votes_of_an_address(voting, public_work, artist):
    """challenge_after = 3, login_after = 5: three votes count, the fourth and fifth
    need a challenge and are held, the sixth needs a login; a login still counts."""
    work = public_work()
    people = _voters(voting, 6)
    for voter in people[:3]:
        assert votes.cast_ballot(voting, work, voter, ADDRESS).status == BallotStatus.COUNTED

    with pytest.raises(votes.ChallengeNeeded) as asked:
        votes.cast_ballot(voting, work, people[3], ADDRESS)
    held = [votes.cast_ballot(voting, work, v, ADDRESS, challenged=True) for v in people[3:5]]
    with pytest.raises(votes.LoginNeeded) as login:
        votes.cast_ballot(voting, work, people[5], ADDRESS, challenged=True)
    by_login = votes.cast_ballot(voting, work, votes.login_voter(artist), ADDRESS)

    assert asked.value.messages == ["从你的网络地址投出的票较多，请先回答一个问题。"]
    assert [(b.status, b.held_reason, b.challenged) for b in held] == [
        (BallotStatus.HELD, HeldReason.ADDRESS, True)
    ] * 2
    assert login.value.messages == ["从你的网络地址投出的票太多，请登录后投票。"]
    assert by_login.status == BallotStatus.COUNTED
    assert votes.online_counts(voting) == {work.pk: 4}  # held ones do not count
    # another address is not slowed down
    other = votes.cast_ballot(voting, work, people[5], "198.51.100.9")
    assert other.status == BallotStatus.COUNTED


def test_the_hour_moves_on(voting, public_work):
    work = public_work()
    people = _voters(voting, 4)
    earlier = timezone.now() - datetime.timedelta(minutes=61)
    for voter in people[:3]:
        votes.cast_ballot(voting, work, voter, ADDRESS, now=earlier)

    assert votes.cast_ballot(voting, work, people[3], ADDRESS).status == BallotStatus.COUNTED


def test_a_burst_is_challenged_and_held(voting, public_work, tmp_path):
    load_campaign_file(
        vote_file(
            tmp_path,
            SECTION.replace("challenge_after = 3", "challenge_after = 50")
            .replace("login_after = 5", "login_after = 90")
            .replace("burst_per_minute = 10", "burst_per_minute = 2"),
        )
    )
    voting.refresh_from_db()
    work = public_work()
    people = _voters(voting, 3)
    for voter in people[:2]:
        votes.cast_ballot(voting, work, voter, ADDRESS)

    with pytest.raises(votes.ChallengeNeeded):
        votes.cast_ballot(voting, work, people[2], ADDRESS)
    ballot = votes.cast_ballot(voting, work, people[2], ADDRESS, challenged=True)

    assert (ballot.status, ballot.held_reason) == (BallotStatus.HELD, HeldReason.BURST)


def test_a_second_vote_says_already_voted_before_any_challenge(voting, public_work):
    work = public_work()
    people = _voters(voting, 4)
    for voter in people[:3]:
        votes.cast_ballot(voting, work, voter, ADDRESS)

    with pytest.raises(votes.AlreadyVoted):
        votes.cast_ballot(voting, work, people[0], ADDRESS)


# -- the challenge -----------------------------------------------------------------------------


def test_a_challenge_is_answered_once_in_digits_or_chinese(voting):
    challenge = votes.new_challenge()
    match = re.fullmatch(r"(\S+)(加|减)(\S+)等于几？", challenge.question)
    numbers = {votes.chinese_number(n): n for n in range(100)}
    a, b = numbers[match[1]], numbers[match[3]]
    answer = a + b if match[2] == "加" else a - b

    assert votes.check_challenge(challenge.token, str(answer), challenge.nonce)
    assert votes.check_challenge(challenge.token, votes.chinese_number(answer), challenge.nonce)
    assert not votes.check_challenge(challenge.token, str(answer + 1), challenge.nonce)
    assert not votes.check_challenge(challenge.token, str(answer), "another-session")
    assert not votes.check_challenge(challenge.token + "x", str(answer), challenge.nonce)


def test_chinese_numbers():
    assert [votes.chinese_number(n) for n in (0, 7, 10, 13, 20, 47)] == [
        "零",
        "七",
        "十",
        "十三",
        "二十",
        "四十七",
    ]


# -- the office: held ballots and on-site counts ------------------------------------------------


def _decisions(vote):
    """The audit entries of the office's decisions on the vote's held ballots."""
    kind = ContentType.objects.get_for_model(PublicVote)
    return AuditEntry.objects.filter(content_type=kind, object_id=str(vote.pk), action="transition")


def _held(vote, work, n, address=ADDRESS):
    people = _voters(vote, 3 + n)
    for voter in people[:3]:
        votes.cast_ballot(vote, work, voter, address)
    return [votes.cast_ballot(vote, work, v, address, challenged=True) for v in people[3:]]


def test_office_counts_the_held_votes_of_an_address(voting, public_work, office):
    work = public_work()
    held = _held(voting, work, 2)

    assert votes.held_by_address(voting)[0] | {"first": None, "last": None} == {
        "address": ADDRESS,
        "n": 2,
        "works": 1,
        "first": None,
        "last": None,
    }
    assert votes.count_ballots(office, voting, address=ADDRESS) == 2

    assert votes.online_counts(voting) == {work.pk: 5}
    assert {b.status for b in Ballot.objects.filter(pk__in=[h.pk for h in held])} == {"counted"}
    entry = _decisions(voting).get()
    assert entry.changes["status"] == ["held", "counted"]
    assert sorted(entry.changes["ballots"]) == sorted(h.pk for h in held)
    with pytest.raises(ValidationError) as again:
        votes.count_ballots(office, voting, address=ADDRESS)
    assert again.value.messages == ["这些投票已经处理过了。"]


def test_office_rejects_chosen_held_votes(voting, public_work, office):
    work = public_work()
    held = _held(voting, work, 2)

    assert votes.reject_ballots(office, voting, ids=[held[0].pk], reason="同一时间连续投票") == 1

    assert Ballot.objects.get(pk=held[0].pk).status == BallotStatus.REJECTED
    assert Ballot.objects.get(pk=held[1].pk).status == BallotStatus.HELD
    assert votes.online_counts(voting) == {work.pk: 3}
    assert "同一时间连续投票" in _decisions(voting).get().note


def test_office_enters_onsite_counts_in_one_transaction(voting, public_work, office):
    first, second = public_work("甲"), public_work("乙")

    with pytest.raises(ValidationError) as caught:
        votes.set_onsite_counts(office, voting, {first.pk: "12", second.pk: "-3"})
    assert caught.value.messages == ["《乙》：现场票数应为 0 到 10000000 之间的整数。"]
    assert not OnsiteCount.objects.exists()

    assert votes.set_onsite_counts(office, voting, {first.pk: "12", second.pk: ""}) == 1
    assert votes.set_onsite_counts(office, voting, {first.pk: 12}) == 0
    assert votes.onsite_counts(voting) == {first.pk: 12}
    assert AuditEntry.objects.filter(action="create", object_id=str(OnsiteCount.objects.get().pk))


def test_sms_backend_that_does_not_import_is_named(settings):
    settings.WENYI_SMS_BACKEND = "nowhere.Backend"

    problems = sms.check_backend()

    assert problems[0].msg.startswith("WENYI_SMS_BACKEND: cannot import 'nowhere.Backend'")


def test_a_sms_backend_outside_the_project_is_used(voting, settings):
    settings.WENYI_SMS_BACKEND = "tests.review.test_votes.Recorder"
    Recorder.sent.clear()

    votes.send_code(voting, "13812345678", ADDRESS)

    assert [number for number, _text in Recorder.sent] == ["13812345678"]


class Recorder:
    sent: list = []

    def send(self, number, text):
        self.sent.append((number, text))

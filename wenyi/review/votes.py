"""The public vote (issue 14, point 6): the public votes for works in the portal's
gallery during a window, and the vote feeds a works round's final score with the weight
the campaign file declares (experts 60 %, online vote 30 %, on-site 10 %, say).

A campaign has a vote only when its file has a `[public_vote]` table (loaded here by
`sync_vote`, registered with the campaign loader in ReviewConfig.ready()); without one
nothing of this module runs and every result is the experts' alone.

Who votes
---------
A voter is a login (any user, ``u:<id>``) or a phone number verified by a 6-digit code
(``p:<keyed hash>``): the number is kept only as an HMAC-SHA256 keyed with SECRET_KEY,
so the office, the database and the admin never see a phone of the public. The code is
sent through wenyi.core.sms, stored as a keyed hash too, valid for `CODE_MINUTES`
minutes and `CODE_ATTEMPTS` tries, used once; a number gets a new one at most every
`RESEND_SECONDS` seconds and `CODES_PER_HOUR` an hour. The portal keeps a verified
voter in the session for the vote's window (wenyi.portal.views_vote).

One vote per voter and work: the ballot's unique (vote, work, voter) makes a second
click or a retry a no-op that says so (`AlreadyVoted`), on SQLite and PostgreSQL alike.

Graded friction per network address
-----------------------------------
The address is the client's as the login throttle sees it (wenyi.orgs.throttle
.client_address: REMOTE_ADDR, or behind WENYI_TRUSTED_PROXIES the address the outermost
trusted proxy saw). For a voter without a login, counting the ballots cast from their
address in the last hour (`friction`):

- fewer than `challenge_after`: the vote counts at once;
- from `challenge_after` on: the voter answers a question first (`new_challenge`: sums
  of small numbers written in Chinese, checked on the server with a token signed by
  django.core.signing and single-use through the session), and the ballot is **held**
  for the office;
- from `login_after` on: only a login may vote from that address;
- `burst_per_minute` ballots or more from the address within the last minute: a burst —
  a challenge, and the ballot held.

A login always counts at once: it is a known person, the strongest proof there is. Why
so: a whole factory often votes through one address, so an address is never refused
outright below `login_after`; what looks like a script is held, not thrown away, and
the office counts or rejects the held ballots, one by one or all of an address at once
(`count_ballots`, `reject_ballots`, audited).

On-site votes (现场投票) are counts per work the office enters (`set_onsite_counts`).

Feeding the results
-------------------
The round a vote feeds takes the vote into its final scores when it closes: see
wenyi.review.vote_results, which states the formula exactly.
"""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from wenyi.campaigns.campaign_file import (
    PUBLIC_VOTE,
    CampaignFileError,
    Item,
    public_vote_problems,
    vote_moment,
)
from wenyi.campaigns.loader import Deletion, Writer
from wenyi.campaigns.models import Campaign
from wenyi.core import audit, notify, sms
from wenyi.core.enums import AuditAction
from wenyi.review.enums import (
    BallotStatus,
    HeldReason,
    RoundStatus,
)
from wenyi.review.models import Ballot, OnsiteCount, PhoneCode, PublicVote, Round
from wenyi.works.models import Work

SECTION = "public_vote"
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
RESEND_SECONDS = 60
CODES_PER_HOUR = 5
CHALLENGE_SECONDS = 600
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
# the largest on-site count accepted (a PositiveIntegerField holds more)
MOST_ONSITE = 10_000_000
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_SALT_PHONE = "wenyi.review.votes.phone"
_SALT_CODE = "wenyi.review.votes.code"
_SALT_CHALLENGE = "wenyi.review.votes.challenge"


# -- the campaign file's [public_vote] --------------------------------------------------


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def file_values(item: Item) -> dict[str, Any]:
    """A checked `[public_vote]` table's values by model attribute (the round left out):
    the window as aware date-times (a date: the whole day), the weights as decimals."""
    weights = item["weights"]
    return {
        "starts": _aware(vote_moment(item["starts"])),
        "ends": _aware(vote_moment(item["ends"], end=True)),
        "weight_experts": Decimal(str(weights["experts"])),
        "weight_online": Decimal(str(weights["online"])),
        "weight_onsite": Decimal(str(weights.get("onsite", 0))),
        **{
            spec.model_attr: item[spec.name]
            for spec in PUBLIC_VOTE
            if spec.name in ("challenge_after", "login_after", "burst_per_minute", "description")
        },
    }


def _round_problems(round_: Round | None, key: str) -> list[tuple[str, str]]:
    """The vote's round as the database has it (a round the office made under the
    file's key included): checked as the file's check checks the file's rounds."""
    if round_ is None:
        return [("round", f"没有 key 为「{key}」的评审轮次")]
    found = public_vote_problems(
        {"round": key},
        period=None,
        rounds={key: {"name": round_.name, "subject": round_.subject, "kind": round_.kind}},
    )
    return found


def sync_vote(w: Writer, campaign: Campaign, item: Item | None) -> tuple[list[Deletion], list[str]]:
    """Create or update the campaign's vote from the file's `[public_vote]`; a file
    without the table deletes a vote no ballot or on-site count refers to yet (the loader
    refuses the deletion otherwise, naming what refers to it). Frozen once the round it
    feeds has closed: its results count the vote as it was (a note says so)."""
    current = PublicVote.objects.filter(campaign=campaign).select_related("round").first()
    if not item:
        return ([(current, SECTION, [])] if current is not None else []), []
    round_ = Round.objects.filter(campaign=campaign, key=item["round"]).first()
    problems = _round_problems(round_, item["round"])
    if problems:
        file = Path(campaign.source_file).name if campaign.source_file else "campaign"
        raise CampaignFileError([f"{file}: {SECTION}.{where}: {m}" for where, m in problems])
    values = file_values(item) | {"round_id": round_.pk}
    if current is not None and current.round.status == RoundStatus.CLOSED:
        if any(getattr(current, attr) != value for attr, value in values.items()):
            return [], [f"{SECTION}: 所计入的轮次已结束，投票设置已冻结，文件中的修改未载入"]
        return [], []
    keys = dict(Round.objects.filter(campaign=campaign).values_list("pk", "key"))
    w.upsert(
        PublicVote,
        current,
        values,
        label=SECTION,
        fixed={"campaign": campaign},
        names={
            "round_id": f"{SECTION}.round",
            "weight_experts": f"{SECTION}.weights.experts",
            "weight_online": f"{SECTION}.weights.online",
            "weight_onsite": f"{SECTION}.weights.onsite",
        },
        display={"round_id": lambda pk: keys.get(pk, "（无）")},
    )
    return [], []


# -- reading ------------------------------------------------------------------------------


def vote_of(campaign: Campaign) -> PublicVote | None:
    """The campaign's public vote, or None (one query)."""
    return PublicVote.objects.filter(campaign=campaign).select_related("round").first()


def vote_for_round(round_: Round) -> PublicVote | None:
    """The vote that feeds a round, or None."""
    return PublicVote.objects.filter(round=round_).first()


def is_open(vote: PublicVote, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return vote.starts <= now <= vote.ends


def online_counts(vote: PublicVote, work_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{work id: counted ballots} (works without a counted ballot left out); one query."""
    ballots = Ballot.objects.filter(vote=vote, status=BallotStatus.COUNTED)
    if work_ids is not None:
        ballots = ballots.filter(work_id__in=list(work_ids))
    rows = ballots.order_by().values("work_id").annotate(n=Count("id"))
    return {row["work_id"]: row["n"] for row in rows}


def onsite_counts(vote: PublicVote) -> dict[int, int]:
    """{work id: on-site votes} as the office entered them."""
    return dict(OnsiteCount.objects.filter(vote=vote).values_list("work_id", "count"))


def voted_works(vote: PublicVote, voter: str, work_ids: Iterable[int]) -> set[int]:
    """Which of `work_ids` the voter has a ballot for (whatever its status)."""
    return set(
        Ballot.objects.filter(vote=vote, voter=voter, work_id__in=list(work_ids)).values_list(
            "work_id", flat=True
        )
    )


def vote_works(vote: PublicVote):
    """The works the office enters on-site counts for: the round's work entries once it
    has entries, else the works it would take (eligible, of its art forms)."""
    from wenyi.review.rounds import subject_works

    entered = Work.objects.filter(review_entries__round=vote.round_id)
    if entered.exists():
        return entered
    return subject_works(vote.round)


def held_by_address(vote: PublicVote) -> list[dict[str, Any]]:
    """The held ballots grouped by network address, most first: {address, n, works,
    first, last} (one query)."""
    rows = (
        Ballot.objects.filter(vote=vote, status=BallotStatus.HELD)
        .order_by()
        .values("address")
        .annotate(
            n=Count("id"),
            works=Count("work", distinct=True),
            first=Min("cast_at"),
            last=Max("cast_at"),
        )
    )
    return sorted(rows, key=lambda row: (-row["n"], row["address"] or ""))


# -- voters and phone codes --------------------------------------------------------------


@dataclass(frozen=True)
class Voter:
    """Who votes: `key` is ``u:<login id>`` or ``p:<the phone's keyed hash>``; `user` the
    login, when voting logged in."""

    key: str
    user: Any = None
    phone: str = ""  # masked, for the page: 138****5678


def login_voter(user) -> Voter:
    return Voter(key=f"u:{user.pk}", user=user)


def phone_number(raw: str) -> str:
    """A mainland mobile number as 11 digits (full-width digits, spaces, dashes and a
    +86 / 0086 prefix allowed), or ValidationError naming the field."""
    number = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw or ""))
    for prefix in ("+86", "0086"):
        number = number.removeprefix(prefix)
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not PHONE_RE.match(number):
        raise ValidationError(
            {"phone": _("Phone number: enter an 11-digit mobile number, such as 13812345678.")}
        )
    return number


def phone_key(number: str) -> str:
    """The voter key of a phone number: a keyed hash, never the number."""
    return "p:" + salted_hmac(_SALT_PHONE, number, algorithm="sha256").hexdigest()


def masked(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}"


def _code_hash(key: str, code: str) -> str:
    return salted_hmac(_SALT_CODE, f"{key}:{code}", algorithm="sha256").hexdigest()


class VoteRefused(ValidationError):
    """A vote that is not taken, with the reason in words."""

    message_text = ""

    def __init__(self, message: str | None = None):
        super().__init__(message or _(self.message_text), code=type(self).__name__)


class VoteClosed(VoteRefused):
    pass


class AlreadyVoted(VoteRefused):
    message_text = gettext_noop("You have voted for this work already.")


class ChallengeNeeded(VoteRefused):
    message_text = gettext_noop(
        "Many votes come from your network address: answer a question first."
    )


class LoginNeeded(VoteRefused):
    message_text = gettext_noop("Too many votes come from your network address: log in to vote.")


def refuse_unless_open(vote: PublicVote, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if now < vote.starts:
        local = timezone.localtime(vote.starts)
        raise VoteClosed(_("The vote opens on %(when)s.") % {"when": f"{local:%Y-%m-%d %H:%M}"})
    if now > vote.ends:
        raise VoteClosed(_("The vote has ended."))


def send_code(
    vote: PublicVote, raw: str, address: str | None, *, now: datetime.datetime | None = None
) -> Voter:
    """Send a 6-digit code to the phone number `raw`; the voter it will verify (their
    key and masked number). Refused, in words, outside the window, for a bad number,
    when the number asked a moment ago or too often this hour, or when the address asked
    for `login_after` codes this hour."""
    now = now or timezone.now()
    refuse_unless_open(vote, now)
    number = phone_number(raw)
    key = phone_key(number)
    recent = PhoneCode.objects.filter(vote=vote, phone=key, sent_at__gt=now - HOUR)
    last = recent.order_by("-sent_at").first()
    if last is not None and (now - last.sent_at).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - last.sent_at).total_seconds())
        raise ValidationError(
            {
                "phone": ngettext(
                    "A code was sent to this number a moment ago; ask again in %(n)s second.",
                    "A code was sent to this number a moment ago; ask again in %(n)s seconds.",
                    wait,
                )
                % {"n": wait}
            }
        )
    if recent.count() >= CODES_PER_HOUR:
        raise ValidationError(
            {"phone": _("This number asked for too many codes this hour; try again later.")}
        )
    if address and (
        PhoneCode.objects.filter(vote=vote, address=address, sent_at__gt=now - HOUR).count()
        >= vote.login_after
    ):
        raise ValidationError(
            {"phone": _("Too many codes were asked for from your network address: log in to vote.")}
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with notify.site_language():
        text = _(
            "【%(campaign)s】Your voting code is %(code)s, valid for %(minutes)s minutes. "
            "Tell it to no one."
        ) % {"campaign": vote.campaign.title, "code": code, "minutes": CODE_MINUTES}
    with transaction.atomic():
        PhoneCode.objects.create(
            vote=vote,
            phone=key,
            code=_code_hash(key, code),
            address=address or None,
            sent_at=now,
            expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
        )
        try:
            sms.send_sms(number, text)
        except sms.SmsError:
            # the code row goes with the transaction: nothing was sent
            raise ValidationError(
                {"phone": _("The code could not be sent; try again later.")}
            ) from None
    return Voter(key=key, phone=masked(number))


def verify_code(
    vote: PublicVote, key: str, raw: str, *, now: datetime.datetime | None = None
) -> None:
    """Check the code the voter typed against the latest unused code sent to their
    number (`key`). Refused, naming the field, when there is none, it expired, it was
    tried `CODE_ATTEMPTS` times, or it is wrong (the try counts: it is stored before
    the code is compared, outside any transaction the refusal would roll back)."""
    now = now or timezone.now()
    refuse_unless_open(vote, now)
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", raw or ""))
    sent = (
        PhoneCode.objects.filter(vote=vote, phone=key, used_at__isnull=True)
        .order_by("-sent_at", "-id")
        .first()
    )
    if sent is None:
        raise ValidationError({"code": _("Ask for a code first.")})
    if sent.attempts >= CODE_ATTEMPTS:
        raise ValidationError({"code": _("Too many wrong codes: ask for a new one.")})
    if now > sent.expires_at:
        raise ValidationError({"code": _("The code has expired: ask for a new one.")})
    PhoneCode.objects.filter(pk=sent.pk).update(attempts=F("attempts") + 1)
    if not constant_time_compare(sent.code, _code_hash(key, code)):
        left = CODE_ATTEMPTS - sent.attempts - 1
        if left <= 0:
            raise ValidationError({"code": _("Wrong code, and no tries left: ask for a new one.")})
        raise ValidationError(
            {
                "code": ngettext(
                    "Wrong code; %(n)s more try.", "Wrong code; %(n)s more tries.", left
                )
                % {"n": left}
            }
        )
    # used once: a second submit of the same code finds it used
    if not PhoneCode.objects.filter(pk=sent.pk, used_at__isnull=True).update(used_at=now):
        raise ValidationError({"code": _("This code was used already: ask for a new one.")})


# -- friction and casting -----------------------------------------------------------------


class Friction(StrEnum):
    NONE = "none"
    CHALLENGE = "challenge"
    LOGIN = "login"


@dataclass(frozen=True)
class Gate:
    """What a voter without a login must do at an address, and why their ballot is held
    ("" when it counts at once)."""

    level: Friction
    hold: str = ""


def friction(
    vote: PublicVote, address: str | None, *, now: datetime.datetime | None = None
) -> Gate:
    """The graded friction for a voter without a login at `address` (module docstring),
    from the ballots cast there in the last hour and minute (one query)."""
    if not address:
        return Gate(Friction.NONE)
    now = now or timezone.now()
    counts = Ballot.objects.filter(vote=vote, address=address, cast_at__gt=now - HOUR).aggregate(
        hour=Count("id"), minute=Count("id", filter=Q(cast_at__gt=now - MINUTE))
    )
    if counts["hour"] >= vote.login_after:
        return Gate(Friction.LOGIN, HeldReason.ADDRESS)
    if counts["hour"] >= vote.challenge_after:
        return Gate(Friction.CHALLENGE, HeldReason.ADDRESS)
    if counts["minute"] >= vote.burst_per_minute:
        return Gate(Friction.CHALLENGE, HeldReason.BURST)
    return Gate(Friction.NONE)


def cast_ballot(
    vote: PublicVote,
    work: Work,
    voter: Voter,
    address: str | None,
    *,
    challenged: bool = False,
    now: datetime.datetime | None = None,
) -> Ballot:
    """The voter's vote for `work`: counted, or held for the office (module docstring).
    Raises VoteClosed outside the window, AlreadyVoted for a second vote (a retry, a
    double click, two tabs at once: the unique constraint decides), ChallengeNeeded
    until a challenge is answered (`challenged`), LoginNeeded past `login_after`.
    The caller shows the public only works on the portal (portal.queries.public_works)."""
    now = now or timezone.now()
    refuse_unless_open(vote, now)
    if work.campaign_id != vote.campaign_id:
        raise VoteRefused(_("This work is not in this vote."))
    if Ballot.objects.filter(vote=vote, work=work, voter=voter.key).exists():
        raise AlreadyVoted
    status, reason = BallotStatus.COUNTED, ""
    if voter.user is None:
        gate = friction(vote, address, now=now)
        if gate.level == Friction.LOGIN:
            raise LoginNeeded
        if gate.level == Friction.CHALLENGE and not challenged:
            raise ChallengeNeeded
        if gate.hold:
            status, reason = BallotStatus.HELD, gate.hold
    try:
        with transaction.atomic():
            return Ballot.objects.create(
                vote=vote,
                work=work,
                voter=voter.key,
                user=voter.user,
                address=address or None,
                status=status,
                held_reason=reason,
                challenged=challenged,
                cast_at=now,
            )
    except IntegrityError:
        raise AlreadyVoted from None


# -- the challenge ------------------------------------------------------------------------

NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """0–99 in Chinese numerals: 7 七, 13 十三, 20 二十, 47 四十七."""
    if not 0 <= n <= 99:
        raise ValueError("0–99 only")
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else NUMERALS[tens] + "十"
    return head + (NUMERALS[ones] if ones else "")


_FROM_CHINESE = {chinese_number(n): n for n in range(100)}


@dataclass(frozen=True)
class Challenge:
    """A question, the signed token the form carries, and the nonce the session keeps
    so the answer counts once."""

    question: str
    token: str
    nonce: str


def _answer_hash(nonce: str, answer: int) -> str:
    return salted_hmac(_SALT_CHALLENGE, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def new_challenge() -> Challenge:
    """A sum or a difference of two small numbers written in Chinese (十三加七等于几？).
    The token holds the nonce and a keyed hash of the answer, signed: it tells a reader
    nothing, and the server keeps no state but the nonce."""
    a, b = secrets.randbelow(20) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        answer = a + b
        question = _("What is %(a)s plus %(b)s?")
    else:
        a, b = max(a, b), min(a, b)
        answer = a - b
        question = _("What is %(a)s minus %(b)s?")
    question %= {"a": chinese_number(a), "b": chinese_number(b)}
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _answer_hash(nonce, answer)}, salt=_SALT_CHALLENGE)
    return Challenge(question, token, nonce)


def check_challenge(token: str, raw: str, nonce: str | None) -> bool:
    """Whether `raw` answers the challenge of `token` (digits or Chinese numerals), the
    token is younger than CHALLENGE_SECONDS and was issued with `nonce` (the session's:
    a token answered once, or from another session, does not count)."""
    if not nonce:
        return False
    try:
        data = signing.loads(token or "", salt=_SALT_CHALLENGE, max_age=CHALLENGE_SECONDS)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or not constant_time_compare(str(data.get("n", "")), nonce):
        return False
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", raw or ""))
    answer = int(text) if text.isdigit() and len(text) < 4 else _FROM_CHINESE.get(text)
    if answer is None:
        return False
    return constant_time_compare(str(data.get("h", "")), _answer_hash(nonce, answer))


# -- the office: held ballots and on-site counts ----------------------------------------


def _refuse_when_round_closed(vote: PublicVote) -> None:
    if vote.round.status == RoundStatus.CLOSED:
        raise ValidationError(
            _(
                "%(round)s is closed: its results count the votes as they were. Reopen it "
                "to change them."
            )
            % {"round": vote.round.name}
        )


def _decide(
    actor,
    vote: PublicVote,
    to: str,
    *,
    ids: Iterable[int] | None,
    address: str | None,
    note: str,
) -> int:
    vote = PublicVote.objects.select_related("round", "campaign").get(pk=vote.pk)
    _refuse_when_round_closed(vote)
    held = Ballot.objects.filter(vote=vote, status=BallotStatus.HELD)
    if ids is not None:
        held = held.filter(pk__in=list(ids))
    elif address is not None:
        held = held.filter(address=address or None)
    else:
        raise ValidationError(_("Choose the votes, or an address."))
    chosen = sorted(held.select_for_update().values_list("pk", flat=True))
    if not chosen:
        raise ValidationError(_("These votes were decided already."))
    now = timezone.now()
    moved = Ballot.objects.filter(pk__in=chosen, status=BallotStatus.HELD).update(
        status=to, decided_by=actor if getattr(actor, "pk", None) else None, decided_at=now
    )
    if moved != len(chosen):
        # a colleague decided some of them at the same moment: decide again on a fresh page
        raise ValidationError(_("Someone decided some of these votes at the same moment; reload."))
    audit.record(
        actor,
        AuditAction.TRANSITION,
        vote,
        changes={"ballots": chosen, "status": [BallotStatus.HELD.value, to]},
        note=note,
    )
    return moved


@transaction.atomic
def count_ballots(
    actor,
    vote: PublicVote,
    *,
    ids: Iterable[int] | None = None,
    address: str | None = None,
) -> int:
    """Count held ballots: those of `ids`, or every held ballot from `address` ("" for
    ballots without one). Audited; the number counted. A second click finds them
    decided and says so."""
    label = address if address is not None else ""
    note = _("Held votes counted") + (f"（{label}）" if label else "")
    return _decide(actor, vote, BallotStatus.COUNTED, ids=ids, address=address, note=note)


@transaction.atomic
def reject_ballots(
    actor,
    vote: PublicVote,
    *,
    ids: Iterable[int] | None = None,
    address: str | None = None,
    reason: str = "",
) -> int:
    """Reject held ballots (of `ids`, or every held ballot from `address`): they never
    count, and the voter cannot vote for the work again. Audited with the reason."""
    label = address if address is not None else ""
    note = _("Held votes rejected") + (f"（{label}）" if label else "")
    if reason.strip():
        note += f"：{reason.strip()}"
    return _decide(actor, vote, BallotStatus.REJECTED, ids=ids, address=address, note=note)


@transaction.atomic
def set_onsite_counts(actor, vote: PublicVote, counts: dict[int, Any]) -> int:
    """Enter the on-site votes per work ({work id: count}, a blank or None leaving a
    work as it is) in one transaction: every bad row is named by the work's title and
    nothing is saved. Each changed count is audited; the number of counts changed."""
    vote = PublicVote.objects.select_related("round", "campaign").get(pk=vote.pk)
    _refuse_when_round_closed(vote)
    works = {w.pk: w for w in vote_works(vote).filter(pk__in=list(counts))}
    problems: list[str] = []
    wanted: dict[int, int] = {}
    for work_id, raw in counts.items():
        if raw is None or raw == "":
            continue
        work = works.get(work_id)
        if work is None:
            problems.append(
                _("Work #%(id)s: it is not among the works of this vote.") % {"id": work_id}
            )
            continue
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not text.isdigit() or int(text) > MOST_ONSITE:
            problems.append(
                _("《%(title)s》: on-site votes must be a whole number from 0 to %(most)s.")
                % {"title": work.title, "most": MOST_ONSITE}
            )
            continue
        wanted[work_id] = int(text)
    if problems:
        raise ValidationError(problems)
    existing = {
        c.work_id: c
        for c in OnsiteCount.objects.select_for_update().filter(vote=vote, work_id__in=wanted)
    }
    now = timezone.now()
    changed = 0
    for work_id, count in wanted.items():
        current = existing.get(work_id)
        if current is None:
            if count == 0:
                continue
            row = OnsiteCount.objects.create(
                vote=vote,
                work_id=work_id,
                count=count,
                entered_by=actor if getattr(actor, "pk", None) else None,
                entered_at=now,
            )
            audit.record(actor, AuditAction.CREATE, row)
            changed += 1
        elif current.count != count:
            before = audit.snapshot(current)
            current.count = count
            current.entered_by = actor if getattr(actor, "pk", None) else None
            current.entered_at = now
            current.save(update_fields=["count", "entered_by", "entered_at"])
            audit.record(actor, AuditAction.UPDATE, current, before=before)
            changed += 1
    return changed

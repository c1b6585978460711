"""The review part of `wenyi setup --demo` (issue 12, point 10; issue 13, point 8): the
committee's work on campaigns/linyi-2014.toml as it stood on the demo's today.

As of the demo's today (WENYI_TODAY), following the file's rounds ([[review_rounds]])
and its stage 推荐评审 (to 30 November):

- before 初评 opens (1 November) nothing of the review exists: no committee, the rounds
  the file declares are drafts, and the experts' start page says when review opens;
- from 1 November: the committee (the site demo's `expert` and six more, in the city and
  three counties), two declared relations (teacher and student, relatives), 初评's
  entries checked by the office (the near-copy and a photo without its notes found not
  eligible), assigned automatically and opened; the votes come in as its days pass;
- after 初评 closes (10 November): every vote is in, the entries its first group rejected
  had their second look, and the round is closed, its results frozen;
- from 12 November the four rounds that open that day are assigned automatically and
  open: 复评 (the works 初评 passed), 优秀组织单位评审 (the counties; their dossiers come
  from the data; the office has two of them still to check), 优秀个人评审 (the counties'
  coordinators: the people `rounds.create_entries` takes for an individuals round) and
  优秀文艺工作者评审 (the art workers: the `artist` login and the authors of the eligible
  works, what `create_entries` takes for an artists round — the demo has no more art
  workers than these, and reviews what there is). As the days pass the experts have
  scored, voted or ranked a share of their entries; in 复评 and the units' round the
  demo expert has submitted one, saved one as a draft, declared a conflict of interest
  with one work (the office has yet to look at it), and has the rest still to do;
- after a round's closing day (25 November for those four): every score, vote and
  place is in — the demo expert's too; the office checked the two units left, and
  upheld the declared conflict: it withdrew that assignment and gave the work by hand
  to another expert free of conflicts, who scored it — and the office closed the round,
  its results frozen;
- from 28 November (`TIERS_DAY`: every round closed, before the stage ends): for each
  award kind of the file ([[award_kinds]]: units, individuals, art workers, works) the
  office set the rules of its tiers on the last round of that subject (`TIER_RULES`),
  placed the ranking in them and approved the placements, so from 1 December (总结表彰)
  the results are drawn from approved tierings. A second member of the office (the site
  demo's `office2`) approves them: nobody approves the tiers they placed.

Everything goes through the review services, acting as the office or the experts, so it
is audited and notified like real work. Every moment comes from the clock, and so falls
on the demo's today, whatever the day the story gives it: the works these rounds review
were submitted on that day too (works.demo submits them through the clock), and the
review cannot be dated before the works it reviews, nor anything after today. So a
round "closed on 25 November" carries today's date as its closing moment in a demo
built on 20 December; its dates (`opens`, `closes`) say when it ran. Choices are
seeded: two runs on fresh databases make the same review (but for the entry numbers,
which the services shuffle with the system's randomness on purpose). The review is
built once, on the first run that finds its first round open: running it again changes
nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from wenyi.campaigns.models import AwardKind, Campaign
from wenyi.orgs import services as org_services
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.review import rounds, scoring, services, tiers
from wenyi.review.enums import (
    ConflictSource,
    Eligibility,
    IneligibleReason,
    RelationKind,
    RoundKind,
    RoundStatus,
    ScoreStatus,
    TierBasis,
    Vote,
)
from wenyi.review.models import Assignment, Committee, Conflict, Entry, Round, Tiering
from wenyi.works.enums import MatchStatus
from wenyi.works.models import Match, Work
from wenyi.works.queries import eligible

COMMITTEE = "2014年文艺工作者深入职工创作实践活动评审委员会"
MAIN_EXPERT = "expert"  # the site demo's expert login (钱书评, at the city)

# the other experts: login, name, unit code (None: the city), mobile, art forms, titles,
# gender
EXPERTS = [
    ("expert2", "孔繁诗", None, "13905393002", ["诗歌", "文学"], "市作家协会副主席", "f"),
    ("expert3", "周光影", "371302", "13905393003", ["摄影"], "市摄影家协会理事", "m"),
    ("expert4", "吴丹青", "371323", "13905393004", ["美术", "摄影"], "沂水县文化馆副研究馆员", "m"),
    ("expert5", "郑散之", None, "13905393005", ["散文", "文学"], "临沂大学文学院教授", "m"),
    ("expert6", "林映雪", "371312", "13905393006", ["摄影", "微影像"], "河东区文化馆馆员", "f"),
    ("expert7", "梁韵清", "371328", "13905393007", ["诗歌", "音乐"], "蒙阴县文联秘书长", "f"),
]
SUPERVISOR = ("supervisor", "周正风", "13905394001", "市总工会经费审查委员会")

YES = ["主题鲜明，贴近职工生活。", "情感真挚，有现场感。", "构思完整，表现手法成熟。", ""]
NO = ["立意一般，艺术表现力不足。", "与活动主题联系不够紧密。", "完成度不高，细节粗糙。"]
SCORE_NOTES = ["", "", "语言朴实，细节动人。", "构图讲究，人物生动。", "可再凝练。"]
UNIT_NOTES = ["", "", "四类活动开展均衡。", "培训人次突出。", "慰问演出场次偏少。"]
PERSON_YES = ["组织工作扎实，活动台账齐全。", "长期深入基层，职工认可度高。", ""]
PERSON_NO = ["事迹材料较单薄。", "与其他人选相比成效一般。"]
ARTIST_NOTES = ["", "深入车间采风，作品贴近职工。", "辅导职工文艺骨干成绩突出。", ""]
UPHELD = "同意回避：专家知道作者是谁，改由其他专家评审。"

# the day the office set, placed and approved the award tiers: every round has closed
# (25 November), the stage 推荐评审 runs to 30 November, 总结表彰 begins 1 December
TIERS_DAY = datetime.date(2014, 11, 28)
# the office's rules per award kind and tier (keys of the campaign file's
# [[award_kinds]]): (counted by, number of places or percent of the ranked entries).
# A kind or tier the file does not have is left out; one without rules is not tiered.
TIER_RULES = {
    "unit": {"youxiu": (TierBasis.SHARE, 40)},
    "individual": {"youxiu": (TierBasis.SHARE, 100)},  # every one who passed
    "artist": {"youxiu": (TierBasis.SHARE, 50)},
    "work": {
        "yideng": (TierBasis.COUNT, 1),
        "erdeng": (TierBasis.COUNT, 1),
        "sandeng": (TierBasis.COUNT, 1),
        "youxiu": (TierBasis.SHARE, 30),
    },
}


def people(city: OrgUnit, password: str) -> list[tuple[str, str]]:
    """The committee's experts besides the site demo's `expert`, and the supervisor who
    reads the review (at the city), each with a login; made once. Returns the logins to
    print, as (username, description)."""
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=city.path)}
    for username, name, code, mobile, forms, titles, gender in EXPERTS:
        unit = units.get(code, city) if code else city
        _person_with_login(
            username,
            password,
            name,
            unit,
            Role.EXPERT,
            mobile,
            art_forms=forms,
            titles=titles,
            gender=gender,
        )
    username, name, mobile, job = SUPERVISOR
    _person_with_login(username, password, name, city, Role.SUPERVISOR, mobile, job_title=job)
    return [(username, f"评审监督 · {city.name} (supervisor)")]


def _person_with_login(username, password, name, unit, role, mobile, **extra) -> None:
    User = get_user_model()
    person = Person.objects.filter(mobile=mobile).first()
    if person is None:
        person = org_services.create_person(None, name=name, unit=unit, mobile=mobile, **extra)
    user = person.user or User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@example.org")
        user.set_password(password)
        user.save()
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    Membership.objects.get_or_create(user=user, unit=unit, role=role)


def build(campaign: Campaign, today: datetime.date) -> int:
    """The review of the demo's own campaign (site.demo picks it by its slug) as it
    stood on `today`, once; returns how many review entries the campaign has."""
    entries = Entry.objects.filter(round__campaign=campaign)
    if Committee.objects.filter(campaign=campaign).exists():
        return entries.count()  # built already
    found = {r.key: r for r in campaign.review_rounds.all()}
    first = found.get("chuping")
    if first is None or today < first.opens:
        return 0  # the review has not begun
    offices = list(
        Membership.objects.filter(role=Role.OFFICE, unit__code=campaign.owner_unit_code)
        .select_related("user")
        .order_by("pk")[:2]
    )
    experts = _experts()
    if not offices or len(experts) < 1 + len(EXPERTS):
        return 0  # people() made them; without them there is no committee to show
    actor = offices[0].user
    # four eyes: a second member of the office approves the tiers the first placed
    approver = offices[-1].user
    rng = random.Random(1115)
    with transaction.atomic():
        services.set_up_committee(actor, campaign, name=COMMITTEE)
        for person in experts:
            services.add_expert(actor, campaign, person)
        _relations(campaign, experts)
        _approval_round(actor, first, today, rng)
        second = found.get("fuping")
        first.refresh_from_db()
        if second is not None and first.status == RoundStatus.CLOSED and today >= second.opens:
            _scoring_round(actor, second, experts, today, rng)
        units = found.get("danwei")
        if units is not None and today >= units.opens:
            _scoring_round(actor, units, experts, today, rng, pending=2)
        for key in ("geren", "wenyigongzuozhe"):
            people = found.get(key)
            if people is not None and today >= people.opens:
                _people_round(actor, people, today, rng)
        if today >= TIERS_DAY and approver != actor:
            _tiers(actor, approver, campaign)
    return entries.count()


def _experts() -> list[Person]:
    """The demo's experts, the main one first."""
    logins = [MAIN_EXPERT, *(row[0] for row in EXPERTS)]
    found = {
        p.user.username: p
        for p in Person.objects.filter(
            user__username__in=logins, user__memberships__role=Role.EXPERT
        ).select_related("user", "unit")
    }
    return [found[name] for name in logins if name in found]


def _relations(campaign: Campaign, experts: list[Person]) -> None:
    """Two relations the experts declared: a teacher of a poem's author, a relative of a
    photo's author. They keep those experts away from the works (conflicts, 回避)."""
    works = eligible(Work.objects.filter(campaign=campaign)).order_by("pk")
    by_login = {p.user.username: p for p in experts}
    pairs = [
        (
            by_login["expert2"],
            "shici",
            RelationKind.TEACHER_OR_STUDENT,
            "曾在市职工诗歌创作班上指导过该作者。",
        ),
        (by_login["expert5"], "sheying", RelationKind.RELATIVE, "该作者是我的表弟。"),
    ]
    taken: list[int] = []  # one relation per author, so they touch different works
    for expert, form, kind, reason in pairs:
        work = works.filter(category__key=form).exclude(authors__in=taken).first()
        author = work.authors.order_by("pk").first() if work else None
        if author is None or author.pk == expert.pk:
            continue
        services.declare_relation(
            expert.user, person=expert, kind=kind, other_person=author, reason=reason
        )
        taken.append(author.pk)


def _share(round_: Round, today: datetime.date) -> float:
    """How much of the round's time has passed by `today` (0 to 1)."""
    days = (round_.closes - round_.opens).days + 1
    return min(1.0, max(0.0, ((today - round_.opens).days + 1) / days))


def _check_works(actor, round_: Round) -> None:
    """The office's eligibility check: the near-copy the originality check found (its
    match still open) and the last photo (handed in without its notes) are not
    eligible; the rest are."""
    copies = set(
        Match.objects.filter(work__campaign=round_.campaign, status=MatchStatus.OPEN).values_list(
            "work_id", flat=True
        )
    )
    made = list(round_.entries.select_related("work__category").order_by("pk"))
    photos = [e for e in made if e.work.category.key == "sheying" and e.work_id not in copies]
    no_notes = photos[-1].pk if len(photos) > 2 else None
    for entry in made:
        if entry.work_id in copies:
            rounds.check_entry(
                actor,
                entry,
                eligible=False,
                reason=IneligibleReason.COPIED,
                note="与已收作品高度雷同，原创性比对尚未认定，本轮不参评。",
            )
        elif entry.pk == no_notes:
            rounds.check_entry(
                actor,
                entry,
                eligible=False,
                reason=IneligibleReason.OTHER,
                note="未附拍摄时间、地点说明，县区逾期未补交。",
            )
        else:
            rounds.check_entry(actor, entry, eligible=True)


def _vote(assignment: Assignment, yes: bool, rng: random.Random, *, submit: bool = True):
    save = scoring.submit_score if submit else scoring.save_draft
    return save(
        assignment.expert.user,
        assignment,
        version=0,
        vote=Vote.YES if yes else Vote.NO,
        comment=rng.choice(YES if yes else NO),
    )


def _panel(round_: Round, entry: Entry, panel: int) -> list[Assignment]:
    return list(
        Assignment.objects.filter(entry=entry, panel=panel)
        .select_related("expert__user")
        .order_by("pk")
    )


def _approval_round(actor, round_: Round, today: datetime.date, rng) -> None:
    """初评: entries made and checked, assigned automatically, opened; the votes as the
    days pass; once its closing day has passed, the second look and the close."""
    rounds.create_entries(actor, round_)
    _check_works(actor, round_)
    services.auto_assign(actor, round_)
    rounds.open_round(actor, round_)
    admitted = list(round_.entries.filter(eligibility=Eligibility.ELIGIBLE).order_by("pk"))
    # two of them the first group rejects; the second look passes one of those again
    rejected = set(rng.sample([e.pk for e in admitted], k=min(2, max(0, len(admitted) - 1))))
    rescued = min(rejected) if rejected else None
    votes = []
    for entry in admitted:
        panel = _panel(round_, entry, 1)
        need = min(round_.pass_with, len(panel))  # yes votes that pass it
        if not need:
            continue
        wanted = rng.randint(0, need - 1) if entry.pk in rejected else rng.randint(need, len(panel))
        yes = set(rng.sample(range(len(panel)), k=min(wanted, len(panel))))
        votes += [(a, i in yes) for i, a in enumerate(panel)]
    closed = today > round_.closes
    cast = len(votes) if closed else round(len(votes) * _share(round_, today))
    rng.shuffle(votes)
    for assignment, yes in votes[:cast]:
        _vote(assignment, yes, rng)
    if not closed:
        return
    services.assign_second_look(actor, round_)
    for entry in admitted:
        panel = _panel(round_, entry, 2)
        yes = round_.pass_with if entry.pk == rescued else 0
        for i, assignment in enumerate(panel):
            _vote(assignment, i < yes, rng)
    rounds.close_round(actor, round_)


def _values(round_: Round, criteria, quality: float, rng, *, part: bool = False) -> dict:
    """A value per criterion around the entry's quality (halves), or the first two only
    for a draft."""
    values = {}
    for criterion in criteria[:2] if part else criteria:
        share = min(0.98, max(0.3, quality + rng.uniform(-0.08, 0.08)))
        values[criterion.key] = str(Decimal(round(float(criterion.maximum) * share * 2)) / 2)
    return values


def _scoring_round(actor, round_: Round, experts, today, rng, *, pending: int = 0) -> None:
    """复评 or the units' round: entries made (from 初评's passed, or the counties), the
    office's check (`pending` entries left to check while the round is open), assigned
    automatically, opened; a share of the other experts' scores in, and the demo
    expert's work under way: one submitted, one draft, one conflict declared, the rest
    waiting. Once its closing day has passed, everything is in and the round closed."""
    closed = today > round_.closes
    made = rounds.create_entries(actor, round_)
    waiting = {e.pk for e in made[-pending:]} if pending and not closed else set()
    for entry in sorted(made, key=lambda e: e.pk):
        if entry.eligibility == Eligibility.PENDING and entry.pk not in waiting:
            rounds.check_entry(actor, entry, eligible=True)
    services.auto_assign(actor, round_)
    rounds.open_round(actor, round_)
    criteria = list(round_.criteria.all())
    notes = UNIT_NOTES if round_.subject == "units" else SCORE_NOTES
    quality = {e.pk: rng.uniform(0.55, 0.9) for e in round_.entries.order_by("pk")}
    share = _share(round_, today)
    main = experts[0]
    for expert in experts:
        mine = list(
            Assignment.objects.filter(entry__round=round_, expert=expert)
            .select_related("expert__user", "entry")
            .order_by("entry_id")
        )
        if expert.pk == main.pk:
            _main_expert(round_, mine, criteria, quality, rng)
            continue
        done = round(len(mine) * share)
        for n, assignment in enumerate(mine):
            q = quality[assignment.entry_id]
            if n < done:
                scoring.submit_score(
                    expert.user,
                    assignment,
                    version=0,
                    values=_values(round_, criteria, q, rng),
                    comment=rng.choice(notes),
                )
            elif n == done and rng.random() < 0.5:
                scoring.save_draft(
                    expert.user,
                    assignment,
                    version=0,
                    values=_values(round_, criteria, q, rng, part=True),
                )
    if not closed:
        return
    _decide_conflicts(actor, round_)
    for assignment in _unsubmitted(round_):
        score = getattr(assignment, "score", None)
        scoring.submit_score(
            assignment.expert.user,
            assignment,
            version=score.version if score is not None else 0,
            values=_values(round_, criteria, quality[assignment.entry_id], rng),
            comment=rng.choice(notes),
        )
    rounds.close_round(actor, round_)


def _unsubmitted(round_: Round) -> list[Assignment]:
    """The assignments of a round's eligible entries still without a submitted score,
    but for those a conflict keeps from their expert."""
    found = (
        Assignment.objects.filter(entry__round=round_, entry__eligibility=Eligibility.ELIGIBLE)
        .exclude(score__status=ScoreStatus.SUBMITTED)
        .select_related("expert__user", "entry", "score")
        .order_by("pk")
    )
    return [a for a in found if not services.blocking(a.entry, a.expert)]


def _decide_conflicts(actor, round_: Round) -> None:
    """The office's decision on the conflicts declared during the round: upheld. The
    expert's assignment is withdrawn with the reason, and the entry goes by hand to the
    expert of the committee with the fewest entries of the round who is free of
    conflicts with it and not given it yet (none such: it keeps the experts it has)."""
    declared = (
        Conflict.objects.filter(
            entry__round=round_, source=ConflictSource.DECLARED, dismissed_at__isnull=True
        )
        .select_related("entry", "expert")
        .order_by("pk")
    )
    for conflict in declared:
        entry = conflict.entry
        held = Assignment.objects.filter(entry=entry, expert=conflict.expert).first()
        if held is None:
            continue
        services.unassign(actor, held, reason=UPHELD)
        given = set(entry.assignments.values_list("expert_id", flat=True))
        load = Counter(
            Assignment.objects.filter(entry__round=round_).values_list("expert_id", flat=True)
        )
        candidates = sorted(
            services.serving_experts(round_.campaign_id), key=lambda p: (load[p.pk], p.pk)
        )
        for person in candidates:
            if person.pk in given or person.pk == conflict.expert_id:
                continue
            if services.blocking(entry, person):
                continue
            services.assign(actor, entry, person, panel=held.panel)
            break


def _people_round(actor, round_: Round, today, rng) -> None:
    """优秀个人评审 (approval: yes or no) or 优秀文艺工作者评审 (ranking: each expert
    places the people given them): the people `create_entries` takes for its subject,
    checked by the office, assigned automatically, opened; the experts' judgements come
    in as the days pass; once its closing day has passed, all are in and it is closed."""
    made = rounds.create_entries(actor, round_)
    for entry in sorted(made, key=lambda e: e.pk):
        rounds.check_entry(actor, entry, eligible=True)
    services.auto_assign(actor, round_)
    rounds.open_round(actor, round_)
    closed = today > round_.closes
    share = 1.0 if closed else _share(round_, today)
    assignments = list(
        Assignment.objects.filter(entry__round=round_, entry__eligibility=Eligibility.ELIGIBLE)
        .select_related("expert__user", "entry")
        .order_by("pk")
    )
    if round_.kind == RoundKind.APPROVAL:
        _people_votes(round_, assignments, share, rng)
    else:
        _people_places(round_, assignments, share, rng)
    if closed:
        rounds.close_round(actor, round_)


def _people_votes(round_: Round, assignments: list[Assignment], share: float, rng) -> None:
    """About two in three of the people pass (enough yes votes); the votes come in, in
    a seeded order, as far as `share` of them."""
    panels: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        panels.setdefault(assignment.entry_id, []).append(assignment)
    votes = []
    for entry_id in sorted(panels):
        panel = panels[entry_id]
        need = min(round_.pass_with, len(panel))
        good = rng.random() < 0.65
        wanted = rng.randint(need, len(panel)) if good else rng.randint(0, max(0, need - 1))
        yes = set(rng.sample(range(len(panel)), k=wanted))
        votes += [(a, i in yes) for i, a in enumerate(panel)]
    rng.shuffle(votes)
    for assignment, yes in votes[: round(len(votes) * share)]:
        scoring.submit_score(
            assignment.expert.user,
            assignment,
            version=0,
            vote=Vote.YES if yes else Vote.NO,
            comment=rng.choice(PERSON_YES if yes else PERSON_NO),
        )


def _people_places(round_: Round, assignments: list[Assignment], share: float, rng) -> None:
    """Each expert places the people given them (1 the best, per panel) around a merit
    each person has; `share` of each expert's places are submitted."""
    merit = {a.entry_id: rng.random() for a in sorted(assignments, key=lambda a: a.entry_id)}
    lists: dict[tuple[int, int], list[Assignment]] = {}
    for assignment in assignments:
        lists.setdefault((assignment.expert_id, assignment.panel), []).append(assignment)
    for key in sorted(lists):
        mine = lists[key]
        order = sorted(mine, key=lambda a: -(merit[a.entry_id] + rng.uniform(-0.15, 0.15)))
        place = {a.pk: n for n, a in enumerate(order, start=1)}
        for assignment in mine[: round(len(mine) * share)]:
            scoring.submit_score(
                assignment.expert.user,
                assignment,
                version=0,
                rank=place[assignment.pk],
                comment=rng.choice(ARTIST_NOTES),
            )


def _tiers(actor, approver, campaign: Campaign) -> None:
    """Each award kind's tiers on the last round of its subject, once every round has
    closed: the rules of `TIER_RULES` set, the ranking placed (`actor`), the placements
    approved by a second member of the office (`approver`)."""
    found = list(campaign.review_rounds.order_by("position", "id"))
    if any(r.status != RoundStatus.CLOSED for r in found):
        return
    kinds = AwardKind.objects.filter(campaign=campaign).prefetch_related("tiers")
    for kind in kinds.order_by("position", "id"):
        wanted = TIER_RULES.get(kind.key, {})
        rules = [
            tiers.Rule(tier=tier, by=wanted[tier.key][0], value=wanted[tier.key][1])
            for tier in kind.tiers.all()
            if tier.key in wanted
        ]
        subject = tiers.SUBJECTS.get(kind.subject)
        last = [r for r in found if r.subject == subject]
        if not rules or not last:
            continue
        round_ = last[-1]
        if Tiering.objects.filter(round=round_, award_kind=kind).exists():
            continue
        tiering = tiers.set_rules(actor, round_, kind, rules, version=0)
        tiering = tiers.compute_tiers(actor, tiering, version=tiering.version)
        tiers.approve(approver, tiering, version=tiering.version)


def _main_expert(round_: Round, mine: list[Assignment], criteria, quality, rng) -> None:
    """The demo expert: in 复评 a conflict declared with one work, one score submitted,
    one draft; in the units' round one submitted and one draft. The rest waits."""
    user = mine[0].expert.user if mine else None
    if user is None:
        return
    if round_.subject == "works":
        conflicted = mine[-1]
        services.declare_conflict(
            user,
            conflicted.entry,
            reason="这件作品曾在我辅导的职工创作班上讲评过，我知道作者是谁。",
        )
        mine = mine[:-1]
    if mine:
        scoring.submit_score(
            user,
            mine[0],
            version=0,
            values=_values(round_, criteria, quality[mine[0].entry_id], rng),
            comment="扎根生活，感染力强。",
        )
    if len(mine) > 1:
        scoring.save_draft(
            user,
            mine[1],
            version=0,
            values=_values(round_, criteria, quality[mine[1].entry_id], rng, part=True),
        )

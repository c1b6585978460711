"""Who may do what in the review (wenyi/review/rules.py), for the fixed cast plus the
supervisor and a named checker: the office of the campaign's owner runs it, a checker
checks, an expert sees only their own unconflicted entries of an open round (no names
in a blind one), the supervisor reads everything and changes nothing, coordinators and
art workers see nothing of it.

One world per test (`_world`), built through the services as the office would:

    chuping  (works, blind, open)   entry_b  county_b's poem       expert; expert_conflicted
                                                                    declared a conflict
                                    entry_a  county_a's poem       expert (孙回避 barred:
                                                                    same unit, conflict_a)
                                    entry_by_office  submitted by the office itself
    danwei   (units, open)          unit_b   county_b              expert
                                    unit_a   county_a              conflict dismissed
    geren    (individuals, closed)  person_b coordinator_b         expert, submitted
    wenyigongzuozhe (artists, draft)
"""

import pytest

from tests.factories import PersonFactory, UserFactory
from tests.review.conftest import POEM, file_round
from tests.rules_table import actors, check_rule, declared, ids, one_sided, rows
from wenyi.review import rounds, scoring, services
from wenyi.review.models import Conflict, Entry
from wenyi.works import services as work_services
from wenyi.works.models import Work


@pytest.fixture
def checker(city):
    """A login named to check the eligibility of 作品初评, with no role of its own."""
    user = UserFactory(username="checker")
    PersonFactory(user=user, unit=city, name="吴审读")
    return user


def _poem(cast, unit, author, by):
    work = work_services.create_work(
        by,
        campaign=cast.linyi,
        category=cast.linyi.work_categories.get(key="shici"),
        unit=unit,
        title=f"{unit.name}之歌",
        authors=[author],
        text=POEM,
    )
    Work.objects.filter(pk=work.pk).update(status="submitted", submitted_by=by)
    return work


def _world(cast, objects):
    office, expert, conflicted = cast.office, cast.expert, cast.expert_conflicted
    linyi = cast.linyi
    cast.supervisor, cast.checker  # noqa: B018 - made before the world, as people exist
    services.set_up_committee(office, linyi, name="评审委员会")
    services.add_expert(office, linyi, expert.person)
    services.add_expert(office, linyi, conflicted.person)
    worker = objects["worker"]
    poem_b = _poem(cast, cast.county_b, worker, cast.coordinator_b)
    poem_a = _poem(cast, cast.county_a, cast.artist.person, cast.coordinator_a)
    poem_o = _poem(cast, cast.county_b, worker, office)
    w = {}

    chuping = file_round(linyi, "chuping")
    rounds.set_checkers(office, chuping, [cast.checker])
    made = {e.work_id: e for e in rounds.create_entries(office, chuping)}
    w["entry_b"], w["entry_a"], w["entry_by_office"] = (
        made[poem_b.pk],
        made[poem_a.pk],
        made[poem_o.pk],
    )
    for entry in (w["entry_b"], w["entry_a"]):
        rounds.check_entry(office, entry, eligible=True)
        services.assign(office, entry, expert.person)
    services.assign(office, w["entry_b"], conflicted.person)
    rounds.open_round(office, chuping)
    w["asg_expert_b"] = w["entry_b"].assignments.get(expert=expert.person)
    w["asg_conflicted"] = w["entry_b"].assignments.get(expert=conflicted.person)
    services.declare_conflict(conflicted, w["entry_b"], reason="作者是我的邻居")
    w["score_submitted"] = scoring.submit_score(expert, w["asg_expert_b"], version=0, vote="yes")
    w["score_draft"] = scoring.save_draft(
        expert, w["entry_a"].assignments.get(expert=expert.person), version=0, vote="no"
    )
    w["conflict_a"] = Conflict.objects.get(entry=w["entry_a"], expert=conflicted.person)

    danwei = file_round(linyi, "danwei")
    units = {e.unit_id: e for e in rounds.create_entries(office, danwei)}
    w["unit_b"], unit_a = units[cast.county_b.pk], units[cast.county_a.pk]
    for entry in units.values():
        rounds.check_entry(office, entry, eligible=True)
    services.assign(office, w["unit_b"], expert.person)
    rounds.open_round(office, danwei)
    w["conflict_dismissed"] = services.dismiss_conflict(
        office, Conflict.objects.get(entry=unit_a, expert=conflicted.person), reason="已调离"
    )

    geren = file_round(linyi, "geren")
    rounds.add_entry(office, geren, person=cast.coordinator_b.person)
    w["person_b"] = Entry.objects.get(round=geren)
    rounds.check_entry(office, w["person_b"], eligible=True)
    services.assign(office, w["person_b"], expert.person)
    rounds.open_round(office, geren)
    w["asg_closed"] = w["person_b"].assignments.get()
    scoring.submit_score(expert, w["asg_closed"], version=0, vote="yes")
    rounds.close_round(office, geren)

    w["open"], w["open_units"] = chuping, danwei
    w["closed"], w["draft"] = geren, file_round(linyi, "wenyigongzuozhe")
    for obj in w.values():
        obj.refresh_from_db()
    return w


def _of_world(name):
    return lambda cast, objects: objects["world"][name]


def _worker(cast, objects):
    return PersonFactory(unit=cast.county_b, name="钱师傅")


NAMES = (
    "open",
    "open_units",
    "closed",
    "draft",
    "entry_b",
    "entry_a",
    "entry_by_office",
    "unit_b",
    "person_b",
    "asg_expert_b",
    "asg_conflicted",
    "asg_closed",
    "score_submitted",
    "score_draft",
    "conflict_a",
    "conflict_dismissed",
)
OBJECTS = {
    "world": _world,
    "worker": _worker,
    "linyi": lambda cast, objects: cast.linyi,
    "expert_person": lambda cast, objects: cast.expert.person,
    "artist_person": lambda cast, objects: cast.artist.person,
    **{name: _of_world(name) for name in NAMES},
}

T, F = True, False
OUTSIDERS = {"coordinator_a": F, "coordinator_b": F, "artist": F, "nobody": F}

RULES = [
    # review.manage: the office of the campaign's owner (and a superuser)
    *actors(
        "review.manage",
        "linyi",
        {"office": T, "superuser": T, "supervisor": F, "expert": F, "checker": F, **OUTSIDERS},
    ),
    # review.supervise: the office and the supervisor read the whole review
    *actors(
        "review.supervise",
        "linyi",
        {"office": T, "supervisor": T, "expert": F, "checker": F, **OUTSIDERS},
    ),
    # review.view_round: the office, the supervisor, the round's checkers; an expert
    # only an open round with an unconflicted entry of theirs
    *actors(
        "review.view_round",
        "open",
        {
            "office": T,
            "supervisor": T,
            "checker": T,
            "expert": T,
            "expert_conflicted": F,
            **OUTSIDERS,
        },
    ),
    *rows("expert", "review.view_round", {"draft": F, "closed": F, "open_units": T}),
    *rows("supervisor", "review.view_round", {"draft": T, "closed": T}),
    *rows("checker", "review.view_round", {"open_units": F}),
    # the definition and the states: the office, each in its state
    *rows("office", "review.change_round", {"draft": T, "open": F, "closed": F}),
    *rows("supervisor", "review.change_round", {"draft": F}),
    *rows("expert", "review.change_round", {"draft": F}),
    *rows("office", "review.open_round", {"draft": T, "open": F}),
    *rows("supervisor", "review.open_round", {"draft": F}),
    *rows("office", "review.close_round", {"open": T, "draft": F, "closed": F}),
    *rows("supervisor", "review.close_round", {"open": F}),
    *rows("expert", "review.close_round", {"open": F}),
    *rows("office", "review.reopen_round", {"closed": T, "open": F}),
    *rows("supervisor", "review.reopen_round", {"closed": F}),
    *rows("office", "review.assign", {"open": T, "draft": T, "closed": F}),
    *rows("supervisor", "review.assign", {"open": F}),
    *rows("expert", "review.assign", {"open": F}),
    *rows("office", "review.manage_conflicts", {"open": T, "closed": F}),
    *rows("supervisor", "review.manage_conflicts", {"open": F}),
    # review.view_entry: an expert sees only their own, unconflicted entry
    *actors(
        "review.view_entry",
        "entry_b",
        {
            "office": T,
            "supervisor": T,
            "checker": T,
            "expert": T,
            "expert_conflicted": F,
            **OUTSIDERS,
        },
    ),
    *rows("expert", "review.view_entry", {"entry_a": T, "entry_by_office": F, "person_b": F}),
    *rows("expert_conflicted", "review.view_entry", {"entry_a": F}),
    # review.see_names: never the experts of a blind round
    *actors(
        "review.see_names",
        "entry_b",
        {"office": T, "supervisor": T, "checker": T, "expert": F, **OUTSIDERS},
    ),
    *rows("expert", "review.see_names", {"unit_b": T}),
    # review.check_entry: the office and the round's checkers, never their own submission
    *actors(
        "review.check_entry",
        "entry_b",
        {"office": T, "checker": T, "supervisor": F, "expert": F, **OUTSIDERS},
    ),
    *rows("office", "review.check_entry", {"entry_by_office": F, "person_b": F}),
    *rows("checker", "review.check_entry", {"entry_by_office": T, "unit_b": F}),
    *rows("superuser", "review.check_entry", {"entry_by_office": T}),
    # review.dismiss_conflict: the office, a conflict still in force
    *rows("office", "review.dismiss_conflict", {"conflict_a": T, "conflict_dismissed": F}),
    *rows("supervisor", "review.dismiss_conflict", {"conflict_a": F}),
    *rows("expert_conflicted", "review.dismiss_conflict", {"conflict_a": F}),
    # the experts' own actions
    *actors(
        "review.declare_conflict",
        "asg_expert_b",
        {"expert": T, "office": F, "supervisor": F, "expert_conflicted": F, **OUTSIDERS},
    ),
    *rows("expert", "review.declare_conflict", {"asg_closed": F}),
    *actors(
        "review.score",
        "asg_expert_b",
        {"expert": T, "office": F, "supervisor": F, "superuser": F, **OUTSIDERS},
    ),
    *rows("expert_conflicted", "review.score", {"asg_conflicted": F}),
    *rows("expert", "review.score", {"asg_closed": F}),
    *rows("office", "review.return_score", {"score_submitted": T, "score_draft": F}),
    *rows("supervisor", "review.return_score", {"score_submitted": F}),
    *rows("expert", "review.return_score", {"score_submitted": F}),
    # scores and results: the supervisor once the round is closed
    *rows("office", "review.view_scores", {"open": T, "closed": T}),
    *rows("supervisor", "review.view_scores", {"open": F, "closed": T}),
    *rows("expert", "review.view_scores", {"closed": F}),
    *rows("coordinator_a", "review.view_scores", {"closed": F}),
    *rows("office", "review.view_results", {"closed": T, "open": F}),
    *rows("supervisor", "review.view_results", {"closed": T, "open": F}),
    *rows("expert", "review.view_results", {"closed": F}),
    *rows("artist", "review.view_results", {"closed": F}),
    # review.declare_relation: an expert their own, the office anyone of its units
    *rows("expert", "review.declare_relation", {"expert_person": T, "worker": F}),
    *rows("office", "review.declare_relation", {"worker": T, "expert_person": T}),
    *rows("coordinator_b", "review.declare_relation", {"worker": F}),
    *rows("supervisor", "review.declare_relation", {"worker": F}),
    *rows("artist", "review.declare_relation", {"artist_person": F}),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_review_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_review_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("review.")


def test_review_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


def test_review_world_is_in_the_states_named(request, db):
    from tests.rules_table import Cast, Objects

    objects = Objects(Cast(request), OBJECTS)
    states = {name: objects[name].status for name in ("open", "open_units", "closed", "draft")}
    blocked = {name: objects[name].blocks for name in ("conflict_a", "conflict_dismissed")}

    assert states == {
        "open": "open",
        "open_units": "open",
        "closed": "closed",
        "draft": "draft",
    }
    assert blocked == {"conflict_a": True, "conflict_dismissed": False}
    assert objects["open"].blind and not objects["open_units"].blind
    assert objects["score_submitted"].status == "submitted"

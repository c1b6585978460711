"""The eligibility check (审读, wenyi/review/rounds.py check_entry): by the office or the
round's named checkers, a reason when not eligible, never by the work's submitter or
author; only eligible entries go to the experts."""

import pytest
from django.core.exceptions import ValidationError

from tests.review.conftest import file_round, open_with
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.review import rounds, services
from wenyi.review.enums import Eligibility
from wenyi.review.models import RoundChecker
from wenyi.review.queries import entries_for_expert


@pytest.fixture
def chuping(linyi):
    return file_round(linyi, "chuping")


def test_office_marks_an_entry_eligible_audited(office, county_b, worker, submitted_work, chuping):
    submitted_work(county_b, worker)
    (entry,) = rounds.create_entries(office, chuping)

    checked = rounds.check_entry(office, entry, eligible=True)

    assert (checked.eligibility, checked.checked_by) == (Eligibility.ELIGIBLE, office)
    audit_entry = AuditEntry.objects.get(content_type__model="entry", action=AuditAction.TRANSITION)
    assert audit_entry.changes["eligibility"] == ["pending", "eligible"]


def test_not_eligible_needs_a_reason_and_other_a_note(
    office, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = rounds.create_entries(office, chuping)

    with pytest.raises(ValidationError) as no_reason:
        rounds.check_entry(office, entry, eligible=False)
    with pytest.raises(ValidationError) as no_note:
        rounds.check_entry(office, entry, eligible=False, reason="other")
    checked = rounds.check_entry(office, entry, eligible=False, reason="other", note="重复报送")

    assert list(no_reason.value.message_dict) == ["reason"]
    assert list(no_note.value.message_dict) == ["note"]
    assert (checked.eligibility, checked.ineligible_reason, checked.eligibility_note) == (
        Eligibility.INELIGIBLE,
        "other",
        "重复报送",
    )


def test_the_submitter_does_not_check_their_own_work(
    office, coordinator_a, county_a, artist, submitted_work, chuping
):
    submitted_work(county_a, artist.person, by=coordinator_a)
    rounds.set_checkers(office, chuping, [coordinator_a])
    (entry,) = rounds.create_entries(office, chuping)

    with pytest.raises(ValidationError):
        rounds.check_entry(coordinator_a, entry, eligible=True)

    entry.refresh_from_db()
    assert entry.eligibility == Eligibility.PENDING


def test_the_author_does_not_check_their_own_work(
    office, artist, coordinator_b, county_a, submitted_work, chuping
):
    submitted_work(county_a, artist.person)
    rounds.set_checkers(office, chuping, [artist, coordinator_b])
    (entry,) = rounds.create_entries(office, chuping)

    with pytest.raises(ValidationError):
        rounds.check_entry(artist, entry, eligible=True)
    rounds.check_entry(coordinator_b, entry, eligible=False, reason="consent")

    entry.refresh_from_db()
    assert (entry.eligibility, entry.checked_by) == (Eligibility.INELIGIBLE, coordinator_b)
    assert Notification.objects.filter(user=office, message__contains=entry.code).exists()


def test_set_checkers_names_and_tells_them(office, coordinator_b, chuping):
    rounds.set_checkers(office, chuping, [coordinator_b])
    rounds.set_checkers(office, chuping, [coordinator_b])  # the same again: nothing

    assert list(RoundChecker.objects.values_list("user", flat=True)) == [coordinator_b.pk]
    assert Notification.objects.filter(user=coordinator_b).count() == 1
    assert AuditEntry.objects.filter(content_type__model="round", action="update").count() == 1


def test_an_entry_found_ineligible_leaves_the_experts_list(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = rounds.create_entries(office, chuping)
    rounds.check_entry(office, entry, eligible=True)
    open_with(office, chuping, [(entry, expert.person)])
    assert list(entries_for_expert(expert, chuping)) == [entry]

    rounds.check_entry(office, entry, eligible=False, reason="copied", note="与已发表作品雷同")

    assert list(entries_for_expert(expert, chuping)) == []


def test_no_check_in_a_closed_round(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = rounds.create_entries(office, chuping)
    rounds.check_entry(office, entry, eligible=True)
    open_with(office, chuping, [(entry, expert.person)])
    rounds.close_round(office, chuping)

    with pytest.raises(ValidationError):
        rounds.check_entry(office, entry, eligible=False, reason="length")


def test_units_are_not_checked_by_their_own_people(
    office, coordinator_a, county_a, county_b, linyi
):
    danwei = file_round(linyi, "danwei")
    rounds.set_checkers(office, danwei, [coordinator_a])
    entries = {e.unit: e for e in rounds.create_entries(office, danwei)}

    with pytest.raises(ValidationError):
        rounds.check_entry(coordinator_a, entries[county_a], eligible=True)
    rounds.check_entry(coordinator_a, entries[county_b], eligible=True)


def test_notices_of_the_review_go_to_the_campaign_office(office, coordinator_a, chuping):
    assert services.office_of(chuping.campaign) == [office]

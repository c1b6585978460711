"""What makes an objection acceptable (wenyi/awards/objections.py): a real name and a
telephone, a unit's name and seal, grounds, a result standing on this notice, inside
the window; the files through the shared upload checks, none left behind by a refusal
or a failure; the same form sent twice makes one objection. And the window itself,
across a weekend, a statutory holiday and a make-up working day."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.awards.conftest import png, publish
from tests.awards.conftest import unit_form as form
from tests.media import plain_pdf
from wenyi.awards import services
from wenyi.awards.enums import AwardStatus
from wenyi.awards.models import Award, Objection, ObjectionFile


def stored() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refusal(notice, data, files=None, today=None) -> dict:
    with pytest.raises(ValidationError) as refused:
        services.receive_objection(notice, data, files or {}, today)
    assert not Objection.objects.exists()
    return refused.value.message_dict


def person_form(notice, **changes):
    return form(notice, objector_kind="person", unit_name="", **changes)


# -- who objects -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "  ", "匿名", "某某", "群众", "A"])
def test_an_anonymous_objection_is_refused(notice, name):
    errors = refusal(notice, person_form(notice, name=name))

    assert list(errors) == ["name"]


def test_an_objection_without_a_telephone_is_refused(notice):
    errors = refusal(notice, person_form(notice, phone=""))

    assert list(errors) == ["phone"]


def test_a_telephone_that_is_no_number_is_refused(notice):
    errors = refusal(notice, person_form(notice, phone="打我电话"))

    assert "打我电话" in errors["phone"][0]


def test_a_unit_without_its_seal_is_refused(notice):
    errors = refusal(notice, form(notice), {"evidence": [png()]})

    assert list(errors) == ["seal"]
    assert stored() == []


def test_a_unit_without_its_name_is_refused(notice):
    errors = refusal(notice, form(notice, unit_name=""), {"seal": png()})

    assert list(errors) == ["unit_name"]


def test_every_wrong_field_is_named_at_once(notice):
    errors = refusal(notice, form(notice, name="", unit_name="", phone="", grounds="", award=""))

    assert set(errors) == {"name", "unit_name", "phone", "grounds", "award", "seal"}


# -- what is objected to -------------------------------------------------------------------------


def test_an_objection_without_grounds_is_refused(notice):
    errors = refusal(notice, person_form(notice, grounds=" "))

    assert list(errors) == ["grounds"]


def test_a_withdrawn_result_takes_no_objection(notice):
    award = notice.results.awards.first()
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.WITHDRAWN)

    errors = refusal(notice, person_form(notice, award=award.pk))

    assert list(errors) == ["award"]


def test_a_result_of_no_notice_takes_no_objection(notice):
    errors = refusal(notice, person_form(notice, award=999_999))

    assert list(errors) == ["award"]


# -- files -------------------------------------------------------------------------------------


def test_evidence_goes_through_the_upload_checks_and_leaves_nothing(notice):
    fake = SimpleUploadedFile(
        "证据.pdf", b"just some text, not a PDF", content_type="application/pdf"
    )

    errors = refusal(notice, form(notice), {"seal": png(), "evidence": [fake]})

    assert list(errors) == ["evidence"]
    assert "证据.pdf" in errors["evidence"][0]
    assert stored() == []


def test_a_failed_write_leaves_no_file_behind(notice, monkeypatch):
    real_save = FileSystemStorage._save
    calls = []

    def full_disk(self, name, content):
        calls.append(name)
        if len(calls) > 2:  # the seal and its public copy are written, then the disk fills
            raise OSError("No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", full_disk)
    evidence = SimpleUploadedFile("证明.pdf", plain_pdf(), content_type="application/pdf")

    with pytest.raises(OSError):
        services.receive_objection(notice, form(notice), {"seal": png(), "evidence": [evidence]})

    assert len(calls) == 3
    assert stored() == []
    assert not Objection.objects.exists() and not ObjectionFile.objects.exists()


def test_seal_and_evidence_are_kept_with_the_objection(notice):
    evidence = SimpleUploadedFile("证明.pdf", plain_pdf(), content_type="application/pdf")

    objection = services.receive_objection(
        notice, form(notice), {"seal": png(), "evidence": [evidence, evidence]}, None
    )

    kinds = sorted(objection.files.values_list("kind", flat=True))
    assert kinds == ["evidence", "seal"]  # the same file chosen twice is kept once
    assert all(f.file.name.startswith(f"objections/{objection.pk}/") for f in objection.files.all())


def test_the_same_form_sent_twice_makes_one_objection(notice):
    data = form(notice, token="tok-123")

    first = services.receive_objection(notice, data, {"seal": png()}, None)
    again = services.receive_objection(notice, data, {"seal": png()}, None)

    assert again.pk == first.pk
    assert Objection.objects.count() == 1
    assert ObjectionFile.objects.count() == 1


# -- the window --------------------------------------------------------------------------------


def test_late_is_refused_the_day_after_the_window_and_received_on_its_last_day(notice):
    late = refusal(notice, person_form(notice), today=datetime.date(2014, 12, 9))
    early = refusal(notice, person_form(notice), today=datetime.date(2014, 12, 1))

    on_time = services.receive_objection(
        notice, person_form(notice), {}, datetime.date(2014, 12, 8)
    )

    assert list(late) == [NON_FIELD_ERRORS] and "2014-12-08" in late[NON_FIELD_ERRORS][0]
    assert "2014-12-02" in early[NON_FIELD_ERRORS][0]
    assert on_time.notice == notice


@pytest.mark.parametrize(
    ("today", "starts_on", "first", "last"),
    [
        # a weekend: Tuesday to the Monday after
        ("2014-12-01", "2014-12-02", "2014-12-02", "2014-12-08"),
        # National Day (1–7 October) does not count
        ("2014-09-26", "2014-09-29", "2014-09-29", "2014-10-10"),
        # a Saturday start moves to Sunday 28 September, a make-up working day
        ("2014-09-26", "2014-09-27", "2014-09-28", "2014-10-09"),
        # Saturday 11 October is a make-up working day and counts
        ("2014-10-08", "2014-10-09", "2014-10-09", "2014-10-14"),
    ],
)
def test_the_window_counts_working_days(settings, office, approved, today, starts_on, first, last):
    day = datetime.date.fromisoformat
    settings.WENYI_TODAY = day(today)

    notice = publish(office, approved, day(starts_on))

    assert (notice.starts_on, notice.ends_on) == (day(first), day(last))
    received = services.receive_objection(notice, person_form(notice), {}, day(last))
    assert received.pk
    late = day(last) + datetime.timedelta(days=1)
    Objection.objects.all().delete()
    assert NON_FIELD_ERRORS in refusal(notice, person_form(notice), today=late)


def test_an_objection_on_a_holiday_inside_the_window_is_received(settings, office, approved):
    settings.WENYI_TODAY = datetime.date(2014, 9, 26)
    notice = publish(office, approved, datetime.date(2014, 9, 29))

    objection = services.receive_objection(
        notice, person_form(notice), {}, datetime.date(2014, 10, 4)
    )

    assert objection.reference == "YY2014-0001"


def test_a_superseded_notice_takes_no_objection(office, office2, notice):
    objection = services.receive_objection(notice, person_form(notice), {}, None)
    services.decide(office2, objection, upheld=True, decision="成立，撤销该奖项。")
    publish(office, notice.results, datetime.date(2014, 12, 4))

    errors = refusal_after(notice)

    assert list(errors) == [NON_FIELD_ERRORS]


def refusal_after(notice) -> dict:
    with pytest.raises(ValidationError) as refused:
        services.receive_objection(notice, person_form(notice), {}, datetime.date(2014, 12, 4))
    return refused.value.message_dict

"""Making documents in the background and keeping every version (documents.generate)."""

import hashlib

import pytest

from wenyi.core.models import AuditEntry
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind, JobStatus
from wenyi.documents.models import Document, GenerationJob

KIND = DocumentKind.NOTICE
calls = []


@pytest.fixture
def maker():
    """A registered maker for one kind, restored afterwards: it counts its calls and
    fails with CannotMake when asked for the variant "refuse"."""
    before = generate._MAKERS.get(KIND)

    def make(campaign, variant, fmt, progress):
        calls.append((campaign.slug, variant, fmt))
        if variant == "refuse":
            raise generate.CannotMake("结果尚未确定，不能生成。")
        if variant == "crash":
            raise RuntimeError("boom")
        for step in range(1, 4):
            progress(step, 3)
        return generate.Made(
            f"{campaign.slug}:{len(calls)}".encode(), "活动通知", "临会办〔2014〕46号"
        )

    generate.register(KIND, make)
    calls.clear()
    yield make
    if before is None:
        generate._MAKERS.pop(KIND, None)
    else:
        generate.register(KIND, before)


def test_make_keeps_each_version_with_its_hash_and_maker(linyi, office, maker):
    first = generate.make(office, linyi, KIND, DocumentFormat.PDF)
    second = generate.make(office, linyi, KIND, DocumentFormat.PDF)
    other_format = generate.make(office, linyi, KIND, DocumentFormat.DOCX)

    assert (first.version, second.version, other_format.version) == (1, 2, 1)
    for document in (first, second):
        content = document.file.read()
        document.file.close()
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size == len(content)
        assert document.made_by == office
        assert document.number == "临会办〔2014〕46号"
    # the old version stays, with its own file
    assert first.file.name != second.file.name
    assert list(generate.versions(linyi, KIND).filter(format="pdf")) == [second, first]
    kept = AuditEntry.objects.filter(content_type__model="document", actor=office)
    assert kept.count() == 3


def test_request_runs_the_job_and_records_its_progress(linyi, office, maker):
    job = generate.request(office, linyi, KIND, DocumentFormat.PDF)
    job.refresh_from_db()  # tests run tasks immediately
    assert job.status == JobStatus.DONE
    assert (job.done, job.total) == (3, 3)
    assert job.document == Document.objects.get(campaign=linyi, kind=KIND)
    assert "1" in job.message


def test_a_second_request_while_one_waits_finds_it(linyi, office, maker, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = generate.request(office, linyi, KIND, DocumentFormat.PDF)
    again = generate.request(office, linyi, KIND, DocumentFormat.PDF)
    assert again.pk == first.pk
    assert GenerationJob.objects.count() == 1
    # run twice (a task delivered twice): made once
    generate.run(first.pk)
    generate.run(first.pk)
    assert calls == [(linyi.slug, "", "pdf")]
    # once done, asking again makes a new job and a new version
    later = generate.request(office, linyi, KIND, DocumentFormat.PDF)
    generate.run(later.pk)
    assert later.pk != first.pk
    assert Document.objects.filter(campaign=linyi, kind=KIND).count() == 2


def test_a_refusal_fails_the_job_with_its_reason_and_keeps_nothing(linyi, office, maker):
    job = generate.request(office, linyi, KIND, DocumentFormat.PDF, variant="refuse")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "结果尚未确定，不能生成。"
    assert not Document.objects.exists()


def test_an_unexpected_error_fails_the_job_in_words(linyi, office, maker, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = generate.request(office, linyi, KIND, DocumentFormat.PDF, variant="crash")
    job = generate.run(job.pk)
    assert job.status == JobStatus.FAILED
    assert "意外错误" in job.message or "unexpected" in job.message
    assert not Document.objects.exists()

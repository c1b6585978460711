"""Spreadsheet imports as background jobs: one model (`ImportJob`), one runner.

Each kind of import (people in orgs, activities in activities) registers itself in
its app's `AppConfig.ready()` with two functions, so core never imports the apps
above it:

- `check(job, file, progress) -> Checked` reads and checks every row and writes
  nothing but the progress: the rows to write, or every problem (`sheets.ErrorList`);
- `write(job, rows) -> Written` hands the rows to the app's bulk service, which saves
  them all in one transaction with their audit entries, or refuses with
  `RowsRefused` naming the rows.

Two phases, because of SQLite: a write transaction holds the database's write lock
until it commits, so progress written inside it could not be seen by the page, and
would stop every other writer for the whole import. So the checking (the slow part:
reading the workbook) runs outside any transaction and writes its progress with
short separate UPDATEs; then the rows are written in one transaction, which also
marks the job done, so a crash leaves either everything or nothing. The bulk
service checks again, under its locks, what may have changed since the check (an
upload of the same file that finished meanwhile), and refuses rather than import
twice.

`process()` claims a queued job with one conditional UPDATE, so a job enqueued or run
twice is imported once; it always ends the job "done" or "failed" and deletes the
uploaded file: the imported records, or the list of problems, are what is kept.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.core.enums import ImportStatus
from wenyi.core.models import ImportJob
from wenyi.core.sheets import ErrorList, Progress, SheetLayout

logger = logging.getLogger(__name__)
T = TypeVar("T")


# -- what bulk services refuse ------------------------------------------------------------


@dataclass(frozen=True)
class RowRef:
    """Where a row came from, handed to a bulk service so its refusals name the place."""

    layout: SheetLayout
    number: int  # the Excel row number


@dataclass(frozen=True)
class Problem:
    ref: RowRef | None  # the refused row's `ref`; None: the rows as a whole
    key: str | None  # the field (a column key); None: the whole row
    message: str


class RowsRefused(Exception):
    """A bulk service refuses the rows, saying why for each one; nothing was saved."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


def add_problems(errors: ErrorList, problems: Iterable[Problem]) -> None:
    for problem in problems:
        if problem.ref is None:
            errors.add(problem.message)
        else:
            ref = problem.ref
            errors.add(problem.message, layout=ref.layout, row=ref.number, key=problem.key)


# -- the kinds ---------------------------------------------------------------------------


@dataclass
class Checked:
    """What a check found: the rows for the bulk service, or the problems (then nothing
    is written)."""

    rows: list[Any]
    errors: ErrorList


@dataclass(frozen=True)
class Written:
    """What the bulk service saved, and the sentence the job's page shows."""

    created: int = 0
    updated: int = 0
    message: str = ""


Check = Callable[[ImportJob, IO[bytes], Progress], Checked]
Write = Callable[[ImportJob, list[Any]], Written]


@dataclass(frozen=True)
class Kind:
    check: Check
    write: Write


_KINDS: dict[str, Kind] = {}


def register(kind: str, *, check: Check, write: Write) -> None:
    """Make `kind` (an ImportKind) importable; from the kind's AppConfig.ready()."""
    _KINDS[kind] = Kind(check, write)


def write_checked(checked: Checked, write: Callable[[list[Any]], T]) -> T | None:
    """`write(rows)` in one transaction when the check found no problem; None when
    nothing was written (the service's refusals are added to `checked.errors`)."""
    if checked.errors:
        return None
    try:
        with transaction.atomic():
            return write(checked.rows)
    except RowsRefused as refused:
        add_problems(checked.errors, refused.problems)
        return None


# -- starting and running a job --------------------------------------------------------


def start(
    actor,
    *,
    kind: str,
    upload: File,
    token: uuid.UUID | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[ImportJob, bool]:
    """Store an upload as a queued job and enqueue it: (job, True). When the same form
    (the same one-time token) was sent before, the job it made: (job, False).

    Call it in autocommit (a view, a command): the job's row is committed before a
    worker looks for it.
    """
    from wenyi.core.tasks import run_import

    if token is not None:
        earlier = ImportJob.objects.filter(token=token, created_by=actor).first()
        if earlier is not None:
            return earlier, False
    job = ImportJob(
        kind=kind,
        created_by=actor,
        original_name=(upload.name or "")[:255],
        token=token or uuid.uuid4(),
        options=options or {},
    )
    # a random stored name: the path never shows the uploader's file name
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # the same form, sent twice at the same moment
        job.file.delete(save=False)
        return ImportJob.objects.get(token=job.token), False
    run_import.enqueue(job.pk)
    return job, True


def process(
    job_id: int, *, file: IO[bytes] | None = None, progress: Progress | None = None
) -> ImportJob:
    """Claim a queued job, import it, and always end it "done" or "failed".

    `file` replaces the job's stored file (the command line reads the file where it
    lies); `progress(done, total)` is called as the rows are checked.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, updated_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        _run(job, file, _reporter(job_id, progress))
    except Exception:
        logger.exception("%s import %s stopped", job.kind, job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            updated_at=timezone.now(),
            message=_(
                "The import stopped because of an unexpected error; nothing was "
                "imported. Please upload the file again; if it happens again, tell "
                "the administrator."
            ),
        )
        raise
    finally:
        _discard_file(job_id)
    job.refresh_from_db()
    return job


def _reporter(job_id: int, progress: Progress | None) -> Progress:
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(
            done_rows=done, total_rows=total, updated_at=timezone.now()
        )
        if progress is not None:
            progress(done, total)

    return report


def _run(job: ImportJob, file: IO[bytes] | None, report: Progress) -> None:
    kind = _KINDS[job.kind]
    if file is not None:
        checked = kind.check(job, file, report)
    else:
        with job.file.storage.open(job.file.name, "rb") as stored:
            checked = kind.check(job, stored, report)
    if write_checked(checked, lambda rows: _succeed(job, kind.write(job, rows))) is None:
        _fail(job, checked.errors)


_OUTCOME_FIELDS = ["status", "created_count", "updated_count", "errors", "message", "updated_at"]


def _succeed(job: ImportJob, written: Written) -> Written:
    """Inside the writing transaction: the job is done exactly when its rows are saved."""
    job.status = ImportStatus.DONE
    job.created_count, job.updated_count = written.created, written.updated
    job.errors = []
    job.message = written.message
    job.save(update_fields=_OUTCOME_FIELDS)
    return written


def _fail(job: ImportJob, errors: ErrorList) -> None:
    job.status = ImportStatus.FAILED
    job.created_count = job.updated_count = 0
    job.errors = errors.as_dicts()
    job.message = ngettext(
        "Nothing was imported: the file has %(count)s problem. Fix it and upload the file again.",
        "Nothing was imported: the file has %(count)s problems. Fix them and upload the file "
        "again.",
        errors.count,
    ) % {"count": errors.count}
    job.save(update_fields=_OUTCOME_FIELDS)


def _discard_file(job_id: int) -> None:
    job = ImportJob.objects.filter(pk=job_id).only("file").first()
    if job is not None and job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")

"""The two pages every spreadsheet import has (core.imports), returned by the apps'
views after their own permission checks: the upload page, whose form starts a job,
and the job's page — the same template showing the job's progress, then its counts or
every problem. While the job runs, htmx asks the job's page for its status part every
second, so a reload or a later visit finds the job where it is.

A kind's page template extends core/import_page.html; its status part, named after it
(orgs/people_import.html → orgs/_people_import_status.html), extends
core/_import_status.html and says what was saved.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wenyi.core import imports, tokens
from wenyi.core.forms import ImportUploadForm
from wenyi.core.models import ImportJob


def upload_page(
    request: HttpRequest,
    form_class: type[ImportUploadForm],
    kind: str,
    template: str,
    *,
    job_view: str,
    options: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """GET: the empty form on `template`. POST: the upload as a job of `kind` (the same
    form sent twice finds the first job), `options(cleaned_data)` its options; then a
    redirect to the job's page, the view named `job_view`."""
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            job, _created = imports.start(
                request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                token=tokens.bind(request, form.cleaned_data["token"]),
                options=options(form.cleaned_data) if options else None,
            )
            return redirect(job_view, pk=job.pk)
    else:
        form = form_class()
    context.update(form=form, max_mb=settings.WENYI_UPLOAD_MAX_MB)
    return render(request, template, context)


def job_page(request: HttpRequest, job: ImportJob, template: str, **context: Any) -> HttpResponse:
    """The job on its kind's page `template`; for htmx, only its status part."""
    folder, _slash, name = template.rpartition("/")
    status_template = f"{folder}/_{name.removesuffix('.html')}_status.html"
    context.update(job=job, status_url=request.path, status_template=status_template)
    return render(request, status_template if request.htmx else template, context)
